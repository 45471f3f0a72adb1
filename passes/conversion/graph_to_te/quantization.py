"""Linear (de)quantization, computed in floating point as onnxruntime computes it:
quantize_linear divides by the scale in the scale's type, rounds half to even, adds the zero
point and saturates to the integer type; dequantize_linear subtracts the zero point in
integers wide enough not to overflow and multiplies by the scale in the result's type.

The scale and zero point are read per tensor, per axis or per block of an axis. Integers
are signless in arith: an unsigned quantized type (ui8, ui16) is read with uitofp and extui
and written with fptoui into a compute that keeps the graph's type, so a consumer still
knows the signedness; making every unsigned type signless is left to the end of the
lowering.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import FloatAttr, IntegerType, Signedness
from xdsl.ir import Attribute, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    compute,
    generic_axes,
    lowered,
    shape_of,
)


def is_unsigned(element: Attribute) -> bool:
    return isinstance(element, IntegerType) and element.signedness.data == Signedness.UNSIGNED


def signless(element: IntegerType) -> IntegerType:
    return IntegerType(element.width.data)


def limits(element: IntegerType) -> tuple[int, int]:
    width = element.width.data
    if is_unsigned(element):
        return 0, 2**width - 1
    return -(2 ** (width - 1)), 2 ** (width - 1) - 1


def parameter_indices(
    op: graph.LinearQuantizationOp, indices: Sequence[SSAValue], b: Body
) -> list[Index]:
    """Where in the scale (and zero point) element `indices` of the input finds its own."""
    axis, block = op.granularity()
    rank = len(shape_of(op.scale))
    if block == 0:
        return [0] * rank
    if block == 1:
        return [indices[axis]]
    return [b.div(index, block) if d == axis else index for d, index in enumerate(indices)]


def to_float(b: Body, value: SSAValue, element: Attribute, target: Attribute) -> SSAValue:
    """An integer read as `element` (signed or not) converted to the float type `target`."""
    if is_unsigned(element):
        return b.emit(arith_extra.UIToFPOp(value, target))
    return b.emit(arith_extra.SIToFPOp(value, target))


def widened(b: Body, value: SSAValue, element: IntegerType, width: int) -> SSAValue:
    """An integer of `element` extended (by its signedness) to `width` bits."""
    if element.width.data == width:
        return value
    extend = arith_extra.ExtUIOp if is_unsigned(element) else arith_extra.ExtSIOp
    return b.emit(extend(value, IntegerType(width)))


def float_as(b: Body, value: SSAValue, target: Attribute) -> SSAValue:
    """A float converted to the float type `target` (wider or narrower)."""
    source = value.type
    if source == target:
        return value
    wider = target.bitwidth > source.bitwidth  # type: ignore[attr-defined]
    return b.emit(arith.ExtFOp(value, target) if wider else arith.TruncFOp(value, target))


class QuantizeLinearLowering(RewritePattern):
    """round_half_to_even(x / scale) + zero point, saturated."""

    lowers = graph.QuantizeLinearOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.QuantizeLinearOp, rewriter: PatternRewriter) -> None:
        element = graph.tensor(op.output).element_type
        assert isinstance(element, IntegerType)
        low, high = limits(element)
        precision = graph.tensor(op.scale).element_type
        shape = shape_of(op.input)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            where = parameter_indices(op, indices, b)
            x = float_as(b, b.read(op.input, indices), precision)
            quotient = b.emit(arith.DivfOp(x, b.read(op.scale, where)))
            value = b.emit(math_dialect.RoundEvenOp(quotient))
            if op.zero_point is not None:
                zero = to_float(b, b.read(op.zero_point, where), element, precision)
                value = b.emit(arith.AddfOp(value, zero))
            value = b.emit(arith.MaximumfOp(value, b.emit(constant(low, precision))))
            value = b.emit(arith.MinimumfOp(value, b.emit(constant(high, precision))))
            convert = arith_extra.FPToUIOp if is_unsigned(element) else arith_extra.FPToSIOp
            return b.emit(convert(value, signless(element)))

        inputs = [op.input, op.scale, *([op.zero_point] if op.zero_point else [])]
        result_type = graph.tensor(op.output)
        axes = generic_axes(len(shape))
        lowered(rewriter, op, [compute("quantize_linear", inputs, result_type, axes, body)])


def constant(value: float, element: Attribute) -> arith.ConstantOp:
    return arith.ConstantOp(FloatAttr(value, element))  # type: ignore[arg-type]


class DequantizeLinearLowering(RewritePattern):
    """(x - zero point) * scale, the difference taken in i32 (i64 for i32 inputs)."""

    lowers = graph.DequantizeLinearOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.DequantizeLinearOp, rewriter: PatternRewriter) -> None:
        element = graph.tensor(op.input).element_type
        assert isinstance(element, IntegerType)
        out_type = graph.tensor(op.output)
        result = out_type.element_type
        width = 64 if element.width.data == 32 else 32
        shape = shape_of(op.input)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            where = parameter_indices(op, indices, b)
            difference = widened(b, b.read(op.input, indices), element, width)
            if op.zero_point is not None:
                zero = widened(b, b.read(op.zero_point, where), element, width)
                difference = b.emit(arith.SubiOp(difference, zero))
            value = b.emit(arith_extra.SIToFPOp(difference, result))
            scale = float_as(b, b.read(op.scale, where), result)
            return b.emit(arith.MulfOp(value, scale))

        inputs = [op.input, op.scale, *([op.zero_point] if op.zero_point else [])]
        axes = generic_axes(len(shape))
        lowered(rewriter, op, [compute("dequantize_linear", inputs, out_type, axes, body)])


PATTERNS = (QuantizeLinearLowering(), DequantizeLinearLowering())
