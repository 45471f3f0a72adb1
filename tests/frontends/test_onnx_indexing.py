"""The importer's indexing operators (frontends/onnx/indexing.py) against onnxruntime at odd
shapes, in every opset variant ONNX defines: GatherElements, GatherND, ScatterElements and
Scatter, ScatterND, OneHot, Trilu, DepthToSpace and SpaceToDepth."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto
from testing_onnx_breadth import check, import_error, one_node, random_feeds, rng_array

I64, I32 = TensorProto.INT64, TensorProto.INT32


@pytest.mark.parametrize("opset", [11, 13])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gather_elements(opset, axis):
    model = one_node(
        "GatherElements", {"d": [4, 5], "i": [3, 2]}, types={"i": I64}, opset=opset, axis=axis
    )
    check(model, random_feeds(model, integers=(-4, 4)))


@pytest.mark.parametrize(
    "opset, data, indices, batch_dims",
    [
        (11, [3, 4, 5], [2, 2], 0),
        (12, [2, 3, 5], [2, 4, 1], 1),
        (13, [2, 3, 4, 5], [2, 3, 2], 2),
        (13, [3, 5], [7, 2], 0),
    ],
)
def test_gather_nd(opset, data, indices, batch_dims):
    attributes = {"batch_dims": batch_dims} if opset >= 12 else {}
    model = one_node(
        "GatherND", {"d": data, "i": indices}, types={"i": I64}, opset=opset, **attributes
    )
    check(model, random_feeds(model, integers=(-2, 2)))


@pytest.mark.parametrize(
    "op_type, opset, reduction",
    [
        ("Scatter", 9, None),
        ("Scatter", 10, None),
        ("ScatterElements", 11, None),
        ("ScatterElements", 13, None),
        ("ScatterElements", 16, "add"),
        ("ScatterElements", 16, "mul"),
        ("ScatterElements", 18, "max"),
        ("ScatterElements", 18, "min"),
    ],
)
def test_scatter_elements(op_type, opset, reduction):
    attributes = {"reduction": reduction} if reduction else {}
    model = one_node(
        op_type,
        {"d": [3, 5], "i": [3, 2], "u": [3, 2]},
        types={"i": I64},
        opset=opset,
        axis=1,
        **attributes,
    )
    # Distinct indices in each row: onnxruntime leaves duplicates' order open without a
    # reduction.
    feeds = random_feeds(model)
    feeds["i"] = np.array([[4, -2], [0, 1], [-5, 2]], np.int64)
    check(model, feeds)


@pytest.mark.parametrize("reduction", ["add", "mul", "max", "min"])
def test_scatter_elements_with_repeated_indices(reduction):
    model = one_node(
        "ScatterElements",
        {"d": [4, 3], "i": [5, 3], "u": [5, 3]},
        types={"i": I64},
        opset=18,
        reduction=reduction,
    )
    check(model, random_feeds(model, integers=(-4, 4)))


@pytest.mark.parametrize(
    "opset, reduction, data, indices, updates",
    [
        (11, None, [5, 3], [2, 1], [2, 3]),
        (13, None, [3, 4, 2], [2, 2], [2, 2]),
        (16, "add", [5, 3], [4, 1], [4, 3]),
        (16, "mul", [3, 3, 2], [3, 2], [3, 2]),
        (18, "max", [4, 3], [3, 2], [3]),
        (18, "min", [2, 3, 4], [2, 1], [2, 3, 4]),
    ],
)
def test_scatter_nd(opset, reduction, data, indices, updates):
    attributes = {"reduction": reduction} if reduction else {}
    model = one_node(
        "ScatterND",
        {"d": data, "i": indices, "u": updates},
        types={"i": I64},
        opset=opset,
        **attributes,
    )
    feeds = random_feeds(model)
    if reduction is None:  # distinct index tuples
        count, depth = indices
        tuples = np.array(list(np.ndindex(*data[:depth]))[:count], np.int64)
        feeds["i"] = np.where(tuples % 2 == 1, tuples - np.array(data[:depth]), tuples)
    else:
        feeds["i"] = (feeds["i"] % np.array(data[: indices[-1]])).astype(np.int64)
    check(model, feeds)


@pytest.mark.parametrize("opset", [9, 11])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot(opset, axis):
    model = one_node(
        "OneHot",
        {"i": [2, 3]},
        {"depth": np.array(5, np.int64), "values": np.array([-1.5, 2.0], np.float32)},
        types={"i": I64},
        opset=opset,
        axis=axis,
    )
    low = -5 if opset >= 11 else 0
    check(model, random_feeds(model, integers=(low, 7)))


def test_one_hot_of_float_indices_and_depth():
    model = one_node(
        "OneHot",
        {"i": [4]},
        {"depth": np.array([3.0], np.float32), "values": np.array([0, 7], np.float32)},
        opset=11,
    )
    check(model, {"i": np.array([0.5, 2.9, -1.2, 3.0], np.float32)})


@pytest.mark.parametrize("upper", [0, 1])
@pytest.mark.parametrize("k", [None, -1, 2])
def test_trilu_with_a_constant_k(upper, k):
    initializers = {} if k is None else {"k": np.array(k, np.int64)}
    model = one_node("Trilu", {"x": [2, 3, 5]}, initializers, opset=14, upper=upper)
    check(model)


def test_trilu_with_k_known_at_run_time():
    model = one_node("Trilu", {"x": [4, 3], "k": []}, types={"k": I64}, opset=14, upper=0)
    for k in (-2, 0, 1, 5):
        check(model, {"x": rng_array(4, 3), "k": np.array(k, np.int64)})


@pytest.mark.parametrize(
    "op_type, opset, mode, shape",
    [
        ("DepthToSpace", 9, None, [2, 8, 3, 5]),
        ("DepthToSpace", 11, "DCR", [1, 18, 2, 3]),
        ("DepthToSpace", 13, "CRD", [2, 8, 3, 5]),
        ("SpaceToDepth", 9, None, [2, 3, 4, 6]),
        ("SpaceToDepth", 13, None, [1, 2, 6, 9]),
    ],
)
def test_depth_to_space_and_back(op_type, opset, mode, shape):
    attributes = {"mode": mode} if mode else {}
    blocksize = 3 if 18 in shape or 9 in shape else 2
    model = one_node(op_type, {"x": shape}, opset=opset, blocksize=blocksize, **attributes)
    check(model)


@pytest.mark.parametrize(
    "model, message",
    [
        (
            one_node(
                "ScatterND",
                {"d": [3], "i": [1, 1], "u": [1]},
                types={"i": I64},
                opset=18,
                reduction="avg",
            ),
            "node 'n' (ScatterND): error: reduction 'avg' is not supported",
        ),
        (
            one_node("OneHot", {"i": [3], "depth": [], "v": [2]}, types={"i": I64}, opset=11),
            "node 'n' (OneHot): error: depth (input 'depth') must be a constant",
        ),
        (
            one_node("DepthToSpace", {"x": [1, 4, 2, 2]}, opset=13, blocksize=2, mode="RDC"),
            "node 'n' (DepthToSpace): error: mode 'RDC' is not supported",
        ),
        (
            one_node(
                "GatherND", {"d": [3, 4], "i": [2, 3]}, types={"i": I64}, opset=13, batch_dims=0
            ),
            "node 'n' (GatherND): error: index tuples of 3 elements do not index 2 dimensions",
        ),
    ],
    ids=["scatter_reduction", "one_hot_depth", "depth_to_space_mode", "gather_nd_depth"],
)
def test_refusals_name_the_node(model, message):
    assert message in import_error(model)
