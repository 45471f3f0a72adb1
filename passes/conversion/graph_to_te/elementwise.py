"""Constants, and the ops that compute each element from the elements at its place:
activations and other functions of one element, binary arithmetic with numpy's
broadcasting, and casts between element types.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import Float16Type, f32, f64
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.passes.conversion.graph_to_te import scalars
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
    graph.ReluOp: lambda b, x: scalars.maximum(b, x, scalars.constant(b, 0, x)),
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
    graph.NegOp: scalars.negate,
    graph.AbsOp: scalars.absolute,
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
                x = scalars.maximum(b, x, scalars.constant(b, low.value.data, x))
            if high is not None:
                x = scalars.minimum(b, x, scalars.constant(b, high.value.data, x))
            return x

        return clip
    return UNARY[type(op)]


class UnaryLowering(RewritePattern):
    lowers = (*UNARY, graph.LeakyReluOp, graph.ClipOp)

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.UnaryOp, rewriter: PatternRewriter) -> None:
        if not isinstance(op, self.lowers):
            return  # activations.py lowers the others
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
    half = b.emit(arith.MulfOp(exponent, scalars.constant(b, 0.5, base)))
    odd = b.emit(arith_extra.CmpfOp(b.emit(math_dialect.TruncOp(half)), half, "one"))
    signed = b.select(odd, b.emit(arith.NegfOp(magnitude)), magnitude)
    of_negative = b.select(integral, signed, scalars.constant(b, math.nan, base))
    negative = b.emit(arith_extra.CmpfOp(base, scalars.constant(b, 0.0, base), "olt"))
    return b.select(negative, of_negative, magnitude)


def integer_power(b: Body, base: SSAValue, exponent: SSAValue) -> SSAValue:
    """An integer power through f64 (exact while the result is below 2^53), as numpy's
    integer power is for such results."""
    wide = [scalars.convert(b, v, f64) for v in (base, exponent)]
    return scalars.convert(b, power(b, *wide), base.type)


BINARY: dict[type[graph.BinaryOp], Callable[[Body, SSAValue, SSAValue], SSAValue]] = {
    graph.AddOp: scalars.add,
    graph.SubOp: scalars.subtract,
    graph.MulOp: scalars.multiply,
    graph.DivOp: scalars.divide,
    graph.PowOp: lambda b, x, y: (power if scalars.is_float(x) else integer_power)(b, x, y),
    graph.MaximumOp: scalars.maximum,
    graph.MinimumOp: scalars.minimum,
}


class BinaryLowering(RewritePattern):
    lowers = tuple(BINARY)

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.BinaryOp, rewriter: PatternRewriter) -> None:
        if type(op) not in BINARY:
            return  # comparisons.py and activations.py lower the others
        combine = BINARY[type(op)]
        result_type = graph.tensor(op.output)

        def body(b: Body, *axes: SSAValue) -> SSAValue:
            lhs = b.read(op.lhs, broadcast_indices(op.lhs, axes))
            rhs = b.read(op.rhs, broadcast_indices(op.rhs, axes))
            return combine(b, lhs, rhs)

        name = op.name.removeprefix("graph.")
        axes = generic_axes(len(result_type.get_shape()))
        lowered(rewriter, op, [compute(name, [op.lhs, op.rhs], result_type, axes, body)])


class CastLowering(RewritePattern):
    lowers = graph.CastOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.CastOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            return scalars.convert(b, b.read(op.input, indices), out_type.element_type)

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("cast", [op.input], out_type, axes, body)])


PATTERNS = (
    ConstantLowering(),
    UnaryLowering(),
    BinaryLowering(),
    CastLowering(),
)
