"""Functions of one element beyond elementwise.py's: the activations of mobile nets and
transformers (elu, selu, celu, hard sigmoid, thresholded relu, gelu, softplus, softsign,
mish, prelu), sign, rounding, sine and cosine, and remainders (graph.mod). Each is one
compute, which fusion and te-inline merge with its neighbours.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import Float16Type, f32
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from ziggurat.dialects import graph
from ziggurat.passes.conversion.graph_to_te import scalars
from ziggurat.passes.conversion.graph_to_te.body import Body, broadcast_compute, lowered

Function = Callable[..., SSAValue]


def wide_for_f16(b: Body, operation: type[Operation], x: SSAValue) -> SSAValue:
    """A math op that targets call libm for (log1p, erf), computed in f32 for f16."""
    if not isinstance(x.type, Float16Type):
        return b.emit(operation(x))
    wide = b.emit(operation(b.emit(arith.ExtFOp(x, f32))))
    return b.emit(arith.TruncFOp(wide, x.type))


def sign(b: Body, x: SSAValue) -> SSAValue:
    """-1, 0 or 1; NaN stays NaN (neither comparison holds)."""
    zero = scalars.constant(b, 0, x)
    rest = x if scalars.is_float(x) else zero
    if not scalars.unsigned(x):
        negative = scalars.compare(b, "lt", x, zero)
        rest = b.select(negative, scalars.constant(b, -1, x), rest)
    positive = scalars.compare(b, "gt", x, zero)
    return b.select(positive, scalars.constant(b, 1, x), rest)


def softplus(b: Body, x: SSAValue) -> SSAValue:
    """log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)): no overflow, nor loss for x << 0."""
    zero = scalars.constant(b, 0, x)
    tail = b.emit(math_dialect.ExpOp(b.emit(arith.NegfOp(b.emit(math_dialect.AbsFOp(x))))))
    return b.emit(
        arith.AddfOp(scalars.maximum(b, x, zero), wide_for_f16(b, math_dialect.Log1pOp, tail))
    )


def exp_minus_one(b: Body, x: SSAValue) -> SSAValue:
    """exp(x) - 1, as onnxruntime computes it (math.exp expands into vector code; expm1
    would be a libm call per element)."""
    return b.emit(arith.SubfOp(b.emit(math_dialect.ExpOp(x)), scalars.constant(b, 1, x)))


def times(b: Body, x: SSAValue, factor: float) -> SSAValue:
    return b.emit(arith.MulfOp(x, scalars.constant(b, factor, x)))


def elu(op: graph.EluOp) -> Function:
    alpha = op.alpha.value.data

    def function(b: Body, x: SSAValue) -> SSAValue:
        positive = scalars.compare(b, "gt", x, scalars.constant(b, 0, x))
        return b.select(positive, x, times(b, exp_minus_one(b, x), alpha))

    return function


def selu(op: graph.SeluOp) -> Function:
    alpha, gamma = op.alpha.value.data, op.gamma.value.data

    def function(b: Body, x: SSAValue) -> SSAValue:
        positive = scalars.compare(b, "gt", x, scalars.constant(b, 0, x))
        value = b.select(positive, x, times(b, exp_minus_one(b, x), alpha))
        return times(b, value, gamma)

    return function


def celu(op: graph.CeluOp) -> Function:
    alpha = op.alpha.value.data

    def function(b: Body, x: SSAValue) -> SSAValue:
        zero = scalars.constant(b, 0, x)
        scaled = b.emit(arith.DivfOp(x, scalars.constant(b, alpha, x)))
        negative = scalars.minimum(b, times(b, exp_minus_one(b, scaled), alpha), zero)
        return b.emit(arith.AddfOp(scalars.maximum(b, x, zero), negative))

    return function


def hard_sigmoid(op: graph.HardSigmoidOp) -> Function:
    alpha, beta = op.alpha.value.data, op.beta.value.data

    def function(b: Body, x: SSAValue) -> SSAValue:
        line = b.emit(arith.AddfOp(times(b, x, alpha), scalars.constant(b, beta, x)))
        below_one = scalars.minimum(b, line, scalars.constant(b, 1, x))
        return scalars.maximum(b, below_one, scalars.constant(b, 0, x))

    return function


def thresholded_relu(op: graph.ThresholdedReluOp) -> Function:
    alpha = op.alpha.value.data

    def function(b: Body, x: SSAValue) -> SSAValue:
        above = scalars.compare(b, "gt", x, scalars.constant(b, alpha, x))
        return b.select(above, x, scalars.constant(b, 0, x))

    return function


def gelu(op: graph.GeluOp) -> Function:
    approximate = op.tanh is not None

    def function(b: Body, x: SSAValue) -> SSAValue:
        if approximate:
            cube = b.emit(arith.MulfOp(b.emit(arith.MulfOp(x, x)), x))
            inner = b.emit(arith.AddfOp(x, times(b, cube, 0.044715)))
            curve = b.emit(math_dialect.TanhOp(times(b, inner, math.sqrt(2 / math.pi))))
        else:
            curve = wide_for_f16(b, math_dialect.ErfOp, times(b, x, math.sqrt(0.5)))
        one_plus = b.emit(arith.AddfOp(scalars.constant(b, 1, x), curve))
        return b.emit(arith.MulfOp(times(b, x, 0.5), one_plus))

    return function


def softsign(b: Body, x: SSAValue) -> SSAValue:
    magnitude = b.emit(math_dialect.AbsFOp(x))
    return b.emit(arith.DivfOp(x, b.emit(arith.AddfOp(magnitude, scalars.constant(b, 1, x)))))


def mish(b: Body, x: SSAValue) -> SSAValue:
    return b.emit(arith.MulfOp(x, b.emit(math_dialect.TanhOp(softplus(b, x)))))


def math_function(operation: type[Operation]) -> Callable[[Operation], Function]:
    return lambda op: lambda b, x: b.emit(operation(x))


def fixed(function: Function) -> Callable[[Operation], Function]:
    return lambda op: function


# What each op computes from its elements, by op.
FUNCTIONS: dict[type[Operation], Callable[..., Function]] = {
    graph.SignOp: fixed(sign),
    graph.FloorOp: math_function(math_dialect.FloorOp),
    graph.CeilOp: math_function(math_dialect.CeilOp),
    graph.RoundOp: math_function(math_dialect.RoundEvenOp),
    graph.SinOp: math_function(math_dialect.SinOp),
    graph.CosOp: math_function(math_dialect.CosOp),
    graph.SoftplusOp: fixed(softplus),
    graph.SoftsignOp: fixed(softsign),
    graph.MishOp: fixed(mish),
    graph.EluOp: elu,
    graph.SeluOp: selu,
    graph.CeluOp: celu,
    graph.HardSigmoidOp: hard_sigmoid,
    graph.ThresholdedReluOp: thresholded_relu,
    graph.GeluOp: gelu,
    graph.PReluOp: fixed(
        lambda b, x, slope: b.select(
            scalars.compare(b, "lt", x, scalars.constant(b, 0, x)),
            scalars.multiply(b, x, slope),
            x,
        )
    ),
    graph.ModOp: lambda op: lambda b, x, y: scalars.remainder(b, x, y, floor=op.fmod is None),
}


class FunctionLowering(RewritePattern):
    lowers = tuple(FUNCTIONS)

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if type(op) not in FUNCTIONS:
            return
        function = FUNCTIONS[type(op)](op)
        name = op.name.removeprefix("graph.")
        result = broadcast_compute(name, op.operands, graph.tensor(op.results[0]), function)
        lowered(rewriter, op, [result])


PATTERNS = (FunctionLowering(),)
