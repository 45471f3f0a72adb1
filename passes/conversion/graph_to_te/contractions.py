"""Contractions: dense (ONNX Gemm), matmul with broadcast batches, and conv2d, each a sum
over its reduce axes; a bias is added by its own compute after the contraction.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.dialects.te import ComputeOp
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    broadcast_indices,
    broadcast_into,
    compute,
    generic_axes,
    lowered,
    shape_of,
    windows,
)


def bias_add(
    value: SSAValue, bias: SSAValue, axes: Sequence[str], scale: float = 1.0, channel: int = -1
) -> ComputeOp:
    """`value + scale * bias`, the bias broadcast (numpy rules, or along axis `channel`)."""

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        where = [indices[channel]] if channel >= 0 else broadcast_indices(bias, indices)
        term = b.read(bias, where)
        if scale != 1.0:
            term = b.emit(arith.MulfOp(term, b.float(scale)))
        return b.emit(arith.AddfOp(b.read(value, indices), term))

    return compute("bias_add", [value, bias], graph.tensor(value), axes, body)


class DenseLowering(RewritePattern):
    lowers = graph.DenseOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.DenseOp, rewriter: PatternRewriter) -> None:
        trans_a, trans_b = op.trans_a is not None, op.trans_b is not None
        alpha, beta = op.alpha.value.data, op.beta.value.data
        a_shape = shape_of(op.a)
        extent = a_shape[0] if trans_a else a_shape[1]

        def body(b: Body, i: SSAValue, j: SSAValue, k: SSAValue) -> SSAValue:
            a = b.read(op.a, [k, i] if trans_a else [i, k])
            w = b.read(op.b, [j, k] if trans_b else [k, j])
            product = b.emit(arith.MulfOp(a, w))
            if alpha != 1.0:
                product = b.emit(arith.MulfOp(product, b.float(alpha)))
            return product

        dense = compute(
            "dense",
            [op.a, op.b],
            graph.tensor(op.output),
            ["i", "j"],
            body,
            Reduction("sum", ["k"], [extent], 0.0),
        )
        if op.bias is None:
            lowered(rewriter, op, [dense])
        else:
            lowered(rewriter, op, [dense, bias_add(dense.result, op.bias, ["i", "j"], beta)])


class MatmulLowering(RewritePattern):
    lowers = graph.MatmulOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.MatmulOp, rewriter: PatternRewriter) -> None:
        a_shape, b_shape = shape_of(op.a), shape_of(op.b)
        result_type = graph.tensor(op.output)
        rows, columns = len(a_shape) > 1, len(b_shape) > 1
        batch = len(result_type.get_shape()) - rows - columns
        axes = generic_axes(batch, "b") + ["i"] * rows + ["j"] * columns

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            *outer, k = indices
            batch_indices = outer[:batch]
            i = [outer[batch]] if rows else []
            j = [outer[batch + rows]] if columns else []
            a_batch = broadcast_into(a_shape[:-2], batch_indices)
            b_batch = broadcast_into(b_shape[:-2], batch_indices)
            a = b.read(op.a, [*a_batch, *i, k])
            w = b.read(op.b, [*b_batch, k, *j])
            return b.emit(arith.MulfOp(a, w))

        reduction = Reduction("sum", ["k"], [a_shape[-1]], 0.0)
        lowered(rewriter, op, [compute("matmul", [op.a, op.b], result_type, axes, body, reduction)])


class Conv2dLowering(RewritePattern):
    lowers = graph.Conv2dOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dOp, rewriter: PatternRewriter) -> None:
        out_channels, group_channels, kernel_h, kernel_w = op.weight_shape()
        layout = op.weight_layout.data
        groups = op.groups.value.data
        rows, columns = windows(op, (kernel_h, kernel_w), op.dilation.get_values())

        def body(b: Body, n: SSAValue, c: SSAValue, h: SSAValue, w: SSAValue, rc, ry, rx):
            channel: Index = rc
            if groups > 1:
                group = b.div(c, out_channels // groups)
                channel = b.add(b.mul(group, group_channels), rc)
            y, y_ok = b.window(rows, h, ry)
            x, x_ok = b.window(columns, w, rx)
            value = b.padded_read(op.input, [n, channel, y, x], y_ok + x_ok, 0.0)
            where = dict(zip("OIHW", (c, rc, ry, rx), strict=True))
            return b.emit(arith.MulfOp(value, b.read(op.weight, [where[d] for d in layout])))

        reduction = Reduction("sum", ["rc", "ry", "rx"], [group_channels, kernel_h, kernel_w], 0.0)
        axes = ["n", "c", "h", "w"]
        conv = compute(
            "conv2d", [op.input, op.weight], graph.tensor(op.output), axes, body, reduction
        )
        if op.bias is None:
            lowered(rewriter, op, [conv])
        else:
            lowered(rewriter, op, [conv, bias_add(conv.result, op.bias, axes, channel=1)])


PATTERNS = (
    DenseLowering(),
    MatmulLowering(),
    Conv2dLowering(),
)
