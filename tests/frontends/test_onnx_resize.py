"""The importer's Resize and Upsample (frontends/onnx/resize.py) against onnxruntime at odd
shapes: every mode, coordinate transformation and nearest mode, cubic coefficients,
exclude_outside, extrapolation, scales or sizes, axes, keep_aspect_ratio_policy,
antialias, and each opset's defaults; and the schedule a resize gets."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto
from testing_onnx_breadth import check, default_schedules, driver_refusal, import_error, one_node

COORDINATE_MODES = [
    "half_pixel",
    "half_pixel_symmetric",
    "pytorch_half_pixel",
    "align_corners",
    "asymmetric",
]
SCALES = {
    "up": [1.0, 1.0, 2.0, 1.5],
    "down": [1.0, 1.0, 0.6, 0.5],
    "mixed": [1.0, 1.0, 1.7, 0.8],
}


def resize(x_shape, scales=None, sizes=None, roi=None, opset=19, **attributes):
    initializers = {"roi": np.array(roi or [], np.float32)}
    if scales is not None:
        initializers["scales"] = np.array(scales, np.float32)
    if sizes is not None:
        if scales is None:
            initializers["scales"] = np.array([], np.float32)
        initializers["sizes"] = np.array(sizes, np.int64)
    return one_node("Resize", {"x": x_shape}, initializers, opset=opset, **attributes)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("coordinate_mode", COORDINATE_MODES)
@pytest.mark.parametrize("scales", sorted(SCALES))
def test_interpolation(mode, coordinate_mode, scales):
    model = resize(
        [2, 3, 5, 7],
        SCALES[scales],
        mode=mode,
        coordinate_transformation_mode=coordinate_mode,
    )
    check(model, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "nearest_mode", ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
)
@pytest.mark.parametrize("coordinate_mode", COORDINATE_MODES)
def test_nearest(nearest_mode, coordinate_mode):
    model = resize(
        [1, 2, 5, 7],
        sizes=[1, 2, 8, 4],
        mode="nearest",
        nearest_mode=nearest_mode,
        coordinate_transformation_mode=coordinate_mode,
    )
    check(model)


@pytest.mark.parametrize("a, exclude_outside", [(-0.5, 1), (-0.75, 0), (-0.6, 1)])
def test_cubic_coefficient_and_exclude_outside(a, exclude_outside):
    model = resize(
        [1, 1, 6, 5],
        [1, 1, 1.5, 0.8],
        mode="cubic",
        cubic_coeff_a=a,
        exclude_outside=exclude_outside,
    )
    check(model, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_tf_crop_and_resize_extrapolates(mode):
    model = resize(
        [1, 2, 5, 6],
        sizes=[1, 2, 4, 7],
        roi=[0, 0, -0.23, 0.31, 1, 1, 0.71, 1.37],
        mode=mode,
        coordinate_transformation_mode="tf_crop_and_resize",
        extrapolation_value=-3.5,
    )
    check(model, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("scales", [[1, 1, 0.5, 0.3], [1, 1, 0.7, 1.5]])
def test_antialias(mode, scales):
    model = resize([1, 2, 9, 10], scales, mode=mode, antialias=1)
    check(model, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("policy", ["stretch", "not_larger", "not_smaller"])
@pytest.mark.parametrize("axes", [[2, 3], [3, 2]])
def test_sizes_for_some_axes_and_aspect_ratio(policy, axes):
    model = resize(
        [1, 2, 5, 7],
        sizes=[9, 4],
        mode="linear",
        axes=axes,
        keep_aspect_ratio_policy=policy,
    )
    check(model, rtol=1e-4, atol=1e-4)


def test_scales_for_some_axes():
    check(resize([2, 3, 5, 4], [2.5, 0.5], mode="cubic", axes=[3, 2]), rtol=1e-4, atol=1e-4)
    check(resize([2, 3, 5, 4], [2.5, 0.5], mode="linear", axes=[1, 2]), rtol=1e-4, atol=1e-4)


def test_negative_axes():
    # (onnxruntime applies keep_aspect_ratio_policy to non-negative axes only: stretch here.)
    check(resize([1, 2, 5, 7], sizes=[9, 4], mode="linear", axes=[-1, -2]), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("opset", [11, 13, 18])
def test_earlier_opsets(opset):
    model = resize([1, 2, 4, 5], [1, 1, 1.5, 2.5], opset=opset, mode="linear")
    check(model, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("scales", [[1, 1, 2, 3], [1, 1, 0.5, 0.6], [1, 1, 1.5, 2.5]])
def test_opset_10_is_asymmetric(mode, scales):
    model = one_node(
        "Resize", {"x": [1, 2, 6, 5]}, {"scales": np.array(scales, np.float32)}, opset=10, mode=mode
    )
    check(model, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("opset", [7, 9])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_upsample(opset, mode):
    scales = [1.0, 1.0, 2.0, 3.0]
    if opset == 7:
        model = one_node("Upsample", {"x": [1, 2, 3, 4]}, opset=7, mode=mode, scales=scales)
    else:
        initializers = {"scales": np.array(scales, np.float32)}
        model = one_node("Upsample", {"x": [1, 2, 3, 4]}, initializers, opset=9, mode=mode)
    check(model, rtol=1e-4, atol=1e-4)


def test_half_precision():
    model = resize([1, 3, 5, 6], [1, 1, 2, 2], mode="linear")
    model.graph.input[0].type.tensor_type.elem_type = TensorProto.FLOAT16
    check(model, rtol=1e-2, atol=1e-2)


def test_a_bilinear_upsampling_is_one_elementwise_nest():
    model = resize([1, 16, 20, 30], [1, 1, 2, 2], mode="linear")
    assert default_schedules(model) == ["elementwise.mlir"]


def test_antialiased_downsampling_reduces_axis_by_axis():
    model = resize([1, 4, 40, 30], [1, 1, 0.25, 0.25], mode="cubic", antialias=1)
    assert default_schedules(model) == ["reduction.mlir", "reduction.mlir"]


@pytest.mark.parametrize(
    "model, message",
    [
        (
            resize([1, 1, 4, 4], [1, 1, 2, 2], mode="nearest", antialias=1),
            "node 'n' (Resize): error: antialias is not defined for mode 'nearest'",
        ),
        (
            resize([1, 1, 4, 4], [1, 1, 2, 2], coordinate_transformation_mode="tf_crop_and_resize"),
            "node 'n' (Resize): error: tf_crop_and_resize needs a roi",
        ),
        (
            one_node(
                "Resize",
                {"x": [1, 1, 4, 4]},
                {"scales": np.array([1, 1, 2, 0.5], np.float32)},
                opset=10,
            ),
            "nearest resizing by scales [1.0, 1.0, 2.0, 0.5] both up and down is not supported",
        ),
        (
            one_node(
                "Resize",
                {"x": [1, 1, 4, 4], "scales": [4]},
                {"roi": np.array([], np.float32)},
                order=["x", "roi", "scales"],
                opset=13,
            ),
            "node 'n' (Resize): error: scales (input 'scales') must be a constant",
        ),
    ],
    ids=["nearest_antialias", "crop_without_roi", "opset_10_both_ways", "dynamic_scales"],
)
def test_refusals_name_the_node(model, message):
    assert message in import_error(model)


def test_the_driver_refuses_an_unsupported_value_in_one_line(tmp_path, capsys):
    model = resize([1, 1, 4, 4], [1, 1, 2, 2], mode="nearest", antialias=1)
    error = driver_refusal(model, tmp_path, capsys)
    assert error.endswith("node 'n' (Resize): error: antialias is not defined for mode 'nearest'")
