"""Quantized operators: MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv, on int8
or uint8 tensors (each operand its own type: onnxruntime's quantizer writes uint8
activations and int8 weights) with per-tensor zero points, the weight's per output channel
(convolutions) or column (matmuls) too, and per-tensor or per-channel scales.

The integer product becomes `graph.matmul_integer` or `graph.conv_integer` (int32); the
QLinear ops follow it with `graph.requantize` to the type of y's zero point, whose scale is
computed in the order onnxruntime computes it (`a_scale * b_scale / y_scale`, in the
scales' type: float32, or float16 as ONNX's reference does), so the results agree exactly.
"""

from __future__ import annotations

import numpy as np

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value
from ziggurat.frontends.onnx.windows import lift_pads, per_axis, window_padding

HANDLERS = Handlers()

EIGHT_BIT = {np.dtype(np.int8): graph.INT8, np.dtype(np.uint8): graph.UINT8}


def eight_bit_type(node: Node, index: int, what: str) -> np.dtype:
    """The numpy type of input `index`, an int8 or uint8 tensor."""
    element = node.element_type(index)
    for dtype, known in EIGHT_BIT.items():
        if known == element:
            return dtype
    raise node.error(f"{what} must be an int8 or uint8 tensor, got {element}")


def zero_points(node: Node, index: int, what: str, dtype: np.dtype) -> list[int]:
    """The zero point of an operand of type `dtype`, [0] where absent; a tensor of one value
    repeated is one value."""
    value = node.constant(index, what)
    if value is None:
        return [0]
    if value.dtype != dtype:
        raise node.error(f"{what} must be {dtype} like its tensor, got {value.dtype}")
    points = [int(v) for v in value.reshape(-1)]
    return points[:1] if len(set(points)) == 1 else points


def zero_point(node: Node, index: int, what: str, dtype: np.dtype) -> int:
    """A per-tensor zero point."""
    points = zero_points(node, index, what, dtype)
    if len(points) != 1:
        raise node.error(f"{what} must be one value for the whole tensor, got {len(points)}")
    return points[0]


def weight_zero_points(node: Node, index: int, weight_index: int, what: str) -> list[int]:
    """A weight's zero point: one, or one per output channel of a convolution (its first
    axis) or column of a matmul (its last)."""
    dtype = eight_bit_type(node, weight_index, what.removesuffix("_zero_point"))
    points = zero_points(node, index, what, dtype)
    shape = node.shape(weight_index)
    convolution = node.op_type in ("ConvInteger", "QLinearConv")
    channels = shape[0] if convolution else shape[-1] if len(shape) > 1 else 1
    if len(points) not in (1, channels):
        kind = "output channel" if convolution else "column"
        raise node.error(
            f"{what} must be one value or one per {kind} ({channels}), got {len(points)}"
        )
    return points


def scale(node: Node, index: int, what: str) -> np.ndarray:
    """A float32 or float16 scale: one value, or one per channel."""
    value = node.constant(index, what)
    if value is None:
        raise node.error(f"{what} is missing")
    if value.dtype not in (np.float32, np.float16):
        raise node.error(f"{what} must be float32 or float16, got {value.dtype}")
    return value.reshape(-1)


def requantized(node: Node, product: Value, scales: np.ndarray, axis: int) -> Value:
    """`product` requantized to the type of y's zero point (input 7), or else the input's."""
    dtype = eight_bit_type(node, 7 if node.has(7) else 0, "y_zero_point")
    y_zero = zero_point(node, 7, "y_zero_point", dtype)
    scales = [float(s) for s in scales.astype(np.float32)]
    op = graph.RequantizeOp(product, scales, y_zero, axis, EIGHT_BIT[dtype])
    return node.emit(op)


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


def operand_zero_point(node: Node, index: int, operand: int, what: str) -> int:
    """The zero point (input `index`, named `what`) of input `operand`, of that one's type."""
    dtype = eight_bit_type(node, operand, what.removesuffix("_zero_point"))
    return zero_point(node, index, what, dtype)


@HANDLERS.handles("MatMulInteger")
def matmul_integer(node: Node) -> list[Value]:
    points = [
        operand_zero_point(node, 2, 0, "a_zero_point"),
        *weight_zero_points(node, 3, 1, "b_zero_point"),
    ]
    return [node.emit(graph.MatmulIntegerOp(node.input(0), node.input(1), points))]


@HANDLERS.handles("ConvInteger")
def conv_integer(node: Node) -> list[Value]:
    points = [
        operand_zero_point(node, 2, 0, "x_zero_point"),
        *weight_zero_points(node, 3, 1, "w_zero_point"),
    ]
    op = graph.ConvIntegerOp(
        node.input(0), node.input(1), zero_points=points, **conv_properties(node, 1)
    )
    return [node.emit(op)]


@HANDLERS.handles("QLinearMatMul")
def qlinear_matmul(node: Node) -> list[Value]:
    points = [
        operand_zero_point(node, 2, 0, "a_zero_point"),
        *weight_zero_points(node, 5, 3, "b_zero_point"),
    ]
    product = node.emit(graph.MatmulIntegerOp(node.input(0), node.input(3), points))
    scales = scale(node, 1, "a_scale") * scale(node, 4, "b_scale") / scale(node, 6, "y_scale")
    return [requantized(node, product, scales, -1)]


@HANDLERS.handles("QLinearConv")
def qlinear_conv(node: Node) -> list[Value]:
    points = [
        operand_zero_point(node, 2, 0, "x_zero_point"),
        *weight_zero_points(node, 5, 3, "w_zero_point"),
    ]
    op = graph.ConvIntegerOp(
        node.input(0),
        node.input(3),
        node.optional(8),
        zero_points=points,
        **conv_properties(node, 3),
    )
    product = node.emit(op)
    scales = scale(node, 1, "x_scale") * scale(node, 4, "w_scale") / scale(node, 6, "y_scale")
    return [requantized(node, product, scales, 1)]
