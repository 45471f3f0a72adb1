"""Lower structured control flow (`scf`) and `memref.copy` to branches between blocks. Used
by `loop-to-llvm`.

A loop is a header block testing `iv < ub` and a body whose last block steps and branches
back; the back edge keeps the loop's `loop.annotations` (`llvm.br ^header(...)
{loop.annotations = [...]}`, which xDSL's `convert-scf-to-cf` would drop), for the CPU target
to turn into LLVM loop metadata. `scf.parallel` runs as nested sequential loops, and
`memref.copy` as a loop nest of loads and stores (LLVM turns dense ones into memcpy).

    scf.for %i = %lb to %ub step %s { ... }
    ->
      llvm.br ^header(%lb)
    ^header(%i: i64):
      %more = llvm.icmp "slt" %i, %ub
      llvm.cond_br %more, ^body, ^end
    ^body:
      ...
      %next = llvm.add %i, %s
      llvm.br ^header(%next)
    ^end:
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import llvm, memref, scf
from xdsl.dialects.builtin import IntegerAttr, MemRefType
from xdsl.ir import Attribute, Block, Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ANNOTATIONS
from ziggurat.passes.conversion.loop_to_llvm.common import (
    Descriptor,
    constant,
    constant_integer,
    emit,
    llvm_type,
    value_of,
)
from ziggurat.passes.conversion.loop_to_llvm.lowering import Lower, Lowering

SIGNED_LESS = IntegerAttr(2, 64)  # llvm.icmp "slt"


def emit_loop(
    lower: Lowering,
    bounds: tuple[SSAValue, SSAValue, SSAValue],
    initial: Sequence[SSAValue],
    body: Callable[[Sequence[SSAValue]], Sequence[SSAValue]],
    annotations: Attribute | None = None,
) -> Sequence[SSAValue]:
    """A loop from `lb` to `ub` by `step` carrying `initial`: `body` lowers one iteration
    given the induction variable and the carried values, and returns the values carried
    to the next. Returns the values carried out of the loop."""
    lb, ub, step = bounds
    header = Block(arg_types=[lb.type, *(v.type for v in initial)])
    body_block, end = Block(), Block()
    lower.insert(llvm.BrOp(header, lb, *initial))
    lower.start(header)
    in_range = emit(lower, llvm.ICmpOp(header.args[0], ub, SIGNED_LESS))
    lower.insert(llvm.CondBrOp(in_range, body_block, (), end, ()))
    lower.start(body_block)
    carried = body(header.args)
    stepped = emit(lower, llvm.AddOp(header.args[0], step))
    back_edge = llvm.BrOp(header, stepped, *carried)
    if annotations is not None:
        back_edge.attributes[ANNOTATIONS] = annotations
    lower.insert(back_edge)
    lower.start(end)
    return header.args[1:]


def lower_for(lower: Lowering, op: scf.ForOp) -> None:
    """A loop; one whose constant bounds give it a single iteration is its body (with `lb`
    for the induction variable), and one with none is nothing: the tiles that default
    schedules split off whole make many such loops (700 of DenseNet-121's 1,600), each a
    loop LLVM's loop passes would visit before deleting it."""
    block = op.body.block

    def iteration(arguments: Sequence[SSAValue]) -> Sequence[SSAValue]:
        lower.map(block.args, arguments)
        return yielded(lower, block)

    bounds = (lower.value(op.lb), lower.value(op.ub), lower.value(op.step))
    initial = lower.operands(op.iter_args)
    trips = constant_trip_count(*bounds)
    if trips == 0:
        results: Sequence[SSAValue] = initial
    elif trips == 1:
        results = iteration([bounds[0], *initial])
    else:
        results = emit_loop(lower, bounds, initial, iteration, op.attributes.get(ANNOTATIONS))
    lower.map(op.results, results)


def constant_trip_count(lb: SSAValue, ub: SSAValue, step: SSAValue) -> int | None:
    """The iterations of a loop whose bounds and step are llvm constants (None otherwise,
    or for a step that is not positive)."""
    first, last, stride = (constant_integer(bound) for bound in (lb, ub, step))
    if first is None or last is None or stride is None or stride <= 0:
        return None
    return max(0, -(-(last - first) // stride))


def yielded(lower: Lowering, block: Block) -> list[SSAValue]:
    """Lower a region's single block; the values its terminator yields."""
    terminator = lower.lower_ops(block)
    return lower.operands(terminator.operands) if terminator is not None else []


def lower_if(lower: Lowering, op: scf.IfOp) -> None:
    """Then and else blocks branch to a block taking the results, as xDSL's convert-scf-to-cf
    lays them out."""
    then_block = Block()
    else_block = Block() if op.false_region.blocks else None
    joined = lower.new_block(op.result_types)
    after = Block() if op.results else joined
    lower.insert(llvm.CondBrOp(lower.value(op.cond), then_block, (), else_block or after, ()))
    lower.start(then_block)
    lower.insert(llvm.BrOp(joined, *yielded(lower, op.true_region.block)))
    if else_block is not None:
        lower.start(else_block)
        lower.insert(llvm.BrOp(joined, *yielded(lower, op.false_region.block)))
    if op.results:
        lower.start(joined)
        lower.insert(llvm.BrOp(after))
    lower.start(after)
    lower.map(op.results, joined.args)


def lower_while(lower: Lowering, op: scf.WhileOp) -> None:
    """`before` ends in a conditional branch to `after` or out; `after` branches back."""
    before = lower.new_block(a.type for a in op.before_region.block.args)
    after = lower.new_block(a.type for a in op.after_region.block.args)
    end = lower.new_block(op.result_types)
    lower.insert(llvm.BrOp(before, *lower.operands(op.arguments)))
    lower.start(before)
    lower.map(op.before_region.block.args, before.args)
    condition = lower.lower_ops(op.before_region.block)
    assert isinstance(condition, scf.ConditionOp)
    arguments = lower.operands(condition.args)
    lower.insert(llvm.CondBrOp(lower.value(condition.condition), after, arguments, end, arguments))
    lower.start(after)
    lower.map(op.after_region.block.args, after.args)
    lower.insert(llvm.BrOp(before, *yielded(lower, op.after_region.block)))
    lower.start(end)
    lower.map(op.results, end.args)


def lower_execute_region(lower: Lowering, op: scf.ExecuteRegionOp) -> None:
    """The region's blocks are inlined; its yields branch to what follows."""
    end = lower.new_block(op.result_types)
    entry = lower.block

    def exit(terminator: Operation) -> None:
        lower.insert(llvm.BrOp(end, *lower.operands(terminator.operands)))

    first = lower.lower_region(op.region, into_current=False, terminator=exit)
    assert first is not None
    entry.add_op(llvm.BrOp(first))
    lower.start(end)
    lower.map(op.results, end.args)


def lower_parallel(lower: Lowering, op: scf.ParallelOp) -> None:
    """One sequential loop per dimension, outermost first."""
    if op.initVals or op.results:
        raise ZigguratError("scf.parallel with reductions is not supported", op)
    block = op.body.block
    bounds = list(zip(op.lowerBound, op.upperBound, op.step, strict=True))

    def nest(dim: int, ivs: list[SSAValue]) -> list[SSAValue]:
        if dim == len(bounds):
            lower.map(block.args, ivs)
            lower.lower_ops(block)
            return []
        lb, ub, step = (lower.value(v) for v in bounds[dim])
        emit_loop(
            lower,
            (lb, ub, step),
            [],
            lambda arguments: nest(dim + 1, [*ivs, arguments[0]]),
            op.attributes.get(ANNOTATIONS) if dim == 0 else None,
        )
        return []

    nest(0, [])


def lower_copy(lower: Lowering, op: memref.CopyOp) -> None:
    """A loop nest of loads and stores; LLVM turns dense ones into memcpy."""
    source, destination = op.source, op.destination
    if not isinstance(source.type, MemRefType):
        raise ZigguratError("memref.copy of an unranked memref is not supported", op)
    read = Descriptor(lower, source, op, lower.value(source))
    written = Descriptor(lower, destination, op, lower.value(destination))
    zero, one = constant(lower, 0), constant(lower, 1)
    element = llvm_type(source.type.element_type)
    rank = source.type.get_num_dims()

    def nest(dim: int, indices: list[SSAValue]) -> list[SSAValue]:
        if dim == rank:
            value = emit(lower, llvm.LoadOp(read.element_pointer(indices), element))
            lower.insert(llvm.StoreOp(value, written.element_pointer(indices)))
            return []
        bound = value_of(lower, read.size(dim))
        emit_loop(lower, (zero, bound, one), [], lambda args: nest(dim + 1, [*indices, args[0]]))
        return []

    nest(0, [])


SCF_LOWERINGS: dict[type[Operation], Lower] = {
    scf.ForOp: lower_for,
    scf.IfOp: lower_if,
    scf.WhileOp: lower_while,
    scf.ExecuteRegionOp: lower_execute_region,
    scf.ParallelOp: lower_parallel,
    memref.CopyOp: lower_copy,
}

SCF_OPS: tuple[type[Operation], ...] = (
    *SCF_LOWERINGS,
    scf.YieldOp,
    scf.ConditionOp,
    scf.ReduceOp,
    scf.ReduceReturnOp,
)
