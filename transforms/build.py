"""Building the IR the primitives emit: index constants, affine expressions, loop nests.

Constants go to the start of the function, so loops that use them can move anywhere in it;
new loops run from 0 by 1 and are tagged with their axis (and the outermost of a nest with
its stage). It offers `index_constant`, `emit`, `materialize`, `new_loop`, `loop_nest`,
`nest_like`, `move_stage_tag`, `clone_slice` (a value rebuilt elsewhere from the ops that
compute it) and `erase_dead`.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, StringAttr
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.payload import (
    axis_name,
    bounds,
    constant_int,
    defined_in,
    enclosing_function,
    is_pure,
    iv,
    optional_bounds,
)
from ziggurat.dialects.schedule import AXIS, COMPUTE
from ziggurat.transforms import ScheduleError


def index_constant(value: int, near: Operation) -> SSAValue:
    """`arith.constant value : index` at the start of the function holding `near`."""
    function = enclosing_function(near)
    if function is None:
        raise ScheduleError("schedules apply to loops inside a func.func")
    block = function.body.block
    for op in block.ops:
        if not isinstance(op, arith.ConstantOp):
            break
        result = op.result
        if isinstance(result.type, IndexType) and constant_int(result) == value:
            return result
    constant = arith.ConstantOp(IntegerAttr(value, IndexType()))
    constant.result.name_hint = f"c{value}" if value >= 0 else f"c_{-value}"
    Rewriter.insert_op(constant, InsertPoint.at_start(block))
    return constant.result


def emit(op: Operation, at: InsertPoint) -> SSAValue:
    """Insert `op` at `at`; its first result."""
    Rewriter.insert_op(op, at)
    return op.results[0]


def materialize(
    terms: dict[SSAValue, int], constant: int, at: InsertPoint, near: Operation
) -> SSAValue:
    """Emit `Σ coefficient * atom + constant` at `at`."""
    total: SSAValue | None = None
    for atom, coefficient in terms.items():
        term = atom
        if coefficient != 1:
            term = emit(arith.MuliOp(atom, index_constant(coefficient, near)), at)
        total = term if total is None else emit(arith.AddiOp(total, term), at)
    if total is None:
        return index_constant(constant, near)
    if constant > 0:
        total = emit(arith.AddiOp(total, index_constant(constant, near)), at)
    elif constant < 0:
        total = emit(arith.SubiOp(total, index_constant(-constant, near)), at)
    return total


def new_loop(extent: int, name: str, near: Operation) -> scf.ForOp:
    """`scf.for` from 0 to `extent` step 1 over an empty body, its iv named `name`."""
    body = Block([scf.YieldOp()], arg_types=[IndexType()])
    body.args[0].name_hint = name
    loop = scf.ForOp(
        index_constant(0, near), index_constant(extent, near), index_constant(1, near), [], body
    )
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


def move_stage_tag(old: scf.ForOp, new: scf.ForOp) -> None:
    """Give `new` the stage tag of `old`, if it has one."""
    if COMPUTE in old.attributes:
        new.attributes[COMPUTE] = old.attributes.pop(COMPUTE)


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
    if isinstance(op, Block) and isinstance(loop := op.parent_op(), scf.ForOp):
        # The iv of a loop of one iteration is the range analysis's constant too.
        if value is iv(loop) and (b := optional_bounds(loop)) is not None and b.trip_count == 1:
            mapping[value] = index_constant(b.lower, loop)
            return mapping[value]
    if not isinstance(op, Operation) or not (
        is_pure(op) or (loads and isinstance(op, memref.LoadOp))
    ):
        name = f"%{value.name_hint}" if value.name_hint else "a value"
        raise ScheduleError(f"cannot recompute index {name} outside the loop that defines it")
    for operand in op.operands:
        clone_slice(operand, mapping, root, at, loads)
    Rewriter.insert_op(op.clone(mapping), at)
    return mapping[value]
