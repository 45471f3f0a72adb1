"""numpy rules for transposed convolution and Resize."""

from __future__ import annotations

import numpy as np

from ziggurat.dialects import graph
from ziggurat.reference.operators import flag, ints, result_shape

# Transposed convolution (issue 12) --------------------------------------------------------------


def conv2d_transpose(op: graph.Conv2dTransposeOp, x, w, b=None) -> np.ndarray:
    """Each input pixel scatters its weight-scaled kernel into the output at stride steps;
    the padding then crops (or, negative, extends) that and output_padding extends it."""
    n, channels, height, width = x.shape
    groups = op.groups.value.data
    strides, dilation = ints(op.strides), ints(op.dilation)
    top, left, _, _ = ints(op.padding)
    _, group_out, kernel_h, kernel_w = w.shape
    out_h, out_w = result_shape(op)[2:]
    # The full output, with room for what output_padding and negative padding add.
    full_h = max(strides[0] * (height - 1) + dilation[0] * (kernel_h - 1) + 1, out_h + top)
    full_w = max(strides[1] * (width - 1) + dilation[1] * (kernel_w - 1) + 1, out_w + left)
    before_h, before_w = max(0, -top), max(0, -left)
    full = np.zeros((n, group_out * groups, before_h + full_h, before_w + full_w))
    per_group = channels // groups
    for g in range(groups):
        xs = x[:, g * per_group : (g + 1) * per_group]
        ws = w[g * per_group : (g + 1) * per_group]
        for ky in range(kernel_h):
            for kx in range(kernel_w):
                y0 = before_h + ky * dilation[0]
                x0 = before_w + kx * dilation[1]
                rows = slice(y0, y0 + strides[0] * (height - 1) + 1, strides[0])
                columns = slice(x0, x0 + strides[1] * (width - 1) + 1, strides[1])
                full[:, g * group_out : (g + 1) * group_out, rows, columns] += np.einsum(
                    "nchw,co->nohw", xs, ws[:, :, ky, kx]
                )
    out = full[:, :, before_h + top :, before_w + left :][:, :, :out_h, :out_w]
    return out if b is None else out + b[None, :, None, None]


# Resizing (issue 12) ------------------------------------------------------------------------------


def source_coordinates(op: graph.ResizeOp, axis: int) -> np.ndarray:
    """Where in the input each output position along `axis` samples, as ONNX's
    coordinate_transformation_mode says: in float64, as ONNX's reference computes it, with
    the integer output length where the spec names it, as onnxruntime has it (which
    computes in float32: where the float64 coordinate is exactly half way between two
    pixels, its nearest pixel may be the other one)."""
    length, resized = graph.shape_of(op.input)[axis], result_shape(op)[axis]
    scale = ints(op.scales)[axis]
    y = np.arange(resized, dtype=np.float64)
    mode = op.coordinate_mode.data
    if mode == "half_pixel" or (mode == "pytorch_half_pixel" and resized > 1):
        return (y + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        offset = length / 2 * (1 - resized / (scale * length))
        return offset + (y + 0.5) / scale - 0.5
    if mode == "asymmetric":
        return y / scale
    if mode == "tf_crop_and_resize":
        assert op.roi is not None
        roi = ints(op.roi)
        start, end = roi[axis], roi[axis + len(roi) // 2]
        if resized == 1:
            return np.full(1, 0.5 * (start + end) * (length - 1))
        return start * (length - 1) + y * (end - start) * (length - 1) / (resized - 1)
    if mode == "align_corners" and resized > 1:
        return y * (length - 1) / (resized - 1)
    return np.zeros(resized)


def cubic_kernel(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with parameter a."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def resize_taps(op: graph.ResizeOp, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The input positions each output position along `axis` reads (rows of taps, -1 where
    tf_crop_and_resize extrapolates) and the weight of each tap, as ONNX's reference
    chooses the nearest taps to the source coordinate (ties to the smaller index)."""
    length = graph.shape_of(op.input)[axis]
    scale = ints(op.scales)[axis]
    x = source_coordinates(op, axis)
    whole = np.floor(x)
    ratio = np.where(x == whole, 1.0, x - whole)
    mode = op.mode.data
    stretch = min(scale, 1.0) if flag(op, "antialias") else 1.0
    if mode == "nearest":
        nearest = op.nearest_mode.data
        right = {
            "round_prefer_floor": ratio > 0.5,
            "round_prefer_ceil": ratio >= 0.5,
            "floor": ratio == 1.0,
            "ceil": np.ones_like(ratio, bool),
        }[nearest]
        weights = np.stack([~right, right], axis=-1).astype(np.float64)
    elif mode == "linear":
        start = int(np.floor(-1 / stretch) + 1)
        offsets = np.arange(start, 2 - start)
        weights = np.clip(1 - np.abs((offsets - ratio[:, None]) * stretch), 0, 1)
    else:
        start = int(np.floor(-2 / stretch) + 1)
        offsets = np.arange(start, 2 - start)
        weights = cubic_kernel((offsets - ratio[:, None]) * stretch, op.cubic_coeff_a.value.data)
    if stretch != 1.0:
        weights = weights / weights.sum(axis=-1, keepdims=True)
    count = weights.shape[-1]
    # The taps are the `count` integers nearest the coordinate, ties to the smaller ones.
    fraction = x - np.floor(x)
    if count % 2 == 0:
        first = np.floor(x) - count // 2 + np.where(fraction == 0, 0, 1)
    else:
        first = np.floor(x) - (count - 1) // 2 + np.where(fraction <= 0.5, 0, 1)
    taps = first.astype(np.int64)[:, None] + np.arange(count)
    if flag(op, "exclude_outside"):
        weights = np.where((taps < 0) | (taps >= length), 0.0, weights)
        total = weights.sum(axis=-1, keepdims=True)
        weights = weights / np.where(total == 0, 1.0, total)
    taps = np.clip(taps, 0, length - 1)
    if op.coordinate_mode.data == "tf_crop_and_resize":
        taps[(x < 0) | (x > length - 1)] = -1
    return taps, weights


def resize(op: graph.ResizeOp, x: np.ndarray) -> np.ndarray:
    """The interpolation one axis at a time (it is separable), then the extrapolation."""
    outside = np.zeros(result_shape(op), bool)
    for axis in range(x.ndim):
        taps, weights = resize_taps(op, axis)
        where = [1] * x.ndim
        where[axis] = taps.shape[0]
        outside |= (taps[:, 0] < 0).reshape(where)
        picked = np.take(x, np.maximum(taps, 0), axis=axis)  # the taps after the axis
        rows = np.moveaxis(picked, (axis, axis + 1), (-2, -1))
        x = np.moveaxis((rows * weights).sum(axis=-1), -1, axis)
    return np.where(outside, op.extrapolation_value.value.data, x)
