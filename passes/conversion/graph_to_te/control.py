"""Control flow: graph.if becomes `scf.if` on its condition's one element (read with
`tensor.extract`), graph.loop becomes `te.loop`; their regions move over as they are, and
the ops in them are lowered like any other. A loop body's iteration number, an index in
te.loop, is made the tensor<i64> the graph ops read by a compute without axes.

    %y = graph.if %c : tensor<i1> -> (tensor<4xf32>) {...} else {...}
becomes
    %c0 = tensor.extract %c[] : tensor<i1>
    %y = scf.if %c0 -> (tensor<4xf32>) {...} else {...}
"""

from __future__ import annotations

from xdsl.dialects import arith, scf, tensor
from xdsl.dialects.builtin import IndexType, IntegerAttr, i1, i64
from xdsl.ir import Operation, Region, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.dialects import arith_extra, graph, te
from ziggurat.passes.conversion.graph_to_te.body import Body, compute


def terminate(region: Region, terminator: type[Operation], rewriter: PatternRewriter) -> Region:
    """`region` with its graph.yield replaced by `terminator` of the same values."""
    yield_op = region.block.last_op
    assert isinstance(yield_op, graph.YieldOp)
    rewriter.replace(yield_op, terminator(*yield_op.values))
    return region


class IfLowering(RewritePattern):
    lowers = (graph.IfOp, graph.YieldOp)  # a region's graph.yield goes with its op

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.IfOp, rewriter: PatternRewriter) -> None:
        zero = arith.ConstantOp(IntegerAttr(0, IndexType()))
        rank = len(graph.shape_of(op.condition))
        condition = tensor.ExtractOp(op.condition, [zero.result] * rank, i1)
        regions = [op.then_region, op.else_region]
        then, other = (terminate(op.detach_region(r), scf.YieldOp, rewriter) for r in regions)
        branch = scf.IfOp(condition.result, op.outputs.types, then, other)
        rewriter.replace(op, [zero, condition, branch], branch.results)


def iteration_number(index: SSAValue) -> te.ComputeOp:
    """The tensor<i64> holding `index`, a loop's iteration index."""

    def body(b: Body) -> SSAValue:
        return b.emit(arith_extra.IndexCastOp(index, i64))

    return compute("iteration", [], graph.ITERATION, [], body)


class LoopLowering(RewritePattern):
    lowers = graph.LoopOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LoopOp, rewriter: PatternRewriter) -> None:
        body = terminate(op.detach_region(op.body), te.LoopYieldOp, rewriter)
        block = body.block
        old = block.args[0]
        index = block.insert_arg(IndexType(), 0)
        index.name_hint = "t"
        if old.uses:
            number = iteration_number(index)
            Rewriter.insert_op(number, InsertPoint.at_start(block))
            old.replace_all_uses_with(number.result)
        block.erase_arg(old)
        loop = te.LoopOp(op.trip_count.value.data, op.inits, op.outputs.types, body)
        rewriter.replace(op, loop, loop.results)


PATTERNS = (IfLowering(), LoopLowering())
