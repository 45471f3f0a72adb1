"""The systolic array target end to end: its dialect, its lowering and simulator against
numpy and onnxruntime exactly, at several array sizes; what it cannot run goes to the CPU."""

from __future__ import annotations

import numpy as np
import pytest
from testing_quantized import feeds, matmul_integer, onnxruntime_outputs, qlinear_matmul

import ziggurat
from ziggurat.reference import evaluate
from ziggurat.targets.systolic.simulator import simulate  # noqa: F401 (the module loads)
from ziggurat.targets.target import target_named


def matmul_ir(m: int, k: int, n: int) -> str:
    return f"""func.func @main(%a: tensor<{m}x{k}xi8>, %b: tensor<{k}x{n}xi8>) -> tensor<{m}x{n}xi32> {{
  %p = graph.matmul_integer %a, %b : (tensor<{m}x{k}xi8>, tensor<{k}x{n}xi8>) -> tensor<{m}x{n}xi32>
  func.return %p : tensor<{m}x{n}xi32>
}}"""


@pytest.mark.parametrize("size", [4, 8, 16])
def test_matmuls_run_on_the_array_exactly(size):
    text = matmul_ir(13, 32, 48)
    rng = np.random.default_rng(size)
    a = rng.integers(-128, 128, (13, 32)).astype(np.int8)
    b = rng.integers(-128, 128, (32, 48)).astype(np.int8)
    compiled = ziggurat.compile(text, target=f"systolic{{size={size}}}")
    (out,) = compiled(a, b)
    np.testing.assert_array_equal(out, evaluate(ziggurat.load_module(text), "main", [a, b])[0])
    (result,) = [r for _, r in compiled._functions.results]
    blocks = (32 // size) * (48 // size)
    assert result.cycles == blocks * (size + 13 + 2 * (size - 1))
    assert result.multiply_adds == 13 * 32 * 48


def test_an_onnx_matmul_integer_equals_onnxruntime():
    model = matmul_integer(m=5, k=24, n=16)
    arrays = feeds(model)
    (expected,) = onnxruntime_outputs(model, arrays)
    compiled = ziggurat.compile(model, target="systolic")
    (out,) = compiled(*arrays)
    np.testing.assert_array_equal(out, expected)
    assert "1 run(s)" in compiled._functions.report()


def test_what_the_array_cannot_run_goes_to_the_cpu():
    model = qlinear_matmul(m=5, k=48, n=32)  # a requantizing epilogue: not the array's
    arrays = feeds(model)
    (expected,) = onnxruntime_outputs(model, arrays)
    compiled = ziggurat.compile(model, target="systolic")
    (out,) = compiled(*arrays)
    np.testing.assert_array_equal(out, expected)
    report = compiled._functions.report()
    assert "0 run(s)" in report and "runs on cpu" in report


def test_emit_and_time():
    module = ziggurat.load_module(matmul_ir(8, 16, 16))
    from ziggurat.pipeline import lower

    target = target_named("systolic")
    lowered = lower(module, "loop", target)
    assert "systolic.stream" in target.emit(lowered, "systolic")
    compiled = target.compile(lowered)
    a, b = np.ones((8, 16), np.int8), np.ones((16, 16), np.int8)
    out = np.zeros((8, 16), np.int32)
    seconds = target.time(compiled.fused_matmul_integer, [a, b, out], 2)
    assert seconds[0] == seconds[1] > 0 and (out == 16).all()
