"""float16 sums accumulate in float32 (passes/conversion/graph_to_te/accumulation.py): the
computes graph-to-te builds, and the numbers through the CPU pipeline against numpy's
float32-accumulating matmul, convolution and sums, rounded once to float16."""

from __future__ import annotations

import numpy as np

import ziggurat
from ziggurat.dialects.te import compute_ops
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.passes.conversion.graph_to_te import GraphToTe
from ziggurat.registry import make_context

F16_SUMS = """
func.func @matmul(%a: tensor<7x301xf16>, %b: tensor<301x5xf16>) -> tensor<7x5xf16> {
  %y = graph.matmul %a, %b : (tensor<7x301xf16>, tensor<301x5xf16>) -> tensor<7x5xf16>
  func.return %y : tensor<7x5xf16>
}
func.func @conv(%x: tensor<1x13x9x9xf16>, %w: tensor<3x13x3x3xf16>, %b: tensor<3xf16>) -> tensor<1x3x9x9xf16> {
  %y = graph.conv2d %x, %w, %b padding [1, 1, 1, 1] : (tensor<1x13x9x9xf16>, tensor<3x13x3x3xf16>, tensor<3xf16>) -> tensor<1x3x9x9xf16>
  func.return %y : tensor<1x3x9x9xf16>
}
func.func @reduce_sum(%x: tensor<3x999xf16>) -> tensor<3xf16> {
  %y = graph.reduce_sum %x axes [1] : (tensor<3x999xf16>) -> tensor<3xf16>
  func.return %y : tensor<3xf16>
}
func.func @softmax(%x: tensor<5x333xf16>) -> tensor<5x333xf16> {
  %y = graph.softmax %x axis -1 : tensor<5x333xf16>
  func.return %y : tensor<5x333xf16>
}
"""


def ulps(actual: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """How many float16 steps `actual` is from `exact` (computed wider)."""
    return np.abs(actual.astype(np.float64) - exact) / np.spacing(exact.astype(np.float16))


def f16_sequential_sum(terms: np.ndarray) -> np.ndarray:
    """A sum over the last axis that rounds to float16 after every term: the old lowering."""
    total = np.zeros(terms.shape[:-1], np.float16)
    for k in range(terms.shape[-1]):
        total = (total + terms[..., k]).astype(np.float16)
    return total


def test_a_float16_sum_is_a_float32_compute_then_a_cast():
    module = parse_module(F16_SUMS)
    GraphToTe().apply(make_context(), module)
    verify_module(module)
    computes = {c.compute_name.data: c for c in compute_ops(module)}
    matmul = computes["matmul"]
    assert str(matmul.result.type) == "tensor<7x5xf32>"
    assert str(matmul.init) == "0.000000e+00 : f32"
    body = [op.name for op in matmul.block.ops]
    assert body == ["te.read", "arith.extf", "te.read", "arith.extf", "arith.mulf", "te.yield"]
    cast = next(iter(matmul.result.uses)).operation
    while not cast.name == "te.compute":
        cast = cast.parent_op()
    assert cast.compute_name.data == "cast" and str(cast.result.type) == "tensor<7x5xf16>"
    # The sum of softmax's exponentials too, and the exponentials are taken in float32.
    softmax_sums = [c for c in compute_ops(module) if c.reduce_kind and c.reduce_kind.data == "sum"]
    assert all(str(c.result.type).endswith("xf32>") for c in softmax_sums)
    # Maxima are exact in float16: they stay.
    maxima = [c for c in compute_ops(module) if c.reduce_kind and c.reduce_kind.data == "max"]
    assert maxima and all(str(c.result.type).endswith("xf16>") for c in maxima)


def test_float16_sums_match_numpy_rounded_once():
    compiled = ziggurat.compile(F16_SUMS)
    rng = np.random.default_rng(11)

    a = rng.standard_normal((7, 301)).astype(np.float16)
    b = rng.standard_normal((301, 5)).astype(np.float16)
    exact = a.astype(np.float64) @ b.astype(np.float64)
    assert ulps(compiled.matmul(a, b)[0], exact).max() <= 1
    np.testing.assert_array_equal(compiled.matmul(a, b)[0], a @ b)  # numpy sums in float32
    products = a[:, :, None].astype(np.float32) * b[None].astype(np.float32)
    old = f16_sequential_sum(np.moveaxis(products, 1, -1).astype(np.float16))
    assert ulps(old, exact).max() > 2  # what this test catches

    x = rng.standard_normal((1, 13, 9, 9)).astype(np.float16)
    w = rng.standard_normal((3, 13, 3, 3)).astype(np.float16)
    bias = rng.standard_normal(3).astype(np.float16)
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))
    # The convolution's sum rounds once, then the bias is added in float16.
    conv = np.einsum("nchwyx,ocyx->nohw", windows, w.astype(np.float64)).astype(np.float16)
    expected = (conv + bias[None, :, None, None]).astype(np.float16)
    assert ulps(compiled.conv(x, w, bias)[0], expected.astype(np.float64)).max() <= 1

    x = rng.uniform(0, 1, (3, 999)).astype(np.float16)
    exact = x.astype(np.float64).sum(axis=1)
    assert ulps(compiled.reduce_sum(x)[0], exact).max() <= 0.5 + 1e-9  # correctly rounded
    assert ulps(f16_sequential_sum(x), exact).max() > 2

    # Softmax as numpy computes it in float16: exponentials and quotients rounded to float16,
    # their sum accumulated wider.
    x = rng.standard_normal((5, 333)).astype(np.float16)
    exponentials = np.exp(x - x.max(axis=1, keepdims=True))
    expected = exponentials / exponentials.sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(compiled.softmax(x)[0], expected)
    rounded_sums = f16_sequential_sum(exponentials)[:, None]
    assert np.any(exponentials / rounded_sums != expected)
