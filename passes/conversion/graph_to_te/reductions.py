"""graph.reduce_sum, reduce_mean and reduce_max: one reduction compute, and for a mean a
division by the number of elements reduced.
"""

from __future__ import annotations

import math

from xdsl.dialects import arith
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    compute,
    generic_axes,
    lowered,
    shape_of,
)


class ReduceLowering(RewritePattern):
    lowers = graph.ReduceOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ReduceOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        reduced = op.reduced_axes()
        keepdims = op.keepdims is not None
        out_type = graph.tensor(op.output)
        axes = generic_axes(len(out_type.get_shape()))
        reduce_axes = generic_axes(len(reduced), "r")
        is_max = isinstance(op, graph.ReduceMaxOp)
        init = -math.inf if is_max else 0.0

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            outer, inner = list(indices[: len(axes)]), list(indices[len(axes) :])
            source: list[Index] = []
            for d in range(len(shape)):
                if d in reduced:
                    source.append(inner.pop(0))
                    if keepdims:
                        outer.pop(0)
                else:
                    source.append(outer.pop(0))
            return b.read(op.input, source)

        reduction = Reduction(
            "max" if is_max else "sum", reduce_axes, [shape[d] for d in reduced], init
        )
        name = op.name.removeprefix("graph.")
        if not isinstance(op, graph.ReduceMeanOp):
            lowered(rewriter, op, [compute(name, [op.input], out_type, axes, body, reduction)])
            return
        total = compute(f"{name}_sum", [op.input], out_type, axes, body, reduction)
        count = math.prod(shape[d] for d in reduced)

        def divide(b: Body, *indices: SSAValue) -> SSAValue:
            return b.emit(arith.DivfOp(b.read(total.result, indices), b.float(count)))

        lowered(rewriter, op, [total, compute(name, [total.result], out_type, axes, divide)])


PATTERNS = (ReduceLowering(),)
