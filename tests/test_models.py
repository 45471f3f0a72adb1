"""Whole models, imported from ONNX and compiled for the CPU, against onnxruntime: an MLP, a
small CNN, a residual block, a channel-shuffle block and a transformer encoder layer."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from testing_models import MODELS

import ziggurat
from ziggurat.frontends.onnx import import_model

# The host's CPU, and one of 256-bit vectors and 16 registers (an AVX2 machine; runs
# wherever AVX2 does), whose default schedules differ (lanes, register tiles).
TARGETS = ["cpu", "cpu{mcpu=haswell}"]


def run_both(
    name: str, batch: int, seed: int = 0, target: str = "cpu"
) -> tuple[np.ndarray, np.ndarray]:
    """Our output and onnxruntime's for model `name` on a seeded random batch."""
    model = MODELS[name]()
    shape = [d.dim_value or batch for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (expected,) = session.run(None, {"input": x})
    (got,) = ziggurat.compile(model, target=target, batch_size=batch)(x)
    return got, expected


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", MODELS)
def test_model_matches_onnxruntime(name, target):
    got, expected = run_both(name, batch=3, target=target)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    # A check that cannot fail checks nothing: the outputs must depend on the input.
    assert np.ptp(expected) > 1e-3


def test_a_batch_of_one():
    got, expected = run_both("small_cnn", batch=1, seed=4)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "name, ops",
    [
        ("mlp", {"graph.dense", "graph.relu", "graph.softmax"}),
        ("small_cnn", {"graph.conv2d", "graph.batch_norm", "graph.max_pool2d", "graph.dense"}),
        ("residual_block", {"graph.conv2d", "graph.add"}),
        ("channel_shuffle_block", {"graph.split", "graph.concat", "graph.transpose"}),
        ("transformer_encoder_layer", {"graph.matmul", "graph.layer_norm", "graph.erf"}),
    ],
)
def test_model_imports_as_whole_operators(name, ops):
    module = import_model(MODELS[name](), batch_size=2)
    names = {op.name for op in module.walk()}
    assert ops <= names
    # Shape arithmetic is folded at import: no integer computation survives.
    assert "graph.gather" not in names
