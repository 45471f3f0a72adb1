"""What the graph-to-te tests share: functions of graph ops to lower and inspect, and
`CaseTests`, which checks the numbers of a table of cases through the whole CPU pipeline
and through the numpy reference against each case's own numpy formula."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import pytest
from xdsl.builder import ImplicitBuilder
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType, f16, f32, f64
from xdsl.ir import Attribute, Block, Region, SSAValue

import ziggurat
from ziggurat.dialects import graph
from ziggurat.dialects.te import ComputeOp, compute_ops
from ziggurat.elements import element_dtype
from ziggurat.ir_io import verify_module
from ziggurat.passes.conversion.graph_to_te import GraphToTe
from ziggurat.reference import evaluate
from ziggurat.registry import make_context


def define(
    name: str,
    shapes: list[tuple[int, ...]],
    build: Callable[..., SSAValue | Sequence[SSAValue]],
    types: Sequence[Attribute] = (),
):
    """A function of tensors of `shapes`, their element types `types` then f32, returning
    what `build` makes of its arguments (one value or several)."""
    elements = [*types, *[f32] * (len(shapes) - len(types))]
    block = Block(arg_types=[TensorType(e, s) for e, s in zip(elements, shapes, strict=True)])
    with ImplicitBuilder(block):
        built = build(*block.args)
        results = [built] if isinstance(built, SSAValue) else list(built)
        func.ReturnOp(*results)
    signature = ([a.type for a in block.args], [r.type for r in results])
    return func.FuncOp(name, signature, Region(block))


def lower(*functions: func.FuncOp) -> ModuleOp:
    module = ModuleOp(list(functions))
    verify_module(module)
    GraphToTe().apply(make_context(), module)
    verify_module(module)
    return module


def computes(build: Callable[..., SSAValue], *shapes: tuple[int, ...]) -> list[ComputeOp]:
    return compute_ops(lower(define("f", list(shapes), build)))


def ops_in(compute: ComputeOp, name: str) -> int:
    return sum(op.name == name for op in compute.body.walk())


def constant_like(x: SSAValue, values: Sequence[float], shape: Sequence[int] = ()) -> SSAValue:
    """A constant tensor of `x`'s element type."""
    element = graph.tensor(x).element_type
    value = DenseIntOrFPElementsAttr.from_list(TensorType(element, shape), list(values))
    return graph.ConstantOp(value).output


def scaled(x: SSAValue, factor: float) -> SSAValue:
    return graph.MulOp(x, constant_like(x, [factor])).output


# Integral exponents of both parities and fractional ones, negative ones included.
EXPONENTS = np.array([-3, -2, -1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, -0.5, 5], np.float32)


# Numbers -----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    shapes: list[tuple[int, ...]]
    build: Callable[..., SSAValue]
    reference: Callable[..., np.ndarray | Sequence[np.ndarray]]
    positive: bool = False  # inputs must be positive (sqrt, variances)
    types: tuple[Attribute, ...] = ()  # element types of the first inputs; f32 for the rest
    integers: tuple[int, int] = (-3, 3)  # integer inputs are drawn from [low, high)


def define_case(case: Case) -> func.FuncOp:
    return define(case.name, case.shapes, case.build, case.types)


def inputs(case: Case) -> list[np.ndarray]:
    rng = np.random.default_rng(len(case.name))
    types = [*case.types, *[f32] * (len(case.shapes) - len(case.types))]
    arrays = []
    for shape, element in zip(case.shapes, types, strict=True):
        dtype = element_dtype(element, "")
        if np.issubdtype(dtype, np.integer):
            arrays.append(rng.integers(*case.integers, shape).astype(dtype))
            continue
        array = np.asarray(rng.standard_normal(shape)).astype(dtype)
        arrays.append(np.abs(array) + dtype.type(0.1) if case.positive else array)
    return arrays


def expected_results(case: Case, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The case's own numpy formula on its inputs, floats widened to float64."""
    wide = [a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a for a in arrays]
    expected = case.reference(*wide)
    return [np.asarray(e) for e in expected] if isinstance(expected, list) else [expected]


# The other floating-point types a case runs in, with the tolerance of each.
OTHER_FLOATS = {"f64": (f64, 1e-12), "f16": (f16, 2e-2)}


def in_other_floats(cases: Sequence[Case], names: Sequence[str]) -> list[Case]:
    """The cases named, each with its f32 inputs in every type of OTHER_FLOATS."""
    by_name = {case.name: case for case in cases}
    unknown = [name for name in names if name not in by_name]
    assert not unknown, f"not cases: {unknown}"
    variants = []
    for suffix, (element, _) in OTHER_FLOATS.items():
        for name in names:
            case = by_name[name]
            types = [*case.types, *[f32] * (len(case.shapes) - len(case.types))]
            types = [element if t == f32 else t for t in types]
            variants.append(replace(case, name=f"{name}_{suffix}", types=tuple(types)))
    return variants


def compile_cases(cases: Sequence[Case]):
    """The cases compiled for the CPU as one module. (f32 cases and their f64 variants are
    compiled apart: a case named `erf` would take the name of libm's `erf`.)"""
    return ziggurat.compile(ModuleOp([define_case(case) for case in cases]), target="cpu")


class CaseTests:
    """The numbers of each case in CASES, compiled for the CPU and evaluated by the numpy
    reference, against the case's own numpy formula; and of the cases named in
    IN_OTHER_FLOATS, in f64 and f16, against the reference. A test module subclasses this
    as `TestNumbers` with its own table."""

    CASES: ClassVar[list[Case]] = []
    IN_OTHER_FLOATS: ClassVar[list[str]] = []

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        tables = {
            "case": self.CASES,
            "other_float_case": in_other_floats(self.CASES, self.IN_OTHER_FLOATS),
        }
        for argument, cases in tables.items():
            if argument in metafunc.fixturenames:
                metafunc.parametrize(argument, cases, ids=[case.name for case in cases])

    @pytest.fixture(scope="class")
    @classmethod
    def compiled(cls):
        return compile_cases(cls.CASES)

    @pytest.fixture(scope="class")
    @classmethod
    def compiled_other_floats(cls):
        return compile_cases(in_other_floats(cls.CASES, cls.IN_OTHER_FLOATS))

    def test_numbers_match_numpy(self, compiled, case: Case):
        arrays = inputs(case)
        results = getattr(compiled, case.name)(*arrays)
        expected = expected_results(case, arrays)
        assert len(results) == len(expected)
        for actual, wanted in zip(results, expected, strict=True):
            assert actual.shape == wanted.shape
            np.testing.assert_allclose(actual, wanted, rtol=1e-5, atol=1e-5)

    def test_the_numpy_reference_evaluates_every_op(self, case: Case):
        """The numpy reference, which `ziggurat run` checks against, agrees with each case's own
        numpy formula."""
        arrays = inputs(case)
        function = define_case(case)
        results = evaluate(ModuleOp([function]), case.name, arrays)
        expected = expected_results(case, arrays)
        result_types = function.function_type.outputs.data
        assert len(results) == len(expected) == len(result_types)
        for actual, wanted, result_type in zip(results, expected, result_types, strict=True):
            assert actual.dtype == element_dtype(result_type.element_type, "")
            assert actual.shape == wanted.shape
            np.testing.assert_allclose(actual, wanted, rtol=1e-6, atol=1e-6)

    def test_f64_and_f16_match_the_reference(self, compiled_other_floats, other_float_case: Case):
        """Each op in f64 and f16 against the numpy reference, which computes in float64 and
        rounds to the result type: f64 must agree to rounding, f16 to its precision."""
        case = other_float_case
        tolerance = OTHER_FLOATS[case.name.rsplit("_", 1)[1]][1]
        arrays = inputs(case)
        results = getattr(compiled_other_floats, case.name)(*arrays)
        expected = evaluate(ModuleOp([define_case(case)]), case.name, arrays)
        assert len(results) == len(expected)
        for actual, wanted in zip(results, expected, strict=True):
            assert actual.dtype == wanted.dtype and actual.shape == wanted.shape
            np.testing.assert_allclose(
                actual.astype(np.float64), wanted.astype(np.float64), rtol=tolerance, atol=tolerance
            )
