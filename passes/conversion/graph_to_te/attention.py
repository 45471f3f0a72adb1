"""masked_softmax: softmax's four computes (the max along the axis, exp(x - max), their sum,
the quotient), where a slice that is -inf everywhere shifts by 0 instead of its max, so its
exponentials and their sum are 0, and its quotient is 0 instead of 0 / 0.
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Reduction,
    compute,
    generic_axes,
    lowered,
    shape_of,
)
from ziggurat.passes.conversion.graph_to_te.normalization import along, max_along


class MaskedSoftmaxLowering(RewritePattern):
    lowers = graph.MaskedSoftmaxOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.MaskedSoftmaxOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        full_type = graph.tensor(op.input)
        maximum = max_along("softmax_max", op, axis)
        axes = generic_axes(len(shape))

        def exp_body(b: Body, *indices: SSAValue) -> SSAValue:
            top = b.read(maximum.result, along(indices, axis, 0))
            masked = b.emit(arith_extra.CmpfOp(top, b.float(float("-inf")), "oeq"))
            shift = b.select(masked, b.float(0.0), top)
            shifted = b.emit(arith.SubfOp(b.read(op.input, indices), shift))
            return b.emit(math_dialect.ExpOp(shifted))

        exp = compute("softmax_exp", [op.input, maximum.result], full_type, axes, exp_body)

        def sum_body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.read(exp.result, along(indices[:-1], axis, indices[-1]))

        total = compute(
            "softmax_sum",
            [exp.result],
            graph.tensor(maximum.result),
            axes,
            sum_body,
            Reduction("sum", ["k"], [shape[axis]], 0.0),
        )

        def divide(b: Body, *indices: SSAValue) -> SSAValue:
            value = b.read(exp.result, indices)
            denominator = b.read(total.result, along(indices, axis, 0))
            empty = b.emit(arith_extra.CmpfOp(denominator, b.float(0.0), "oeq"))
            quotient = b.emit(arith.DivfOp(value, denominator))
            return b.select(empty, b.float(0.0), quotient)

        softmax = compute("softmax", [exp.result, total.result], full_type, axes, divide)
        lowered(rewriter, op, [maximum, exp, total, softmax])


PATTERNS = (MaskedSoftmaxLowering(),)
