"""Models as PyTorch's exporter writes them, against onnxruntime: a SqueezeNet-style network,
nn.TransformerEncoderLayer and an LSTM language model (tests/data/export_torch_models.py
made them), and small variants of issue 12's networks (`python benchmarks/export_models.py
--small` made them): BERT, GPT-2, ViT, MobileNetV3, a YOLO-style detector and a U-Net."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
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


def feeds_for(path: Path, batch: int) -> dict[str, np.ndarray]:
    """Random inputs at `batch`: images, or token ids and an attention mask padded at the
    end of the first sequence."""
    rng = np.random.default_rng(0)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {}
    for value in session.get_inputs():
        shape = [batch, *value.shape[1:]]
        if value.name == "mask":
            mask = np.ones(shape, np.int64)
            mask[0, -3:] = 0
            feeds[value.name] = mask
        elif value.type == "tensor(int64)":
            feeds[value.name] = rng.integers(0, 100, shape).astype(np.int64)
        else:
            feeds[value.name] = rng.standard_normal(shape).astype(np.float32)
    return feeds


@pytest.mark.parametrize(
    "name, operators",
    [
        ("bert_base", {"Where", "Softmax", "Erf", "Gather", "LayerNormalization"}),
        ("gpt2", {"Where", "Softmax", "Tanh", "Gather", "Pow"}),
        ("vit_b16", {"Conv", "Concat", "Softmax", "Erf"}),
        ("mobilenet_v3_large", {"HardSwish", "HardSigmoid", "GlobalAveragePool"}),
        ("yolo", {"Resize", "Sigmoid", "Concat"}),
        ("unet", {"ConvTranspose", "Resize", "MaxPool", "Concat"}),
    ],
)
def test_issue_12_network_matches_onnxruntime(name, operators):
    """Each network as exported, at batch 2, with the operators that make it what it is."""
    path = DATA / f"torch_{name}_small.onnx"
    model = onnx.load(str(path))
    assert operators <= {node.op_type for node in model.graph.node}
    feeds = feeds_for(path, 2)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (expected,) = session.run(None, feeds)
    (got,) = ziggurat.compile(path, batch_size=2)(*feeds.values())
    assert got.shape == expected.shape and np.abs(expected).max() > 0
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())
