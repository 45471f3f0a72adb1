"""Copies of a buffer's box in a local memory scope: cache_read and cache_write.

`cache_read` copies the box of an input one iteration of a loop reads into a local buffer
first (a padded read copies the padded tensor, computing each padded element once);
`cache_write` keeps the box of the output in one, copied in before and written back after,
or, where the iteration computes its box whole, started at the reduction's init value and
written back through its epilogue. A cache_read into shared memory covers what the
threads of the block read, between barriers. Neither caches a buffer allocated inside the loop (a
cache made there already), nor leaves a parallel loop around it with iterations that touch
one element.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import memref, scf
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.dependences import check_still_independent
from ziggurat.analysis.payload import (
    PaddedRead,
    bounds,
    buffer_name,
    conjuncts,
    constant_int,
    defined_in,
    describe,
    iv,
    optional_bounds,
    padded_read,
    stage_accesses,
    stage_name,
    stage_root,
)
from ziggurat.analysis.ranges import Linear, form_interval, linear
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import BarrierOp, BindAttr, annotations
from ziggurat.transforms import Changes, ScheduleError
from ziggurat.transforms.build import clone_slice, emit, erase_dead
from ziggurat.transforms.reductions import (
    accumulate_in_memory,
    apply_epilogue,
    epilogue_of,
    init_nest,
)
from ziggurat.transforms.regions import (
    Box,
    box,
    box_nest,
    box_of,
    box_offsets,
    layout,
    local_buffer,
    local_indices,
    redirect,
)


def cache_read(loop: scf.ForOp, number: int, scope: str, changes: Changes) -> scf.ForOp:
    """The box of input `number` that one iteration of `loop` reads, copied into a buffer
    of `scope` first and read from there; gives the copy's nest. A padded read caches the
    padded tensor: the box of its unclamped indices, with the padding in it. A shared
    buffer holds what all the threads of a block read (the box over every iteration of the
    loops around bound to threadIdx), and barriers fence its copy (see `fence`)."""
    loop = accumulate_in_memory(loop, changes)
    name = stage_name(stage_root(loop))
    buffer = stage_input(loop, number)
    check_outside(buffer, loop, "cache_read")
    reads = [
        op for op in stage_accesses(loop) if isinstance(op, memref.LoadOp) and op.memref is buffer
    ]
    if not reads:
        raise ScheduleError(f"{describe(loop)} does not read input {number} of '{name}'")
    tag = f"{buffer.name_hint or f'{name}.input{number}'}.{scope}"
    shape = buffer.type.get_shape()  # type: ignore[attr-defined]
    relaxed = thread_loops(loop) if scope == "shared" else []
    padded = [p for read in reads if (p := padded_read(read, loop)) is not None]
    kinds = {
        (p.clamped_below, p.clamped_above, p.select.rhs.owner.value)  # type: ignore[union-attr]
        for p in padded
    }
    if len(padded) == len(reads) and len(kinds) == 1:
        try:
            raws = [list(p.raw) for p in padded]
            region = box_of(shape, raws, loop, clip=False, relaxed=relaxed)
        except ScheduleError:
            pass
        else:
            copy = cache_padded_reads(loop, buffer, padded, region, scope, tag)
            if scope == "shared":
                fence(loop.body.block, copy)
            return copy
    region = box(buffer, reads, loop, relaxed)
    order = layout([list(read.indices) for read in reads], loop)
    local, loops, offsets, positions, inner = copy_nest(loop, buffer, region, order, scope, tag)
    value = emit(memref.LoadOp.get(buffer, positions), inner)
    Rewriter.insert_op(memref.StoreOp.get(value, local, [iv(copy) for copy in loops]), inner)
    for read in reads:
        redirect(read, local, offsets, region, order)
    free_at_end(local, loop)
    check_still_independent(loop, "cache_read")
    copy = loops[0] if loops else loop
    if scope == "shared":
        fence(loop.body.block, copy)
    return copy


def thread_loops(loop: scf.ForOp) -> list[scf.ForOp]:
    """`loop` and the loops around it bound to a thread index (threadIdx.x, y or z)."""
    found: list[scf.ForOp] = []
    current: Operation | None = loop
    while current is not None:
        if isinstance(current, scf.ForOp) and any(
            isinstance(a, BindAttr) and a.axis.data.startswith("threadIdx")
            for a in annotations(current)
        ):
            found.append(current)
        current = current.parent_op()
    return found


def fence(block: Block, copy: Operation) -> None:
    """Barriers around the reads of the shared buffer a copy nest at the start of `block`
    fills: before the first (the copy is done by all threads) and after the last (no
    thread overwrites it in the next iteration while another still reads), unless one is
    there already."""
    ops = list(block.ops)
    buffer = next(o for o in copy.walk() if isinstance(o, memref.StoreOp)).memref
    readers = [
        index
        for index, op in enumerate(ops)
        if op is not copy
        and any(isinstance(o, memref.LoadOp) and o.memref is buffer for o in op.walk())
    ]
    if not readers:
        return
    first, last = readers[0], readers[-1]
    if not any(isinstance(o, BarrierOp) for o in ops[ops.index(copy) + 1 : first]):
        Rewriter.insert_op(BarrierOp(), InsertPoint.before(ops[first]))
    if not any(isinstance(o, BarrierOp) for o in ops[last + 1 :]):
        Rewriter.insert_op(BarrierOp(), InsertPoint.after(ops[last]))


def stage_input(loop: scf.ForOp, number: int) -> SSAValue:
    """Input `number` of the stage of `loop`: the buffers its nest reads but does not
    write, in the order of their first read."""
    root = stage_root(loop)
    touched = stage_accesses(root)
    written = {op.memref for op in touched if isinstance(op, memref.StoreOp)}
    inputs: list[SSAValue] = []
    for op in touched:
        if isinstance(op, memref.LoadOp) and op.memref not in written and op.memref not in inputs:
            inputs.append(op.memref)
    if number >= len(inputs):
        raise ScheduleError(
            f"'{stage_name(root)}' reads {len(inputs)} inputs, it has no input {number}"
        )
    return inputs[number]


def check_outside(buffer: SSAValue, loop: scf.ForOp, primitive: str) -> None:
    """An error if `buffer` is allocated inside `loop`: a cache made there or further in,
    which a copy at the start of `loop` would read before it exists."""
    if defined_in(buffer, loop):
        raise ScheduleError(
            f"{primitive} at {describe(loop)} would copy {buffer_name(buffer)}, which is "
            "allocated inside it (a cache made there or further in)"
        )


def copy_nest(
    loop: scf.ForOp,
    buffer: SSAValue,
    region: Box,
    order: Sequence[int],
    scope: str,
    tag: str,
) -> tuple[SSAValue, list[scf.ForOp], list[SSAValue], list[SSAValue], InsertPoint]:
    """At the start of `loop`'s body, a buffer of `scope` for `region` of `buffer` (its axes
    in `order`) and a nest `tag` over the region to fill it: the local buffer, the nest's
    loops, the region's offsets, the index in `buffer` of each element, and the point in
    the nest where the element is in bounds."""
    shape = buffer.type.get_shape()  # type: ignore[attr-defined]
    at = InsertPoint.at_start(loop.body.block)
    local = local_buffer(buffer, [region.extents[a] for a in order], scope, at)
    names = [f"{tag}.{axis}" for axis in range(len(shape))]
    loops, offsets, positions, inner = box_nest(region, names, tag, shape, at, loop, order)
    return local, loops, offsets, positions, inner


def free_at_end(local: SSAValue, loop: scf.ForOp) -> None:
    """Free the buffer `local` at the end of `loop`'s body."""
    end = InsertPoint.before(loop.body.block.last_op)  # type: ignore[arg-type]
    Rewriter.insert_op(memref.DeallocOp.get(local), end)


def cache_padded_reads(
    loop: scf.ForOp,
    buffer: SSAValue,
    reads: Sequence[PaddedRead],
    region: Box,
    scope: str,
    tag: str,
) -> scf.ForOp:
    """cache_read of padded reads over `region` (the box of their unclamped indices): the
    copy computes each padded element once (clamped read and select), the reads load it."""
    first = reads[0]
    # A clamped side of an index never leaves the buffer; an unclamped one is guarded as
    # usual (a stride-2 window that never reaches the bottom padding has no clamp there,
    # though the box of a guarded last chunk of rows reaches past the image).
    below, above = first.clamped_below, first.clamped_above
    region.below = [b and not c for b, c in zip(region.below, below, strict=True)]
    region.above = [a and not c for a, c in zip(region.above, above, strict=True)]
    order = layout([list(read.raw) for read in reads], loop)
    local, loops, offsets, positions, inner = copy_nest(loop, buffer, region, order, scope, tag)
    mapping = dict(zip(first.raw, positions, strict=True))
    value = clone_slice(first.select.result, mapping, loop, inner, loads=True)
    Rewriter.insert_op(memref.StoreOp.get(value, local, [iv(copy) for copy in loops]), inner)
    for read in reads:
        at_read = InsertPoint.before(read.select)
        indices = local_indices(read.raw, offsets, region, order, at_read, read.select)
        new = emit(memref.LoadOp.get(local, indices), at_read)
        read.select.result.replace_all_uses_with(new)
        holder = read.select.parent_block()
        Rewriter.erase_op(read.select)
        assert holder is not None
        erase_dead(holder)
    free_at_end(local, loop)
    check_still_independent(loop, "cache_read")
    return loops[0] if loops else loop


def cache_write(
    loop: scf.ForOp, scope: str, changes: Changes
) -> tuple[scf.ForOp, scf.ForOp | None]:
    """The box of the output that one iteration of `loop` touches, kept in a buffer of
    `scope` (copied in before, written back after); gives the write-back nest and the
    copy-in nest. When that iteration computes every element of its box whole (all the
    reduction inside it, no two iterations on one element), the box starts at the
    reduction's init value instead of a copy (its init nest goes), or nothing for a
    stage that only stores, and the write-back applies the reduction's epilogue (whose
    nest goes too)."""
    loop = accumulate_in_memory(loop, changes)
    root = stage_root(loop)
    name = stage_name(root)
    buffer = stage_output(root)
    check_outside(buffer, loop, "cache_write")
    touching = [op for op in stage_accesses(loop) if op.memref is buffer]
    stores = [op for op in touching if isinstance(op, memref.StoreOp)]
    if not stores:
        raise ScheduleError(f"{describe(loop)} does not write '{name}'")
    shape = buffer.type.get_shape()  # type: ignore[attr-defined]
    region = box(buffer, touching, loop)
    order = layout([list(op.indices) for op in touching], loop)
    whole = len(stores) == 1 and computes_box_whole(loop, root, stores[0], region, shape)
    init = init_nest(root, buffer) if whole else None
    epilogue = epilogue_of(root, buffer, shape) if init is not None else None
    reads = any(isinstance(op, memref.LoadOp) for op in touching)
    block = loop.body.block
    at = InsertPoint.at_start(block)
    local = local_buffer(buffer, [region.extents[a] for a in order], scope, at)
    names = [f"{name}.{scope}.{axis}" for axis in range(len(shape))]
    offsets = box_offsets(region, at, loop)
    first: scf.ForOp | None = None
    if init is not None:
        nest, value = init
        loops, _, _, inner = box_nest(
            region, names, f"{name}.{scope}.init", shape, at, loop, order, offsets, False
        )
        constant = emit(value.clone(), inner)
        Rewriter.insert_op(memref.StoreOp.get(constant, local, [iv(c) for c in loops]), inner)
        changes.erase(nest)
        first = loops[0] if loops else None
    elif reads or not whole:
        loops, _, positions, inner = box_nest(
            region, names, f"{name}.{scope}.in", shape, at, loop, order, offsets
        )
        value = emit(memref.LoadOp.get(buffer, positions), inner)
        Rewriter.insert_op(memref.StoreOp.get(value, local, [iv(c) for c in loops]), inner)
        first = loops[0] if loops else None
    for op in touching:
        redirect(op, local, offsets, region, order)
    end = InsertPoint.before(block.last_op)  # type: ignore[arg-type]
    back, _, positions, inner = box_nest(
        region, names, f"{name}.{scope}", shape, end, loop, order, offsets
    )
    value = emit(memref.LoadOp.get(local, [iv(copy) for copy in back]), inner)
    written = buffer
    if epilogue is not None:
        value = apply_epilogue(epilogue, value, positions, inner)
        written = epilogue.store.memref
        changes.erase(epilogue.root)
    Rewriter.insert_op(memref.StoreOp.get(value, written, positions), inner)
    Rewriter.insert_op(memref.DeallocOp.get(local), end)
    check_still_independent(loop, "cache_write")
    return (back[0] if back else loop), first


def stage_output(root: scf.ForOp) -> SSAValue:
    """The one buffer the stage `root` writes."""
    written = {op.memref for op in stage_accesses(root) if isinstance(op, memref.StoreOp)}
    if len(written) != 1:
        raise ScheduleError(
            f"cache_write needs '{stage_name(root)}' to write one buffer, it writes {len(written)}"
        )
    return next(iter(written))


def computes_box_whole(
    loop: scf.ForOp, root: scf.ForOp, store: memref.StoreOp, region: Box, shape: Sequence[int]
) -> bool:
    """Whether one iteration of `loop` stores every element of its box of the output that
    lies in the buffer, with all the loops of the stage that do not index the output (the
    reduction) inside it, and no other iteration of the stage's loops stores them."""
    chain, guards = loops_and_guards(store, root)
    if loop not in chain or any(optional_bounds(c) is None for c in chain):
        return False
    if any(bounds(c).lower != 0 or bounds(c).step != 1 for c in chain):
        return False
    trips = {iv(c): bounds(c).trip_count for c in chain}
    inner = {iv(c) for c in chain[chain.index(loop) + 1 :]}
    forms = [linear(value) for value in store.indices]
    used: set[SSAValue] = set()
    for terms, _ in forms:
        for atom in terms:
            if atom in trips:
                if atom in used:
                    return False
                used.add(atom)
            elif defined_in(atom, root) or atom.owner is root:
                return False
    if any(atom not in used and atom not in inner for atom in trips):
        return False  # a loop outside `loop` that does not index the output
    return all(
        axis_covered(terms, trips, inner, extent, size)
        for (terms, _), extent, size in zip(forms, region.extents, shape, strict=True)
    ) and all(cuts_outside_only(guard, inner - used, forms, shape) for guard in guards)


def loops_and_guards(
    store: memref.StoreOp, root: scf.ForOp
) -> tuple[list[scf.ForOp], list[scf.IfOp]]:
    """The loops from `root` to `store`, outermost first, and the guards around it there."""
    chain: list[scf.ForOp] = []
    guards: list[scf.IfOp] = []
    current = store.parent_op()
    while current is not None:
        if isinstance(current, scf.ForOp):
            chain.insert(0, current)
        elif isinstance(current, scf.IfOp):
            guards.append(current)
        if current is root:
            break
        current = current.parent_op()
    return chain, guards


def axis_covered(
    terms: dict[SSAValue, int],
    trips: dict[SSAValue, int],
    inner: set[SSAValue],
    extent: int,
    size: int,
) -> bool:
    """Whether the loops in `inner` that index an output axis by `terms` cover its box of
    `extent` (or the whole axis of `size`) once, and the loops outside step over whole boxes."""
    inside = sorted((c, trips[a]) for a, c in terms.items() if a in inner)
    outside = sorted((c, trips[a]) for a, c in terms.items() if a in trips and a not in inner)
    span = 1
    for coefficient, trip in inside:
        if coefficient != span:
            return False
        span *= trip
    if extent != span and not (extent == size <= span and all(t == 1 for _, t in outside)):
        return False
    reach = span
    for coefficient, trip in outside:
        if coefficient < reach:
            return False
        reach = coefficient * trip
    return True


def cuts_outside_only(
    guard: scf.IfOp, reducing: set[SSAValue], forms: Sequence[Linear], shape: Sequence[int]
) -> bool:
    """Whether `guard` only cuts off what lies outside the buffer (the tail of a split of an
    output axis) or the tail of a split of a `reducing` loop."""
    for condition in conjuncts(guard.cond):
        test = condition.owner
        if not (isinstance(test, arith_extra.CmpiOp) and test.predicate.value.data == 2):
            return False
        bound = constant_int(test.rhs)
        tested = linear(test.lhs)
        if all(atom in reducing for atom in tested[0]):
            continue
        if bound is None or not any(
            cuts_outside(tested, bound, form, size) for form, size in zip(forms, shape, strict=True)
        ):
            return False
    return True


def cuts_outside(tested: Linear, bound: int, form: Linear, size: int) -> bool:
    """Whether a guard `tested < bound` skips only iterations where the index `form` is at
    or past `size`: form is a positive multiple of tested plus what cannot go negative (a
    guard of an outer split's tail, the index `4 * j.outer + j.inner`)."""
    (terms, constant), (whole, offset) = tested, form
    if not terms:
        return False
    first = next(iter(terms))
    if whole.get(first, 0) % terms[first] or whole.get(first, 0) <= 0:
        return False
    scale = whole[first] // terms[first]
    if any(whole.get(atom) != scale * c for atom, c in terms.items()):
        return False
    rest = form_interval({atom: c for atom, c in whole.items() if atom not in terms})
    return rest is not None and scale * (bound - constant) + rest.low + offset >= size
