"""Navigating te-to-loop's payload: stages, their bands and loops, and what their ops use.

Per te.compute te-to-loop emits one nest of `scf.for` loops, a *stage*, whose outermost loop
(its *root*) is tagged `te.compute = "name"` and every loop `loop.axis`. The loops of a stage
nested one directly in another form its *band*; beside its child a band loop holds only
index arithmetic (pure ops, free to move or copy), the nests other primitives attached to
it, and for a reduction the store of its result (with te-inline's epilogue). It offers
values and ops (`constant_int`, `is_pure`, `defined_in`, `enclosing_function`, the one
use-def walk `computed_from`, `conjuncts` of a guard, `buffer_name`), loops (`Bounds`,
`bounds`, `optional_bounds`, `iv`, `ivs_of`, `body_ops`, `axis_name`, `describe`), stages
and bands (`stage_root`, `stage_name`, `is_stage_root`, `stage_roots`, `is_attached`, `own_ops`,
`stage_accesses`, `band`, `band_child`, `reduction_epilogue`) and padded reads as graph-to-te
writes them (`padded_read`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IntegerAttr, StringAttr
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.traits import is_side_effect_free

from ziggurat.dialects import arith_extra
from ziggurat.dialects.schedule import AXIS, COMPUTE
from ziggurat.transforms import ScheduleError

# Values and ops -----------------------------------------------------------------------


def constant_int(value: SSAValue) -> int | None:
    """The value of an integer `arith.constant`, or None."""
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return None


def is_pure(op: Operation) -> bool:
    """Computes a value from its operands only (xDSL leaves division unmarked)."""
    return not op.regions and (is_side_effect_free(op) or op.name.startswith("arith."))


def defined_in(value: SSAValue, op: Operation) -> bool:
    """Whether `value` is defined inside the regions of `op`."""
    parent = value.owner.parent_op()
    return parent is not None and op.is_ancestor(parent)


def enclosing_function(op: Operation) -> func.FuncOp | None:
    """The `func.func` that holds `op`, if one does."""
    current: Operation | None = op
    while current is not None and not isinstance(current, func.FuncOp):
        current = current.parent_op()
    return current


def computed_from(
    value: SSAValue, within: Operation, stop: Collection[SSAValue] = ()
) -> set[SSAValue]:
    """`value` and the values it is computed from by the ops inside `within` that have no
    regions, not looking past the values of `stop`."""
    found: set[SSAValue] = set()
    pending = [value]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        op = current.owner
        if isinstance(op, Operation) and not op.regions and within.is_ancestor(op):
            if current not in stop:
                pending.extend(op.operands)
    return found


def conjuncts(condition: SSAValue) -> list[SSAValue]:
    """The conditions `condition` is the `arith.andi` of (itself, if it is none)."""
    found: list[SSAValue] = []
    pending = [condition]
    while pending:
        current = pending.pop()
        if isinstance(current.owner, arith.AndIOp):
            pending += [current.owner.lhs, current.owner.rhs]
        else:
            found.append(current)
    return found


def buffer_name(buffer: SSAValue) -> str:
    """`buffer` for a message: `%A`."""
    return f"%{buffer.name_hint}" if buffer.name_hint else "a buffer"


# Loops --------------------------------------------------------------------------------


def axis_name(loop: scf.ForOp) -> str:
    """The axis `loop` runs over, as its `loop.axis` names it."""
    name = loop.attributes.get(AXIS)
    return name.data if isinstance(name, StringAttr) else "?"


def describe(loop: Operation) -> str:
    """`loop` for a message: `loop 'i'`, or the op's name."""
    if isinstance(loop, scf.ForOp) and AXIS in loop.attributes:
        return f"loop '{axis_name(loop)}'"
    return f"'{loop.name}'"


def iv(loop: scf.ForOp) -> BlockArgument:
    """The induction variable of `loop`."""
    return loop.body.block.args[0]


@dataclass(frozen=True)
class Bounds:
    """The constant bounds of a loop: from `lower` below `upper` by `step`."""

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
    """The constant bounds of `loop`; an error if they are not constant."""
    values = [constant_int(v) for v in (loop.lb, loop.ub, loop.step)]
    if None in values or values[2] <= 0:  # type: ignore[operator]
        raise ScheduleError(f"{describe(loop)} needs constant bounds and a positive step")
    return Bounds(*values)  # type: ignore[arg-type]


def optional_bounds(loop: scf.ForOp) -> Bounds | None:
    """The constant bounds of `loop`, or None."""
    try:
        return bounds(loop)
    except ScheduleError:
        return None


def body_ops(op: scf.ForOp | scf.IfOp) -> list[Operation]:
    """The ops of a loop's body (an if's then-block) but its terminator."""
    return [inner for inner in op.regions[0].block.ops if not isinstance(inner, scf.YieldOp)]


def ivs_of(value: SSAValue, loop: scf.ForOp) -> set[SSAValue]:
    """The ivs of `loop` and the loops in it (and the values they carry) that `value` is
    computed from."""
    return {
        v for v in computed_from(value, loop) if isinstance(v.owner, Block) and defined_in(v, loop)
    }


# Stages and their bands ---------------------------------------------------------------


def is_stage_root(op: Operation) -> bool:
    """Whether `op` is the outermost loop of a stage (tagged `te.compute`)."""
    return isinstance(op, scf.ForOp) and COMPUTE in op.attributes


def stage_roots(block: Block) -> list[scf.ForOp]:
    """The nests of `block`, and of the loops and branches around nests in it (the time
    loop of a recurrent network, a branch of an if), in order."""
    roots: list[scf.ForOp] = []
    for op in block.ops:
        if is_stage_root(op):
            roots.append(op)  # type: ignore[arg-type]
        elif isinstance(op, scf.ForOp | scf.IfOp):
            for region in op.regions:
                for inner in region.blocks:
                    roots += stage_roots(inner)
    return roots


def is_attached(op: Operation) -> bool:
    """Whether `op` is a nest a primitive put beside a band loop (a stage root), or a split
    tail's guard around such nests."""
    if is_stage_root(op):
        return True
    return (
        isinstance(op, scf.IfOp)
        and not op.results
        and not op.false_region.blocks
        and all(is_pure(inner) or is_attached(inner) for inner in body_ops(op))
    )


def stage_name(root: Operation) -> str:
    """The te.compute a stage root computes, as its tag names it."""
    name = root.attributes.get(COMPUTE)
    return name.data if isinstance(name, StringAttr) else "the loop nest"


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


def own_ops(op: Operation, root: Operation) -> Iterator[Operation]:
    """The ops nested in `op`, but not in nests of stages other than `root`'s."""
    for region in op.regions:
        for block in region.blocks:
            for inner in block.ops:
                if is_stage_root(inner) and inner is not root:
                    continue
                yield inner
                yield from own_ops(inner, root)


def stage_accesses(loop: scf.ForOp) -> list[memref.LoadOp | memref.StoreOp]:
    """The loads and stores in `loop` of its own stage (not of stages moved into it)."""
    root = stage_root(loop)
    return [op for op in own_ops(loop, root) if isinstance(op, memref.LoadOp | memref.StoreOp)]


def band(root: scf.ForOp) -> list[scf.ForOp]:
    """The loops of `root`'s band, outermost first."""
    loops = [root]
    while (child := band_child(loops[-1])) is not None:
        loops.append(child)
    return loops


def band_child(loop: scf.ForOp) -> scf.ForOp | None:
    """The loop nested directly in `loop` in its band, if there is one."""
    ops = body_ops(loop)
    children = [op for op in ops if isinstance(op, scf.ForOp) and not is_stage_root(op)]
    if len(children) != 1:
        return None
    child = children[0]
    epilogue = reduction_epilogue(loop, child)
    for op in ops:
        if op is child or is_pure(op) or is_attached(op) or op in epilogue:
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
    if len(stores) != 1 or child.res[0] not in computed_from(stores[0].value, loop):
        return []
    loads = [
        op
        for op in ops
        if isinstance(op, memref.LoadOp)
        and not any(child.is_ancestor(use.operation) for use in op.res.uses)
    ]
    return [*loads, stores[0]]


# Padded reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class PaddedRead:
    """A read of a padded tensor as graph-to-te writes it: the load at clamped indices,
    the select that gives the padding value where the unclamped (`raw`) ones leave it."""

    load: memref.LoadOp
    select: arith_extra.SelectOp
    raw: tuple[SSAValue, ...]
    clamped: tuple[bool, ...]
    # Each index's clamps: at its first element (maxsi), at its last (minsi). A padding
    # that no read reaches (the bottom one of a stride-2 window that ends above it) has none.
    clamped_below: tuple[bool, ...]
    clamped_above: tuple[bool, ...]


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
    below: list[bool] = []
    above: list[bool] = []
    for value in load.indices:
        bare = value
        sides: set[type] = set()
        while isinstance(bare.owner, arith.MinSIOp | arith.MaxSIOp):
            operation = bare.owner
            if constant_int(operation.rhs) is not None:
                bare = operation.lhs
            elif constant_int(operation.lhs) is not None:
                bare = operation.rhs
            else:
                break
            sides.add(type(operation))
        raw.append(bare)
        clamped.append(bare is not value)
        below.append(arith.MaxSIOp in sides)
        above.append(arith.MinSIOp in sides)
    if not any(clamped):
        return None
    # The loops in `loop` may reach the value only through the raw indices: their ivs (and
    # the values loops there carry or give) are no further source of it.
    for source in computed_from(select.result, loop, stop=raw):
        if source not in raw and defined_in(source, loop):
            owner = source.owner
            if isinstance(owner, Block) or owner.regions:
                return None
    return PaddedRead(load, select, tuple(raw), tuple(clamped), tuple(below), tuple(above))
