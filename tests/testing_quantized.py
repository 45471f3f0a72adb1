"""Quantized ONNX models for the tests of the integer operators and the accelerator: one
QLinearConv, QLinearMatMul, ConvInteger or MatMulInteger node on int8 tensors with
seeded random weights, and a small network mixing layers the accelerator runs with one it
cannot; `feeds` draws int8 inputs and `onnxruntime_outputs` runs onnxruntime."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INT8 = TensorProto.INT8


def int8(rng: np.random.Generator, shape: Sequence[int], low: int = -128) -> np.ndarray:
    return rng.integers(low, 128, shape).astype(np.int8)


def model(
    nodes: Sequence[onnx.NodeProto],
    inputs: dict[str, Sequence[int]],
    initializers: dict[str, np.ndarray],
    outputs: Sequence[str] = ("y",),
) -> onnx.ModelProto:
    graph = helper.make_graph(
        list(nodes),
        "quantized",
        [helper.make_tensor_value_info(n, INT8, s) for n, s in inputs.items()],
        [helper.make_value_info(n, onnx.TypeProto()) for n in outputs],
        initializer=[numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def quantization(prefix: str, scale: float | Sequence[float], zero: int) -> dict[str, np.ndarray]:
    return {
        f"{prefix}_scale": np.asarray(scale, np.float32),
        f"{prefix}_zero": np.asarray(zero, np.int8),
    }


def conv_layer(
    rng: np.random.Generator,
    x: str,
    y: str,
    channels: int,
    filters: int,
    kernel: int = 3,
    stride: int = 1,
    pad: int = 1,
    scales: tuple[float, float | Sequence[float], float] = (1 / 16, 1 / 32, 1 / 2),
    zeros: tuple[int, int, int] = (0, 0, 0),
    bias: bool = True,
) -> tuple[onnx.NodeProto, dict[str, np.ndarray]]:
    """A QLinearConv node from `x` to `y` and its initializers (named after `y`)."""
    inits = quantization(f"{y}_x", scales[0], zeros[0])
    inits[f"{y}_w"] = int8(rng, (filters, channels, kernel, kernel))
    inits |= quantization(f"{y}_w", scales[1], zeros[1])
    inits |= quantization(f"{y}_y", scales[2], zeros[2])
    names = [x, f"{y}_x_scale", f"{y}_x_zero", f"{y}_w", f"{y}_w_scale", f"{y}_w_zero"]
    names += [f"{y}_y_scale", f"{y}_y_zero"]
    if bias:
        inits[f"{y}_b"] = rng.integers(-4000, 4000, filters).astype(np.int32)
        names.append(f"{y}_b")
    node = helper.make_node(
        "QLinearConv", names, [y], strides=[stride, stride], pads=[pad] * 4, name=y
    )
    return node, inits


def qlinear_conv(
    shape: Sequence[int] = (1, 16, 9, 7), filters: int = 32, seed: int = 0, **layer
) -> onnx.ModelProto:
    node, inits = conv_layer(np.random.default_rng(seed), "x", "y", shape[1], filters, **layer)
    return model([node], {"x": shape}, inits)


def qlinear_matmul(
    m: int = 5,
    k: int = 48,
    n: int = 32,
    scales: tuple[float, float | Sequence[float], float] = (1 / 16, 1 / 32, 1 / 2),
    zeros: tuple[int, int, int] = (0, 0, 0),
    seed: int = 0,
) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    inits = quantization("a", scales[0], zeros[0]) | {"b": int8(rng, (k, n))}
    inits |= quantization("b", scales[1], zeros[1]) | quantization("y", scales[2], zeros[2])
    names = ["a", "a_scale", "a_zero", "b", "b_scale", "b_zero", "y_scale", "y_zero"]
    return model([helper.make_node("QLinearMatMul", names, ["y"], name="y")], {"a": (m, k)}, inits)


def matmul_integer(m: int = 3, k: int = 20, n: int = 7, zeros=(0, 0), seed: int = 0):
    rng = np.random.default_rng(seed)
    inits = {"b": int8(rng, (k, n))}
    names = ["a", "b"]
    if zeros != (0, 0):
        inits |= {"a_zero": np.int8(zeros[0]), "b_zero": np.int8(zeros[1])}
        names += ["a_zero", "b_zero"]
    node = helper.make_node("MatMulInteger", names, ["y"], name="y")
    return model([node], {"a": (m, k)}, inits)


def conv_integer(shape=(1, 5, 9, 7), filters: int = 6, zeros=(0, 0), seed: int = 0, **attributes):
    rng = np.random.default_rng(seed)
    inits = {"w": int8(rng, (filters, shape[1], 3, 3))}
    names = ["x", "w"]
    if zeros != (0, 0):
        inits |= {"x_zero": np.int8(zeros[0]), "w_zero": np.int8(zeros[1])}
        names += ["x_zero", "w_zero"]
    node = helper.make_node("ConvInteger", names, ["y"], name="y", **attributes)
    return model([node], {"x": shape}, inits)


def network(seed: int = 0) -> onnx.ModelProto:
    """conv 16->32 (stride 2), conv 32->32 whose scale is no power of two (the accelerator's
    shifts cannot requantize it: the CPU runs it), conv 32->32: int8 throughout."""
    rng = np.random.default_rng(seed)
    first, a = conv_layer(rng, "x", "c1", 16, 32, stride=2)
    second, b = conv_layer(rng, "c1", "c2", 32, 32, scales=(1 / 2, 1 / 32, 0.3))
    third, c = conv_layer(rng, "c2", "y", 32, 32)
    return model([first, second, third], {"x": (1, 16, 14, 14)}, a | b | c)


def feeds(onnx_model: onnx.ModelProto, seed: int = 1) -> list[np.ndarray]:
    """Seeded int8 arrays for the model's inputs, in order."""
    rng = np.random.default_rng(seed)
    arrays = []
    for value in onnx_model.graph.input:
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        arrays.append(int8(rng, shape))
    return arrays


def onnxruntime_outputs(onnx_model: onnx.ModelProto, arrays: Sequence[np.ndarray]):
    import onnxruntime

    session = onnxruntime.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [v.name for v in onnx_model.graph.input]
    return session.run(None, dict(zip(names, arrays, strict=True)))
