"""graph-to-te's conv2d_transpose (passes/conversion/graph_to_te/conv_transpose.py): the
spread input, the flipped weight and a conv2d, against the definition written as loops."""

from __future__ import annotations

import itertools

import numpy as np
from testing_graph_to_te import Case, CaseTests, computes

from ziggurat.dialects import graph


def conv_transpose_loops(x, w, b, strides, padding, dilation, output_padding, groups):
    """Every input pixel times every kernel tap, added where ONNX's definition puts it."""
    n, channels, height, width = x.shape
    _, group_out, kernel_h, kernel_w = w.shape
    top, left, bottom, right = padding
    out_h = strides[0] * (height - 1) + dilation[0] * (kernel_h - 1) + 1 - top - bottom
    out_w = strides[1] * (width - 1) + dilation[1] * (kernel_w - 1) + 1 - left - right
    out_h, out_w = out_h + output_padding[0], out_w + output_padding[1]
    out = np.zeros((n, group_out * groups, out_h, out_w))
    per_group = channels // groups
    for i, c, h, v, o, ky, kx in itertools.product(
        range(n),
        range(channels),
        range(height),
        range(width),
        range(group_out),
        range(kernel_h),
        range(kernel_w),
    ):
        y = h * strides[0] + ky * dilation[0] - top
        z = v * strides[1] + kx * dilation[1] - left
        if 0 <= y < out_h and 0 <= z < out_w:
            out[i, c // per_group * group_out + o, y, z] += x[i, c, h, v] * w[c, o, ky, kx]
    return out if b is None else out + b[None, :, None, None]


def conv_transpose_case(
    name,
    x,
    w,
    bias=False,
    strides=(1, 1),
    padding=(0, 0, 0, 0),
    dilation=(1, 1),
    output_padding=(0, 0),
    groups=1,
) -> Case:
    shapes = [x, w, (w[1] * groups,)] if bias else [x, w]

    def build(*v):
        op = graph.Conv2dTransposeOp(
            v[0], v[1], v[2] if bias else None, strides, padding, dilation, output_padding, groups
        )
        return op.output

    return Case(
        name,
        shapes,
        build,
        lambda *v: conv_transpose_loops(
            v[0], v[1], v[2] if bias else None, strides, padding, dilation, output_padding, groups
        ),
    )


CONV_TRANSPOSE = [
    conv_transpose_case("plain", (1, 2, 3, 4), (2, 3, 3, 2)),
    conv_transpose_case("strided_bias", (2, 3, 3, 5), (3, 2, 2, 3), True, (2, 3)),
    conv_transpose_case(
        "padded_output_padding",
        (1, 2, 4, 3),
        (2, 2, 3, 3),
        True,
        (3, 2),
        (1, 2, 2, 0),
        output_padding=(2, 1),
    ),
    conv_transpose_case("dilated", (1, 1, 4, 4), (1, 2, 3, 2), dilation=(2, 3), strides=(2, 1)),
    conv_transpose_case("grouped", (1, 4, 3, 3), (4, 3, 2, 2), True, (2, 2), groups=2),
    conv_transpose_case("negative_padding", (1, 1, 3, 3), (1, 1, 2, 2), padding=(-1, 0, 1, -2)),
]


class TestNumbers(CaseTests):
    CASES = CONV_TRANSPOSE
    IN_OTHER_FLOATS = ["padded_output_padding", "grouped"]


def test_a_transposed_convolution_is_a_spread_a_flip_and_a_conv2d():
    spread, flipped, conv = computes(
        lambda x, w: graph.Conv2dTransposeOp(x, w, strides=(2, 2)).output,
        (1, 2, 3, 4),
        (2, 5, 3, 3),
    )
    assert spread.compute_name.data == "conv2d_transpose_input"
    assert spread.result.type.get_shape() == (1, 2, 9, 11)
    assert flipped.compute_name.data == "conv2d_transpose_weight"
    assert flipped.result.type.get_shape() == (5, 2, 3, 3)
    assert conv.compute_name.data == "conv2d"
    assert list(conv.inputs) == [spread.result, flipped.result]
