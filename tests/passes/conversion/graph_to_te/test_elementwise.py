"""graph-to-te's elementwise lowerings (passes/conversion/graph_to_te/elementwise.py):
constants, functions of one element, broadcasting binary arithmetic and casts."""

from __future__ import annotations

import numpy as np
from testing_graph_to_te import (
    EXPONENTS,
    Case,
    CaseTests,
    computes,
    constant_like,
    define,
    lower,
    ops_in,
    scaled,
)
from xdsl.dialects import arith
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, TensorType, f16, f32, f64, i1, i32, i64
from xdsl.ir import SSAValue

import ziggurat
from ziggurat.dialects import graph
from ziggurat.dialects.te import ReadOp
from ziggurat.reference import erf as erf_reference
from ziggurat.reference import power as power_reference


def test_broadcasting_add_reads_size_one_dimensions_at_zero():
    (add,) = computes(lambda a, b: graph.AddOp(a, b).output, (7, 1, 13), (13,))
    assert add.axis_names == ["i0", "i1", "i2"]
    reads = [op for op in add.body.walk() if isinstance(op, ReadOp)]
    assert [len(r.indices) for r in reads] == [3, 1]
    assert reads[1].indices[0] is add.block.args[2]


def test_pow_takes_the_power_of_the_magnitude_and_selects_the_sign():
    (pow_,) = computes(lambda a, b: graph.PowOp(a, b).output, (7, 13), (13,))
    assert ops_in(pow_, "math.absf") == 1 and ops_in(pow_, "math.powf") == 1
    assert ops_in(pow_, "arith.select") == 3


def test_constants_become_tensor_arith_constants():
    value = DenseIntOrFPElementsAttr.from_list(TensorType(f32, [3]), [1.0, 2.0, 3.0])
    module = lower(define("f", [], lambda: graph.ConstantOp(value).output))
    constants = [op for op in module.walk() if isinstance(op, arith.ConstantOp)]
    assert [c.value for c in constants] == [value]


CONSTANT = np.arange(13, dtype=np.float32) / 7


def constant_plus(x):
    value = DenseIntOrFPElementsAttr.from_list(TensorType(f32, [13]), CONSTANT.tolist())
    return graph.AddOp(x, graph.ConstantOp(value).output).output


def gelu_tanh(x: SSAValue) -> SSAValue:
    """GELU's tanh approximation as exporters spell it, with pow(x, 3)."""
    cube = graph.PowOp(x, constant_like(x, [3.0])).output
    inner = graph.AddOp(x, scaled(cube, 0.044715)).output
    tanh = graph.TanhOp(scaled(inner, float(np.sqrt(2 / np.pi)))).output
    one_plus = graph.AddOp(tanh, constant_like(x, [1.0])).output
    return graph.MulOp(scaled(x, 0.5), one_plus).output


def gelu_tanh_reference(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def gelu_erf(x: SSAValue) -> SSAValue:
    erf = graph.ErfOp(scaled(x, float(1 / np.sqrt(2)))).output
    return graph.MulOp(scaled(x, 0.5), graph.AddOp(erf, constant_like(x, [1.0])).output).output


ELEMENTWISE = [
    # Broadcasting arithmetic.
    Case("add", [(7, 1, 13), (13,)], lambda a, b: graph.AddOp(a, b).output, np.add),
    Case("sub", [(1,), (7, 1)], lambda a, b: graph.SubOp(a, b).output, np.subtract),
    Case("mul", [(7, 13), (7, 1)], lambda a, b: graph.MulOp(a, b).output, np.multiply),
    Case("div", [(13,), (7, 1, 13)], lambda a, b: graph.DivOp(a, b).output, np.divide),
    Case("constant", [(7, 13)], constant_plus, lambda x: x + CONSTANT),
    Case(
        "pow_square",
        [(7, 13)],
        lambda x: graph.PowOp(x, constant_like(x, [2.0])).output,
        lambda x: x**2,
    ),
    Case(
        "pow_integral_and_fractional_exponents",
        [(7, 13)],
        lambda x: graph.PowOp(x, constant_like(x, EXPONENTS.tolist(), (13,))).output,
        lambda x: power_reference(x, EXPONENTS.astype(np.float64)),
    ),
    Case(
        "pow_positive_base",
        [(7, 13), (7, 1)],
        lambda a, b: graph.PowOp(a, b).output,
        np.power,
        positive=True,
    ),
    Case("gelu_tanh", [(7, 13)], gelu_tanh, gelu_tanh_reference),
    Case("maximum", [(7, 13), (13,)], lambda a, b: graph.MaximumOp(a, b).output, np.maximum),
    Case("minimum", [(7, 1), (1, 13)], lambda a, b: graph.MinimumOp(a, b).output, np.minimum),
    # Elementwise functions.
    Case("relu", [(7, 13)], lambda x: graph.ReluOp(x).output, lambda x: np.maximum(x, 0)),
    Case("sigmoid", [(7, 13)], lambda x: graph.SigmoidOp(x).output, lambda x: 1 / (1 + np.exp(-x))),
    Case("tanh", [(1,)], lambda x: graph.TanhOp(x).output, np.tanh),
    Case("exp", [(13,)], lambda x: graph.ExpOp(x).output, np.exp),
    Case("sqrt", [(7, 13)], lambda x: graph.SqrtOp(x).output, np.sqrt, positive=True),
    Case(
        "erf",
        [(7, 13)],
        lambda x: graph.ErfOp(scaled(x, 3.0)).output,
        lambda x: erf_reference(3 * x),
    ),
    Case(
        "gelu_erf",
        [(13,)],
        gelu_erf,
        lambda x: 0.5 * x * (1 + erf_reference(x / np.sqrt(2))),
    ),
    Case("neg", [(7, 13)], lambda x: graph.NegOp(x).output, np.negative),
    Case("abs", [(13,)], lambda x: graph.AbsOp(x).output, np.abs),
    Case("log", [(7, 13)], lambda x: graph.LogOp(x).output, np.log, positive=True),
    Case("reciprocal", [(7, 13)], lambda x: graph.ReciprocalOp(x).output, np.reciprocal),
    Case(
        "leaky_relu",
        [(7, 13)],
        lambda x: graph.LeakyReluOp(x, 0.1).output,
        lambda x: np.where(x >= 0, x, 0.1 * x),
    ),
    Case(
        "leaky_relu_default_rank0",
        [()],
        lambda x: graph.LeakyReluOp(x).output,
        lambda x: np.where(x >= 0, x, 0.01 * x),
    ),
    Case(
        "clip",
        [(7, 13)],
        lambda x: graph.ClipOp(x, -0.5, 0.5).output,
        lambda x: np.clip(x, -0.5, 0.5),
    ),
    Case(
        "clip_min_only",
        [(13,)],
        lambda x: graph.ClipOp(x, min=0.25).output,
        lambda x: np.maximum(x, 0.25),
    ),
    Case(
        "clip_max_only",
        [(7, 1)],
        lambda x: graph.ClipOp(x, max=-0.25).output,
        lambda x: np.minimum(x, -0.25),
    ),
    Case(
        "clip_min_above_max",
        [(7,)],
        lambda x: graph.ClipOp(x, 1.0, -1.0).output,
        lambda x: np.minimum(np.maximum(x, 1.0), -1.0),
    ),
    # Conversions.
    Case(
        "cast_truncates_toward_zero",
        [(7, 13)],
        lambda x: graph.CastOp(graph.MulOp(x, x).output, i32).output,
        lambda x: (x * x).astype(np.int32),
    ),
    Case(
        "cast_to_f16_and_f64",
        [(7, 13)],
        lambda x: graph.CastOp(graph.CastOp(x, f16).output, f64).output,
        lambda x: x.astype(np.float16).astype(np.float64),
    ),
    Case(
        "cast_integers_wrap_and_round",
        [(13,)],
        lambda x: graph.CastOp(graph.CastOp(x, i32).output, f32).output,
        lambda x: x.astype(np.int32).astype(np.float32),
        types=(i64,),
        integers=(-(2**40), 2**40),
    ),
    Case(
        "cast_through_bool",
        [(7, 13)],
        lambda x: graph.CastOp(graph.CastOp(graph.ReluOp(x).output, i1).output, i64).output,
        lambda x: (np.maximum(x, 0) != 0).astype(np.int64),
    ),
    Case(
        "cast_bool_to_float_rank0",
        [()],
        lambda x: graph.CastOp(graph.CastOp(x, i1).output, f32).output,
        lambda x: (x != 0).astype(np.float32),
        types=(i32,),
    ),
    Case(
        "cast_from_f16",
        [(7,)],
        lambda x: graph.CastOp(x, f32).output,
        lambda x: x.astype(np.float32),
        types=(f16,),
    ),
]


class TestNumbers(CaseTests):
    CASES = ELEMENTWISE
    IN_OTHER_FLOATS = [
        "add",
        "sub",
        "mul",
        "div",
        "pow_integral_and_fractional_exponents",
        "gelu_tanh",
        "maximum",
        "minimum",
        "relu",
        "sigmoid",
        "tanh",
        "exp",
        "sqrt",
        "erf",
        "neg",
        "abs",
        "log",
        "reciprocal",
        "leaky_relu",
        "clip",
        "cast_to_f16_and_f64",
    ]


def test_f64_to_f16_rounds_once_like_numpy():
    """Through a plain f32 a value just past an f16 tie would round onto the tie, then to
    even; the cast rounds to odd in f32 first, so it rounds once, as numpy does."""
    tie = 1 + 2.0**-11
    x = np.array(
        [tie + 2.0**-40, tie - 2.0**-40, -(tie + 2.0**-40), tie, 2.0**-25 + 2.0**-70]
        + [65520.0 - 2.0**-30, 1e300, 1e-30, np.nan, -np.inf]
    )
    compiled = ziggurat.compile(
        "func.func @cast(%x: tensor<10xf64>) -> tensor<10xf16> {\n"
        "  %y = graph.cast %x : (tensor<10xf64>) -> tensor<10xf16>\n"
        "  func.return %y : tensor<10xf16>\n}\n"
    )
    with np.errstate(over="ignore"):
        expected = x.astype(np.float16)
        assert not np.array_equal(x.astype(np.float32).astype(np.float16), expected)
    np.testing.assert_array_equal(compiled.cast(x)[0], expected)
