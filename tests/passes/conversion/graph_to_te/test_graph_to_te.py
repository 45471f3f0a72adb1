"""graph-to-te as a whole (passes/conversion/graph_to_te/__init__.py): no graph op
remains, the error for an op it cannot lower, and ops in f64, f16 and at rank zero."""

from __future__ import annotations

import numpy as np
import pytest
from testing_graph_to_te import EXPONENTS

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module, print_module, verify_module
from ziggurat.passes.conversion.graph_to_te import GraphToTe
from ziggurat.reference import erf as erf_reference
from ziggurat.reference import layer_norm as layer_norm_reference
from ziggurat.reference import log_softmax as log_softmax_reference
from ziggurat.reference import pool2d as pool_reference
from ziggurat.reference import power as power_reference
from ziggurat.reference import softmax as softmax_reference
from ziggurat.registry import make_context


def test_no_graph_op_remains_and_the_output_round_trips():
    module = parse_module(EVERY_OP_TEXT)
    GraphToTe().apply(make_context(), module)
    verify_module(module)
    assert not [op for op in module.walk() if op.name.startswith("graph.")]
    for generic in (False, True):
        text = print_module(module, generic)
        assert print_module(parse_module(text), generic) == text


EVERY_OP_TEXT = """
func.func @f(%x: tensor<1x2x5x5xf32>, %a: tensor<2x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<6x1xf32>) {
  %y = graph.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] ceil_mode : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  %z = graph.flatten %a axis 2 : (tensor<2x3xf32>) -> tensor<6x1xf32>
  func.return %y, %z : tensor<1x2x3x3xf32>, tensor<6x1xf32>
}
"""


def test_an_op_the_pass_cannot_lower_is_named_with_its_location():
    text = 'func.func @f(%x: tensor<4xf32>) {\n  %y = "graph.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>\n  func.return\n}\n'
    module = parse_module(text, "model.mlir", ctx=make_context(allow_unregistered=True))
    with pytest.raises(ZigguratError, match="graph-to-te cannot lower 'graph.frobnicate'") as error:
        GraphToTe().apply(make_context(), module)
    assert error.value.where == "model.mlir:2:8"


OTHER_TYPES = """
func.func @dot(%a: tensor<13xf32>, %b: tensor<13xf32>) -> tensor<f32> {
  %y = graph.matmul %a, %b : (tensor<13xf32>, tensor<13xf32>) -> tensor<f32>
  func.return %y : tensor<f32>
}
func.func @softmax_f64(%x: tensor<7x13xf64>) -> tensor<7x13xf64> {
  %y = graph.softmax %x axis 1 : tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @max_pool_f16(%x: tensor<1x1x7x7xf16>) -> tensor<1x1x4x4xf16> {
  %y = graph.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x1x7x7xf16>) -> tensor<1x1x4x4xf16>
  func.return %y : tensor<1x1x4x4xf16>
}
"""


def test_rank_zero_results_f64_and_f16():
    compiled = ziggurat.compile(OTHER_TYPES)
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((2, 13)).astype(np.float32)
    np.testing.assert_allclose(compiled.dot(a, b)[0], a @ b, rtol=1e-5)
    x = rng.standard_normal((7, 13))
    np.testing.assert_allclose(compiled.softmax_f64(x)[0], softmax_reference(x, 1), rtol=1e-12)
    h = rng.standard_normal((1, 1, 7, 7)).astype(np.float16)
    expected = pool_reference(h, (3, 3), (2, 2), (1, 1, 1, 1)).astype(np.float16)
    np.testing.assert_array_equal(compiled.max_pool_f16(h)[0], expected)


ONNX_OPS_OTHER_TYPES = """
func.func @erf_f64(%x: tensor<7x13xf64>) -> tensor<7x13xf64> {
  %y = graph.erf %x : tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @erf_f16(%x: tensor<13xf16>) -> tensor<13xf16> {
  %y = graph.erf %x : tensor<13xf16>
  func.return %y : tensor<13xf16>
}
func.func @pow_f64(%x: tensor<7x13xf64>, %e: tensor<13xf64>) -> tensor<7x13xf64> {
  %y = graph.pow %x, %e : (tensor<7x13xf64>, tensor<13xf64>) -> tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @log_softmax_f64(%x: tensor<7x13xf64>) -> tensor<7x13xf64> {
  %y = graph.log_softmax %x axis 0 : tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @layer_norm_f64(%x: tensor<7x13xf64>, %s: tensor<13xf64>) -> tensor<7x13xf64> {
  %y = graph.layer_norm %x, %s, %s axis 1 : (tensor<7x13xf64>, tensor<13xf64>, tensor<13xf64>) -> tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @clip_f16(%x: tensor<13xf16>) -> tensor<13xf16> {
  %y = graph.clip %x min -0.5 max 0.75 : tensor<13xf16>
  func.return %y : tensor<13xf16>
}
func.func @global_max_pool_f16(%x: tensor<1x3x7x7xf16>) -> tensor<1x3x1x1xf16> {
  %y = graph.global_max_pool2d %x : (tensor<1x3x7x7xf16>) -> tensor<1x3x1x1xf16>
  func.return %y : tensor<1x3x1x1xf16>
}
func.func @rank0(%x: tensor<f32>, %e: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<i64>) {
  %p = graph.pow %x, %e : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %m = graph.maximum %p, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %l = graph.leaky_relu %x alpha 0.5 : tensor<f32>
  %c = graph.cast %x : (tensor<f32>) -> tensor<i64>
  func.return %p, %m, %l, %c : tensor<f32>, tensor<f32>, tensor<f32>, tensor<i64>
}
"""


def test_onnx_ops_in_f64_f16_and_rank_zero():
    compiled = ziggurat.compile(ONNX_OPS_OTHER_TYPES)
    rng = np.random.default_rng(13)
    x = rng.standard_normal((7, 13))
    np.testing.assert_allclose(compiled.erf_f64(x)[0], erf_reference(x), rtol=1e-14)
    e = EXPONENTS.astype(np.float64)
    np.testing.assert_allclose(compiled.pow_f64(x, e)[0], power_reference(x, e), rtol=1e-14)
    np.testing.assert_allclose(
        compiled.log_softmax_f64(x)[0], log_softmax_reference(x, 0), rtol=1e-13
    )
    s = rng.standard_normal(13)
    np.testing.assert_allclose(
        compiled.layer_norm_f64(x, s)[0], layer_norm_reference(x, s, s), rtol=1e-12, atol=1e-12
    )
    h = rng.standard_normal(13).astype(np.float16)
    expected = erf_reference(h.astype(np.float64)).astype(np.float16)
    np.testing.assert_allclose(compiled.erf_f16(h)[0], expected, atol=1e-3)
    np.testing.assert_array_equal(compiled.clip_f16(h)[0], np.clip(h, -0.5, 0.75))
    p = rng.standard_normal((1, 3, 7, 7)).astype(np.float16)
    np.testing.assert_array_equal(
        compiled.global_max_pool_f16(p)[0], p.max(axis=(2, 3), keepdims=True)
    )
    base, exponent = np.float32(-1.5), np.float32(3.0)
    power, maximum, leaky, integer = compiled.rank0(np.array(base), np.array(exponent))
    assert power.shape == () and power == np.float32(-3.375)
    assert maximum == base and leaky == np.float32(-0.75) and integer == -1
