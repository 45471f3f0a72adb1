"""graph-to-te's pools (passes/conversion/graph_to_te/pooling.py): windowed and global
pools, their structure and their numbers against numpy."""

from __future__ import annotations

from testing_graph_to_te import Case, CaseTests, computes, ops_in

from ziggurat.dialects import graph
from ziggurat.reference import pool2d as pool_reference


def test_pools_pad_with_minus_infinity_or_divide_a_sum():
    (max_pool,) = computes(
        lambda x: graph.MaxPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1]).output, (1, 2, 7, 7)
    )
    assert max_pool.reduce_kind.data == "max"
    assert max_pool.init.value.data == float("-inf")
    assert ops_in(max_pool, "arith.select") == 1
    total, average = computes(lambda x: graph.AvgPool2dOp(x, [2, 2], [2, 2]).output, (1, 2, 8, 8))
    assert [total.compute_name.data, average.compute_name.data] == [
        "avg_pool2d_sum",
        "avg_pool2d",
    ]
    # No padding, no ceil mode: every window counts 4 elements, a constant.
    assert ops_in(average, "arith.sitofp") == 0


def test_global_max_pool_reduces_the_window_to_its_maximum():
    (pool,) = computes(lambda x: graph.GlobalMaxPool2dOp(x).output, (2, 3, 7, 13))
    assert pool.reduce_kind.data == "max" and pool.reduce_extent_values == [7, 13]


POOLS = [
    Case(
        "max_pool_pad",
        [(1, 3, 7, 7)],
        lambda x: graph.MaxPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1]).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 1, 1, 1)),
    ),
    Case(
        "max_pool_ceil_dilation",
        [(2, 2, 13, 13)],
        lambda x: graph.MaxPool2dOp(x, [2, 3], [2, 2], [0, 1, 1, 0], [2, 1], True).output,
        lambda x: pool_reference(x, (2, 3), (2, 2), (0, 1, 1, 0), (2, 1), True),
    ),
    Case(
        "max_pool_floor",
        [(1, 1, 7, 7)],
        lambda x: graph.MaxPool2dOp(x, [2, 2], [2, 2]).output,
        lambda x: pool_reference(x, (2, 2), (2, 2), (0, 0, 0, 0)),
    ),
    Case(
        "avg_pool_exclude_pad",
        [(1, 3, 7, 7)],
        lambda x: graph.AvgPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1]).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 1, 1, 1), kind="avg"),
    ),
    Case(
        "avg_pool_include_pad",
        [(1, 3, 7, 7)],
        lambda x: graph.AvgPool2dOp(x, [3, 3], [2, 2], [1, 0, 1, 2], count_include_pad=True).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 0, 1, 2), kind="avg", include_pad=True),
    ),
    Case(
        "avg_pool_ceil_include_pad",
        [(2, 2, 13, 13)],
        lambda x: graph.AvgPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1], True, True).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), True, "avg", True),
    ),
    Case(
        "avg_pool_ceil_exclude_pad",
        [(1, 2, 7, 7)],
        lambda x: graph.AvgPool2dOp(x, [2, 2], [2, 2], ceil_mode=True).output,
        lambda x: pool_reference(x, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1), True, "avg"),
    ),
    Case(
        "global_avg_pool",
        [(2, 3, 7, 13)],
        lambda x: graph.GlobalAvgPool2dOp(x).output,
        lambda x: x.mean(axis=(2, 3), keepdims=True),
    ),
    Case(
        "global_max_pool",
        [(2, 3, 7, 13)],
        lambda x: graph.GlobalMaxPool2dOp(x).output,
        lambda x: x.max(axis=(2, 3), keepdims=True),
    ),
    Case(
        "global_max_pool_one",
        [(1, 1, 1, 1)],
        lambda x: graph.GlobalMaxPool2dOp(x).output,
        lambda x: x,
    ),
    Case(
        "global_avg_pool_one",
        [(1, 1, 1, 1)],
        lambda x: graph.GlobalAvgPool2dOp(x).output,
        lambda x: x,
    ),
]


class TestNumbers(CaseTests):
    CASES = POOLS
    IN_OTHER_FLOATS = [
        "max_pool_ceil_dilation",
        "avg_pool_ceil_include_pad",
        "global_avg_pool",
        "global_max_pool",
    ]
