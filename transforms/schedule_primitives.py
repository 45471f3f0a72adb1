"""The loop-level IR surgery behind each schedule primitive, and the analyses it needs.

The payload is what `te-to-loop` emits: per te.compute one nest of `scf.for` loops (a
*stage*) whose outermost loop is tagged `te.compute = "name"` and every loop `loop.axis`.
The loops of a stage nested one directly in another form its *band*; beside its child a
band loop holds only index arithmetic (pure ops, free to move or copy), the nests other
primitives attached to it, and for a reduction the store of its result. Every primitive
keeps the results exact:

- `split` gives `x = xo * f + xi`; when f does not divide the trip count the innermost
  body of the band runs under `scf.if x < n`.
- `fuse` gives `o = f / n_i`, `i = f % n_i`; `reorder` permutes a perfectly nested run of
  band loops (index arithmetic sinks into the innermost one) where no dependence between
  two iterations changes direction. Dependences come from the affine parts of load and
  store indices, direction vector by direction vector (Banerjee's bounds); an accumulation
  `C[e] = C[e] + v` is a reduction, which any order computes.
- A structural change to a reduction first turns its `iter_args` accumulator into
  accumulation in the output (`C[e] = init` in a nest of its own, tagged "name.init", then
  `C[e] = C[e] + v`), so its loops can move like any other.
- `compute_at`, `cache_read` and `cache_write` bound the part of a buffer one iteration of
  a loop touches with interval arithmetic on the indices (the whole axis where that fails)
  and compute, copy in or copy out that box, guarded to the buffer's shape.
- `tensorize` matches the nest under a loop against an intrinsic's te.compute, op by op
  and read by read, and calls the intrinsic's function on `memref.subview`s of the tiles.

A primitive that does not apply raises `ScheduleError`; the interpreter reports it at the
transform op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise, permutations, product

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ArrayAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    StridedLayoutAttr,
    StringAttr,
    SymbolRefAttr,
)
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import is_side_effect_free

from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import (
    ANNOTATIONS,
    BarrierOp,
    BindAttr,
    LoopAnnotation,
    ScopeAttr,
    annotations,
)
from ziggurat.dialects.schedule import AXIS, COMPUTE
from ziggurat.dialects.te import IntrinsicOp, ReadOp


class ScheduleError(Exception):
    """A schedule primitive that does not apply to its payload, and why."""


@dataclass
class Changes:
    """The payload ops a primitive replaced or erased, for the handles pointing at them."""

    replaced: dict[Operation, Operation] = field(default_factory=dict)
    erased: list[Operation] = field(default_factory=list)

    def erase(self, op: Operation) -> None:
        self.erased.extend(op.walk())
        Rewriter.erase_op(op, safe_erase=False)

    def replace(self, old: Operation, new: Operation) -> None:
        self.replaced[old] = new
        for key, value in self.replaced.items():
            if value is old:
                self.replaced[key] = new


# The payload ------------------------------------------------------------------------------


def constant_int(value: SSAValue) -> int | None:
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return None


def is_pure(op: Operation) -> bool:
    """Computes a value from its operands only (xDSL leaves division unmarked)."""
    return not op.regions and (is_side_effect_free(op) or op.name.startswith("arith."))


def index(value: int, near: Operation) -> SSAValue:
    """`arith.constant value : index` at the start of the function holding `near`."""
    function = near
    while not isinstance(function, func.FuncOp):
        parent = function.parent_op()
        if parent is None:
            raise ScheduleError("schedules apply to loops inside a func.func")
        function = parent
    block = function.body.block
    for op in block.ops:
        if not isinstance(op, arith.ConstantOp):
            break
        if op.result.type == IndexType() and constant_int(op.result) == value:
            return op.result
    constant = arith.ConstantOp(IntegerAttr(value, IndexType()))
    constant.result.name_hint = f"c{value}" if value >= 0 else f"c_{-value}"
    Rewriter.insert_op(constant, InsertPoint.at_start(block))
    return constant.result


def emit(op: Operation, at: InsertPoint) -> SSAValue:
    Rewriter.insert_op(op, at)
    return op.results[0]


def axis_name(loop: scf.ForOp) -> str:
    name = loop.attributes.get(AXIS)
    return name.data if isinstance(name, StringAttr) else "?"


def describe(loop: Operation) -> str:
    if isinstance(loop, scf.ForOp) and AXIS in loop.attributes:
        return f"loop '{axis_name(loop)}'"
    return f"'{loop.name}'"


def stage_name(root: Operation) -> str:
    name = root.attributes.get(COMPUTE)
    return name.data if isinstance(name, StringAttr) else "the loop nest"


def is_stage_root(op: Operation) -> bool:
    return isinstance(op, scf.ForOp) and COMPUTE in op.attributes


def iv(loop: scf.ForOp) -> BlockArgument:
    return loop.body.block.args[0]


@dataclass(frozen=True)
class Bounds:
    lower: int
    upper: int
    step: int

    @property
    def trip_count(self) -> int:
        return max(0, -(-(self.upper - self.lower) // self.step))

    @property
    def last(self) -> int:
        return self.lower + self.step * max(self.trip_count - 1, 0)


def bounds(loop: scf.ForOp) -> Bounds:
    values = [constant_int(v) for v in (loop.lb, loop.ub, loop.step)]
    if None in values or values[2] <= 0:  # type: ignore[operator]
        raise ScheduleError(f"{describe(loop)} needs constant bounds and a positive step")
    return Bounds(*values)  # type: ignore[arg-type]


def optional_bounds(loop: scf.ForOp) -> Bounds | None:
    try:
        return bounds(loop)
    except ScheduleError:
        return None


def stage_root(op: Operation) -> scf.ForOp:
    """The outermost loop of the stage `op` belongs to (of its loop nest, if untagged)."""
    current: Operation | None = op
    outermost: scf.ForOp | None = None
    while current is not None:
        if isinstance(current, scf.ForOp):
            if COMPUTE in current.attributes:
                return current
            outermost = current
        current = current.parent_op()
    if outermost is None:
        raise ScheduleError(f"'{op.name}' is not in a loop nest")
    return outermost


def body_ops(loop: scf.ForOp) -> list[Operation]:
    """The ops of a loop's body but its terminator."""
    return [op for op in loop.body.block.ops if not isinstance(op, scf.YieldOp)]


def band_child(loop: scf.ForOp) -> scf.ForOp | None:
    """The loop nested directly in `loop` in its band, if there is one."""
    ops = body_ops(loop)
    children = [op for op in ops if isinstance(op, scf.ForOp) and not is_stage_root(op)]
    if len(children) != 1:
        return None
    child = children[0]
    epilogue = reduction_epilogue(loop, child)
    for op in ops:
        if op is child or is_pure(op) or is_stage_root(op) or op in epilogue:
            continue
        if isinstance(op, memref.AllocOp | memref.DeallocOp):
            continue
        return None
    return child


def reduction_epilogue(loop: scf.ForOp, child: scf.ForOp) -> list[Operation]:
    """The loads and the store beside a reduction loop `child` that, with pure ops, make
    and store the element from the value it reduces (a plain store of it, or te-inline's
    epilogue: `C[i, j] = relu(sum + bias[j])`); none if `child` is not such a loop."""
    if len(child.res) != 1:
        return []
    ops = body_ops(loop)
    stores = [op for op in ops if isinstance(op, memref.StoreOp)]
    if len(stores) != 1 or not depends_on_value(stores[0].value, child.res[0], loop):
        return []
    loads = [
        op
        for op in ops
        if isinstance(op, memref.LoadOp)
        and not any(child.is_ancestor(use.operation) for use in op.res.uses)
    ]
    return [*loads, stores[0]]


def depends_on_value(value: SSAValue, source: SSAValue, within: Operation) -> bool:
    """Whether `value` is computed from `source` by ops inside `within`."""
    if value is source:
        return True
    op = value.owner
    if not isinstance(op, Operation) or not within.is_ancestor(op) or op.regions:
        return False
    return any(depends_on_value(operand, source, within) for operand in op.operands)


def band(root: scf.ForOp) -> list[scf.ForOp]:
    """The loops of `root`'s band, outermost first."""
    loops = [root]
    while (child := band_child(loops[-1])) is not None:
        loops.append(child)
    return loops


def own_ops(op: Operation, root: Operation) -> Iterator[Operation]:
    """The ops nested in `op`, but not in nests of stages other than `root`'s."""
    for region in op.regions:
        for block in region.blocks:
            for inner in block.ops:
                if is_stage_root(inner) and inner is not root:
                    continue
                yield inner
                yield from own_ops(inner, root)


def defined_in(value: SSAValue, op: Operation) -> bool:
    """Whether `value` is defined inside the regions of `op`."""
    owner = value.owner
    parent = owner.parent_op() if isinstance(owner, Block) else owner.parent_op()
    return parent is not None and op.is_ancestor(parent)


def new_loop(extent: int, name: str, near: Operation) -> scf.ForOp:
    """`scf.for` from 0 to `extent` step 1 over an empty body, its iv named `name`."""
    body = Block([scf.YieldOp()], arg_types=[IndexType()])
    body.args[0].name_hint = name
    loop = scf.ForOp(index(0, near), index(extent, near), index(1, near), [], body)
    loop.attributes[AXIS] = StringAttr(name)
    return loop


def loop_nest(
    extents: Sequence[int], names: Sequence[str], tag: str, at: InsertPoint, near: Operation
) -> tuple[list[scf.ForOp], InsertPoint]:
    """Normalized loops over `extents`, inserted at `at`, the outermost tagged `tag`; and
    the point before the innermost yield."""
    loops: list[scf.ForOp] = []
    for extent, name in zip(extents, names, strict=True):
        loop = new_loop(extent, name, near)
        Rewriter.insert_op(loop, at)
        loops.append(loop)
        at = InsertPoint.before(loop.body.block.last_op)  # type: ignore[arg-type]
    if loops:
        loops[0].attributes[COMPUTE] = StringAttr(tag)
    return loops, at


def move_attributes(old: scf.ForOp, new: scf.ForOp) -> None:
    """Give `new` the stage tag of `old`, if it has one."""
    if COMPUTE in old.attributes:
        new.attributes[COMPUTE] = old.attributes.pop(COMPUTE)


# Index arithmetic ---------------------------------------------------------------------------


Ranges = dict[SSAValue, Bounds]

Linear = tuple[dict[SSAValue, int], int]
"""Σ coefficient * atom + constant, the atoms being SSA values arithmetic does not explain."""


def linear(value: SSAValue) -> Linear:
    constant = constant_int(value)
    if constant is not None:
        return {}, constant
    op = value.owner
    if isinstance(op, arith.AddiOp | arith.SubiOp):
        (left, a), (right, b) = linear(op.lhs), linear(op.rhs)
        sign = 1 if isinstance(op, arith.AddiOp) else -1
        terms = dict(left)
        for atom, coefficient in right.items():
            terms[atom] = terms.get(atom, 0) + sign * coefficient
        return {k: v for k, v in terms.items() if v}, a + sign * b
    if isinstance(op, arith.MuliOp):
        for factor, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            scale = constant_int(factor)
            if scale is not None:
                terms, constant = linear(other)
                return {k: v * scale for k, v in terms.items() if v * scale}, constant * scale
    if isinstance(op, arith_extra.IndexCastOp):
        return linear(op.input)
    return {value: 1}, 0


def materialize(terms: dict[SSAValue, int], constant: int, at: InsertPoint, near: Operation):
    """Emit `Σ coefficient * atom + constant` at `at`."""
    total: SSAValue | None = None
    for atom, coefficient in terms.items():
        term = atom
        if coefficient != 1:
            term = emit(arith.MuliOp(atom, index(coefficient, near)), at)
        total = term if total is None else emit(arith.AddiOp(total, term), at)
    if total is None:
        return index(constant, near)
    if constant > 0:
        total = emit(arith.AddiOp(total, index(constant, near)), at)
    elif constant < 0:
        total = emit(arith.SubiOp(total, index(-constant, near)), at)
    return total


Below = Sequence[tuple[dict[SSAValue, int], int]]
"""Linear forms known to stay below a bound (`Σ coefficient * atom < bound`), from guards."""


def range_of(
    terms: dict[SSAValue, int], ranges: Ranges | None = None, below: Below = ()
) -> tuple[int, int] | None:
    """The least and greatest value of `Σ coefficient * atom` over the loops around."""
    low = high = 0
    for atom, coefficient in terms.items():
        atom_range = range_of_atom(atom, ranges or {}, below)
        if atom_range is None:
            return None
        values = (coefficient * atom_range[0], coefficient * atom_range[1])
        low, high = low + min(values), high + max(values)
    for guarded, bound in below:
        # A multiple of a guarded form is bounded by that multiple of the bound.
        first = next(iter(guarded), None)
        if first not in terms or terms[first] % guarded[first]:
            continue
        scale = terms[first] // guarded[first]
        if scale <= 0 or any(terms.get(a) != scale * c for a, c in guarded.items()):
            continue
        part = range_of(guarded, ranges)
        rest = range_of({a: c for a, c in terms.items() if a not in guarded}, ranges, below)
        if part is not None and rest is not None:
            high = min(high, scale * min(part[1], bound - 1) + rest[1])
    return low, high


def range_of_value(
    value: SSAValue, ranges: Ranges | None = None, below: Below = ()
) -> tuple[int, int] | None:
    terms, constant = linear(value)
    if list(terms) == [value]:
        found = range_of_atom(value, ranges or {}, below)
    else:
        found = range_of(terms, ranges, below)
    return None if found is None else (found[0] + constant, found[1] + constant)


def range_of_atom(atom: SSAValue, ranges: Ranges, below: Below) -> tuple[int, int] | None:
    """An iv's range, or that of a quotient or remainder of an index by a constant."""
    if atom in ranges:
        return ranges[atom].lower, ranges[atom].last
    owner = atom.owner
    if isinstance(owner, Block):
        loop = owner.parent_op()
        b = optional_bounds(loop) if isinstance(loop, scf.ForOp) else None
        return None if b is None or atom is not iv(loop) else (b.lower, b.last)  # type: ignore[arg-type]
    if isinstance(owner, arith.DivUIOp | arith.RemUIOp):
        divisor = constant_int(owner.rhs)
        dividend = range_of_value(owner.lhs, ranges, below)
        if divisor is None or divisor <= 0 or dividend is None or dividend[0] < 0:
            return None
        if isinstance(owner, arith.DivUIOp):
            return dividend[0] // divisor, dividend[1] // divisor
        return 0, min(divisor - 1, dividend[1])
    return None


def guard(loop: scf.ForOp, after: Operation | None, condition: SSAValue) -> None:
    """Run the ops of `loop`'s body that follow `after` (all of them if None) only when
    `condition` holds: it joins the guard already wrapping them, or an `scf.if` wraps them."""
    ops = body_ops(loop)
    rest = ops[ops.index(after) + 1 :] if after is not None else ops
    impure = [op for op in rest if not is_pure(op)]
    if len(impure) == 1 and isinstance(impure[0], scf.IfOp) and not impure[0].results:
        existing = impure[0]
        if not existing.false_region.blocks:
            joined = arith.AndIOp(existing.cond, condition)
            Rewriter.insert_op(joined, InsertPoint.before(existing))
            existing.operands[0] = joined.result
            return
    then = Block([scf.YieldOp()])
    for op in rest:
        op.detach()
        then.insert_op_before(op, then.last_op)  # type: ignore[arg-type]
    terminator = loop.body.block.last_op
    assert terminator is not None
    Rewriter.insert_op(scf.IfOp(condition, [], [then]), InsertPoint.before(terminator))


# Reductions in memory -----------------------------------------------------------------------


def prepare(loop: scf.ForOp, changes: Changes) -> None:
    """Turn the band of `loop`'s stage into loops without iter_args (see the module
    docstring); the reduction loops are replaced, recorded in `changes`."""
    root = stage_root(loop)
    for member in band(root):
        if member.iter_args:
            accumulate_in_memory(root, member, changes)
            return


def accumulate_in_memory(root: scf.ForOp, outermost: scf.ForOp, changes: Changes) -> None:
    name = stage_name(root)

    def fail(why: str) -> ScheduleError:
        return ScheduleError(f"cannot accumulate the reduction of '{name}' in memory: {why}")

    chain = [outermost]
    while True:
        last = chain[-1]
        if len(last.iter_args) != 1:
            raise fail(f"{describe(last)} carries {len(last.iter_args)} values")
        child = band_child(last)
        accumulator = last.body.block.args[1]
        terminator = last.body.block.last_op
        assert isinstance(terminator, scf.YieldOp)
        if (
            child is not None
            and len(child.iter_args) == 1
            and child.iter_args[0] is accumulator
            and terminator.arguments[0] is child.res[0]
        ):
            chain.append(child)
            continue
        break
    holder = outermost.parent_op()
    uses = list(outermost.res[0].uses)
    if len(uses) == 1 and isinstance(uses[0].operation, memref.StoreOp):
        store = uses[0].operation
    elif isinstance(holder, scf.ForOp) and (epilogue := reduction_epilogue(holder, outermost)):
        store = epilogue[-1]
    else:
        raise fail("its result is not stored once")
    assert isinstance(store, memref.StoreOp)
    if store.parent_block() is not outermost.parent_block():
        raise fail("its result is stored elsewhere")
    for value in [*store.indices, outermost.iter_args[0]]:
        if defined_in(value, outermost) or value.owner is store:
            raise fail("the element it stores depends on the reduction")
    buffer, indices, init = store.memref, list(store.indices), outermost.iter_args[0]
    element_type = buffer.type.element_type  # type: ignore[attr-defined]
    if store.value is not outermost.res[0]:
        if outermost is root:
            raise fail("its epilogue is outside its loop nest")
        if element_type != outermost.res[0].type:
            raise fail("its epilogue stores another type than it reduces")
        if any(
            isinstance(op, memref.LoadOp) and op.memref is buffer
            for op in store.parent_block().ops  # type: ignore[union-attr]
        ):
            raise fail("its epilogue reads the buffer it writes")

    # The initial value, in a nest of its own over the loops around the reduction.
    spatial: list[scf.ForOp] = []
    current: Operation = outermost
    while current is not root:
        parent = current.parent_op()
        if not isinstance(parent, scf.ForOp):
            raise fail(f"{describe(current)} is not nested in a loop of its band")
        spatial.insert(0, parent)
        current = parent
    at = InsertPoint.before(spatial[0] if spatial else outermost)
    inner, mapping = nest_like(spatial, f"{name}.init", at, root)
    within = spatial[0] if spatial else None
    new_indices = [clone_slice(v, mapping, within, inner) for v in indices]
    value = clone_slice(init, mapping, within, inner)
    Rewriter.insert_op(memref.StoreOp.get(value, buffer, new_indices), inner)

    # The accumulation: load, combine, store the element in the innermost reduction loop.
    innermost = chain[-1]
    block = innermost.body.block
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
    if store.value is not outermost.res[0]:
        epilogue_nest(name, spatial, outermost, store, root)
    store_block = store.parent_block()
    Rewriter.erase_op(store)
    assert store_block is not None
    erase_dead(store_block)
    for loop in reversed(chain):
        body = Block(arg_types=[IndexType()])
        # Constant bounds from the function's entry, so the loop can move out of the band.
        lb, ub, step = (
            v if (c := constant_int(v)) is None else index(c, root)
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
    erase_dead(store_block)


def nest_like(
    spatial: Sequence[scf.ForOp], name: str, at: InsertPoint, root: Operation
) -> tuple[InsertPoint, dict[SSAValue, SSAValue]]:
    """A new nest `name` at `at` running the iterations of `spatial`: its innermost insertion
    point, and each old induction variable mapped to its value in the new nest."""
    loops, inner = loop_nest(
        [bounds(loop).trip_count for loop in spatial],
        [axis_name(loop) for loop in spatial],
        name,
        at,
        root,
    )
    mapping: dict[SSAValue, SSAValue] = {}
    for old, new in zip(spatial, loops, strict=True):
        b = bounds(old)
        mapping[iv(old)] = materialize({iv(new): b.step}, b.lower, inner, root)
    return inner, mapping


def epilogue_nest(
    name: str, spatial: Sequence[scf.ForOp], outermost: scf.ForOp, store: memref.StoreOp, root
) -> None:
    """After the stage, a nest over its output that applies the epilogue of `store` (which
    makes the stored element from the reduced value `outermost` gives) to each element."""
    after = InsertPoint.after(spatial[0] if spatial else outermost)
    inner, mapping = nest_like(spatial, f"{name}.epilogue", after, root)
    within = spatial[0] if spatial else None
    indices = [clone_slice(v, mapping, within, inner) for v in store.indices]
    reduced = emit(memref.LoadOp.get(store.memref, indices), inner)
    mapping[outermost.res[0]] = reduced
    value = clone_slice(store.value, mapping, within, inner, loads=True)
    Rewriter.insert_op(memref.StoreOp.get(value, store.memref, indices), inner)


def erase_dead(block: Block) -> None:
    """Erase the loads and pure ops of `block` whose results nothing uses."""
    for op in reversed(list(block.ops)):
        if (is_pure(op) or isinstance(op, memref.LoadOp)) and op.results:
            if not any(result.uses for result in op.results):
                Rewriter.erase_op(op)


def clone_slice(
    value: SSAValue,
    mapping: dict[SSAValue, SSAValue],
    root: Operation | None,
    at: InsertPoint,
    loads: bool = False,
) -> SSAValue:
    """`value` rebuilt at `at` from values outside `root` and the values of `mapping`,
    cloning the pure ops between (and the loads, with `loads`)."""
    if value in mapping:
        return mapping[value]
    if root is None or not (defined_in(value, root) or value.owner is root):
        return value
    op = value.owner
    if not isinstance(op, Operation) or not (
        is_pure(op) or (loads and isinstance(op, memref.LoadOp))
    ):
        raise ScheduleError(f"cannot recompute index {value}")
    for operand in op.operands:
        clone_slice(operand, mapping, root, at, loads)
    Rewriter.insert_op(op.clone(mapping), at)
    return mapping[value]


# Restructuring loops ------------------------------------------------------------------------


def split(loop: scf.ForOp, factor: int, changes: Changes) -> tuple[scf.ForOp, scf.ForOp]:
    """`loop` as an outer loop over tiles of `factor` iterations and an inner one."""
    prepare(loop, changes)
    loop = changes.replaced.get(loop, loop)  # type: ignore[assignment]
    if loop.iter_args:
        raise ScheduleError(f"cannot split {describe(loop)}, which carries values")
    b = bounds(loop)
    count = b.trip_count
    factor = max(1, min(factor, count))
    name = axis_name(loop) if AXIS in loop.attributes else "x"
    outer = new_loop(-(-count // factor), f"{name}.outer", loop)
    inner = new_loop(factor, f"{name}.inner", loop)
    Rewriter.insert_op(inner, InsertPoint.at_start(outer.body.block))
    block = inner.body.block
    at = InsertPoint.at_start(block)
    position = materialize({iv(outer): factor, iv(inner): 1}, 0, at, loop)
    value = position
    if b.step != 1 or b.lower != 0:
        value = materialize({position: b.step}, b.lower, at, loop)
    value.name_hint = name
    for op in body_ops(loop):
        op.detach()
        block.insert_op_before(op, block.last_op)  # type: ignore[arg-type]
    iv(loop).replace_all_uses_with(value)
    move_attributes(loop, outer)
    Rewriter.insert_op(outer, InsertPoint.before(loop))
    changes.erase(loop)
    if count % factor:
        # The tail: the innermost body of the band runs only for positions before count.
        deepest = band(inner)[-1]
        check = arith_extra.CmpiOp(position, index(count, outer), "slt")
        if deepest is inner:
            Rewriter.insert_op(check, InsertPoint.after(value.owner))  # type: ignore[arg-type]
        else:
            Rewriter.insert_op(check, InsertPoint.at_start(deepest.body.block))
        guard(deepest, check, check.result)
        guard_attached(band(inner)[:-1], position, count, loop)
    return outer, inner


def guard_attached(members: Sequence[scf.ForOp], position: SSAValue, count: int, near: Operation):
    """Run the nests attached to band loops (a cache_write's, split after it) and their
    stores only for positions before `count`, as the band's body does."""
    for member in members:
        for op in body_ops(member):
            if is_stage_root(op) or isinstance(op, memref.StoreOp):
                check = arith_extra.CmpiOp(position, index(count, near), "slt")
                then = Block([scf.YieldOp()])
                Rewriter.insert_op(
                    [check, scf.IfOp(check.result, [], [then])], InsertPoint.before(op)
                )
                op.detach()
                then.insert_op_before(op, then.last_op)  # type: ignore[arg-type]


def perfect(outer: scf.ForOp, inner: scf.ForOp) -> None:
    """Sink the index arithmetic between two band loops into the inner one, so `inner`
    is all `outer` holds; an error if anything else is between them."""
    for op in body_ops(outer):
        if op is inner:
            continue
        if not is_pure(op):
            raise ScheduleError(
                f"{describe(outer)} and {describe(inner)} are not perfectly nested: "
                f"'{op.name}' is between them"
            )
        for result in op.results:
            if any(use.operation is inner for use in result.uses):
                raise ScheduleError(f"the bounds of {describe(inner)} depend on {describe(outer)}")
    pure = [op for op in body_ops(outer) if op is not inner]
    block = inner.body.block
    first = block.first_op
    for op in pure:
        op.detach()
        if first is None:
            block.add_op(op)
        else:
            block.insert_op_before(op, first)


def fuse(outer: scf.ForOp, inner: scf.ForOp, changes: Changes) -> scf.ForOp:
    """One loop over the iterations of `outer` and `inner`, nested directly in it."""
    prepare(outer, changes)
    outer = changes.replaced.get(outer, outer)  # type: ignore[assignment]
    inner = changes.replaced.get(inner, inner)  # type: ignore[assignment]
    if band_child(outer) is not inner:
        raise ScheduleError(
            f"cannot fuse {describe(outer)} with {describe(inner)}, not nested in it"
        )
    perfect(outer, inner)
    outer_bounds, inner_bounds = bounds(outer), bounds(inner)
    count = inner_bounds.trip_count
    name = f"{axis_name(outer)}.{axis_name(inner)}.fused"
    fused = new_loop(outer_bounds.trip_count * count, name, outer)
    block = fused.body.block
    at = InsertPoint.at_start(block)
    for loop, operation, b in (
        (outer, arith.DivUIOp, outer_bounds),
        (inner, arith.RemUIOp, inner_bounds),
    ):
        if count == 1:  # x / 1 is x, x % 1 is 0
            position = iv(fused) if operation is arith.DivUIOp else index(0, outer)
        else:
            position = emit(operation(iv(fused), index(count, outer)), at)
        value = materialize({position: b.step}, b.lower, at, outer)
        value.name_hint = axis_name(loop)
        iv(loop).replace_all_uses_with(value)
    for op in body_ops(inner):
        op.detach()
        block.insert_op_before(op, block.last_op)  # type: ignore[arg-type]
    move_attributes(outer, fused)
    Rewriter.insert_op(fused, InsertPoint.before(outer))
    changes.erase(outer)
    return fused


def reorder(loops: Sequence[scf.ForOp], changes: Changes) -> None:
    """Permute the band positions `loops` occupy so they come in the given order."""
    prepare(loops[0], changes)
    loops = [changes.replaced.get(loop, loop) for loop in loops]  # type: ignore[misc]
    outermost = next((a for a in loops if all(a.is_ancestor(b) for b in loops)), None)
    if outermost is None:
        raise ScheduleError("the loops to reorder are not nested in one another")
    segment = [outermost]
    while not all(loop in segment for loop in loops):
        child = band_child(segment[-1])
        if child is None:
            missing = next(loop for loop in loops if loop not in segment)
            raise ScheduleError(
                f"{describe(missing)} is not in the loop nest of {describe(outermost)}"
            )
        segment.append(child)
    for outer, inner in pairwise(segment):
        perfect(outer, inner)
    positions = sorted(segment.index(loop) for loop in loops)
    order = list(segment)
    for position, loop in zip(positions, loops, strict=True):
        order[position] = loop
    for loop in order:
        for value in (loop.lb, loop.ub, loop.step):
            if defined_in(value, segment[0]):
                raise ScheduleError(f"the bounds of {describe(loop)} depend on an outer loop")
    check_order(segment, order)
    if order == segment:
        return
    content = body_ops(segment[-1])
    for op in content:
        op.detach()
    after = segment[0].next_op
    parent = segment[0].parent_block()
    assert after is not None and parent is not None
    for loop in segment:
        loop.detach()
    for outer, inner in pairwise(order):
        outer.body.block.insert_op_before(inner, outer.body.block.last_op)  # type: ignore[arg-type]
    last = order[-1].body.block
    for op in content:
        last.insert_op_before(op, last.last_op)  # type: ignore[arg-type]
    parent.insert_op_before(order[0], after)
    move_attributes(segment[0], order[0])


# Dependences --------------------------------------------------------------------------------


REDUCTION_COMBINERS = (
    arith.AddfOp,
    arith.AddiOp,
    arith.MulfOp,
    arith.MuliOp,
    arith.MaximumfOp,
    arith.MinimumfOp,
    arith.MaxnumfOp,
    arith.MinnumfOp,
    arith.MaxSIOp,
    arith.MinSIOp,
    arith.MaxUIOp,
    arith.MinUIOp,
)


@dataclass
class Access:
    """A load or store; its indices and the bounds the guards around it put on linear
    forms (`Σ coefficient * atom < bound`), over canonical atoms."""

    op: memref.LoadOp | memref.StoreOp
    buffer: SSAValue
    indices: list[Linear]
    below: list[tuple[dict[SSAValue, int], int]]
    flat: Linear | None = None  # the index into the buffer's elements in a row (flattened)

    @property
    def writes(self) -> bool:
        return isinstance(self.op, memref.StoreOp)


def accesses(root: scf.ForOp) -> list[Access]:
    """The loads and stores in `root`, but of buffers allocated inside it; an error for
    any other op that touches memory."""
    found: list[Access] = []
    same: dict[tuple, SSAValue] = {}
    for op in root.walk():
        if isinstance(op, memref.LoadOp | memref.StoreOp):
            if defined_in(op.memref, root):
                continue
            indices = [canonical(linear(v), same) for v in op.indices]
            below = []
            for value, bound in guard_bounds(op, root):
                terms, constant = canonical(linear(value), same)
                below.append((terms, bound - constant))
            found.append(Access(op, op.memref, indices, below, flattened(op, indices, same)))
        elif not (
            is_pure(op)
            or isinstance(op, scf.ForOp | scf.IfOp | scf.YieldOp)
            or isinstance(op, memref.AllocOp | memref.AllocaOp | memref.DeallocOp)
        ):
            raise ScheduleError(f"cannot tell what '{op.name}' reads and writes")
    return found


def flattened(
    op: memref.LoadOp | memref.StoreOp, indices: list[Linear], same: dict[tuple, SSAValue]
) -> Linear | None:
    """The index of an access into its buffer's elements in a row, with `(v / d) * d +
    v % d` put back together as `v` where fuse took a loop's iv apart (so that the iterations
    of fused loops are seen to touch different elements); None for a dynamic shape."""
    shape = op.memref.type.get_shape()  # type: ignore[attr-defined]
    if any(size < 0 for size in shape):
        return None
    terms: dict[SSAValue, int] = {}
    constant, stride = 0, 1
    for (index_terms, index_constant), size in reversed(list(zip(indices, shape, strict=True))):
        for atom, coefficient in index_terms.items():
            terms[atom] = terms.get(atom, 0) + coefficient * stride
        constant += index_constant * stride
        stride *= size
    while (found := rejoined(terms, same)) is not None:
        (value, quotient, remainder), scale = found
        del terms[quotient], terms[remainder]
        inner, inner_constant = canonical(linear(value), same)
        for atom, coefficient in inner.items():
            terms[atom] = terms.get(atom, 0) + scale * coefficient
        terms = {atom: c for atom, c in terms.items() if c}
        constant += scale * inner_constant
    return terms, constant


def rejoined(
    terms: dict[SSAValue, int], same: dict[tuple, SSAValue]
) -> tuple[tuple[SSAValue, SSAValue, SSAValue], int] | None:
    """A quotient `v / d` (coefficient `c * d`) and remainder `v % d` (coefficient `c`)
    among `terms`: (v, the quotient, the remainder) and c."""
    for quotient, coefficient in terms.items():
        op = quotient.owner
        divisor = constant_int(op.rhs) if isinstance(op, arith.DivUIOp) else None
        if not divisor or coefficient % divisor:
            continue
        value = representative(op.lhs, same)  # type: ignore[union-attr]
        for remainder, other in terms.items():
            rest = remainder.owner
            if (
                isinstance(rest, arith.RemUIOp)
                and other * divisor == coefficient
                and constant_int(rest.rhs) == divisor
                and representative(rest.lhs, same) is value
            ):
                return (op.lhs, quotient, remainder), other  # type: ignore[union-attr]
    return None


def canonical(form: Linear, same: dict[tuple, SSAValue]) -> Linear:
    terms: dict[SSAValue, int] = {}
    for atom, coefficient in form[0].items():
        atom = representative(atom, same)
        terms[atom] = terms.get(atom, 0) + coefficient
    return {a: c for a, c in terms.items() if c}, form[1]


def guard_bounds(op: Operation, root: Operation) -> Iterator[tuple[SSAValue, int]]:
    """`(value, bound)` for each `value < bound` that a guard around `op` in `root` tests."""
    current = op
    while (parent := current.parent_op()) is not None and parent is not root:
        if isinstance(parent, scf.IfOp) and current.parent_region() is parent.true_region:
            conditions = [parent.cond]
            while conditions:
                condition = conditions.pop()
                test = condition.owner
                if isinstance(test, arith.AndIOp):
                    conditions += [test.lhs, test.rhs]
                elif isinstance(test, arith_extra.CmpiOp) and test.predicate.value.data in (2, 6):
                    bound = constant_int(test.rhs)
                    if bound is not None:
                        yield test.lhs, bound
        current = parent


def representative(value: SSAValue, same: dict[tuple, SSAValue]) -> SSAValue:
    """One value for all that pure ops compute alike (copies of index arithmetic)."""
    op = value.owner
    if not isinstance(op, Operation) or not is_pure(op) or len(op.results) != 1:
        return value
    operands = tuple(representative(v, same) for v in op.operands)
    key = (op.name, operands, tuple(op.properties.items()), tuple(op.attributes.items()))
    return same.setdefault(key, value)


def reduction_buffers(found: list[Access]) -> set[SSAValue]:
    """Buffers only accumulated into: one load and one store of the same element, the
    stored value combining the loaded one with something else."""
    by_buffer: dict[SSAValue, list[Access]] = {}
    for access in found:
        by_buffer.setdefault(access.buffer, []).append(access)
    reductions: set[SSAValue] = set()
    for buffer, group in by_buffer.items():
        loads = [a for a in group if not a.writes]
        stores = [a for a in group if a.writes]
        if len(loads) != 1 or len(stores) != 1:
            continue
        load, store = loads[0].op, stores[0].op
        assert isinstance(load, memref.LoadOp) and isinstance(store, memref.StoreOp)
        combiner = store.value.owner
        if (
            list(load.indices) == list(store.indices)
            and isinstance(combiner, REDUCTION_COMBINERS)
            and load.res in combiner.operands
            and len(list(load.res.uses)) == 1
        ):
            reductions.add(buffer)
    return reductions


def term_range(a: int, b: int, low: int, high: int, direction: str) -> tuple[int, int] | None:
    """Min and max of a*x - b*y for x, y in [low, high] with x `direction` y."""
    if direction == "=":
        points = [(low, low), (high, high)]
    elif direction == "<":
        if high <= low:
            return None
        points = [(low, low + 1), (low, high), (high - 1, high)]
    elif direction == ">":
        if high <= low:
            return None
        points = [(low + 1, low), (high, low), (high, high - 1)]
    else:
        points = [(low, low), (low, high), (high, low), (high, high)]
    values = [a * x - b * y for x, y in points]
    return min(values), max(values)


def may_meet(
    first: Linear,
    second: Linear,
    directions: dict[SSAValue, str],
    ranges: Ranges,
    root: scf.ForOp,
) -> bool:
    """Whether one index of two accesses can be equal in two iterations whose loops in
    `directions` relate as given (Banerjee's bounds; unknown parts can always meet)."""
    (terms_a, constant_a), (terms_b, constant_b) = first, second
    low = high = constant_a - constant_b
    for atom in {*terms_a, *terms_b}:
        a, b = terms_a.get(atom, 0), terms_b.get(atom, 0)
        if atom in ranges:
            r = ranges[atom]
            extent = term_range(a, b, r.lower, r.last, directions.get(atom, "*"))
            if extent is None:
                return False
            low, high = low + extent[0], high + extent[1]
        elif not defined_in(atom, root) and a == b:
            continue
        else:
            return True
    return low <= 0 <= high


def inner_ranges(root: scf.ForOp) -> Ranges:
    return {
        iv(loop): b
        for loop in root.walk()
        if isinstance(loop, scf.ForOp) and (b := optional_bounds(loop)) is not None
    }


def dependences(
    loops: Sequence[scf.ForOp], include_reductions: bool
) -> Iterator[tuple[tuple[str, ...], Access]]:
    """The direction vectors over `loops` (a perfectly nested run) of pairs of accesses
    that may touch one element in two different iterations, one of them writing."""
    root = loops[0]
    found = accesses(root)
    skip = set() if include_reductions else reduction_buffers(found)
    ranges = inner_ranges(root)
    ivs = [iv(loop) for loop in loops]
    for loop in loops:
        bounds(loop)
    parts = positions_of(ivs, found, ranges)
    for first in found:
        for second in found:
            if first.buffer is not second.buffer or first.buffer in skip:
                continue
            if not (first.writes or second.writes):
                continue
            if first.indices == second.indices and determines(first, ivs, ranges, root):
                continue  # one element is touched in one iteration only
            pairs = list(zip(first.indices, second.indices, strict=True))
            # Equal indices are equal flattened: both must be able to meet.
            if first.flat is not None and second.flat is not None:
                pairs.append((first.flat, second.flat))
            for vector in product("<=>", repeat=len(ivs)):
                if all(d == "=" for d in vector):
                    continue
                directions = dict(zip(ivs, vector, strict=True))
                if any(
                    all(may_meet(a, b, {**directions, **refined}, ranges, root) for a, b in pairs)
                    for refined in refinements(directions, parts)
                ):
                    yield vector, first


def determines(access: Access, ivs: Sequence[SSAValue], ranges: Ranges, root: scf.ForOp) -> bool:
    """Whether an index tells the values of `ivs`, undoing what split and fuse did:
    `c * x + r` with r in [0, c) tells x and r, `n / d` and `n % d` tell n."""
    known: set[SSAValue] = set()
    forms = [dict(terms) for terms, _ in access.indices]
    quotients: dict[tuple[SSAValue, int], SSAValue] = {}
    remainders: dict[tuple[SSAValue, int], SSAValue] = {}

    def learn(atom: SSAValue) -> None:
        known.add(atom)
        op = atom.owner
        if isinstance(op, arith.DivUIOp | arith.RemUIOp) and (d := constant_int(op.rhs)):
            table = quotients if isinstance(op, arith.DivUIOp) else remainders
            table[(op.lhs, d)] = atom
            if (op.lhs, d) in quotients and (op.lhs, d) in remainders:
                forms.append(dict(linear(op.lhs)[0]))

    progress = True
    while progress:
        progress = False
        for form in list(forms):
            terms = {a: c for a, c in form.items() if a not in known and defined_in(a, root)}
            if not terms:
                forms.remove(form)
                continue
            top = max(terms, key=lambda a: abs(terms[a]))
            rest = {a: c for a, c in terms.items() if a is not top}
            spread = range_of(rest, ranges, access.below)
            if spread is None or spread[1] - spread[0] >= abs(terms[top]):
                continue
            forms.remove(form)
            learn(top)
            if rest:
                forms.append(rest)
            progress = True
    return all(value in known for value in ivs)


# (x / n, x % n) of a loop's iv x, from `fuse`: the quotients and the remainders.
Parts = dict[SSAValue, list[tuple[list[SSAValue], list[SSAValue]]]]


def positions_of(ivs: Sequence[SSAValue], found: list[Access], ranges: Ranges) -> Parts:
    """For each iv, the quotient and remainder atoms by a constant that indices use, with
    their ranges added to `ranges`."""
    parts: Parts = {}
    by_divisor: dict[tuple[SSAValue, int], tuple[list[SSAValue], list[SSAValue]]] = {}
    for access in found:
        for terms, _ in access.indices:
            for atom in terms:
                op = atom.owner
                if not isinstance(op, arith.DivUIOp | arith.RemUIOp) or op.lhs not in ivs:
                    continue
                divisor = constant_int(op.rhs)
                if divisor is None or divisor <= 0:
                    continue
                quotients, remainders = by_divisor.setdefault((op.lhs, divisor), ([], []))
                (quotients if isinstance(op, arith.DivUIOp) else remainders).append(atom)
                count = ranges[op.lhs].trip_count
                if isinstance(op, arith.DivUIOp):
                    ranges[atom] = Bounds(0, -(-count // divisor), 1)
                else:
                    ranges[atom] = Bounds(0, divisor, 1)
    for (value, _), atoms in by_divisor.items():
        parts.setdefault(value, []).append(atoms)
    return parts


def refinements(directions: dict[SSAValue, str], parts: Parts) -> Iterator[dict[SSAValue, str]]:
    """The directions of quotients and remainders that agree with those of their ivs:
    x < y when the quotient is smaller, or equal with a smaller remainder."""
    choices: list[list[dict[SSAValue, str]]] = []
    for value, groups in parts.items():
        direction = directions[value]
        for quotients, remainders in groups:
            options = [("=", "=")] if direction == "=" else [(direction, "*"), ("=", direction)]
            choices.append(
                [
                    {**dict.fromkeys(quotients, q), **dict.fromkeys(remainders, r)}
                    for q, r in options
                ]
            )
    for combination in product(*choices):
        merged: dict[SSAValue, str] = {}
        for choice in combination:
            merged.update(choice)
        yield merged


def buffer_name(buffer: SSAValue) -> str:
    return f"%{buffer.name_hint}" if buffer.name_hint else "a buffer"


def sign(vector: Sequence[str]) -> str:
    return next((d for d in vector if d != "="), "=")


def check_order(segment: Sequence[scf.ForOp], order: Sequence[scf.ForOp]) -> None:
    """An error if running `segment` in `order` reverses a dependence."""
    if list(order) == list(segment):
        return
    position = [segment.index(loop) for loop in order]
    for vector, access in dependences(segment, include_reductions=False):
        permuted = [vector[p] for p in position]
        if sign(permuted) != sign(vector):
            if sign(vector) == ">":
                vector = tuple({"<": ">", ">": "<"}.get(d, d) for d in vector)
            names = ", ".join(axis_name(loop) for loop in order)
            raise ScheduleError(
                f"the order ({names}) breaks a dependence on {buffer_name(access.buffer)}: "
                f"iterations {direction_text(segment, vector)} touch the same element"
            )


def direction_text(loops: Sequence[scf.ForOp], vector: Sequence[str]) -> str:
    pairs = zip(loops, vector, strict=True)
    return "(" + ", ".join(f"{axis_name(loop)} {d}" for loop, d in pairs) + ")"


def check_independent(loop: scf.ForOp, what: str) -> None:
    """An error if two iterations of `loop` touch one element, one of them writing, or
    if it passes values from one iteration to the next."""
    if loop.iter_args:
        raise ScheduleError(
            f"cannot {what} {describe(loop)}: it carries values from one iteration to the next"
        )
    if (b := optional_bounds(loop)) is not None and b.trip_count <= 1:
        return
    for _vector, access in dependences([loop], include_reductions=True):
        raise ScheduleError(
            f"cannot {what} {describe(loop)}: its iterations write "
            f"{buffer_name(access.buffer)} where other iterations read or write it"
        )


# Annotations --------------------------------------------------------------------------------


def annotate(loop: scf.ForOp, annotation: LoopAnnotation) -> None:
    """Set `annotation` on `loop`, replacing one of the same kind."""
    kept = [a for a in annotations(loop) if type(a) is not type(annotation)]
    loop.attributes[ANNOTATIONS] = ArrayAttr([*kept, annotation])


def check_innermost(loop: scf.ForOp) -> None:
    nested = next((op for op in loop.body.walk() if isinstance(op, scf.ForOp)), None)
    if nested is not None:
        raise ScheduleError(
            f"vectorize needs an innermost loop, but {describe(loop)} contains {describe(nested)}"
        )


# Regions of buffers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """`Σ coefficient * atom + [low, high]`, the atoms fixed for one iteration of a loop."""

    terms: frozenset[tuple[SSAValue, int]]
    low: int
    high: int


def interval(value: SSAValue, loop: scf.ForOp) -> Interval | None:
    """The values `value` takes in one iteration of `loop`, or None if unknown."""
    if not defined_in(value, loop) or value is iv(loop):
        terms, constant = linear(value)
        return Interval(frozenset(terms.items()), constant, constant)
    constant = constant_int(value)
    if constant is not None:
        return Interval(frozenset(), constant, constant)
    op = value.owner
    if isinstance(op, Block):
        owner = op.parent_op()
        if isinstance(owner, scf.ForOp) and value is iv(owner):
            b = optional_bounds(owner)
            return None if b is None else Interval(frozenset(), b.lower, b.last)
        return None
    operands = [interval(v, loop) for v in op.operands]
    if isinstance(op, arith_extra.IndexCastOp):
        return operands[0]
    if None in operands:
        return None
    linear_op = isinstance(op, arith.AddiOp | arith.SubiOp | arith.MuliOp)
    if not linear_op and is_pure(op) and all(o.low == o.high for o in operands):  # type: ignore[union-attr]
        # Fixed in one iteration, like the quotient of a fused loop's iv: itself an atom,
        # rebuilt where the box is computed.
        return Interval(frozenset({(value, 1)}), 0, 0)
    if isinstance(op, arith.AddiOp | arith.SubiOp):
        a, b = operands
        assert a is not None and b is not None
        sign = 1 if isinstance(op, arith.AddiOp) else -1
        terms = dict(a.terms)
        for atom, coefficient in b.terms:
            terms[atom] = terms.get(atom, 0) + sign * coefficient
        low, high = (
            (a.low + b.low, a.high + b.high) if sign > 0 else (a.low - b.high, a.high - b.low)
        )
        return Interval(frozenset((k, v) for k, v in terms.items() if v), low, high)
    if isinstance(op, arith.MuliOp):
        for factor, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            scale = constant_int(factor)
            part = interval(other, loop)
            if scale is not None and part is not None:
                low, high = sorted((part.low * scale, part.high * scale))
                terms = frozenset((k, v * scale) for k, v in part.terms if v * scale)
                return Interval(terms, low, high)
        return None
    a = operands[0]
    divisor = constant_int(op.operands[1]) if len(op.operands) == 2 else None
    if isinstance(op, arith.DivUIOp | arith.DivSIOp | arith.FloorDivSIOp):
        if a is None or a.terms or divisor is None or divisor <= 0 or a.low < 0:
            return None
        return Interval(frozenset(), a.low // divisor, a.high // divisor)
    if isinstance(op, arith.RemUIOp | arith.RemSIOp):
        if divisor is None or divisor <= 0:
            return None
        if a is not None and not a.terms and 0 <= a.low and a.high < divisor:
            return a
        return Interval(frozenset(), 0, divisor - 1)
    if isinstance(op, arith.MinSIOp | arith.MinUIOp | arith.MaxSIOp | arith.MaxUIOp):
        a, b = operands
        assert a is not None and b is not None
        if a.terms != b.terms:
            return None
        pick = min if isinstance(op, arith.MinSIOp | arith.MinUIOp) else max
        return Interval(a.terms, pick(a.low, b.low), pick(a.high, b.high))
    if isinstance(op, arith_extra.SelectOp):
        _, a, b = operands
        assert a is not None and b is not None
        if a.terms != b.terms:
            return None
        return Interval(a.terms, min(a.low, b.low), max(a.high, b.high))
    return None


def relax(part: Interval, loops: Sequence[scf.ForOp]) -> Interval:
    """`part` over every iteration of `loops` (around the loop it was taken in): their ivs,
    and quotients and remainders of them, become ranges instead of fixed terms."""
    ivs = {iv(loop) for loop in loops}
    kept: list[tuple[SSAValue, int]] = []
    low, high = part.low, part.high
    for atom, coefficient in part.terms:
        found = range_of_atom(atom, {}, ()) if set(linear_atoms(atom)) <= ivs else None
        if found is None:
            kept.append((atom, coefficient))
            continue
        values = (coefficient * found[0], coefficient * found[1])
        low, high = low + min(values), high + max(values)
    return Interval(frozenset(kept), low, high)


def linear_atoms(atom: SSAValue) -> list[SSAValue]:
    """The ivs an atom of a linear form is (or divides, or takes the remainder of)."""
    owner = atom.owner
    if isinstance(owner, arith.DivUIOp | arith.RemUIOp):
        return list(linear(owner.lhs)[0])
    return [atom]


@dataclass
class Box:
    """The part of a buffer one iteration of a loop touches: per axis an offset (terms
    fixed in the iteration plus a constant) and an extent, and whether the offset plus
    [0, extent) may leave the axis below or above."""

    offsets: list[Linear]
    extents: list[int]
    below: list[bool]
    above: list[bool]


def box(
    buffer: SSAValue,
    touching: Sequence[memref.LoadOp | memref.StoreOp],
    loop: scf.ForOp,
    relaxed: Sequence[scf.ForOp] = (),
) -> Box:
    shape = buffer.type.get_shape()  # type: ignore[attr-defined]
    return box_of(shape, [list(op.indices) for op in touching], loop, relaxed=relaxed)


def box_of(
    shape: Sequence[int],
    accesses: Sequence[Sequence[SSAValue]],
    loop: scf.ForOp,
    clip: bool = True,
    relaxed: Sequence[scf.ForOp] = (),
) -> Box:
    """The box of the indices `accesses` (one list per access) take in one iteration of
    `loop`, and in every iteration of the loops around it in `relaxed`; with `clip`, an
    axis it would cover is taken whole."""
    box = Box([], [], [], [])
    for axis, size in enumerate(shape):
        parts = [interval(indices[axis], loop) for indices in accesses]
        parts = [relax(p, relaxed) if p is not None and relaxed else p for p in parts]
        known = [p for p in parts if p is not None]
        union: Interval | None = None
        if known and len(known) == len(parts) and len({p.terms for p in known}) == 1:
            low, high = min(p.low for p in known), max(p.high for p in known)
            union = Interval(known[0].terms, low, high)
        if union is None or (clip and union.high - union.low + 1 >= size):
            if union is None and not clip:
                raise ScheduleError("cannot bound the indices of a padded read")
            box.offsets.append(({}, 0))
            box.extents.append(size)
            box.below.append(False)
            box.above.append(False)
            continue
        fixed = range_of(dict(union.terms))
        box.offsets.append((dict(union.terms), union.low))
        box.extents.append(union.high - union.low + 1)
        box.below.append(fixed is None or fixed[0] + union.low < 0)
        box.above.append(fixed is None or fixed[1] + union.high > size - 1)
    return box


def box_offsets(region: Box, at: InsertPoint, near: Operation) -> list[SSAValue]:
    """The offset of `region` in each axis, emitted at `at`."""
    mapping: dict[SSAValue, SSAValue] = {}
    if isinstance(near, scf.ForOp):
        mapping[iv(near)] = iv(near)
    offsets = []
    for terms, constant in region.offsets:
        rebuilt = {clone_slice(atom, mapping, near, at): c for atom, c in terms.items()}
        offsets.append(materialize(rebuilt, constant, at, near))
    return offsets


def box_nest(
    region: Box,
    names: Sequence[str],
    tag: str,
    shape: Sequence[int],
    at: InsertPoint,
    near: Operation,
    order: Sequence[int] | None = None,
    offsets: Sequence[SSAValue] | None = None,
    guarded: bool = True,
) -> tuple[list[scf.ForOp], list[SSAValue], list[SSAValue], InsertPoint]:
    """Loops over `region` at `at`, one per axis in the `order` of a local buffer's axes:
    the loops, the offsets (emitted at `at` unless given), the buffer index in each axis,
    and the point in the innermost body where the index is in bounds (if `guarded`)."""
    rank = len(region.extents)
    order = list(range(rank)) if order is None else list(order)
    if offsets is None:
        offsets = box_offsets(region, at, near)
    loops, inner = loop_nest(
        [region.extents[a] for a in order], [names[a] for a in order], tag, at, near
    )
    loop_of = {axis: loop for axis, loop in zip(order, loops, strict=True)}
    positions: list[SSAValue] = []
    conditions: list[SSAValue] = []
    for axis in range(rank):
        loop, offset = loop_of[axis], offsets[axis]
        terms, constant = region.offsets[axis]
        position = iv(loop)
        if terms or constant:
            start = InsertPoint.at_start(loop.body.block)
            position = emit(arith.AddiOp(offset, iv(loop)), start)
        positions.append(position)
        if guarded and region.below[axis]:
            conditions.append(emit(arith_extra.CmpiOp(position, index(0, near), "sge"), inner))
        if guarded and region.above[axis]:
            conditions.append(
                emit(arith_extra.CmpiOp(position, index(shape[axis], near), "slt"), inner)
            )
    if conditions:
        condition = conditions[0]
        for other in conditions[1:]:
            condition = emit(arith.AndIOp(condition, other), inner)
        check = scf.IfOp(condition, [], [Block([scf.YieldOp()])])
        Rewriter.insert_op(check, inner)
        inner = InsertPoint.before(check.true_region.block.last_op)  # type: ignore[arg-type]
    return loops, list(offsets), positions, inner


def layout(accesses: Sequence[Sequence[SSAValue]], loop: scf.ForOp) -> list[int]:
    """The order of a local buffer's axes for accesses with these indices in `loop`: by
    the depth of the deepest loop inside `loop` that an axis's index runs along, so the
    innermost loop runs along the last axis (with unit stride); ties keep their order."""
    depths: dict[SSAValue, int] = {}
    for op in loop.body.walk():
        if isinstance(op, scf.ForOp):
            depth, parent = 0, op.parent_op()
            while parent is not None and parent is not loop:
                depth += isinstance(parent, scf.ForOp)
                parent = parent.parent_op()
            depths[iv(op)] = depth
    rank = len(accesses[0]) if accesses else 0
    deepest = [-1] * rank
    for indices in accesses:
        for axis, value in enumerate(indices):
            for found in ivs_of(value, loop):
                deepest[axis] = max(deepest[axis], depths.get(found, -1))
    return sorted(range(rank), key=lambda axis: deepest[axis])


def ivs_of(value: SSAValue, loop: scf.ForOp) -> set[SSAValue]:
    """The ivs of loops inside `loop` that `value` is computed from."""
    owner = value.owner
    if isinstance(owner, Block):
        holder = owner.parent_op()
        inside = isinstance(holder, scf.ForOp) and holder is not loop and loop.is_ancestor(holder)
        return {value} if inside else set()
    if not loop.is_ancestor(owner):
        return set()
    found: set[SSAValue] = set()
    for operand in owner.operands:
        found |= ivs_of(operand, loop)
    return found


# Moving computations ------------------------------------------------------------------------


@dataclass
class Element:
    """A stage as te-to-loop emitted it: the loops over its output's axes, the ops that
    compute one element (the innermost body), the store of that element, and the nests
    attached around the inner loops (by compute_at): per loop, before and after its child."""

    root: scf.ForOp
    loops: list[scf.ForOp]
    ops: list[Operation]
    store: memref.StoreOp
    attached: list[tuple[list[Operation], list[Operation]]]

    @property
    def buffer(self) -> SSAValue:
        return self.store.memref


def element(root: scf.ForOp, primitive: str) -> Element:
    name = stage_name(root)
    stores = [op for op in own_ops(root, root) if isinstance(op, memref.StoreOp)]
    if root.iter_args and root.res and len(list(root.res[0].uses)) == 1:
        use = next(iter(root.res[0].uses)).operation
        if isinstance(use, memref.StoreOp):
            stores.append(use)
    if len(stores) != 1:
        raise ScheduleError(f"{primitive} needs '{name}' to store one element per iteration")
    store = stores[0]
    rank = len(store.indices)
    loops = band(root)[:rank]
    shape = store.memref.type.get_shape()  # type: ignore[attr-defined]
    if (
        len(loops) != rank
        or [iv(loop) for loop in loops] != list(store.indices)
        or [optional_bounds(loop) for loop in loops] != [Bounds(0, size, 1) for size in shape]
    ):
        raise ScheduleError(
            f"{primitive} needs the loop nest of '{name}' as te-to-loop emitted it; "
            f"apply {primitive} before other transforms of '{name}'"
        )
    ops = body_ops(loops[-1]) if loops else [root, store]
    attached = []
    for outer, inner in pairwise(loops):
        around = body_ops(outer)
        place = around.index(inner)
        attached.append((around[:place], around[place + 1 :]))
    return Element(root, loops, ops, store, attached)


def free_after_last_use(near: Operation) -> None:
    """Move each `memref.dealloc` of the function holding `near` after the last use of its
    buffer, which moving computations may have put later."""
    function = near
    while not isinstance(function, func.FuncOp):
        parent = function.parent_op()
        assert parent is not None
        function = parent
    for dealloc in [op for op in function.walk() if isinstance(op, memref.DeallocOp)]:
        block = dealloc.parent_block()
        assert block is not None
        order = {op: n for n, op in enumerate(block.ops)}
        last = dealloc
        for use in dealloc.memref.uses:
            user: Operation | None = use.operation
            while user is not None and user not in order:
                user = user.parent_op()
            if user is not None and order[user] > order[last]:
                last = user
        if last is not dealloc:
            dealloc.detach()
            block.insert_op_after(dealloc, last)


def only_computed_by(result: Element, primitive: str) -> None:
    if isinstance(result.buffer, BlockArgument):
        raise ScheduleError(
            f"'{stage_name(result.root)}' computes a result of the function; {primitive} "
            "would leave it unwritten"
        )


def reads_of(buffer: SSAValue, outside: Operation) -> list[memref.LoadOp]:
    """The loads of `buffer` not inside `outside`; an error for other uses."""
    reads: list[memref.LoadOp] = []
    for use in buffer.uses:
        op = use.operation
        if outside.is_ancestor(op) or isinstance(op, memref.DeallocOp):
            continue
        if not isinstance(op, memref.LoadOp):
            raise ScheduleError(f"'{op.name}' also uses {buffer_name(buffer)}")
        reads.append(op)
    return reads


def clone_element(
    result: Element,
    positions: Sequence[SSAValue],
    at: InsertPoint,
    loops: Sequence[scf.ForOp] = (),
) -> dict[SSAValue, SSAValue]:
    """Clone the element's computation at `at` for the given positions, and the nests
    attached to its loops around the corresponding new `loops`."""
    mapping: dict[SSAValue, SSAValue] = {
        iv(loop): position for loop, position in zip(result.loops, positions, strict=True)
    }
    for (before, after), outer, inner in zip(result.attached, loops, loops[1:], strict=False):
        for op in before:
            Rewriter.insert_op(op.clone(mapping), InsertPoint.before(inner))
        for op in after:
            Rewriter.insert_op(op.clone(mapping), InsertPoint.before(outer.body.block.last_op))  # type: ignore[arg-type]
    for op in result.ops:
        Rewriter.insert_op(op.clone(mapping), at)
    return mapping


def compute_at(producer: scf.ForOp, loop: scf.ForOp, changes: Changes) -> scf.ForOp:
    """The producer's nest moved into `loop`, over the box one iteration reads."""
    result = element(producer, "compute_at")
    name = stage_name(producer)
    if producer.is_ancestor(loop) or loop.is_ancestor(producer):
        raise ScheduleError(f"{describe(loop)} is not outside the loop nest of '{name}'")
    only_computed_by(result, "compute_at")
    reads = reads_of(result.buffer, producer)
    inside = [read for read in reads if loop.is_ancestor(read)]
    if not inside:
        raise ScheduleError(f"{describe(loop)} does not read '{name}'")
    if len(inside) != len(reads):
        raise ScheduleError(
            f"'{name}' is also read outside {describe(loop)}; compute_at would leave those "
            "elements unwritten"
        )
    shape = result.buffer.type.get_shape()  # type: ignore[attr-defined]
    region = box(result.buffer, inside, loop)
    at = InsertPoint.at_start(loop.body.block)
    names = [axis_name(loop) for loop in result.loops]
    loops, _, positions, inner = box_nest(region, names, name, shape, at, loop)
    mapping = clone_element(result, positions, inner, loops)
    if not producer.is_ancestor(result.store):
        Rewriter.erase_op(result.store)
    changes.erase(producer)
    free_after_last_use(loop)
    if loops:
        return loops[0]
    new_root = mapping[producer.res[0]].owner
    assert isinstance(new_root, scf.ForOp)
    return new_root


def compute_inline(producer: scf.ForOp, changes: Changes) -> None:
    """Each read of the producer's buffer computes the element it reads in place."""
    result = element(producer, "compute_inline")
    name = stage_name(producer)
    if any(op.regions for op in result.ops) or any(a or b for a, b in result.attached):
        raise ScheduleError(
            f"compute_inline needs an elementwise compute, '{name}' has loops of its own"
        )
    only_computed_by(result, "compute_inline")
    computation = replace(result, ops=[op for op in result.ops if op is not result.store])
    for read in reads_of(result.buffer, producer):
        mapping = clone_element(computation, list(read.indices), InsertPoint.before(read))
        read.res.replace_all_uses_with(mapping.get(result.store.value, result.store.value))
        Rewriter.erase_op(read)
    buffer = result.buffer
    function = producer.parent_op()
    assert function is not None
    changes.erase(producer)
    for use in list(buffer.uses):
        if isinstance(use.operation, memref.DeallocOp):
            Rewriter.erase_op(use.operation)
    if isinstance(buffer.owner, memref.AllocOp) and not list(buffer.uses):
        Rewriter.erase_op(buffer.owner)
    free_after_last_use(function)


def stage_accesses(loop: scf.ForOp) -> list[memref.LoadOp | memref.StoreOp]:
    root = stage_root(loop)
    return [op for op in own_ops(loop, root) if isinstance(op, memref.LoadOp | memref.StoreOp)]


def local_buffer(buffer: SSAValue, extents: Sequence[int], scope: str, at: InsertPoint) -> SSAValue:
    element_type = buffer.type.element_type  # type: ignore[attr-defined]
    memory = ScopeAttr(StringAttr(scope))
    alloc = memref.AllocOp([], [], MemRefType(element_type, extents, memory_space=memory))
    alloc.memref.name_hint = f"{buffer.name_hint or 'buffer'}_{scope}"
    Rewriter.insert_op(alloc, at)
    return alloc.memref


def local_indices(
    indices: Sequence[SSAValue],
    offsets: Sequence[SSAValue],
    region: Box,
    order: Sequence[int],
    at: InsertPoint,
    near: Operation,
) -> list[SSAValue]:
    """The index in a local buffer of `region` (axes in `order`) of an element at `indices`."""
    found = []
    for axis, (value, offset) in enumerate(zip(indices, offsets, strict=True)):
        terms, constant = region.offsets[axis]
        if region.extents[axis] == 1:
            found.append(index(0, near))  # constant, so the buffer can live in registers
            continue
        if not terms and constant == 0:
            found.append(value)
            continue
        whole, whole_constant = linear(value)
        if all(whole.get(a) == c for a, c in terms.items()):
            rest = {a: c for a, c in whole.items() if a not in terms}
            found.append(materialize(rest, whole_constant - constant, at, near))
        else:
            found.append(emit(arith.SubiOp(value, offset), at))
    return [found[axis] for axis in order]


def redirect(
    op: memref.LoadOp | memref.StoreOp,
    local: SSAValue,
    offsets: Sequence[SSAValue],
    region: Box,
    order: Sequence[int],
) -> None:
    """Make `op` access `local` at its index minus the box's offset."""
    indices = local_indices(op.indices, offsets, region, order, InsertPoint.before(op), op)
    if isinstance(op, memref.LoadOp):
        new = memref.LoadOp.get(local, indices)
        new.res.name_hint = op.res.name_hint
        Rewriter.replace_op(op, new)
    else:
        Rewriter.replace_op(op, memref.StoreOp.get(op.value, local, indices))


@dataclass(frozen=True)
class PaddedRead:
    """A read of a padded tensor as graph-to-te writes it: the load at clamped indices,
    the select that gives the padding value where the unclamped (`raw`) ones leave it."""

    load: memref.LoadOp
    select: arith_extra.SelectOp
    raw: tuple[SSAValue, ...]
    clamped: tuple[bool, ...]


def padded_read(load: memref.LoadOp, loop: scf.ForOp) -> PaddedRead | None:
    """`load` as a padded read whose value depends on the loops in `loop` only through
    its raw indices, or None."""
    uses = list(load.res.uses)
    if len(uses) != 1:
        return None
    select = uses[0].operation
    if (
        not isinstance(select, arith_extra.SelectOp)
        or select.lhs is not load.res
        or not isinstance(select.rhs.owner, arith.ConstantOp)
    ):
        return None
    raw: list[SSAValue] = []
    clamped: list[bool] = []
    for value in load.indices:
        bare = value
        while isinstance(bare.owner, arith.MinSIOp | arith.MaxSIOp):
            operation = bare.owner
            if constant_int(operation.rhs) is not None:
                bare = operation.lhs
            elif constant_int(operation.lhs) is not None:
                bare = operation.rhs
            else:
                break
        raw.append(bare)
        clamped.append(bare is not value)
    if not any(clamped) or not only_through(select.result, set(raw), loop):
        return None
    return PaddedRead(load, select, tuple(raw), tuple(clamped))


def only_through(value: SSAValue, raw: set[SSAValue], loop: scf.ForOp) -> bool:
    """Whether `value` depends on the ivs of `loop` and the loops in it only through `raw`."""
    if value in raw:
        return True
    owner = value.owner
    if isinstance(owner, Block):
        holder = owner.parent_op()
        return not (isinstance(holder, scf.ForOp) and (holder is loop or loop.is_ancestor(holder)))
    if not loop.is_ancestor(owner):
        return True
    return not owner.regions and all(only_through(v, raw, loop) for v in owner.operands)


def cache_read(loop: scf.ForOp, number: int, scope: str, changes: Changes) -> scf.ForOp:
    """The box of input `number` that one iteration of `loop` reads, copied into a buffer
    of `scope` first and read from there; gives the copy's nest. A padded read caches the
    padded tensor: the box of its unclamped indices, with the padding in it. A shared
    buffer holds what all the threads of a block read (the box over every iteration of the
    loops around bound to threadIdx), and barriers fence its copy (see `fence`)."""
    copy = cache_read_box(loop, number, scope, changes)
    if scope == "shared":
        loop = changes.replaced.get(loop, loop)  # type: ignore[assignment]
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


def cache_read_box(loop: scf.ForOp, number: int, scope: str, changes: Changes) -> scf.ForOp:
    prepare(loop, changes)
    loop = changes.replaced.get(loop, loop)  # type: ignore[assignment]
    root = stage_root(loop)
    name = stage_name(root)
    touched = stage_accesses(root)
    written = {op.memref for op in touched if isinstance(op, memref.StoreOp)}
    inputs: list[SSAValue] = []
    for op in touched:
        if isinstance(op, memref.LoadOp) and op.memref not in written and op.memref not in inputs:
            inputs.append(op.memref)
    if number >= len(inputs):
        raise ScheduleError(f"'{name}' reads {len(inputs)} inputs, it has no input {number}")
    buffer = inputs[number]
    reads = [
        op for op in stage_accesses(loop) if isinstance(op, memref.LoadOp) and op.memref is buffer
    ]
    if not reads:
        raise ScheduleError(f"{describe(loop)} does not read input {number} of '{name}'")
    shape = buffer.type.get_shape()  # type: ignore[attr-defined]
    relaxed = thread_loops(loop) if scope == "shared" else []
    padded = [p for read in reads if (p := padded_read(read, loop)) is not None]
    kinds = {(p.clamped, p.select.rhs.owner.value) for p in padded}  # type: ignore[union-attr]
    if len(padded) == len(reads) and len(kinds) == 1:
        raws = [list(p.raw) for p in padded]
        try:
            region = box_of(shape, raws, loop, clip=False, relaxed=relaxed)
        except ScheduleError:
            pass
        else:
            return cache_padded(loop, buffer, padded, region, scope, f"{name}.input{number}")
    region = box(buffer, reads, loop, relaxed)
    order = layout([list(read.indices) for read in reads], loop)
    block = loop.body.block
    at = InsertPoint.at_start(block)
    local = local_buffer(buffer, [region.extents[a] for a in order], scope, at)
    tag = f"{buffer.name_hint or f'{name}.input{number}'}.{scope}"
    names = [f"{tag}.{axis}" for axis in range(len(shape))]
    loops, offsets, positions, inner = box_nest(region, names, tag, shape, at, loop, order)
    value = emit(memref.LoadOp.get(buffer, positions), inner)
    Rewriter.insert_op(memref.StoreOp.get(value, local, [iv(copy) for copy in loops]), inner)
    for read in reads:
        redirect(read, local, offsets, region, order)
    Rewriter.insert_op(memref.DeallocOp.get(local), InsertPoint.before(block.last_op))  # type: ignore[arg-type]
    return loops[0] if loops else loop


def cache_padded(
    loop: scf.ForOp,
    buffer: SSAValue,
    reads: Sequence[PaddedRead],
    region: Box,
    scope: str,
    fallback: str,
) -> scf.ForOp:
    """cache_read of padded reads over `region` (the box of their unclamped indices): the
    copy computes each padded element once (clamped read and select), the reads load it."""
    shape = buffer.type.get_shape()  # type: ignore[attr-defined]
    raws = [list(read.raw) for read in reads]
    clamped = reads[0].clamped
    # A clamped index never leaves the buffer; an unclamped one is guarded as usual.
    region.below = [b and not c for b, c in zip(region.below, clamped, strict=True)]
    region.above = [a and not c for a, c in zip(region.above, clamped, strict=True)]
    order = layout(raws, loop)
    block = loop.body.block
    at = InsertPoint.at_start(block)
    local = local_buffer(buffer, [region.extents[a] for a in order], scope, at)
    tag = f"{buffer.name_hint or fallback}.{scope}"
    names = [f"{tag}.{axis}" for axis in range(len(shape))]
    loops, offsets, positions, inner = box_nest(region, names, tag, shape, at, loop, order)
    first = reads[0]
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
    Rewriter.insert_op(memref.DeallocOp.get(local), InsertPoint.before(block.last_op))  # type: ignore[arg-type]
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
    prepare(loop, changes)
    loop = changes.replaced.get(loop, loop)  # type: ignore[assignment]
    root = stage_root(loop)
    name = stage_name(root)
    written = {op.memref for op in stage_accesses(root) if isinstance(op, memref.StoreOp)}
    if len(written) != 1:
        raise ScheduleError(
            f"cache_write needs '{name}' to write one buffer, it writes {len(written)}"
        )
    buffer = next(iter(written))
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
    if epilogue is not None:
        value = apply_epilogue(epilogue, value, positions, inner)
        changes.erase(epilogue.root)
    Rewriter.insert_op(memref.StoreOp.get(value, buffer, positions), inner)
    Rewriter.insert_op(memref.DeallocOp.get(local), end)
    return (back[0] if back else loop), first


def computes_box_whole(
    loop: scf.ForOp, root: scf.ForOp, store: memref.StoreOp, region: Box, shape: Sequence[int]
) -> bool:
    """Whether one iteration of `loop` stores every element of its box of the output that
    lies in the buffer, with all the loops of the stage that do not index the output (the
    reduction) inside it, and no other iteration of the stage's loops stores them."""
    chain: list[scf.ForOp] = []
    current = store.parent_op()
    guards: list[scf.IfOp] = []
    while current is not None:
        if isinstance(current, scf.ForOp):
            chain.insert(0, current)
        elif isinstance(current, scf.IfOp):
            guards.append(current)
        if current is root:
            break
        current = current.parent_op()
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
    for axis, (terms, _) in enumerate(forms):
        inside = sorted((c, trips[a]) for a, c in terms.items() if a in inner)
        outside = sorted((c, trips[a]) for a, c in terms.items() if a in trips and a not in inner)
        span = 1
        for coefficient, trip in inside:
            if coefficient != span:
                return False
            span *= trip
        if region.extents[axis] != span and not (
            region.extents[axis] == shape[axis] <= span and all(t == 1 for _, t in outside)
        ):
            return False
        reach = span
        for coefficient, trip in outside:
            if coefficient < reach:
                return False
            reach = coefficient * trip
    # Guards may only cut off what lies outside the buffer (the tail of a split).
    for guard_op in guards:
        conditions = [guard_op.cond]
        while conditions:
            test = conditions.pop().owner
            if isinstance(test, arith.AndIOp):
                conditions += [test.lhs, test.rhs]
                continue
            if not (isinstance(test, arith_extra.CmpiOp) and test.predicate.value.data == 2):
                return False
            bound = constant_int(test.rhs)
            tested = linear(test.lhs)
            if all(atom in inner and atom not in used for atom in tested[0]):
                continue  # the tail of a split reduction loop
            if bound is None or not any(
                cuts_outside(tested, bound, form, size)
                for form, size in zip(forms, shape, strict=True)
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
    rest = range_of({atom: c for atom, c in whole.items() if atom not in terms})
    return rest is not None and scale * (bound - constant) + rest[0] + offset >= size


def init_nest(root: scf.ForOp, buffer: SSAValue) -> tuple[scf.ForOp, arith.ConstantOp] | None:
    """The nest right before the stage that sets its output to a constant (what `prepare`
    made of a reduction's init value), and that constant."""
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
    """The nest after a stage that `prepare` made of a reduction's epilogue: per output
    axis the iv that indexes it, the load of the reduced element and the store."""

    root: scf.ForOp
    ivs: list[SSAValue]
    load: memref.LoadOp
    store: memref.StoreOp


def epilogue_of(root: scf.ForOp, buffer: SSAValue, shape: Sequence[int]) -> Epilogue | None:
    following = root.next_op
    while following is not None and is_pure(following):
        following = following.next_op
    if not (
        isinstance(following, scf.ForOp) and stage_name(following) == f"{stage_name(root)}.epilogue"
    ):
        return None
    loads = [o for o in following.walk() if isinstance(o, memref.LoadOp) and o.memref is buffer]
    stores = [o for o in following.walk() if isinstance(o, memref.StoreOp)]
    if len(loads) != 1 or len(stores) != 1 or stores[0].memref is not buffer:
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


# Tensorize -----------------------------------------------------------------------------------

COMBINES = {
    "sum": (arith.AddfOp, arith.AddiOp),
    "max": (arith.MaximumfOp, arith.MaxSIOp),
    "min": (arith.MinimumfOp, arith.MinSIOp),
}


class Mismatch(Exception):
    """Where a loop nest differs from an intrinsic's pattern."""


@dataclass(frozen=True)
class View:
    """The part of a buffer an intrinsic's argument stands for: per buffer axis, its offset
    (fixed for one call) and the pattern tensor's axis it runs along (None: one element)."""

    buffer: SSAValue
    offsets: tuple[tuple[frozenset[tuple[SSAValue, int]], int], ...]
    along: tuple[int | None, ...]
    shape: tuple[int, ...]


def tensorize(
    loop: scf.ForOp,
    intrinsic: IntrinsicOp,
    function: Callable[[SymbolRefAttr], func.FuncOp],
    changes: Changes,
) -> None:
    """Replace the loop nest under `loop` by a call of the intrinsic's function on views of
    the buffers, when the nest computes the intrinsic's pattern: `compute` for an
    elementwise pattern, `update` for a reduction (its output already holds the init value)."""
    prepare(loop, changes)
    loop = changes.replaced.get(loop, loop)  # type: ignore[assignment]
    name = intrinsic.sym_name.data
    segment = band(loop)
    pattern = intrinsic.pattern
    shape = list(pattern.result.type.get_shape())  # type: ignore[attr-defined]
    extents = [*shape, *pattern.reduce_extent_values]
    try:
        for outer, inner in pairwise(segment):
            perfect(outer, inner)
        if len(segment) != len(extents):
            raise Mismatch(f"it has {len(segment)} loops, the pattern {len(extents)} axes")
        body, condition = tile_body(segment)
        views = match_pattern(segment, body, intrinsic, shape)
    except (Mismatch, ScheduleError) as error:
        raise ScheduleError(
            f"the loop nest under {describe(loop)} does not compute the pattern of intrinsic "
            f"@{name}: {error}"
        ) from None
    symbol = intrinsic.update if pattern.reduce_kind is not None else intrinsic.compute
    assert symbol is not None
    callee = function(symbol)
    at = InsertPoint.before(loop)
    mapping: dict[SSAValue, SSAValue] = {}
    arguments = []
    for view, parameter in zip(views, callee.function_type.inputs.data, strict=False):
        value = view_of(view, mapping, at, loop)
        if value.type != parameter:
            value = emit(memref.CastOp.get(value, parameter), at)
        arguments.append(value)
    if len(arguments) != len(callee.function_type.inputs.data):
        raise ScheduleError(
            f"@{symbol.root_reference.data} takes {len(callee.function_type.inputs.data)} "
            f"buffers, intrinsic @{name} gives {len(arguments)}"
        )
    call = func.CallOp(symbol, arguments, [])
    if condition is not None:
        check = clone_slice(condition, mapping, loop, at)
        Rewriter.insert_op(scf.IfOp(check, [], [Block([call, scf.YieldOp()])]), at)
    else:
        Rewriter.insert_op(call, at)
    changes.erase(loop)


def tile_body(segment: Sequence[scf.ForOp]) -> tuple[list[Operation], SSAValue | None]:
    """The ops of the innermost body and the guard around them, which must not depend on
    the nest's own loops."""
    content = body_ops(segment[-1])
    impure = [op for op in content if not is_pure(op)]
    if len(impure) == 1 and isinstance(impure[0], scf.IfOp):
        check = impure[0]
        if any(depends_on(check.cond, loop) for loop in segment):
            raise Mismatch("a guard inside it runs part of a tile only (a split's tail)")
        return body_ops_of(check.true_region.block), check.cond
    return content, None


def body_ops_of(block: Block) -> list[Operation]:
    return [op for op in block.ops if not isinstance(op, scf.YieldOp)]


def depends_on(value: SSAValue, loop: scf.ForOp) -> bool:
    if value is iv(loop):
        return True
    op = value.owner
    if not isinstance(op, Operation) or not loop.is_ancestor(op):
        return False
    return any(depends_on(operand, loop) for operand in op.operands)


def match_pattern(
    segment: Sequence[scf.ForOp], body: list[Operation], intrinsic: IntrinsicOp, shape: list[int]
) -> list[View]:
    """The views of the intrinsic's inputs and output that the loop nest's body reads and
    writes as the pattern does, for some order of its reduction loops."""
    pattern = intrinsic.pattern
    stores = [op for op in body if isinstance(op, memref.StoreOp)]
    if len(stores) != 1 or any(op.regions for op in body):
        raise Mismatch("it does not store one element per iteration")
    store = stores[0]
    ivs = [iv(loop) for loop in segment]
    spatial: list[SSAValue] = []
    for value in store.indices:
        inside = [atom for atom in linear(value)[0] if atom in ivs]
        spatial += inside
    if len(spatial) != len(shape) or len(set(spatial)) != len(spatial):
        raise Mismatch(f"it writes {len(spatial)} output axes, the pattern {len(shape)}")
    reduce = [value for value in ivs if value not in spatial]
    extents = [*shape, *pattern.reduce_extent_values]
    reason = "no order of its reduction loops matches"
    for order in permutations(reduce):
        axis_of = {value: axis for axis, value in enumerate([*spatial, *order])}
        if any(bounds(loop) != Bounds(0, extents[axis_of[iv(loop)]], 1) for loop in segment):
            reason = "its loops do not run over the pattern's extents"
            continue
        try:
            return match_with(store, axis_of, intrinsic)
        except Mismatch as error:
            reason = str(error)
    raise Mismatch(reason)


def match_with(
    store: memref.StoreOp, axis_of: dict[SSAValue, int], intrinsic: IntrinsicOp
) -> list[View]:
    pattern = intrinsic.pattern
    arguments = list(intrinsic.body.block.args)
    axes = list(pattern.body.block.args)
    bound: dict[int, View] = {}

    def view(
        access: memref.LoadOp | memref.StoreOp, indices: Sequence[SSAValue], tensor: SSAValue
    ) -> View:
        """The view of `access`'s buffer standing for pattern `tensor`, whose axis p is
        pattern index `indices[p]`."""
        positions = [axes.index(i) if i in axes else None for i in indices]
        if None in positions:
            raise Mismatch("the pattern indexes with more than one axis")
        offsets = []
        along: list[int | None] = []
        for value in access.indices:
            terms, constant = linear(value)
            inside = [atom for atom in terms if atom in axis_of]
            if len(inside) > 1 or (inside and terms[inside[0]] != 1):
                raise Mismatch(f"'{access.name}' indexes an axis with several loops")
            if inside:
                axis = axis_of[inside[0]]
                if axis not in positions:
                    raise Mismatch(f"'{access.name}' runs along a loop the pattern does not")
                along.append(positions.index(axis))
            else:
                along.append(None)
            rest = frozenset((a, c) for a, c in terms.items() if a not in axis_of)
            offsets.append((rest, constant))
        if sorted(p for p in along if p is not None) != list(range(len(indices))):
            raise Mismatch(f"'{access.name}' does not run along every axis of the pattern's")
        shape = tuple(tensor.type.get_shape())  # type: ignore[attr-defined]
        return View(access.memref, tuple(offsets), tuple(along), shape)

    def match(value: SSAValue, expected: SSAValue) -> None:
        if expected in axes:
            raise Mismatch("the pattern uses an index as a value")
        want = expected.owner
        have = value.owner
        assert isinstance(want, Operation)
        if isinstance(want, ReadOp):
            if not isinstance(have, memref.LoadOp):
                raise Mismatch(
                    f"'{getattr(have, 'name', 'a block argument')}' where the pattern reads"
                )
            number = arguments.index(want.tensor)
            if want.tensor.type.element_type != have.res.type:  # type: ignore[attr-defined]
                raise Mismatch("a read of another element type")
            found = view(have, list(want.indices), want.tensor)
            if bound.setdefault(number, found) != found:
                raise Mismatch(f"it reads input {number} of the pattern at two places")
            return
        if not isinstance(have, Operation) or have.name != want.name:
            raise Mismatch(
                f"'{getattr(have, 'name', 'a block argument')}' where the pattern has '{want.name}'"
            )
        if have.properties != want.properties or len(have.operands) != len(want.operands):
            raise Mismatch(f"'{have.name}' differs from the pattern's")
        if isinstance(want, arith.ConstantOp):
            return
        for a, b in zip(have.operands, want.operands, strict=True):
            match(a, b)

    value = store.value
    if pattern.reduce_kind is not None:
        combine = value.owner
        accumulated = [
            o
            for o in getattr(combine, "operands", ())
            if isinstance(o.owner, memref.LoadOp)
            and o.owner.memref is store.memref
            and list(o.owner.indices) == list(store.indices)
        ]
        if not isinstance(combine, COMBINES[pattern.reduce_kind.data]) or len(accumulated) != 1:
            raise Mismatch(f"it does not accumulate a {pattern.reduce_kind.data} into its output")
        (value,) = [o for o in combine.operands if o is not accumulated[0]]
    match(value, pattern.yield_op.value)
    missing = [n for n in range(len(arguments)) if n not in bound]
    if missing:
        raise Mismatch(f"it does not read input {missing[0]} of the pattern")
    output = view(store, axes[: len(pattern.axis_names)], pattern.result)
    return [bound[n] for n in range(len(arguments))] + [output]


def view_of(
    view: View, mapping: dict[SSAValue, SSAValue], at: InsertPoint, loop: scf.ForOp
) -> SSAValue:
    """A `memref.subview` of the view's buffer at its offsets, with the pattern's shape."""
    buffer_type = view.buffer.type
    assert isinstance(buffer_type, MemRefType)
    offsets = []
    for terms, constant in view.offsets:
        rebuilt = {clone_slice(atom, mapping, loop, at): c for atom, c in terms}
        offsets.append(materialize(rebuilt, constant, at, loop))
    sizes = [1 if p is None else view.shape[p] for p in view.along]
    strides = buffer_type.get_strides()
    kept = sorted((p, s) for p, s in zip(view.along, strides, strict=True) if p is not None)
    layout = StridedLayoutAttr([s for _, s in kept], None)
    result = MemRefType(buffer_type.element_type, list(view.shape), layout)
    subview = memref.SubviewOp(
        view.buffer,
        offsets,
        [],
        [],
        [DYNAMIC_INDEX] * len(offsets),
        sizes,
        [1] * len(sizes),
        result,
    )
    return emit(subview, at)
