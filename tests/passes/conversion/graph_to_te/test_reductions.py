"""graph-to-te's reductions (passes/conversion/graph_to_te/reductions.py): sums, means,
maxima, minima, products, norms and log sums over axes (over none and over empty ones
too), arg max and min with ties, and cumulative sums, against numpy."""

from __future__ import annotations

import numpy as np
from testing_graph_to_te import Case, CaseTests, scaled
from xdsl.dialects.builtin import IntegerType, Signedness, i1, i32, i64

from ziggurat.dialects import graph

REDUCTIONS = [
    Case(
        "reduce_sum",
        [(2, 3, 5)],
        lambda x: graph.ReduceSumOp(x, [1]).output,
        lambda x: x.sum(axis=1),
    ),
    Case(
        "reduce_sum_all",
        [(7, 13)],
        lambda x: graph.ReduceSumOp(x, [0, 1]).output,
        lambda x: x.sum(),
    ),
    Case(
        "reduce_mean_keepdims",
        [(2, 3, 5)],
        lambda x: graph.ReduceMeanOp(x, [0, 2], keepdims=True).output,
        lambda x: x.mean(axis=(0, 2), keepdims=True),
    ),
    Case(
        "reduce_max",
        [(7, 13)],
        lambda x: graph.ReduceMaxOp(x, [-1]).output,
        lambda x: x.max(axis=-1),
    ),
    Case(
        "reduce_max_keepdims",
        [(7, 1, 13)],
        lambda x: graph.ReduceMaxOp(x, [0], keepdims=True).output,
        lambda x: x.max(axis=0, keepdims=True),
    ),
]


class TestNumbers(CaseTests):
    CASES = REDUCTIONS
    IN_OTHER_FLOATS = ["reduce_sum_all", "reduce_mean_keepdims", "reduce_max"]


# The other reductions, arg max and min, and cumulative sums (issue 12) ----------------------

ui8 = IntegerType(8, Signedness.UNSIGNED)


def arg(function, axis: int, keepdims: bool = False, last: bool = False):
    """numpy's argmax or argmin, the last of equals with `last`."""

    def reference(x: np.ndarray) -> np.ndarray:
        if last:
            index = x.shape[axis] - 1 - function(np.flip(x, axis), axis=axis)
        else:
            index = function(x, axis=axis)
        return np.expand_dims(index, axis) if keepdims else index

    return reference


def cumsum(axis: int, exclusive: bool = False, reverse: bool = False):
    def reference(x: np.ndarray) -> np.ndarray:
        y = np.flip(x, axis) if reverse else x
        total = np.cumsum(y, axis=axis)
        if exclusive:
            total = total - y
        return np.flip(total, axis) if reverse else total

    return reference


MORE_REDUCTIONS = [
    Case("reduce_min", [(3, 7, 5)], lambda x: graph.ReduceMinOp(x, [1]).output, lambda x: x.min(1)),
    Case(
        "reduce_prod_keepdims",
        [(3, 7, 5)],
        lambda x: graph.ReduceProdOp(x, [0, 2], keepdims=True).output,
        lambda x: x.prod(axis=(0, 2), keepdims=True),
    ),
    Case(
        "reduce_l1",
        [(7, 13)],
        lambda x: graph.ReduceL1Op(x, [-1]).output,
        lambda x: np.abs(x).sum(-1),
    ),
    Case(
        "reduce_l2",
        [(7, 13)],
        lambda x: graph.ReduceL2Op(x, [0]).output,
        lambda x: np.sqrt((x * x).sum(0)),
    ),
    Case(
        "reduce_sum_square",
        [(7, 13)],
        lambda x: graph.ReduceSumSquareOp(x, [0, 1]).output,
        lambda x: (x * x).sum(),
    ),
    Case(
        "reduce_log_sum",
        [(7, 13)],
        lambda x: graph.ReduceLogSumOp(x, [1], keepdims=True).output,
        lambda x: np.log(x.sum(1, keepdims=True)),
        positive=True,
    ),
    Case(
        "reduce_log_sum_exp_large",
        [(7, 13)],
        lambda x: graph.ReduceLogSumExpOp(scaled(x, 100.0), [1]).output,
        lambda x: np.logaddexp.reduce(100 * x, axis=1),
    ),
    Case(
        "reduce_l2_over_no_axis",
        [(7, 13)],
        lambda x: graph.ReduceL2Op(x, []).output,
        lambda x: np.abs(x),
    ),
    Case(
        "reduce_min_of_nothing",
        [(3, 0, 5)],
        lambda x: graph.ReduceMinOp(x, [1], keepdims=True).output,
        lambda x: np.full((3, 1, 5), np.inf),
    ),
    Case(
        "reduce_prod_of_nothing",
        [(3, 0)],
        lambda x: graph.ReduceProdOp(x, [1]).output,
        lambda x: np.ones(3),
    ),
    Case(
        "reduce_prod_i32",
        [(3, 7)],
        lambda x: graph.ReduceProdOp(x, [1]).output,
        lambda x: x.prod(1).astype(np.int32),
        types=(i32,),
    ),
    Case(
        "reduce_min_ui8",
        [(3, 37)],
        lambda x: graph.ReduceMinOp(x, [1]).output,
        lambda x: x.min(1),
        types=(ui8,),
        integers=(-128, 128),
    ),
    Case(
        "reduce_max_i1",
        [(3, 5)],
        lambda x: graph.ReduceMaxOp(x, [1]).output,
        lambda x: x.any(1),
        types=(i1,),
        integers=(0, 2),
    ),
    Case(
        "reduce_min_i1",
        [(3, 5)],
        lambda x: graph.ReduceMinOp(x, [1]).output,
        lambda x: x.all(1),
        types=(i1,),
        integers=(0, 2),
    ),
    # Ties are frequent among integers drawn from [-3, 3): the first index wins, or the last.
    Case(
        "arg_max_ties",
        [(5, 37)],
        lambda x: graph.ArgMaxOp(x, 1).output,
        arg(np.argmax, 1),
        types=(i32,),
    ),
    Case(
        "arg_max_ties_last_keepdims",
        [(5, 37)],
        lambda x: graph.ArgMaxOp(x, 1, keepdims=True, select_last_index=True).output,
        arg(np.argmax, 1, keepdims=True, last=True),
        types=(i32,),
    ),
    Case(
        "arg_min_ties",
        [(37, 5)],
        lambda x: graph.ArgMinOp(x, 0).output,
        arg(np.argmin, 0),
        types=(i64,),
    ),
    Case(
        "arg_min_ties_last_ui8",
        [(5, 37)],
        lambda x: graph.ArgMinOp(x, -1, select_last_index=True).output,
        arg(np.argmin, 1, last=True),
        types=(ui8,),
        integers=(-3, 3),
    ),
    Case(
        "arg_max_float",
        [(3, 7, 5)],
        lambda x: graph.ArgMaxOp(x, 1).output,
        arg(np.argmax, 1),
    ),
    Case("cumsum", [(3, 7)], lambda x: graph.CumSumOp(x, 1).output, cumsum(1)),
    Case(
        "cumsum_exclusive",
        [(7, 3)],
        lambda x: graph.CumSumOp(x, 0, exclusive=True).output,
        cumsum(0, exclusive=True),
    ),
    Case(
        "cumsum_reverse",
        [(3, 7)],
        lambda x: graph.CumSumOp(x, -1, reverse=True).output,
        cumsum(1, reverse=True),
    ),
    Case(
        "cumsum_exclusive_reverse_i32",
        [(2, 9, 3)],
        lambda x: graph.CumSumOp(x, 1, exclusive=True, reverse=True).output,
        cumsum(1, exclusive=True, reverse=True),
        types=(i32,),
    ),
]


class TestMoreNumbers(CaseTests):
    CASES = MORE_REDUCTIONS
    IN_OTHER_FLOATS = [
        "reduce_min",
        "reduce_l2",
        "reduce_log_sum_exp_large",
        "arg_max_float",
        "cumsum",
    ]
