"""Integers and booleans through graph-to-te and the CPU (passes/conversion/graph_to_te/
scalars.py and signless.py): arithmetic, division and remainders, comparisons, selection,
logic and casts on i1, signed i8 to i64 and unsigned ui8 to ui64 tensors at odd shapes,
against numpy, with the extremes of each type among the inputs (a division by 0 and the
most negative integer over -1 included)."""

from __future__ import annotations

import numpy as np
import pytest
from testing_graph_to_te import Case, CaseTests, define, lower
from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    TensorType,
    f32,
    i1,
    i8,
    i32,
    i64,
)
from xdsl.ir import SSAValue

import ziggurat
from ziggurat.dialects import graph
from ziggurat.dialects.te import compute_ops
from ziggurat.elements import element_dtype

ui8 = IntegerType(8, Signedness.UNSIGNED)
ui16 = IntegerType(16, Signedness.UNSIGNED)
ui64 = IntegerType(64, Signedness.UNSIGNED)


def full_range(element) -> tuple[int, int]:
    """Integers to draw that cover every value of `element` once cast to it: those of the
    signed type of its width (an unsigned type takes them modulo its range)."""
    info = np.iinfo(element_dtype(element))
    bits = 8 * info.dtype.itemsize
    return -(2 ** (bits - 1)), 2 ** (bits - 1)


def truncated_division(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """C's division, x / 0 = 0 and the most negative over -1 wrapping (numpy's answers)."""
    exact = [
        0 if y == 0 else abs(int(x)) // abs(int(y)) * (1 if (x < 0) == (y < 0) else -1)
        for x, y in zip(
            np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape)).flat,
            np.broadcast_to(b, np.broadcast_shapes(a.shape, b.shape)).flat,
            strict=True,
        )
    ]
    wrapped = np.array(exact, dtype=object) % (1 << (8 * a.dtype.itemsize))
    return wrapped.astype(np.uint64).astype(a.dtype).reshape(np.broadcast_shapes(a.shape, b.shape))


def safe(function):
    """numpy's `function` of integers with a zero divisor giving 0."""

    def apply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", over="ignore"):
            return np.where(b == 0, 0, function(a, np.where(b == 0, 1, b))).astype(a.dtype)

    return apply


def arithmetic_cases(element, name: str) -> list[Case]:
    """Add, sub, mul, div, mod, fmod, max and min of `element` at odd shapes."""
    shapes = [(3, 37), (37,)]
    types = (element, element)
    low, high = full_range(element)
    binary = {
        "add": (graph.AddOp, lambda a, b: a + b),
        "sub": (graph.SubOp, lambda a, b: a - b),
        "mul": (graph.MulOp, lambda a, b: a * b),
        "div": (graph.DivOp, truncated_division),
        "mod": (graph.ModOp, safe(np.mod)),
        "max": (graph.MaximumOp, np.maximum),
        "min": (graph.MinimumOp, np.minimum),
    }
    cases = [
        Case(
            f"{op}_{name}",
            shapes,
            lambda a, b, c=cls: c(a, b).output,
            formula,
            types=types,
            integers=(low, high),
        )
        for op, (cls, formula) in binary.items()
    ]
    cases.append(
        Case(
            f"fmod_{name}",
            shapes,
            lambda a, b: graph.ModOp(a, b, fmod=True).output,
            safe(np.fmod),
            types=types,
            integers=(low, high),
        )
    )
    # Small values, so that the divisor is often 0 or -1.
    cases.append(
        Case(
            f"div_small_{name}",
            shapes,
            lambda a, b: graph.DivOp(a, b).output,
            truncated_division,
            types=types,
            integers=(max(low, -3), min(high, 4)),
        )
    )
    return cases


def comparison_cases(element, name: str) -> list[Case]:
    low, high = full_range(element) if element != i1 else (0, 2)
    return [
        Case(
            f"compare_{predicate}_{name}",
            [(5, 7), (7,)],
            lambda a, b, p=predicate: graph.CompareOp(p, a, b).output,
            function,
            types=(element, element),
            integers=(low, high),
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


def select(c: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
    return graph.SelectOp(c, a, b).output


CASES = [
    *arithmetic_cases(i8, "i8"),
    *arithmetic_cases(ui8, "ui8"),
    *arithmetic_cases(i32, "i32"),
    *arithmetic_cases(i64, "i64"),
    *arithmetic_cases(ui64, "ui64"),
    *comparison_cases(ui8, "ui8"),
    *comparison_cases(i32, "i32"),
    *comparison_cases(i1, "i1"),
    Case(
        "neg_i8",
        [(3, 37)],
        lambda x: graph.NegOp(x).output,
        lambda x: -x,
        types=(i8,),
        integers=full_range(i8),
    ),
    Case(
        "abs_i32",
        [(3, 37)],
        lambda x: graph.AbsOp(x).output,
        np.abs,
        types=(i32,),
        integers=full_range(i32),
    ),
    Case(
        "abs_ui8",
        [(3, 37)],
        lambda x: graph.AbsOp(x).output,
        lambda x: x,
        types=(ui8,),
        integers=full_range(ui8),
    ),
    Case(
        "relu_i64",
        [(3, 37)],
        lambda x: graph.ReluOp(x).output,
        lambda x: np.maximum(x, 0),
        types=(i64,),
        integers=(-9, 9),
    ),
    Case(
        "sign_ui16",
        [(37,)],
        lambda x: graph.SignOp(x).output,
        np.sign,
        types=(ui16,),
        integers=(0, 3),
    ),
    Case("sign_i32", [(37,)], lambda x: graph.SignOp(x).output, np.sign, types=(i32,)),
    Case(
        "pow_i32",
        [(37,), (37,)],
        lambda a, b: graph.PowOp(a, graph.AbsOp(b).output).output,
        lambda a, b: np.power(a, np.abs(b)),
        types=(i32, i32),
        integers=(-4, 5),
    ),
    Case(
        "clip_i8",
        [(3, 37)],
        lambda x: graph.ClipOp(x, -2.0, 100.0).output,
        lambda x: np.clip(x, -2, 100),
        types=(i8,),
        integers=full_range(i8),
    ),
    Case(
        "select_ui8",
        [(5, 1), (7,), ()],
        select,
        lambda c, a, b: np.where(c, a, b),
        types=(i1, ui8, ui8),
        integers=(0, 256),
    ),
    Case(
        "and_i1",
        [(5, 7), (7,)],
        lambda a, b: graph.AndOp(a, b).output,
        np.logical_and,
        types=(i1, i1),
        integers=(0, 2),
    ),
    Case(
        "or_i1",
        [(5, 7), (7,)],
        lambda a, b: graph.OrOp(a, b).output,
        np.logical_or,
        types=(i1, i1),
        integers=(0, 2),
    ),
    Case(
        "xor_ui8",
        [(5, 7), (7,)],
        lambda a, b: graph.XorOp(a, b).output,
        np.bitwise_xor,
        types=(ui8, ui8),
        integers=(0, 256),
    ),
    Case(
        "not_i1",
        [(5, 7)],
        lambda a: graph.NotOp(a).output,
        np.logical_not,
        types=(i1,),
        integers=(0, 2),
    ),
    Case("not_i32", [(5, 7)], lambda a: graph.NotOp(a).output, np.invert, types=(i32,)),
    Case(
        "cast_ui8_to_f32",
        [(3, 37)],
        lambda x: graph.CastOp(x, f32).output,
        lambda x: x.astype(np.float32),
        types=(ui8,),
        integers=(0, 256),
    ),
    Case(
        "cast_ui8_to_i32",
        [(3, 37)],
        lambda x: graph.CastOp(x, i32).output,
        lambda x: x.astype(np.int32),
        types=(ui8,),
        integers=(0, 256),
    ),
    Case(
        "cast_i8_to_ui8",
        [(3, 37)],
        lambda x: graph.CastOp(x, ui8).output,
        lambda x: x.astype(np.uint8),
        types=(i8,),
        integers=full_range(i8),
    ),
    Case(
        "cast_i64_to_ui16",
        [(3, 37)],
        lambda x: graph.CastOp(x, ui16).output,
        lambda x: x.astype(np.uint16),
        types=(i64,),
        integers=(-70000, 70000),
    ),
    Case(
        "cast_f32_to_ui8",
        [(3, 37)],
        lambda x: graph.CastOp(graph.MulOp(x, x).output, ui8).output,
        lambda x: (x * x).astype(np.float32).astype(np.uint8),
    ),
    Case(
        "cast_i1_to_ui8",
        [(3, 37)],
        lambda x: graph.CastOp(x, ui8).output,
        lambda x: x.astype(np.uint8),
        types=(i1,),
        integers=(0, 2),
    ),
]


class TestNumbers(CaseTests):
    CASES = CASES


def test_unsigned_results_come_back_unsigned():
    function = define("main", [(5,), (5,)], lambda a, b: graph.AddOp(a, b).output, types=(ui8, ui8))
    compiled = ziggurat.compile(ModuleOp([function]))
    a = np.array([250, 1, 2, 128, 0], np.uint8)
    for (y,) in (compiled(a, a), compiled.main(a, a)):
        assert y.dtype == np.uint8
        np.testing.assert_array_equal(y, a + a)


def test_the_te_level_is_signless():
    module = lower(define("f", [(4,)], lambda x: graph.DivOp(x, x).output, types=(ui16,)))
    types = {str(v.type) for op in module.walk() for v in (*op.results, *op.operands)}
    assert not any("ui" in t for t in types), types
    assert any(isinstance(op, arith.DivUIOp) for op in module.walk())


def test_a_constant_keeps_its_bits():
    def build() -> SSAValue:
        value = DenseIntOrFPElementsAttr.from_list(TensorType(ui8, [2]), [255, 7])
        return graph.ConstantOp(value).output

    module = lower(define("f", [], build))
    (constant,) = [op for op in module.walk() if isinstance(op, arith.ConstantOp)]
    assert str(constant.value) == "dense<[-1, 7]> : tensor<2xi8>"


@pytest.mark.parametrize("element", [i8, i32, ui8])
def test_integer_division_guards_its_divisor(element):
    module = lower(define("f", [(4,), (4,)], lambda a, b: graph.DivOp(a, b).output, (element,) * 2))
    (div,) = compute_ops(module)
    names = [op.name for op in div.body.walk()]
    assert names.count("arith.select") == (3 if element != ui8 else 2)
