"""Large constants (weights) reach the CPU code by address when it is loaded, not as IR
text: each compiled module keeps its own values even when two use one global name."""

from __future__ import annotations

import numpy as np

import ziggurat
from ziggurat.targets.cpu.llvm_ir import LARGE_CONSTANT_BYTES


def plus_constant(values: np.ndarray) -> str:
    body = ", ".join(f"{v:.1f}" for v in values)
    n = len(values)
    return f"""
func.func @main(%x: tensor<{n}xf32>) -> tensor<{n}xf32> {{
  %c = graph.constant dense<[{body}]> : tensor<{n}xf32>
  %y = graph.add %x, %c : (tensor<{n}xf32>, tensor<{n}xf32>) -> tensor<{n}xf32>
  func.return %y : tensor<{n}xf32>
}}"""


def test_two_modules_with_large_constants_of_one_name_keep_their_own():
    n = LARGE_CONSTANT_BYTES // 4 + 7
    a = np.arange(n, dtype=np.float32)
    b = -2 * a
    first, second = ziggurat.compile(plus_constant(a)), ziggurat.compile(plus_constant(b))
    x = np.ones(n, np.float32)
    np.testing.assert_array_equal(first(x)[0], a + 1)
    np.testing.assert_array_equal(second(x)[0], b + 1)
    np.testing.assert_array_equal(first(x)[0], a + 1)


def test_small_constants_stay_in_the_ir():
    a = np.arange(5, dtype=np.float32)
    compiled = ziggurat.compile(plus_constant(a))
    np.testing.assert_array_equal(compiled(np.ones(5, np.float32))[0], a + 1)
    assert "zeroinitializer" not in compiled._functions.llvm_ir


def test_a_splat_constant_is_expanded():
    n = LARGE_CONSTANT_BYTES
    text = f"""
func.func @main(%x: tensor<{n}xf32>) -> tensor<{n}xf32> {{
  %c = graph.constant dense<1.5> : tensor<{n}xf32>
  %y = graph.mul %x, %c : (tensor<{n}xf32>, tensor<{n}xf32>) -> tensor<{n}xf32>
  func.return %y : tensor<{n}xf32>
}}"""
    x = np.arange(n, dtype=np.float32)
    np.testing.assert_array_equal(ziggurat.compile(text)(x)[0], x * 1.5)
