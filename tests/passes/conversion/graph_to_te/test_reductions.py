"""graph-to-te's reductions (passes/conversion/graph_to_te/reductions.py): sums, means
and maxima over axes against numpy."""

from __future__ import annotations

from testing_graph_to_te import Case, CaseTests

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
