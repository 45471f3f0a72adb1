"""Quantized operators: MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv, on int8
tensors with per-tensor zero points (and per-tensor or per-channel scales).

The integer product becomes `graph.matmul_integer` or `graph.conv_integer` (int32); the
QLinear ops follow it with `graph.requantize`, whose scale is computed in float32 in the
order onnxruntime computes it (`a_scale * b_scale / y_scale`), so the results agree exactly.
"""

from __future__ import annotations

import numpy as np

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value
from ziggurat.frontends.onnx.windows import lift_pads, per_axis, window_padding

HANDLERS = Handlers()


def zero_point(node: Node, index: int, what: str) -> int:
    """A per-tensor int8 zero point (0 where the input is absent)."""
    value = node.constant(index, what)
    if value is None:
        return 0
    if value.dtype != np.int8:
        raise node.error(f"{what} must be int8, got {value.dtype}")
    if value.size != 1 and np.any(value != value.reshape(-1)[0]):
        raise node.error(f"{what} must be one value for the whole tensor, got {value.shape}")
    return int(value.reshape(-1)[0])


def scale(node: Node, index: int, what: str) -> np.ndarray:
    """A float32 scale: one value, or one per channel."""
    value = node.constant(index, what)
    if value is None:
        raise node.error(f"{what} is missing")
    if value.dtype != np.float32:
        raise node.error(f"{what} must be float32, got {value.dtype}")
    return value.reshape(-1)


def conv_properties(node: Node, weight_input: int) -> dict:
    """The window of a 2-D integer convolution: strides, padding, dilation, groups."""
    shape, weight = node.shape(0), node.shape(weight_input)
    if len(shape) != 4 or len(weight) != 4:
        raise node.error(f"only 2-D integer convolutions are supported, got input {list(shape)}")
    kernel = node.ints("kernel_shape", list(weight[2:]))
    if list(kernel or ()) != list(weight[2:]):
        raise node.error(f"kernel_shape {kernel} does not match the weight {list(weight)}")
    strides, dilations = per_axis(node, "strides", 2), per_axis(node, "dilations", 2)
    padding = window_padding(node, shape[2:], weight[2:], strides, dilations)
    return {
        "strides": strides,
        "padding": lift_pads(padding),
        "dilation": dilations,
        "groups": node.int("group", 1),
    }


@HANDLERS.handles("MatMulInteger")
def matmul_integer(node: Node) -> list[Value]:
    points = (zero_point(node, 2, "a_zero_point"), zero_point(node, 3, "b_zero_point"))
    return [node.emit(graph.MatmulIntegerOp(node.input(0), node.input(1), points))]


@HANDLERS.handles("ConvInteger")
def conv_integer(node: Node) -> list[Value]:
    points = (zero_point(node, 2, "x_zero_point"), zero_point(node, 3, "w_zero_point"))
    op = graph.ConvIntegerOp(
        node.input(0), node.input(1), zero_points=points, **conv_properties(node, 1)
    )
    return [node.emit(op)]


@HANDLERS.handles("QLinearMatMul")
def qlinear_matmul(node: Node) -> list[Value]:
    points = (zero_point(node, 2, "a_zero_point"), zero_point(node, 5, "b_zero_point"))
    product = node.emit(graph.MatmulIntegerOp(node.input(0), node.input(3), points))
    scales = scale(node, 1, "a_scale") * scale(node, 4, "b_scale") / scale(node, 6, "y_scale")
    y_zero_point = zero_point(node, 7, "y_zero_point")
    return [node.emit(graph.RequantizeOp(product, list(scales), y_zero_point, axis=-1))]


@HANDLERS.handles("QLinearConv")
def qlinear_conv(node: Node) -> list[Value]:
    points = (zero_point(node, 2, "x_zero_point"), zero_point(node, 5, "w_zero_point"))
    op = graph.ConvIntegerOp(
        node.input(0),
        node.input(3),
        node.optional(8),
        zero_points=points,
        **conv_properties(node, 3),
    )
    product = node.emit(op)
    scales = scale(node, 1, "x_scale") * scale(node, 4, "w_scale") / scale(node, 6, "y_scale")
    y_zero_point = zero_point(node, 7, "y_zero_point")
    return [node.emit(graph.RequantizeOp(product, list(scales), y_zero_point, axis=1))]
