"""Comparisons, selection and logic: graph.compare (an i1 per element pair, with the
signedness of the operands' type), graph.select (ONNX Where) and the bitwise and, or, xor
and not (logical on i1), each one compute over its broadcast operands.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.passes.conversion.graph_to_te import scalars
from ziggurat.passes.conversion.graph_to_te.body import Body, broadcast_compute, lowered


class CompareLowering(RewritePattern):
    lowers = graph.CompareOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.CompareOp, rewriter: PatternRewriter) -> None:
        predicate = op.predicate.data

        def function(b: Body, x: SSAValue, y: SSAValue) -> SSAValue:
            return scalars.compare(b, predicate, x, y)

        result = broadcast_compute(
            f"compare_{predicate}", [op.lhs, op.rhs], graph.tensor(op.output), function
        )
        lowered(rewriter, op, [result])


class SelectLowering(RewritePattern):
    lowers = graph.SelectOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.SelectOp, rewriter: PatternRewriter) -> None:
        operands = [op.condition, op.a, op.b]
        result = broadcast_compute("select", operands, graph.tensor(op.output), Body.select)
        lowered(rewriter, op, [result])


LOGIC: dict[type[Operation], Callable[..., SSAValue]] = {
    graph.AndOp: lambda b, x, y: b.emit(arith.AndIOp(x, y)),
    graph.OrOp: lambda b, x, y: b.emit(arith.OrIOp(x, y)),
    graph.XorOp: lambda b, x, y: b.emit(arith.XOrIOp(x, y)),
    graph.NotOp: lambda b, x: b.emit(arith.XOrIOp(x, scalars.all_ones(b, x))),
}


class LogicLowering(RewritePattern):
    lowers = tuple(LOGIC)

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if type(op) not in LOGIC:
            return
        name = op.name.removeprefix("graph.")
        result = broadcast_compute(name, op.operands, graph.tensor(op.results[0]), LOGIC[type(op)])
        lowered(rewriter, op, [result])


PATTERNS = (
    CompareLowering(),
    SelectLowering(),
    LogicLowering(),
)
