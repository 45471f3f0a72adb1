"""The importer's ConvTranspose (frontends/onnx/conv_transpose.py) against onnxruntime at odd
shapes: strides, pads, auto_pad, output_padding, output_shape, dilations, groups, bias, 1-D
and 3-D; and the schedules its nests get."""

from __future__ import annotations

import pytest
from testing_onnx_breadth import check, default_schedules, import_error, one_node, rng_array

CASES = {
    "plain": ([1, 3, 5, 7], [3, 2, 3, 3], {}),
    "strides": ([2, 2, 4, 5], [2, 3, 3, 2], {"strides": [2, 3]}),
    "pads": ([1, 2, 5, 5], [2, 2, 3, 3], {"strides": [2, 2], "pads": [1, 0, 2, 1]}),
    "output_padding": (
        [1, 2, 3, 4],
        [2, 3, 3, 3],
        {"strides": [3, 2], "output_padding": [2, 1], "pads": [1, 1, 1, 1]},
    ),
    "output_shape": ([1, 1, 3, 3], [1, 2, 3, 3], {"strides": [3, 2], "output_shape": [10, 8]}),
    "output_shape_cropped": (
        [1, 2, 4, 4],
        [2, 2, 3, 3],
        {"strides": [2, 2], "output_shape": [7, 8]},
    ),
    "same_upper": ([1, 2, 5, 4], [2, 2, 3, 3], {"strides": [2, 2], "auto_pad": "SAME_UPPER"}),
    "same_lower": ([1, 2, 5, 4], [2, 2, 4, 3], {"strides": [3, 2], "auto_pad": "SAME_LOWER"}),
    "valid": ([1, 2, 3, 4], [2, 1, 2, 2], {"strides": [2, 2], "auto_pad": "VALID"}),
    "dilations": ([1, 2, 5, 6], [2, 2, 3, 2], {"dilations": [2, 3], "strides": [1, 2]}),
    "groups": ([2, 4, 5, 3], [4, 3, 3, 3], {"group": 2, "strides": [2, 1]}),
    "depthwise": ([1, 3, 4, 4], [3, 1, 3, 3], {"group": 3, "strides": [2, 2]}),
    "one_dimensional": ([2, 3, 7], [3, 2, 3], {"strides": [2], "pads": [1, 0]}),
    "three_dimensional": ([1, 1, 3, 4, 5], [1, 2, 3, 3, 3], {}),
    "three_dimensional_strided": (
        [2, 4, 3, 5, 4],
        [4, 3, 3, 2, 3],
        {
            "strides": [2, 1, 2],
            "pads": [1, 0, 1, 0, 1, 1],
            "dilations": [2, 1, 1],
            "output_padding": [1, 0, 1],
            "group": 2,
        },
    ),
    "three_dimensional_cropped_depth": (
        [1, 2, 4, 3, 3],
        [2, 2, 2, 3, 3],
        {"strides": [3, 2, 1], "pads": [2, 1, 0, 1, 0, 0]},
    ),
    "three_dimensional_same_upper": (
        [1, 2, 3, 3, 3],
        [2, 1, 3, 3, 3],
        {"strides": [2, 2, 2], "auto_pad": "SAME_UPPER"},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("bias", [False, True])
def test_conv_transpose(name, bias):
    x, w, attributes = CASES[name]
    initializers = {"w": rng_array(*w)}
    if bias:
        initializers["b"] = rng_array(w[1] * attributes.get("group", 1), seed=2)
    model = one_node("ConvTranspose", {"x": x}, initializers, opset=11, **attributes)
    check(model, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("opset", [9, 22])
def test_conv_transpose_in_every_opset(opset):
    model = one_node(
        "ConvTranspose",
        {"x": [1, 2, 4, 3], "w": [2, 3, 3, 3]},
        opset=opset,
        strides=[2, 2],
        kernel_shape=[3, 3],
    )
    check(model, rtol=1e-4, atol=1e-4)


def test_the_convolution_gets_the_conv2d_schedules():
    model = one_node(
        "ConvTranspose", {"x": [1, 16, 14, 14]}, {"w": rng_array(16, 32, 3, 3)}, strides=[2, 2]
    )
    assert "conv2d.mlir" in default_schedules(model)
    model = one_node(
        "ConvTranspose",
        {"x": [1, 16, 14, 14]},
        {"w": rng_array(16, 8, 3, 3)},
        strides=[2, 2],
        group=4,
    )
    assert "grouped_conv2d.mlir" in default_schedules(model)


def test_four_dimensions_are_refused():
    model = one_node("ConvTranspose", {"x": [1, 1, 2, 3, 3, 3]}, {"w": rng_array(1, 1, 2, 2, 2, 2)})
    assert (
        "node 'n' (ConvTranspose): error: only 1-D, 2-D and 3-D transposed convolutions are "
        "supported, got a 4-D input" in import_error(model)
    )
