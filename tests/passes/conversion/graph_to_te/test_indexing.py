"""graph-to-te's data-dependent indexing (passes/conversion/graph_to_te/indexing.py):
gather_elements, gather_nd, scatter_elements and scatter_nd with every reduction, one_hot,
trilu, depth_to_space and space_to_depth, against numpy formulas written out loop by loop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from testing_graph_to_te import Case, CaseTests, define, lower, scaled
from xdsl.dialects.builtin import f32, i32, i64

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.dialects.te import compute_ops


def take_along(d: np.ndarray, i: np.ndarray, axis: int) -> np.ndarray:
    out = np.empty(i.shape, d.dtype)
    for position in np.ndindex(*i.shape):
        source = list(position)
        source[axis] = i[position] % d.shape[axis]
        out[position] = d[tuple(source)]
    return out


def gather_nd_loops(d: np.ndarray, i: np.ndarray, batch: int) -> np.ndarray:
    """GatherND as ONNX's definition states it, one index tuple at a time."""
    depth = i.shape[-1]
    out = np.empty((*i.shape[:-1], *d.shape[batch + depth :]), d.dtype)
    for position in np.ndindex(*i.shape[:-1]):
        where = [t + s if t < 0 else t for t, s in zip(i[position], d.shape[batch:], strict=False)]
        out[position] = d[(*position[:batch], *where)]
    return out


COMBINE = {
    "none": lambda a, b: b,
    "add": np.add,
    "mul": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
}


def scatter_elements_loops(d, i, u, axis: int, reduction: str) -> np.ndarray:
    """ScatterElements one update at a time, in order (the last one wins for "none")."""
    out = d.copy()
    for position in np.ndindex(*i.shape):
        target = list(position)
        target[axis] = i[position] % d.shape[axis]
        out[tuple(target)] = COMBINE[reduction](out[tuple(target)], u[position])
    return out


def scatter_nd_loops(d, i, u, reduction: str) -> np.ndarray:
    out = d.copy()
    for position in np.ndindex(*i.shape[:-1]):
        target = tuple(t % s for t, s in zip(i[position], d.shape, strict=False))
        out[target] = COMBINE[reduction](out[target], u[position])
    return out


def scatter_elements_case(
    name: str, shapes, axis: int, reduction: str, types=(f32, i64), integers=(-3, 3)
) -> Case:
    return Case(
        name,
        shapes,
        lambda d, i, u: graph.ScatterElementsOp(d, i, u, axis, reduction).output,
        lambda d, i, u: scatter_elements_loops(d, i, u, axis, reduction),
        types=types,
        integers=integers,
    )


def scatter_nd_case(name: str, shapes, reduction: str, types=(f32, i64), integers=(-3, 3)):
    return Case(
        name,
        shapes,
        lambda d, i, u: graph.ScatterNdOp(d, i, u, reduction).output,
        lambda d, i, u: scatter_nd_loops(d, i, u, reduction),
        types=types,
        integers=integers,
    )


def one_hot_loops(i: np.ndarray, values: np.ndarray, depth: int, axis: int) -> np.ndarray:
    out = np.full((*i.shape, depth), values[0])
    for position in np.ndindex(*i.shape):
        index = int(i[position])
        if -depth <= index < depth:
            out[(*position, index % depth)] = values[1]
    return np.moveaxis(out, -1, axis)


def trilu_loops(x: np.ndarray, k: int, upper: bool) -> np.ndarray:
    out = np.zeros_like(x)
    for *batch, row, column in itertools.product(*map(range, x.shape)):
        if (column - row >= k) if upper else (column - row <= k):
            out[(*batch, row, column)] = x[(*batch, row, column)]
    return out


def depth_to_space_loops(x: np.ndarray, size: int, mode: str) -> np.ndarray:
    n, c, h, w = x.shape
    depth = c // size**2
    out = np.empty((n, depth, h * size, w * size), x.dtype)
    for b, d, y, z in itertools.product(*map(range, out.shape)):
        offset = (y % size) * size + z % size
        channel = offset * depth + d if mode == "DCR" else d * size**2 + offset
        out[b, d, y, z] = x[b, channel, y // size, z // size]
    return out


def space_to_depth_loops(x: np.ndarray, size: int, mode: str) -> np.ndarray:
    """The inverse of depth_to_space_loops: where each of its outputs came from."""
    n, c, h, w = x.shape
    out = np.empty((n, c * size**2, h // size, w // size), x.dtype)
    for b, channel, y, z in itertools.product(*map(range, out.shape)):
        if mode == "DCR":
            d, offset = channel % c, channel // c
        else:
            d, offset = channel // size**2, channel % size**2
        out[b, channel, y, z] = x[b, d, y * size + offset // size, z * size + offset % size]
    return out


INDEXING = [
    Case(
        "gather_elements_axis_1",
        [(3, 7), (3, 5)],
        lambda d, i: graph.GatherElementsOp(d, i, 1).output,
        lambda d, i: take_along(d, i, 1),
        types=(f32, i64),
        integers=(-7, 7),
    ),
    Case(
        "gather_elements_narrower",
        [(5, 3, 4), (2, 3, 3)],
        lambda d, i: graph.GatherElementsOp(d, i, -3).output,
        lambda d, i: take_along(d, i, 0),
        types=(f32, i32),
        integers=(-5, 5),
    ),
    Case(
        "gather_nd_elements",
        [(3, 5), (7, 2)],
        lambda d, i: graph.GatherNdOp(d, i).output,
        lambda d, i: gather_nd_loops(d, i, 0),
        types=(f32, i64),
        integers=(-3, 3),
    ),
    Case(
        "gather_nd_slices_batch",
        [(2, 3, 5, 4), (2, 7, 1)],
        lambda d, i: graph.GatherNdOp(d, i, 1).output,
        lambda d, i: gather_nd_loops(d, i, 1),
        types=(f32, i32),
        integers=(-3, 3),
    ),
    Case(
        "gather_nd_i32_data",
        [(4, 3), (2, 1)],
        lambda d, i: graph.GatherNdOp(d, i).output,
        lambda d, i: gather_nd_loops(d, i, 0),
        types=(i32, i64),
        integers=(-3, 3),
    ),
    scatter_elements_case("scatter_elements_none", [(5, 3), (4, 3), (4, 3)], 0, "none"),
    scatter_elements_case("scatter_elements_add", [(3, 7), (2, 5), (2, 5)], 1, "add"),
    scatter_elements_case("scatter_elements_mul", [(3, 7), (3, 4), (3, 4)], -1, "mul"),
    scatter_elements_case("scatter_elements_max", [(5, 3), (6, 2), (6, 2)], 0, "max"),
    scatter_elements_case("scatter_elements_min", [(5, 3), (6, 3), (6, 3)], 0, "min"),
    scatter_elements_case(
        "scatter_elements_max_i64",
        [(5, 3), (6, 3), (6, 3)],
        0,
        "max",
        types=(i64, i64, i64),
        integers=(-5, 5),
    ),
    scatter_nd_case("scatter_nd_none_slices", [(5, 3), (4, 1), (4, 3)], "none"),
    scatter_nd_case("scatter_nd_none_elements", [(3, 3, 3), (2, 3, 3), (2, 3)], "none"),
    scatter_nd_case("scatter_nd_add", [(4, 3), (7, 1), (7, 3)], "add"),
    scatter_nd_case("scatter_nd_mul", [(3, 3, 3), (2, 2, 2), (2, 2, 3)], "mul"),
    scatter_nd_case("scatter_nd_max", [(4, 3), (5, 2), (5,)], "max"),
    scatter_nd_case("scatter_nd_min_i32", [(3, 4), (5, 1), (5, 4)], "min", types=(i32, i64, i32)),
    Case(
        "one_hot_last_axis",
        [(3, 5), (2,)],
        lambda i, v: graph.OneHotOp(i, v, 4, -1).output,
        lambda i, v: one_hot_loops(i, v, 4, -1),
        types=(i64, f32),
        integers=(-6, 6),
    ),
    Case(
        "one_hot_float_indices_axis_1",
        [(3, 5), (2,)],
        lambda i, v: graph.OneHotOp(scaled(i, 3.0), v, 7, 1).output,
        lambda i, v: one_hot_loops(np.trunc(i.astype(np.float32) * np.float32(3)), v, 7, 1),
        types=(f32, f32),
    ),
    Case(
        "one_hot_i32_values",
        [(5,), (2,)],
        lambda i, v: graph.OneHotOp(i, v, 3, 0).output,
        lambda i, v: one_hot_loops(i, v, 3, 0),
        types=(i32, i32),
        integers=(-4, 4),
    ),
    Case(
        "trilu_upper",
        [(2, 5, 7)],
        lambda x: graph.TriluOp(x, True, 2).output,
        lambda x: trilu_loops(x, 2, True),
    ),
    Case(
        "trilu_lower_negative_k",
        [(7, 5)],
        lambda x: graph.TriluOp(x, False, -1).output,
        lambda x: trilu_loops(x, -1, False),
    ),
    Case(
        "trilu_k_operand_i64",
        [(3, 4, 5), ()],
        lambda x, k: graph.TriluOp(x, False, k_value=k).output,
        lambda x, k: trilu_loops(x, int(k), False),
        types=(i64, i64),
        integers=(-3, 3),
    ),
    Case(
        "depth_to_space_dcr",
        [(2, 12, 3, 5)],
        lambda x: graph.DepthToSpaceOp(x, 2, "DCR").output,
        lambda x: depth_to_space_loops(x, 2, "DCR"),
    ),
    Case(
        "depth_to_space_crd",
        [(1, 18, 2, 3)],
        lambda x: graph.DepthToSpaceOp(x, 3, "CRD").output,
        lambda x: depth_to_space_loops(x, 3, "CRD"),
    ),
    Case(
        "space_to_depth_dcr",
        [(2, 3, 4, 6)],
        lambda x: graph.SpaceToDepthOp(x, 2).output,
        lambda x: space_to_depth_loops(x, 2, "DCR"),
    ),
    Case(
        "space_to_depth_crd",
        [(1, 5, 6, 3)],
        lambda x: graph.SpaceToDepthOp(x, 3, "CRD").output,
        lambda x: space_to_depth_loops(x, 3, "CRD"),
    ),
]


class TestNumbers(CaseTests):
    CASES = INDEXING
    IN_OTHER_FLOATS = ["gather_nd_slices_batch", "scatter_elements_add", "depth_to_space_crd"]


def test_depth_to_space_inverts_space_to_depth():
    x = np.arange(2 * 3 * 4 * 6).reshape(2, 3, 4, 6)
    for mode in ("DCR", "CRD"):
        assert np.array_equal(depth_to_space_loops(space_to_depth_loops(x, 2, mode), 2, mode), x)


def test_scatter_without_reduction_finds_the_last_update_then_reads_it():
    function = define(
        "f",
        [(5, 3), (4, 1), (4, 3)],
        lambda d, i, u: graph.ScatterNdOp(d, i, u).output,
        types=(f32, i64),
    )
    last, chosen = compute_ops(lower(function))
    assert last.reduce_kind is not None and last.reduce_kind.data == "max"
    assert last.result.type.element_type == i64
    assert chosen.inputs[-1] is last.result


def test_a_product_of_too_many_updates_is_refused():
    function = define(
        "f",
        [(100,), (65, 1), (65,)],
        lambda d, i, u: graph.ScatterNdOp(d, i, u, "mul").output,
        types=(f32, i64),
    )
    with pytest.raises(ZigguratError, match="folds at most 64 updates into an element, not 65"):
        lower(function)
