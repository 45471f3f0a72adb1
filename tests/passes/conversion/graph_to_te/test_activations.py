"""graph-to-te's functions of one element (passes/conversion/graph_to_te/activations.py)
and float comparisons (comparisons.py) against numpy at odd shapes: the activations,
rounding (halves to even), sine and cosine, sign, prelu, remainders, and comparisons and
selection where NaN and infinities meet."""

from __future__ import annotations

import math

import numpy as np
from testing_graph_to_te import Case, CaseTests, constant_like, scaled
from xdsl.ir import SSAValue

from ziggurat.dialects import graph
from ziggurat.reference import erf

# Values where the functions change: halves (round), 0 and -0, infinities and NaN.
SPECIAL = [0.5, 1.5, 2.5, -0.5, -2.5, 0.0, -0.0, math.inf, -math.inf, math.nan, 3.7, -3.2, 1e-8]


def special(x: SSAValue) -> SSAValue:
    """The special values, broadcast against x's columns (x is (k, 13)) by adding 0 * x."""
    zero = graph.MulOp(x, constant_like(x, [0.0])).output
    return graph.AddOp(constant_like(x, SPECIAL, [13]), graph.AbsOp(zero).output).output


SPECIAL_ARRAY = np.array(SPECIAL)


def special_reference(x: np.ndarray) -> np.ndarray:
    return SPECIAL_ARRAY + np.abs(0 * x)


def elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(x))


def softplus(x):
    return np.logaddexp(0, x)


ACTIVATIONS = [
    Case("elu", [(3, 37)], lambda x: graph.EluOp(x, 0.7).output, lambda x: elu(x, 0.7)),
    Case(
        "selu",
        [(3, 37)],
        lambda x: graph.SeluOp(x, 1.5, 2.0).output,
        lambda x: 2.0 * elu(x, 1.5),
    ),
    Case(
        "celu",
        [(3, 37)],
        lambda x: graph.CeluOp(x, 2.0).output,
        lambda x: np.maximum(x, 0) + np.minimum(0, 2.0 * np.expm1(x / 2.0)),
    ),
    Case(
        "hard_sigmoid",
        [(3, 37)],
        lambda x: graph.HardSigmoidOp(scaled(x, 4.0), 0.2, 0.5).output,
        lambda x: np.clip(0.2 * 4 * x + 0.5, 0, 1),
    ),
    Case(
        "thresholded_relu",
        [(3, 37)],
        lambda x: graph.ThresholdedReluOp(x, 0.3).output,
        lambda x: np.where(x > 0.3, x, 0),
    ),
    Case(
        "gelu",
        [(3, 37)],
        lambda x: graph.GeluOp(scaled(x, 3.0)).output,
        lambda x: 1.5 * x * (1 + erf(3 * x / math.sqrt(2))),
    ),
    Case(
        "gelu_tanh",
        [(3, 37)],
        lambda x: graph.GeluOp(scaled(x, 3.0), tanh=True).output,
        lambda x: (
            1.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (3 * x + 0.044715 * (3 * x) ** 3)))
        ),
    ),
    Case(
        "softplus_wide",
        [(3, 37)],
        lambda x: graph.SoftplusOp(scaled(x, 30.0)).output,
        lambda x: softplus(30 * x),
    ),
    Case("softsign", [(3, 37)], lambda x: graph.SoftsignOp(x).output, lambda x: x / (1 + abs(x))),
    Case(
        "mish",
        [(3, 37)],
        lambda x: graph.MishOp(scaled(x, 4.0)).output,
        lambda x: 4 * x * np.tanh(softplus(4 * x)),
    ),
    Case(
        "prelu",
        [(2, 3, 5), (3, 1)],
        lambda x, slope: graph.PReluOp(x, slope).output,
        lambda x, slope: np.where(x < 0, slope * x, x),
    ),
    Case("sin", [(3, 37)], lambda x: graph.SinOp(scaled(x, 5.0)).output, lambda x: np.sin(5 * x)),
    Case("cos", [(3, 37)], lambda x: graph.CosOp(scaled(x, 5.0)).output, lambda x: np.cos(5 * x)),
    Case(
        "floor",
        [(3, 37)],
        lambda x: graph.FloorOp(scaled(x, 3.0)).output,
        lambda x: np.floor(3 * x),
    ),
    Case(
        "ceil", [(3, 37)], lambda x: graph.CeilOp(scaled(x, 3.0)).output, lambda x: np.ceil(3 * x)
    ),
    Case(
        "round_special",
        [(2, 13)],
        lambda x: graph.RoundOp(special(x)).output,
        lambda x: np.round(special_reference(x)),
    ),
    Case(
        "sign_special",
        [(2, 13)],
        lambda x: graph.SignOp(special(x)).output,
        lambda x: np.sign(special_reference(x)),
    ),
    Case(
        "mod",
        [(3, 37), (37,)],
        lambda a, b: graph.ModOp(scaled(a, 10.0), b).output,
        lambda a, b: np.mod(10 * a, b),
    ),
    Case(
        "fmod",
        [(3, 37), (37,)],
        lambda a, b: graph.ModOp(scaled(a, 10.0), b, fmod=True).output,
        lambda a, b: np.fmod(10 * a, b),
    ),
]


def compare(predicate: str):
    return lambda x: graph.CompareOp(predicate, special(x), constant_like(x, [0.5])).output


COMPARISONS = [
    Case(
        f"compare_{predicate}_special",
        [(2, 13)],
        compare(predicate),
        lambda x, f=function: f(special_reference(x), 0.5),
    )
    for predicate, function in [
        ("eq", np.equal),
        ("ne", np.not_equal),
        ("lt", np.less),
        ("le", np.less_equal),
        ("gt", np.greater),
        ("ge", np.greater_equal),
    ]
]
COMPARISONS.append(
    Case(
        "is_nan",
        [(2, 13)],
        lambda x: graph.CompareOp("ne", special(x), special(x)).output,
        lambda x: np.isnan(special_reference(x)),
    )
)
COMPARISONS.append(
    Case(
        "select_by_comparison",
        [(4, 1), (5,)],
        lambda a, b: graph.SelectOp(graph.CompareOp("lt", a, b).output, a, b).output,
        lambda a, b: np.where(a < b, a, b),
    )
)


class TestNumbers(CaseTests):
    CASES = ACTIVATIONS + COMPARISONS
    IN_OTHER_FLOATS = ["elu", "gelu", "softplus_wide", "mish", "round_special", "fmod", "mod"]
