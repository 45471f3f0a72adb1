"""numpy rules for integer contractions, requantization and linear (de)quantization."""

from __future__ import annotations

import numpy as np

from ziggurat.dialects import graph
from ziggurat.elements import element_dtype
from ziggurat.reference.operators import conv2d, ints

# Integer contractions and requantization ----------------------------------------------------


def matmul_integer(op: graph.MatmulIntegerOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a_zero, b_zero = ints(op.zero_points)[0], np.asarray(op.b_zero_points())
    if b.ndim == 1:
        b_zero = b_zero[0]
    return np.matmul(a.astype(np.int64) - a_zero, b.astype(np.int64) - b_zero)


def conv_integer(op: graph.ConvIntegerOp, x: np.ndarray, w: np.ndarray, b=None) -> np.ndarray:
    x_zero = ints(op.zero_points)[0]
    w_zero = np.asarray(op.weight_zero_points()).reshape(-1, 1, 1, 1)
    x, w = x.astype(np.int64) - x_zero, w.astype(np.int64) - w_zero
    return conv2d(
        x, w, b, ints(op.strides), ints(op.padding), ints(op.dilation), op.groups.value.data
    )


def requantize(op: graph.RequantizeOp, x: np.ndarray) -> np.ndarray:
    """As onnxruntime: x * scale in float32, rounded half to even, plus the zero point,
    saturated to int8 or uint8."""
    scale = np.asarray(op.scales(), np.float32)
    if scale.size > 1:
        axis = graph.normalize_axis(op.axis.value.data, x.ndim)
        scale = scale.reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    y = np.rint(x.astype(np.float32) * scale) + op.zero_point.value.data
    values = graph.eight_bit_range(graph.tensor(op.output).element_type)
    dtype = np.uint8 if values.start == 0 else np.int8
    return np.clip(y, values.start, values.stop - 1).astype(dtype)


# Quantization (issue 12) ------------------------------------------------------------------------


def quantization_parameter(op: graph.LinearQuantizationOp, value: np.ndarray) -> np.ndarray:
    """A scale or zero point spread over the input: per tensor, per axis or per block."""
    axis, block = op.granularity()
    rank = len(graph.shape_of(op.input))
    if block == 0:
        return value.reshape(())
    if block == 1:
        return value.reshape([-1 if d == axis else 1 for d in range(rank)])
    extent = graph.shape_of(op.input)[axis]
    return np.repeat(value, block, axis=axis).take(np.arange(extent), axis=axis)


def quantize_linear(op: graph.QuantizeLinearOp, x, scale, zero_point=None) -> np.ndarray:
    """x / scale in the scale's type, rounded half to even, plus the zero point, saturated."""
    precision = element_dtype(graph.tensor(op.scale).element_type)
    element = op.output.type.element_type  # type: ignore[attr-defined]
    info = np.iinfo(element_dtype(element))
    quotient = x.astype(precision) / quantization_parameter(op, scale).astype(precision)
    value = np.rint(quotient).astype(np.float64)
    if zero_point is not None:
        value = value + quantization_parameter(op, zero_point)
    return np.clip(value, info.min, info.max)


def dequantize_linear(op: graph.DequantizeLinearOp, x, scale, zero_point=None) -> np.ndarray:
    difference = x.astype(np.int64)
    if zero_point is not None:
        difference = difference - quantization_parameter(op, zero_point).astype(np.int64)
    return difference * quantization_parameter(op, scale)
