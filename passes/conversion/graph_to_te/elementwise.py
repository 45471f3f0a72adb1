"""Constants, and the ops that compute each element from the elements at its place:
activations and other functions of one element, binary arithmetic with numpy's
broadcasting, and casts between element types.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import (
    Float16Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    f32,
    i32,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    broadcast_indices,
    compute,
    generic_axes,
    lowered,
    shape_of,
)


class ConstantLowering(RewritePattern):
    lowers = graph.ConstantOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ConstantOp, rewriter: PatternRewriter) -> None:
        lowered(rewriter, op, [arith.ConstantOp(op.value)])


def erf(b: Body, x: SSAValue) -> SSAValue:
    """math.erf, computed in f32 for f16 (targets call libm's erff and erf)."""
    if not isinstance(x.type, Float16Type):
        return b.emit(math_dialect.ErfOp(x))
    wide = b.emit(math_dialect.ErfOp(b.emit(arith.ExtFOp(x, f32))))
    return b.emit(arith.TruncFOp(wide, x.type))


UNARY: dict[type[graph.UnaryOp], Callable[[Body, SSAValue], SSAValue]] = {
    graph.ReluOp: lambda b, x: b.emit(arith.MaximumfOp(x, b.float(0.0))),
    graph.SigmoidOp: lambda b, x: b.emit(
        arith.DivfOp(
            b.float(1.0),
            b.emit(arith.AddfOp(b.float(1.0), b.emit(math_dialect.ExpOp(b.emit(arith.NegfOp(x)))))),
        )
    ),
    graph.TanhOp: lambda b, x: b.emit(math_dialect.TanhOp(x)),
    graph.ExpOp: lambda b, x: b.emit(math_dialect.ExpOp(x)),
    graph.SqrtOp: lambda b, x: b.emit(math_dialect.SqrtOp(x)),
    graph.ErfOp: erf,
    graph.NegOp: lambda b, x: b.emit(arith.NegfOp(x)),
    graph.AbsOp: lambda b, x: b.emit(math_dialect.AbsFOp(x)),
    graph.LogOp: lambda b, x: b.emit(math_dialect.LogOp(x)),
    graph.ReciprocalOp: lambda b, x: b.emit(arith.DivfOp(b.float(1.0), x)),
}


def unary_function(op: graph.UnaryOp) -> Callable[[Body, SSAValue], SSAValue]:
    """What `op` computes from one element."""
    if isinstance(op, graph.LeakyReluOp):
        alpha = op.alpha.value.data

        def leaky_relu(b: Body, x: SSAValue) -> SSAValue:
            positive = b.emit(arith_extra.CmpfOp(x, b.float(0.0), "oge"))
            return b.select(positive, x, b.emit(arith.MulfOp(x, b.float(alpha))))

        return leaky_relu
    if isinstance(op, graph.ClipOp):
        low, high = op.min, op.max

        def clip(b: Body, x: SSAValue) -> SSAValue:
            # maximumf and minimumf keep NaN; max last, so min > max gives max.
            if low is not None:
                x = b.emit(arith.MaximumfOp(x, b.float(low.value.data)))
            if high is not None:
                x = b.emit(arith.MinimumfOp(x, b.float(high.value.data)))
            return x

        return clip
    return UNARY[type(op)]


class UnaryLowering(RewritePattern):
    lowers = graph.UnaryOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.UnaryOp, rewriter: PatternRewriter) -> None:
        function = unary_function(op)
        result_type = graph.tensor(op.output)

        def body(b: Body, *axes: SSAValue) -> SSAValue:
            return function(b, b.read(op.input, axes))

        name = op.name.removeprefix("graph.")
        axes = generic_axes(len(shape_of(op.input)))
        lowered(rewriter, op, [compute(name, [op.input], result_type, axes, body)])


def power(b: Body, base: SSAValue, exponent: SSAValue) -> SSAValue:
    """C's pow, spelled so every target gives a negative base's signed power for integral
    exponents: pow(|base|, exponent), negated for odd exponents, NaN for fractional ones."""
    magnitude = b.emit(math_dialect.PowFOp(b.emit(math_dialect.AbsFOp(base)), exponent))
    whole = b.emit(math_dialect.TruncOp(exponent))
    integral = b.emit(arith_extra.CmpfOp(whole, exponent, "oeq"))
    half = b.emit(arith.MulfOp(exponent, b.float(0.5)))
    odd = b.emit(arith_extra.CmpfOp(b.emit(math_dialect.TruncOp(half)), half, "one"))
    signed = b.select(odd, b.emit(arith.NegfOp(magnitude)), magnitude)
    of_negative = b.select(integral, signed, b.float(math.nan))
    negative = b.emit(arith_extra.CmpfOp(base, b.float(0.0), "olt"))
    return b.select(negative, of_negative, magnitude)


def arith_binary(
    operation: type[arith.FloatingPointLikeBinaryOperation],
) -> Callable[[Body, SSAValue, SSAValue], SSAValue]:
    return lambda b, x, y: b.emit(operation(x, y))


BINARY: dict[type[graph.BinaryOp], Callable[[Body, SSAValue, SSAValue], SSAValue]] = {
    graph.AddOp: arith_binary(arith.AddfOp),
    graph.SubOp: arith_binary(arith.SubfOp),
    graph.MulOp: arith_binary(arith.MulfOp),
    graph.DivOp: arith_binary(arith.DivfOp),
    graph.PowOp: power,
    graph.MaximumOp: arith_binary(arith.MaximumfOp),
    graph.MinimumOp: arith_binary(arith.MinimumfOp),
}


class BinaryLowering(RewritePattern):
    lowers = graph.BinaryOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.BinaryOp, rewriter: PatternRewriter) -> None:
        combine = BINARY[type(op)]
        result_type = graph.tensor(op.output)

        def body(b: Body, *axes: SSAValue) -> SSAValue:
            lhs = b.read(op.lhs, broadcast_indices(op.lhs, axes))
            rhs = b.read(op.rhs, broadcast_indices(op.rhs, axes))
            return combine(b, lhs, rhs)

        name = op.name.removeprefix("graph.")
        axes = generic_axes(len(result_type.get_shape()))
        lowered(rewriter, op, [compute(name, [op.lhs, op.rhs], result_type, axes, body)])


def convert(b: Body, value: SSAValue, target: Attribute) -> SSAValue:
    """`value` converted to the element type `target` as numpy's astype converts."""
    source = value.type
    if source == target:
        return value
    if target == IntegerType(1):
        if isinstance(source, IntegerType):
            zero = b.emit(arith.ConstantOp(IntegerAttr(0, source)))
            return b.emit(arith_extra.CmpiOp(value, zero, "ne"))
        zero = b.emit(arith.ConstantOp(FloatAttr(0.0, source)))  # type: ignore[arg-type]
        return b.emit(arith_extra.CmpfOp(value, zero, "une"))  # NaN is true, as in numpy
    if isinstance(source, IntegerType) and isinstance(target, IntegerType):
        if source == IntegerType(1):
            return b.emit(arith_extra.ExtUIOp(value, target))
        if source.width.data < target.width.data:
            return b.emit(arith_extra.ExtSIOp(value, target))
        return b.emit(arith_extra.TruncIOp(value, target))
    if isinstance(source, IntegerType):
        if source == IntegerType(1):
            return b.emit(arith_extra.UIToFPOp(value, target))  # type: ignore[arg-type]
        return b.emit(arith_extra.SIToFPOp(value, target))  # type: ignore[arg-type]
    if isinstance(target, IntegerType):
        return b.emit(arith_extra.FPToSIOp(value, target))
    if source.bitwidth < target.bitwidth:  # type: ignore[attr-defined]
        return b.emit(arith.ExtFOp(value, target))
    if isinstance(source, Float64Type) and isinstance(target, Float16Type):
        value = round_to_odd_f32(b, value)
    return b.emit(arith.TruncFOp(value, target))


def round_to_odd_f32(b: Body, value: SSAValue) -> SSAValue:
    """An f64 as the f32 nearest it toward zero with its last bit set when inexact, so
    that rounding it to f16 rounds the f64 once. CPUs have no f64 -> f16 instruction and
    the JIT has no `__truncdfhf2`; through a plain f32 a value just past an f16 tie would
    round twice, onto the tie and then to even."""
    nearest = b.emit(arith.TruncFOp(value, f32))
    back = b.emit(arith.ExtFOp(nearest, value.type))
    inexact = b.emit(arith_extra.CmpfOp(back, value, "one"))
    magnitudes = (b.emit(math_dialect.AbsFOp(v)) for v in (back, value))
    away = b.all([inexact, b.emit(arith_extra.CmpfOp(*magnitudes, "ogt"))])
    bits = b.emit(arith.BitcastOp(nearest, i32))
    one = b.emit(arith.ConstantOp(IntegerAttr(1, i32)))
    bits = b.select(away, b.emit(arith.SubiOp(bits, one)), bits)
    bits = b.select(inexact, b.emit(arith.OrIOp(bits, one)), bits)
    return b.emit(arith.BitcastOp(bits, f32))


class CastLowering(RewritePattern):
    lowers = graph.CastOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.CastOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            return convert(b, b.read(op.input, indices), out_type.element_type)

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("cast", [op.input], out_type, axes, body)])


PATTERNS = (
    ConstantLowering(),
    UnaryLowering(),
    BinaryLowering(),
    CastLowering(),
)
