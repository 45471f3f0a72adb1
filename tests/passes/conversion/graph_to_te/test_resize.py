"""graph-to-te's resize (passes/conversion/graph_to_te/resize.py): the tables, one compute
or one reduction per axis, against the numpy reference (whose taps onnxruntime checks in
tests/frontends/test_onnx_resize.py) and, for the plain cases, against numpy formulas."""

from __future__ import annotations

import numpy as np
from testing_graph_to_te import Case, CaseTests, computes
from xdsl.dialects.builtin import TensorType, f32
from xdsl.ir import Block

from ziggurat.dialects import graph
from ziggurat.reference import resize as resize_reference


def resized(shape_out, scales, **properties):
    return lambda x: graph.ResizeOp(x, shape_out, scales, **properties).output


def bilinear_half_pixel(x: np.ndarray, factor: int) -> np.ndarray:
    """Half-pixel bilinear upsampling of the last two axes by an integer factor."""
    out = x
    for axis in (2, 3):
        length = out.shape[axis]
        source = np.clip((np.arange(length * factor) + 0.5) / factor - 0.5, 0, length - 1)
        low = np.floor(source).astype(int)
        high = np.minimum(low + 1, length - 1)
        fraction = source - low
        shape = [1] * 4
        shape[axis] = -1
        out = np.take(out, low, axis) * (1 - fraction).reshape(shape) + np.take(
            out, high, axis
        ) * fraction.reshape(shape)
    return out


def reference_case(name, shape, out, scales, **properties) -> Case:
    """A case checked against reference.resize on an op of the same properties."""

    def expected(x: np.ndarray) -> np.ndarray:
        (argument,) = Block(arg_types=[TensorType(f32, shape)]).args
        return resize_reference(graph.ResizeOp(argument, out, scales, **properties), x)

    return Case(name, [shape], resized(out, scales, **properties), expected)


RESIZES = [
    Case(
        "nearest_repeats",
        [(1, 2, 3, 5)],
        resized((1, 2, 6, 15), [1, 1, 2, 3], coordinate_mode="asymmetric", nearest_mode="floor"),
        lambda x: x.repeat(2, axis=2).repeat(3, axis=3),
    ),
    Case(
        "bilinear_half_pixel",
        [(2, 3, 4, 5)],
        resized((2, 3, 8, 10), [1, 1, 2, 2], mode="linear"),
        lambda x: bilinear_half_pixel(x, 2),
    ),
    reference_case(
        "cubic_align_corners",
        (1, 2, 5, 7),
        (1, 2, 3, 11),
        [1, 1, 0.6, 1.6],
        mode="cubic",
        coordinate_mode="align_corners",
    ),
    reference_case(
        "cubic_exclude_outside",
        (1, 1, 6, 5),
        (1, 1, 9, 4),
        [1, 1, 1.5, 0.8],
        mode="cubic",
        cubic_coeff_a=-0.5,
        exclude_outside=True,
    ),
    reference_case(
        "trilinear_3d",
        (2, 3, 4, 5),
        (2, 5, 6, 3),
        [1, 1.7, 1.5, 0.6],
        mode="linear",
        coordinate_mode="pytorch_half_pixel",
    ),
    reference_case(
        "antialias_separable",
        (1, 2, 13, 11),
        (1, 2, 3, 5),
        [1, 1, 0.25, 0.5],
        mode="cubic",
        antialias=True,
    ),
    reference_case(
        "crop_and_extrapolate",
        (1, 2, 5, 6),
        (1, 2, 4, 7),
        [1, 1, 0.8, 7 / 6],
        mode="linear",
        coordinate_mode="tf_crop_and_resize",
        extrapolation_value=-2.0,
        roi=[0, 0, -0.23, 0.31, 1, 1, 0.71, 1.37],
    ),
    reference_case(
        "nearest_crop",
        (1, 1, 5, 6),
        (1, 1, 4, 7),
        [1, 1, 0.8, 7 / 6],
        coordinate_mode="tf_crop_and_resize",
        extrapolation_value=9.0,
        roi=[0, 0, -0.23, 0.31, 1, 1, 0.71, 1.37],
    ),
    reference_case(
        "rank_1_half_pixel_symmetric",
        (7,),
        (4,),
        [0.6],
        mode="linear",
        coordinate_mode="half_pixel_symmetric",
    ),
]


class TestNumbers(CaseTests):
    CASES = RESIZES
    IN_OTHER_FLOATS = ["bilinear_half_pixel", "cubic_exclude_outside", "antialias_separable"]


def test_identity_axes_read_no_table_and_plain_resizes_are_one_compute():
    (compute,) = computes(resized((1, 2, 3, 8), [1, 1, 1, 2], mode="linear"), (1, 2, 3, 4))
    assert len(compute.inputs) == 3  # the input, the taps and weights of the last axis


def test_many_taps_reduce_axis_by_axis():
    build = resized((1, 1, 3, 3), [1, 1, 0.25, 0.25], mode="linear", antialias=True)
    rows, columns = computes(build, (1, 1, 12, 12))
    assert rows.reduce_axis_names == ["t"] and columns.reduce_axis_names == ["t"]
    assert rows.result.type.get_shape() == (1, 1, 3, 12)
