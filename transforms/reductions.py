"""A reduction's accumulator moved from `iter_args` into memory, so its loops can move.

te-to-loop carries a reduction's accumulator through the `iter_args` of its reduce loops
and stores the result once. A structural change to the band first turns that into
`C[e] = init` in a nest of its own before the stage, tagged "name.init", and
`C[e] = C[e] + v` in the innermost reduce loop; an epilogue te-inline put beside the store
(`C[e] = relu(sum + bias)`) becomes a nest of its own after the stage, "name.epilogue".
Where the epilogue stores another type than the reduction sums (an int32 sum requantized
to int8), the sum accumulates in a buffer of its own type, shaped as the output, which
the epilogue nest reads.
It offers `accumulate_in_memory`, and `init_nest`, `epilogue_of` and `apply_epilogue` for
cache_write, which folds those nests back into the tile it keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IndexType, MemRefType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.payload import (
    Bounds,
    band,
    band_child,
    body_ops,
    constant_int,
    defined_in,
    describe,
    is_pure,
    iv,
    optional_bounds,
    reduction_epilogue,
    stage_name,
    stage_root,
)
from ziggurat.dialects.loop import ALIGNMENT
from ziggurat.transforms import Changes, ScheduleError
from ziggurat.transforms.build import clone_slice, emit, erase_dead, index_constant, nest_like


def accumulate_in_memory(loop: scf.ForOp, changes: Changes) -> scf.ForOp:
    """`loop` (or what replaced it) once the band of its stage carries no values: a
    reduction in it accumulates in memory (see the module docstring); the reduction loops
    are replaced, recorded in `changes`."""
    root = stage_root(loop)
    outermost = next((member for member in band(root) if member.iter_args), None)
    if outermost is not None:
        move_accumulator(root, outermost, changes)
    return changes.replaced.get(loop, loop)  # type: ignore[return-value]


def move_accumulator(root: scf.ForOp, outermost: scf.ForOp, changes: Changes) -> None:
    """Accumulate the reduction that `outermost` and the band loops in it carry in the
    element its result is stored to: an init nest before, the accumulation in the
    innermost reduction loop, the epilogue (if any) in a nest after."""
    name = stage_name(root)
    chain = reduction_chain(outermost, name)
    store = result_store(root, outermost, name)
    spatial = loops_around(root, outermost, name)
    target = store
    if store.memref.type.element_type != outermost.res[0].type:  # type: ignore[attr-defined]
        target = partial_sums(root, outermost, store)
    init_element(root, outermost, target, spatial, name)
    accumulate(chain, target)
    if store.value is not outermost.res[0]:
        epilogue_nest(name, spatial, outermost, store, root, target.memref)
    if target is not store:
        target.erase()
    store_block = store.parent_block()
    assert store_block is not None
    Rewriter.erase_op(store)
    erase_dead(store_block)
    drop_iter_args(chain, root, changes)
    erase_dead(store_block)


def cannot(name: str, why: str) -> ScheduleError:
    """The error of a reduction of stage `name` that cannot accumulate in memory."""
    return ScheduleError(f"cannot accumulate the reduction of '{name}' in memory: {why}")


def reduction_chain(outermost: scf.ForOp, name: str) -> list[scf.ForOp]:
    """The band loops from `outermost` in that pass one accumulator down, outermost first."""
    chain = [outermost]
    while True:
        last = chain[-1]
        if len(last.iter_args) != 1:
            raise cannot(name, f"{describe(last)} carries {len(last.iter_args)} values")
        child = band_child(last)
        accumulator = last.body.block.args[1]
        terminator = last.body.block.last_op
        assert isinstance(terminator, scf.YieldOp)
        if (
            child is None
            or len(child.iter_args) != 1
            or child.iter_args[0] is not accumulator
            or terminator.arguments[0] is not child.res[0]
        ):
            return chain
        chain.append(child)


def result_store(root: scf.ForOp, outermost: scf.ForOp, name: str) -> memref.StoreOp:
    """The store of the reduction's result (or of its epilogue's), beside `outermost`, at
    an element and from an init value that do not depend on the reduction."""
    holder = outermost.parent_op()
    uses = list(outermost.res[0].uses)
    if len(uses) == 1 and isinstance(uses[0].operation, memref.StoreOp):
        store = uses[0].operation
    elif isinstance(holder, scf.ForOp) and (epilogue := reduction_epilogue(holder, outermost)):
        store = epilogue[-1]
    else:
        raise cannot(name, "its result is not stored once")
    assert isinstance(store, memref.StoreOp)
    if store.parent_block() is not outermost.parent_block():
        raise cannot(name, "its result is stored elsewhere")
    for value in [*store.indices, outermost.iter_args[0]]:
        if defined_in(value, outermost) or value.owner is store:
            raise cannot(name, "the element it stores depends on the reduction")
    if store.value is not outermost.res[0]:
        if outermost is root:
            raise cannot(name, "its epilogue is outside its loop nest")
        if any(
            isinstance(op, memref.LoadOp) and op.memref is store.memref
            for op in store.parent_block().ops  # type: ignore[union-attr]
        ):
            raise cannot(name, "its epilogue reads the buffer it writes")
    return store


def partial_sums(root: scf.ForOp, outermost: scf.ForOp, store: memref.StoreOp) -> memref.StoreOp:
    """A store (not inserted) of the reduced value into a buffer of the reduction's type
    shaped as the one `store` writes, allocated before the stage and freed at its
    function's end."""
    output = store.memref.type
    assert isinstance(output, MemRefType)
    alloc = memref.AllocOp.get(outermost.res[0].type, ALIGNMENT, output.get_shape())
    alloc.memref.name_hint = "partial"
    Rewriter.insert_op(alloc, InsertPoint.before(root))
    block = root.parent_block()
    assert block is not None and block.last_op is not None
    Rewriter.insert_op(memref.DeallocOp.get(alloc.memref), InsertPoint.before(block.last_op))
    return memref.StoreOp.get(outermost.iter_args[0], alloc.memref, list(store.indices))


def loops_around(root: scf.ForOp, outermost: scf.ForOp, name: str) -> list[scf.ForOp]:
    """The band loops from `root` to the one holding `outermost`, outermost first."""
    spatial: list[scf.ForOp] = []
    current: Operation = outermost
    while current is not root:
        parent = current.parent_op()
        if not isinstance(parent, scf.ForOp):
            raise cannot(name, f"{describe(current)} is not nested in a loop of its band")
        spatial.insert(0, parent)
        current = parent
    return spatial


def init_element(
    root: scf.ForOp,
    outermost: scf.ForOp,
    store: memref.StoreOp,
    spatial: Sequence[scf.ForOp],
    name: str,
) -> None:
    """Before the reduction, a nest `name.init` over the `spatial` loops that stores the
    reduction's initial value to each element it reduces into."""
    at = InsertPoint.before(spatial[0] if spatial else outermost)
    inner, mapping = nest_like(spatial, f"{name}.init", at, root)
    within = spatial[0] if spatial else None
    indices = [clone_slice(v, mapping, within, inner) for v in store.indices]
    value = clone_slice(outermost.iter_args[0], mapping, within, inner)
    Rewriter.insert_op(memref.StoreOp.get(value, store.memref, indices), inner)


def accumulate(chain: Sequence[scf.ForOp], store: memref.StoreOp) -> None:
    """The innermost loop of `chain` loads the element `store` writes, combines and stores
    it back; the loops of `chain` then yield nothing."""
    buffer, indices = store.memref, list(store.indices)
    block = chain[-1].body.block
    load = memref.LoadOp.get(buffer, indices)
    load.res.name_hint = "acc"
    Rewriter.insert_op(load, InsertPoint.at_start(block))
    block.args[1].replace_all_uses_with(load.res)
    terminator = block.last_op
    assert isinstance(terminator, scf.YieldOp)
    Rewriter.insert_op(
        memref.StoreOp.get(terminator.arguments[0], buffer, indices), InsertPoint.before(terminator)
    )
    for loop in chain:
        Rewriter.replace_op(loop.body.block.last_op, scf.YieldOp())  # type: ignore[arg-type]


def drop_iter_args(chain: Sequence[scf.ForOp], root: scf.ForOp, changes: Changes) -> None:
    """Replace each loop of `chain` by one without iter_args, recorded in `changes`."""
    for loop in reversed(chain):
        body = Block(arg_types=[IndexType()])
        # Constant bounds from the function's entry, so the loop can move out of the band.
        lb, ub, step = (
            v if (c := constant_int(v)) is None else index_constant(c, root)
            for v in (loop.lb, loop.ub, loop.step)
        )
        replacement = scf.ForOp(lb, ub, step, [], body)
        replacement.attributes.update(loop.attributes)
        for op in list(loop.body.block.ops):
            op.detach()
            body.add_op(op)
        iv(loop).replace_all_uses_with(body.args[0])
        body.args[0].name_hint = iv(loop).name_hint
        Rewriter.insert_op(replacement, InsertPoint.before(loop))
        Rewriter.erase_op(loop)
        changes.replace(loop, replacement)


def epilogue_nest(
    name: str,
    spatial: Sequence[scf.ForOp],
    outermost: scf.ForOp,
    store: memref.StoreOp,
    root: scf.ForOp,
    source: SSAValue,
) -> None:
    """After the stage, a nest over its output that applies the epilogue of `store` (which
    makes the stored element from the reduced value `outermost` gives) to each element,
    reading the reduced values from `source`."""
    after = InsertPoint.after(spatial[0] if spatial else outermost)
    inner, mapping = nest_like(spatial, f"{name}.epilogue", after, root)
    within = spatial[0] if spatial else None
    indices = [clone_slice(v, mapping, within, inner) for v in store.indices]
    reduced = emit(memref.LoadOp.get(source, indices), inner)
    mapping[outermost.res[0]] = reduced
    value = clone_slice(store.value, mapping, within, inner, loads=True)
    Rewriter.insert_op(memref.StoreOp.get(value, store.memref, indices), inner)


def init_nest(root: scf.ForOp, buffer: SSAValue) -> tuple[scf.ForOp, arith.ConstantOp] | None:
    """The nest right before the stage that sets its output to a constant (what
    `accumulate_in_memory` made of a reduction's init value), and that constant."""
    previous = root.prev_op
    while previous is not None and is_pure(previous):
        previous = previous.prev_op
    if not (
        isinstance(previous, scf.ForOp)
        and stage_name(previous) == f"{stage_name(root)}.init"
        and not previous.iter_args
    ):
        return None
    stores = [op for op in previous.walk() if isinstance(op, memref.StoreOp)]
    if len(stores) != 1 or stores[0].memref is not buffer:
        return None
    value = stores[0].value.owner
    if not isinstance(value, arith.ConstantOp):
        return None
    return previous, value


@dataclass
class Epilogue:
    """The nest after a stage that `accumulate_in_memory` made of a reduction's epilogue:
    per output axis the iv that indexes it, the load of the reduced element and the store
    (to the stage's output, or from partial sums to the output of the epilogue's type)."""

    root: scf.ForOp
    ivs: list[SSAValue]
    load: memref.LoadOp
    store: memref.StoreOp


def epilogue_of(root: scf.ForOp, buffer: SSAValue, shape: Sequence[int]) -> Epilogue | None:
    """The epilogue nest right after the stage `root`, over the whole of its output
    `buffer` of `shape`, or None."""
    following = root.next_op
    while following is not None and is_pure(following):
        following = following.next_op
    if not (
        isinstance(following, scf.ForOp) and stage_name(following) == f"{stage_name(root)}.epilogue"
    ):
        return None
    loads = [o for o in following.walk() if isinstance(o, memref.LoadOp) and o.memref is buffer]
    stores = [o for o in following.walk() if isinstance(o, memref.StoreOp)]
    if len(loads) != 1 or len(stores) != 1:
        return None
    written = stores[0].memref.type
    if stores[0].memref is not buffer and written.get_shape() != tuple(shape):  # type: ignore[attr-defined]
        return None
    load, store = loads[0], stores[0]
    loops = band(following)
    ivs = list(store.indices)
    if list(load.indices) != ivs or sorted(map(id, ivs)) != sorted(id(iv(lp)) for lp in loops):
        return None
    for value, size in zip(ivs, shape, strict=True):
        holder = value.owner.parent_op()  # type: ignore[union-attr]
        if not isinstance(holder, scf.ForOp) or optional_bounds(holder) != Bounds(0, size, 1):
            return None
    if any(o.regions for o in body_ops(loops[-1])):
        return None
    return Epilogue(following, ivs, load, store)


def apply_epilogue(
    epilogue: Epilogue, value: SSAValue, positions: Sequence[SSAValue], at: InsertPoint
) -> SSAValue:
    """The epilogue's element computed at `at` from the reduced `value` at `positions`."""
    mapping: dict[SSAValue, SSAValue] = dict(zip(epilogue.ivs, positions, strict=True))
    mapping[epilogue.load.res] = value
    return clone_slice(epilogue.store.value, mapping, epilogue.root, at, loads=True)
