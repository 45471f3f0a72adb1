"""`ziggurat.compile`: the module's main function by call, every function by name, from a
module, its text or a path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ziggurat
from ziggurat.reference import evaluate

MLP = Path(__file__).resolve().parents[1] / "examples" / "mlp.mlir"

TWO = """
func.func @double(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = graph.add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = graph.relu %x : tensor<3xf32>
  func.return %y : tensor<3xf32>
}
"""


@pytest.mark.parametrize("source", [str(MLP), MLP, MLP.read_text()], ids=["str", "path", "text"])
def test_the_example_from_a_path_or_its_text(source):
    compiled = ziggurat.compile(source)
    x = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
    (expected,) = evaluate(ziggurat.load_module(MLP), "main", [x])
    for (y,) in (compiled(x), compiled.main(x)):
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_a_call_runs_main_and_each_function_is_an_attribute():
    compiled = ziggurat.compile(TWO)
    x = np.array([-1.0, 0.5, 2.0], np.float32)
    np.testing.assert_array_equal(compiled(x)[0], [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(compiled.main(x)[0], [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(compiled.double(x)[0], [-2.0, 1.0, 4.0])


def test_an_unknown_target_is_an_error():
    with pytest.raises(ziggurat.ZigguratError, match="unknown target 'tpu'"):
        ziggurat.compile(TWO, target="tpu")
