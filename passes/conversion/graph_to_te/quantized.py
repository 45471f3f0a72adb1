"""Integer contractions and requantization: matmul_integer and conv_integer sum int8
products in int32 (zero points subtracted after widening, a padded input read as its zero
point), a bias by its own compute; requantize scales an int32 tensor back to int8.

A requantize whose scale is one power of two, 2^-s, shifts right by s rounding half to
even in integers (`(x + 2^(s-1) - 1 + ((x >> s) & 1)) >> s`), which is what onnxruntime's
float computation gives wherever |x| < 2^24, and what an accelerator's rounding shift
does; any other scale multiplies in float32 and rounds half to even, as onnxruntime does.
"""

from __future__ import annotations

import math

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    TensorType,
    f32,
    i32,
)
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.dialects.te import ComputeOp
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    broadcast_into,
    compute,
    generic_axes,
    lowered,
    shape_of,
    windows,
)


def widened(b: Body, value: SSAValue, zero_point: int) -> SSAValue:
    """An int8 value as int32, less its zero point."""
    wide = b.emit(arith_extra.ExtSIOp(value, i32))
    if zero_point:
        wide = b.emit(arith.SubiOp(wide, b.emit(arith.ConstantOp(IntegerAttr(zero_point, i32)))))
    return wide


class MatmulIntegerLowering(RewritePattern):
    lowers = graph.MatmulIntegerOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.MatmulIntegerOp, rewriter: PatternRewriter) -> None:
        a_shape, b_shape = shape_of(op.a), shape_of(op.b)
        result_type = graph.tensor(op.output)
        rows, columns = len(a_shape) > 1, len(b_shape) > 1
        batch = len(result_type.get_shape()) - rows - columns
        axes = generic_axes(batch, "b") + ["i"] * rows + ["j"] * columns
        a_zero, b_zero = op.zero_points.get_values()

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            *outer, k = indices
            batch_indices = outer[:batch]
            i = [outer[batch]] if rows else []
            j = [outer[batch + rows]] if columns else []
            a = b.read(op.a, [*broadcast_into(a_shape[:-2], batch_indices), *i, k])
            w = b.read(op.b, [*broadcast_into(b_shape[:-2], batch_indices), k, *j])
            return b.emit(arith.MuliOp(widened(b, a, a_zero), widened(b, w, b_zero)))

        reduction = Reduction("sum", ["k"], [a_shape[-1]], 0)
        lowered(rewriter, op, [compute("matmul", [op.a, op.b], result_type, axes, body, reduction)])


def bias_add_integer(value: SSAValue, bias: SSAValue) -> ComputeOp:
    """`value + bias`, an int32 bias per channel (axis 1)."""

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        return b.emit(arith.AddiOp(b.read(value, indices), b.read(bias, [indices[1]])))

    return compute("bias_add", [value, bias], graph.tensor(value), ["n", "c", "h", "w"], body)


class ConvIntegerLowering(RewritePattern):
    lowers = graph.ConvIntegerOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ConvIntegerOp, rewriter: PatternRewriter) -> None:
        out_channels, group_channels, kernel_h, kernel_w = op.weight_shape()
        groups = op.groups.value.data
        x_zero, w_zero = op.zero_points.get_values()
        rows, columns = windows(op, (kernel_h, kernel_w), op.dilation.get_values())

        def body(b: Body, n: SSAValue, c: SSAValue, h: SSAValue, w: SSAValue, rc, ry, rx):
            channel: Index = rc
            if groups > 1:
                group = b.div(c, out_channels // groups)
                channel = b.add(b.mul(group, group_channels), rc)
            y, y_ok = b.window(rows, h, ry)
            x, x_ok = b.window(columns, w, rx)
            value = b.read(op.input, [n, channel, y, x])
            if y_ok + x_ok:
                pad = b.emit(arith.ConstantOp(IntegerAttr(x_zero, value.type)))
                value = b.select(b.all(y_ok + x_ok), value, pad)
            weight = b.read(op.weight, [c, rc, ry, rx])
            return b.emit(arith.MuliOp(widened(b, value, x_zero), widened(b, weight, w_zero)))

        reduction = Reduction("sum", ["rc", "ry", "rx"], [group_channels, kernel_h, kernel_w], 0)
        conv = compute(
            "conv2d",
            [op.input, op.weight],
            graph.tensor(op.output),
            ["n", "c", "h", "w"],
            body,
            reduction,
        )
        if op.bias is None:
            lowered(rewriter, op, [conv])
        else:
            lowered(rewriter, op, [conv, bias_add_integer(conv.result, op.bias)])


def power_of_two_shift(scales: tuple[float, ...]) -> int | None:
    """s where every scale is 2^-s (s >= 0), else None."""
    mantissa, exponent = math.frexp(scales[0])
    if mantissa != 0.5 or exponent > 1 or any(s != scales[0] for s in scales):
        return None
    return 1 - exponent


def rounding_shift(b: Body, value: SSAValue, shift: int) -> SSAValue:
    """`value / 2^shift` rounded half to even, in int32."""

    def constant(n: int) -> SSAValue:
        return b.emit(arith.ConstantOp(IntegerAttr(n, i32)))

    amount = constant(shift)
    odd = b.emit(arith.AndIOp(b.emit(arith.ShRSIOp(value, amount)), constant(1)))
    biased = b.emit(arith.AddiOp(value, constant((1 << (shift - 1)) - 1)))
    return b.emit(arith.ShRSIOp(b.emit(arith.AddiOp(biased, odd)), amount))


class RequantizeLowering(RewritePattern):
    lowers = graph.RequantizeOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.RequantizeOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        scales = op.scales()
        zero_point = op.zero_point.value.data
        shift = power_of_two_shift(scales)
        inputs = [op.input]
        table = None
        if shift is None and len(scales) > 1:
            # One float32 scale per channel, read from a constant tensor.
            values = np.asarray(scales, np.float32)
            table_type = TensorType(f32, [len(scales)])
            table = arith.ConstantOp(DenseIntOrFPElementsAttr.from_list(table_type, list(values)))
            inputs.append(table.result)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))

        def integer(b: Body, n: int) -> SSAValue:
            return b.emit(arith.ConstantOp(IntegerAttr(n, i32)))

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            value = b.read(op.input, indices)
            if shift is None:
                factor = (
                    b.read(table.result, [indices[axis]])
                    if table
                    else b.emit(arith.ConstantOp(FloatAttr(scales[0], f32)))
                )
                scaled = b.emit(arith.MulfOp(b.emit(arith_extra.SIToFPOp(value, f32)), factor))
                value = b.emit(arith_extra.FPToSIOp(b.emit(math_dialect.RoundEvenOp(scaled)), i32))
            elif shift > 0:
                value = rounding_shift(b, value, shift)
            if zero_point:
                value = b.emit(arith.AddiOp(value, integer(b, zero_point)))
            value = b.emit(arith.MaxSIOp(value, integer(b, -128)))
            value = b.emit(arith.MinSIOp(value, integer(b, 127)))
            return b.emit(arith_extra.TruncIOp(value, op.output.type.element_type))  # type: ignore[attr-defined]

        requantize = compute(
            "requantize", inputs, graph.tensor(op.output), generic_axes(len(shape)), body
        )
        lowered(rewriter, op, [table, requantize] if table else [requantize])


PATTERNS = (
    MatmulIntegerLowering(),
    ConvIntegerLowering(),
    RequantizeLowering(),
)
