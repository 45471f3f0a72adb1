"""Small whole models built with onnx.helper, seeded random weights, a dynamic batch dimension
'N': what the whole-model tests check against onnxruntime and the benchmarks time.

    model = transformer_encoder_layer()
    compiled = ziggurat.compile(model, batch_size=2)

Each builder returns an onnx.ModelProto with one float32 input 'input' and one float32
output 'output'; the layers are spelled the way PyTorch exports them.
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = [
    "MODELS",
    "channel_shuffle_block",
    "mlp",
    "residual_block",
    "small_cnn",
    "transformer_encoder_layer",
]

OPSET = 17


class Builder:
    """Nodes and initializers of one graph, with fresh names and seeded weights."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, array: np.ndarray, prefix: str = "c") -> str:
        name = self.name(prefix)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def weight(self, *shape: int, fan_in: int) -> str:
        array = self.rng.standard_normal(shape) / math.sqrt(fan_in)
        return self.constant(array.astype(np.float32), "w")

    def ints(self, *values: int) -> str:
        return self.constant(np.array(values, np.int64), "shape")

    def node(self, op_type: str, *inputs: str, outputs: int = 1, **attributes: object) -> str:
        """Add a node; its (first) output's name. Extra outputs are named `<name>_<i>`."""
        name = self.name(op_type.lower())
        names = [name] + [f"{name}_{i}" for i in range(1, outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, name=name, **attributes))
        return name

    def model(
        self, name: str, input_shape: list[int | str], output: str, output_shape: list[int | str]
    ) -> onnx.ModelProto:
        self.nodes.append(helper.make_node("Identity", [output], ["output"]))
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_shape)],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, output_shape)],
            initializer=self.initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.producer_name = "ziggurat tests"
        return model

    # Layers

    def conv(
        self, x: str, channels: int, out: int, kernel: int, groups: int = 1, **attributes: object
    ) -> str:
        fan_in = channels // groups * kernel * kernel
        w = self.weight(out, channels // groups, kernel, kernel, fan_in=fan_in)
        b = self.constant((self.rng.standard_normal(out) * 0.1).astype(np.float32), "b")
        return self.node("Conv", x, w, b, group=groups, **attributes)

    def batch_norm(self, x: str, channels: int) -> str:
        scale = self.constant((1 + 0.1 * self.rng.standard_normal(channels)).astype(np.float32))
        bias = self.constant((0.1 * self.rng.standard_normal(channels)).astype(np.float32))
        mean = self.constant((0.1 * self.rng.standard_normal(channels)).astype(np.float32))
        var = self.constant((0.5 + self.rng.random(channels)).astype(np.float32))
        return self.node("BatchNormalization", x, scale, bias, mean, var, epsilon=1e-5)

    def linear(self, x: str, features: int, out: int) -> str:
        """x @ W + b on the last axis (MatMul and Add, as PyTorch exports nn.Linear on 3-D)."""
        w = self.weight(features, out, fan_in=features)
        b = self.constant((0.1 * self.rng.standard_normal(out)).astype(np.float32), "b")
        return self.node("Add", self.node("MatMul", x, w), b)

    def gemm(self, x: str, features: int, out: int) -> str:
        """nn.Linear on a matrix: Gemm with the weight transposed."""
        w = self.weight(out, features, fan_in=features)
        b = self.constant((0.1 * self.rng.standard_normal(out)).astype(np.float32), "b")
        return self.node("Gemm", x, w, b, transB=1)

    def layer_norm(self, x: str, features: int) -> str:
        scale = self.constant((1 + 0.1 * self.rng.standard_normal(features)).astype(np.float32))
        bias = self.constant((0.1 * self.rng.standard_normal(features)).astype(np.float32))
        return self.node("LayerNormalization", x, scale, bias, axis=-1, epsilon=1e-5)


def mlp(batch: int | str = "N", seed: int = 0) -> onnx.ModelProto:
    """16 features -> 32 (ReLU) -> 24 (ReLU) -> 10 classes (softmax)."""
    b = Builder(seed)
    h = b.node("Relu", b.gemm("input", 16, 32))
    h = b.node("Relu", b.gemm(h, 32, 24))
    logits = b.gemm(h, 24, 10)
    return b.model("mlp", [batch, 16], b.node("Softmax", logits, axis=1), [batch, 10])


def small_cnn(batch: int | str = "N", seed: int = 0) -> onnx.ModelProto:
    """Two conv-BN-ReLU-maxpool stages on a 3x15x15 image, global pool, dense classifier."""
    b = Builder(seed)
    h = b.node("Relu", b.batch_norm(b.conv("input", 3, 8, 3, pads=[1, 1, 1, 1]), 8))
    h = b.node("MaxPool", h, kernel_shape=[2, 2], strides=[2, 2])
    h = b.node("Relu", b.batch_norm(b.conv(h, 8, 12, 3, pads=[1, 1, 1, 1]), 12))
    h = b.node("MaxPool", h, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    h = b.node("Flatten", b.node("GlobalAveragePool", h), axis=1)
    return b.model("small_cnn", [batch, 3, 15, 15], b.gemm(h, 12, 10), [batch, 10])


def residual_block(batch: int | str = "N", seed: int = 0) -> onnx.ModelProto:
    """ResNet's basic block: two conv-BN with a ReLU between, the input added back, ReLU."""
    b = Builder(seed)
    h = b.node("Relu", b.batch_norm(b.conv("input", 8, 8, 3, pads=[1, 1, 1, 1]), 8))
    h = b.batch_norm(b.conv(h, 8, 8, 3, pads=[1, 1, 1, 1]), 8)
    output = b.node("Relu", b.node("Add", h, "input"))
    return b.model("residual_block", [batch, 8, 9, 9], output, [batch, 8, 9, 9])


def channel_shuffle_block(batch: int | str = "N", seed: int = 0) -> onnx.ModelProto:
    """A ShuffleNet unit: split the channels, a grouped 1x1 conv, a depthwise 3x3 conv and a
    1x1 conv on one half, concatenate, shuffle the channels (reshape-transpose-reshape)."""
    b = Builder(seed)
    channels, half, size = 8, 4, 7
    sizes = b.ints(half, half)
    kept = b.node("Split", "input", sizes, outputs=2, axis=1)
    branch = f"{kept}_1"
    h = b.node("Relu", b.batch_norm(b.conv(branch, half, half, 1, groups=2), half))
    h = b.batch_norm(b.conv(h, half, half, 3, groups=half, pads=[1, 1, 1, 1]), half)
    h = b.node("Relu", b.batch_norm(b.conv(h, half, half, 1), half))
    joined = b.node("Concat", kept, h, axis=1)
    grouped = b.node("Reshape", joined, b.ints(0, 2, half, size, size))
    swapped = b.node("Transpose", grouped, perm=[0, 2, 1, 3, 4])
    shuffled = b.node("Reshape", swapped, b.ints(0, channels, size, size))
    shape: list[int | str] = [batch, channels, size, size]
    return b.model("channel_shuffle_block", shape, shuffled, shape)


def transformer_encoder_layer(
    batch: int | str = "N", seed: int = 0, sequence: int = 5, features: int = 16, heads: int = 2
) -> onnx.ModelProto:
    """Post-norm encoder layer: multi-head self-attention and an erf-GELU feed-forward block,
    each added back and layer-normalized; heads split and merged with reshapes and
    transposes, the merge's shape computed from Shape as PyTorch exports it."""
    b = Builder(seed)
    head = features // heads
    x = "input"

    def split_heads(value: str, perm: list[int]) -> str:
        return b.node("Transpose", b.node("Reshape", value, b.ints(0, 0, heads, head)), perm=perm)

    q = split_heads(b.linear(x, features, features), [0, 2, 1, 3])
    k = split_heads(b.linear(x, features, features), [0, 2, 3, 1])
    v = split_heads(b.linear(x, features, features), [0, 2, 1, 3])
    scale = b.constant(np.array(math.sqrt(head), np.float32))
    scores = b.node("Div", b.node("MatMul", q, k), scale)
    context = b.node("MatMul", b.node("Softmax", scores, axis=-1), v)
    context = b.node("Transpose", context, perm=[0, 2, 1, 3])

    shape = b.node("Shape", x)
    dims = [
        b.node("Unsqueeze", b.node("Gather", shape, b.constant(np.array(i, np.int64))), b.ints(0))
        for i in (0, 1)
    ]
    merged = b.node("Reshape", context, b.node("Concat", *dims, b.ints(features), axis=0))
    attended = b.layer_norm(b.node("Add", x, b.linear(merged, features, features)), features)

    hidden = b.linear(attended, features, 2 * features)
    root2 = b.constant(np.array(math.sqrt(2.0), np.float32))
    one, half = b.constant(np.array(1.0, np.float32)), b.constant(np.array(0.5, np.float32))
    erf = b.node("Erf", b.node("Div", hidden, root2))
    gelu = b.node("Mul", b.node("Mul", hidden, half), b.node("Add", erf, one))
    output = b.node("Add", attended, b.linear(gelu, 2 * features, features))
    shape: list[int | str] = [batch, sequence, features]
    return b.model("transformer_encoder_layer", shape, b.layer_norm(output, features), shape)


MODELS = {
    "mlp": mlp,
    "small_cnn": small_cnn,
    "residual_block": residual_block,
    "channel_shuffle_block": channel_shuffle_block,
    "transformer_encoder_layer": transformer_encoder_layer,
}
