"""Models as PyTorch's exporter writes them (tests/data/export_torch_models.py made them):
a SqueezeNet-style network, nn.TransformerEncoderLayer and an LSTM language model, against
onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

import ziggurat

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("target", ["cpu", "cpu{mcpu=haswell}"])  # AVX2's 256-bit vectors
@pytest.mark.parametrize(
    "name, shape",
    [("torch_squeezenet_small", (2, 3, 64, 64)), ("torch_encoder_layer", (3, 10, 64))],
)
def test_exported_model_matches_onnxruntime(name, shape, target):
    path = DATA / f"{name}.onnx"
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (expected,) = session.run(None, {"input": x})
    (got,) = ziggurat.compile(path, target=target, batch_size=shape[0])(x)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_exported_lstm_language_model_matches_onnxruntime():
    """benchmarks/export_models.py's LSTM language model, small: token ids in, embedding
    (Gather), two LSTM layers, the logits of every position."""
    path = DATA / "torch_lstm_lm_small.onnx"
    tokens = np.random.default_rng(0).integers(0, 50, (3, 7)).astype(np.int64)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (expected,) = session.run(None, {"input": tokens})
    (got,) = ziggurat.compile(path, batch_size=3)(tokens)
    assert got.shape == (3, 7, 50)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
