"""fold-constants: what folds, what is left to run time, and the numbers it computes."""

from __future__ import annotations

import numpy as np

import ziggurat
from ziggurat.dialects import graph
from ziggurat.elements import dense_to_array
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.passes.graph.fold_constants import FoldConstants
from ziggurat.reference import evaluate
from ziggurat.registry import make_context


def fold(text: str, **options) -> tuple:
    original = parse_module(text)
    folded = original.clone()
    FoldConstants(**options).apply(make_context(), folded)
    verify_module(folded)
    return original, folded


def graph_ops(module) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith("graph.")]


def dense_literal(array: np.ndarray) -> str:
    return f"dense<{np.array2string(array, separator=', ', floatmode='unique', threshold=10**6)}>"


RNG = np.random.default_rng(7)
W = RNG.standard_normal((5, 3)).astype(np.float32)
B = RNG.standard_normal((3,)).astype(np.float32)

CHAIN = f"""
func.func @main(%x: tensor<2x5xf32>) -> tensor<2x3xf32> {{
  %w = graph.constant {dense_literal(W)} : tensor<5x3xf32>
  %b = graph.constant {dense_literal(B)} : tensor<3xf32>
  %e = graph.exp %b : tensor<3xf32>
  %s = graph.sigmoid %w : tensor<5x3xf32>
  %t = graph.transpose %s perm [1, 0] : (tensor<5x3xf32>) -> tensor<3x5xf32>
  %d = graph.dense %x, %t, %e trans_b : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %d : tensor<2x3xf32>
}}
"""


def test_a_chain_on_constants_folds_and_only_the_op_on_the_input_remains():
    _, folded = fold(CHAIN)
    assert graph_ops(folded) == ["graph.constant", "graph.constant", "graph.dense"]


def test_a_folded_f32_constant_is_numpys_float32_of_the_exact_value():
    _, folded = fold(CHAIN)
    weight = next(
        op for op in folded.walk() if isinstance(op, graph.ConstantOp) and len(op.value) == 15
    )
    expected = (1 / (1 + np.exp(-W.astype(np.float64)))).T.astype(np.float32)
    np.testing.assert_array_equal(dense_to_array(weight.value), expected)


def test_the_folded_module_computes_what_the_original_does():
    original, folded = fold(CHAIN)
    x = RNG.standard_normal((2, 5)).astype(np.float32)
    (expected,) = evaluate(original, "main", [x])
    (actual,) = ziggurat.compile(folded)(x)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


BROADCAST = """
func.func @main() -> tensor<64x64xf32> {
  %a = graph.constant dense<1.0> : tensor<64x1xf32>
  %b = graph.constant dense<2.0> : tensor<64xf32>
  %c = graph.add %a, %b : (tensor<64x1xf32>, tensor<64xf32>) -> tensor<64x64xf32>
  func.return %c : tensor<64x64xf32>
}
"""


def test_a_broadcast_past_the_size_limit_is_left_to_run_time():
    _, kept = fold(BROADCAST, size_limit=1000)
    assert "graph.add" in graph_ops(kept)
    _, folded = fold(BROADCAST, size_limit=5000)
    assert graph_ops(folded) == ["graph.constant"]
    (value,) = evaluate(folded, "main", [])
    np.testing.assert_array_equal(value, np.full((64, 64), 3.0, np.float32))


BOOLEAN_CAST = """
func.func @main() -> tensor<3xf32> {
  %c = graph.constant dense<[true, false, true]> : tensor<3xi1>
  %y = graph.cast %c : (tensor<3xi1>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
"""


def test_a_cast_of_a_boolean_constant_folds_true_to_one():
    """The parser keeps true as the byte -1; read as a number it would fold to -1.0."""
    _, folded = fold(BOOLEAN_CAST)
    (constant,) = [op for op in folded.walk() if isinstance(op, graph.ConstantOp)]
    np.testing.assert_array_equal(dense_to_array(constant.value), [1.0, 0.0, 1.0])
