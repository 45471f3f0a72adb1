"""expand-gpu-math: the math a GPU has no instruction for, as arithmetic, within a few ulp of
numpy's float64 results. The expansions are target-neutral arithmetic (and math.exp, which
expand-math expands), so the CPU runs them here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ziggurat.ir_io import parse_module, pass_pipeline
from ziggurat.registry import make_context
from ziggurat.targets.target import target_named

N = 4096


def expanded(op: str, binary: bool = False, element: str = "f32"):
    """`op` over arrays of N floats, expanded for the GPU and compiled for the CPU."""
    buffer = f"memref<4096x{element}>"
    second = f"%Y: {buffer}, " if binary else ""
    load = f"%y = memref.load %Y[%i] : {buffer}" if binary else ""
    call = f"math.{op} %x, %y : {element}" if binary else f"math.{op} %x : {element}"
    module = parse_module(f"""
func.func @f(%X: {buffer}, {second}%Z: {buffer} {{ziggurat.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 4096 : index
  scf.for %i = %c0 to %n step %c1 {{
    %x = memref.load %X[%i] : {buffer}
    {load}
    %e = {call}
    memref.store %e, %Z[%i] : {buffer}
  }}
  func.return
}}""")
    pass_pipeline("expand-gpu-math").apply(make_context(), module)
    assert f"math.{op} " not in str(module)
    if element == "f64":  # no math at all is left for f64: expand-math expands f32 only
        assert "math.exp" not in str(module) and "math.log" not in str(module)
    return target_named("cpu").compile(module).f


def ulps(got: np.ndarray, exact: np.ndarray) -> float:
    """The largest error in units of the last place of the f32 nearest the exact value."""
    spacing = np.spacing(np.abs(exact.astype(np.float32))).astype(np.float64)
    return float(np.max(np.abs(got.astype(np.float64) - exact) / spacing))


RNG = np.random.default_rng(0)


def test_log_is_within_two_ulp():
    x = np.concatenate([np.exp(RNG.uniform(-87, 88, N // 2)), RNG.uniform(0, 3, N // 2)])
    x = x.astype(np.float32)
    assert ulps(expanded("log")(x)[0], np.log(x.astype(np.float64))) <= 2


@pytest.mark.parametrize(("op", "exact", "most"), [("log2", np.log2, 3), ("log10", np.log10, 3)])
def test_other_logarithms_are_within_three_ulp(op, exact, most):
    x = np.exp(RNG.uniform(-80, 80, N)).astype(np.float32)
    assert ulps(expanded(op)(x)[0], exact(x.astype(np.float64))) <= most


def test_tanh_is_within_three_ulp():
    x = np.concatenate([RNG.uniform(-10, 10, N // 2), RNG.uniform(-0.7, 0.7, N // 2)])
    x = x.astype(np.float32)
    assert ulps(expanded("tanh")(x)[0], np.tanh(x.astype(np.float64))) <= 3


def test_erf_is_within_half_a_millionth():
    x = RNG.uniform(-5, 5, N).astype(np.float32)
    exact = np.array([math.erf(float(v)) for v in x])
    got = expanded("erf")(x)[0]
    assert np.max(np.abs(got - exact)) <= 5e-7
    assert np.max(np.abs(got - exact) / np.abs(exact)) <= 5e-7


def test_pow_and_exp2_are_within_a_few_millionths():
    x = RNG.uniform(0.01, 10, N).astype(np.float32)
    y = RNG.uniform(-3, 3, N).astype(np.float32)
    exact = np.power(x.astype(np.float64), y.astype(np.float64))
    assert np.max(np.abs(expanded("powf", binary=True)(x, y)[0] / exact - 1)) <= 3e-6
    x = RNG.uniform(-100, 100, N).astype(np.float32)
    exact = np.exp2(x.astype(np.float64))
    assert np.max(np.abs(expanded("exp2")(x)[0] / exact - 1)) <= 5e-6


@pytest.mark.parametrize(("op", "exact"), [("sin", np.sin), ("cos", np.cos)])
def test_sine_and_cosine_are_within_two_ulp_near_zero_and_a_tenth_of_a_millionth_far(op, exact):
    near = RNG.uniform(-4, 4, N).astype(np.float32)
    assert ulps(expanded(op)(near)[0], exact(near.astype(np.float64))) <= 2
    # Far from 0 the reduction by pi/4 in three floats errs by about 1e-11, which is many
    # ulps of a result near a zero of the function: bounded absolutely there.
    far = RNG.uniform(-8000, 8000, N).astype(np.float32)
    assert np.max(np.abs(expanded(op)(far)[0] - exact(far.astype(np.float64)))) <= 1e-7


@pytest.mark.parametrize(("op", "exact"), [("log1p", np.log1p), ("expm1", np.expm1)])
def test_log1p_and_expm1_are_within_three_ulp_near_zero_and_far(op, exact):
    far = RNG.uniform(-0.99, 30, N // 4) if op == "log1p" else RNG.uniform(-80, 88, N // 4)
    x = np.concatenate([far, RNG.uniform(-1e-4, 1e-4, N // 4), RNG.uniform(-1, 1, N // 2)])
    x = x.astype(np.float32)
    assert ulps(expanded(op)(x)[0], exact(x.astype(np.float64))) <= 3


SPECIAL = np.tile(
    np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, 1e-45, 1e-40], np.float32), N // 8
)


@pytest.mark.parametrize(
    ("op", "exact"),
    [
        ("log", np.log),
        ("tanh", np.tanh),
        ("erf", np.vectorize(math.erf, otypes=[np.float64])),
        ("sin", np.sin),
        ("cos", np.cos),
        ("log1p", np.log1p),
        ("expm1", np.expm1),
    ],
)
def test_special_values_keep_their_ieee_results(op, exact):
    with np.errstate(all="ignore"):
        want = exact(SPECIAL[:8].astype(np.float64)).astype(np.float32)
    got = expanded(op)(SPECIAL)[0][:8]
    finite = np.isfinite(want) & (np.abs(want) > 1e-30)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[np.isinf(want)], want[np.isinf(want)])
    np.testing.assert_array_equal(np.signbit(got[want == 0]), np.signbit(want[want == 0]))
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-6)


def test_powers_of_zero_and_one_are_one():
    x = np.tile(np.array([0.0, 1.0, 2.0, 0.0], np.float32), N // 4)
    y = np.tile(np.array([0.0, np.inf, 0.0, 2.0], np.float32), N // 4)
    np.testing.assert_array_equal(expanded("powf", binary=True)(x, y)[0][:4], [1, 1, 1, 0])


def test_double_exp_and_log_are_within_an_ulp_of_numpys():
    x = np.concatenate([RNG.uniform(-708, 709.7, N // 2), RNG.uniform(-2, 2, N // 2)])
    got = expanded("exp", element="f64")(x)[0]
    assert np.max(np.abs(got - np.exp(x)) / np.spacing(np.exp(x))) <= 1
    x = np.concatenate([np.exp(RNG.uniform(-700, 700, N // 2)), RNG.uniform(0, 3, N // 2)])
    got = expanded("log", element="f64")(x)[0]
    assert np.max(np.abs(got - np.log(x)) / np.spacing(np.abs(np.log(x)))) <= 1


def test_double_special_values_keep_their_ieee_results():
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, 709.8, -745.2, -740.0, 5e-324])
    for op, exact in (("exp", np.exp), ("log", np.log)):
        with np.errstate(all="ignore"):
            want = exact(special)
        got = expanded(op, element="f64")(np.resize(special, N))[0][: len(special)]
        np.testing.assert_allclose(got, want, rtol=2e-16)  # NaN where NaN, inf where inf


@pytest.mark.parametrize("element", ["f32", "f64"])
def test_integral_powers_are_products(element):
    # ONNX Pow of integers is computed in f64 and truncated: 3^6 must be 729, not 728.99...
    dtype = {"f32": np.float32, "f64": np.float64}[element]
    x = np.array([1.0, 2.0, 3.0, -2.0, 0.0, 10.0, 7.0, 2.0, -3.0, 0.5], dtype)
    y = np.array([4.0, 5.0, 6.0, 3.0, -2.0, 15.0, 18.0, -3.0, 0.5, 2.5], dtype)
    with np.errstate(all="ignore"):
        want = np.power(x.astype(np.float64), y.astype(np.float64)).astype(dtype)
    got = expanded("powf", binary=True, element=element)(np.resize(x, N), np.resize(y, N))[0]
    exact = np.array([1, 1, 1, 1, 1, element == "f64", 1, 1, 1, 0], bool)  # 10^15 in f32 rounds
    np.testing.assert_array_equal(got[:10][exact], want[exact])
    np.testing.assert_allclose(got[:10], want, rtol=1e-6)
