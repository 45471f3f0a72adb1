"""graph-to-te's masked_softmax (passes/conversion/graph_to_te/attention.py): softmax, and
zeros for a slice that is -inf everywhere, against numpy."""

from __future__ import annotations

import numpy as np
from testing_graph_to_te import Case, CaseTests, constant_like

from ziggurat.dialects import graph


def masked(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """x with -inf where `rows` (broadcast to it) is true."""
    return np.where(rows, -np.inf, x)


def expected(x: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - np.where(np.isneginf(top), 0, top))
    total = e.sum(axis=axis, keepdims=True)
    return np.where(total == 0, 0.0, e / np.where(total == 0, 1, total))


def with_masked_rows(x, rows):
    """`x` plus a constant bias of -inf on the rows `rows` marks (and 0 elsewhere)."""
    bias = constant_like(x, np.where(rows, -np.inf, 0.0).reshape(-1).tolist(), rows.shape)
    return graph.AddOp(x, bias).output


ROWS = np.array([[False], [True], [False]])  # the second of three rows masked
SLICES = np.zeros((2, 1, 5), bool)
SLICES[1, 0, 3] = True

SOFTMAXES = [
    Case(
        "last_axis_one_row_masked",
        [(3, 7)],
        lambda x: graph.MaskedSoftmaxOp(with_masked_rows(x, ROWS), -1).output,
        lambda x: expected(masked(x, ROWS), -1),
    ),
    Case(
        "middle_axis",
        [(2, 4, 5)],
        lambda x: graph.MaskedSoftmaxOp(with_masked_rows(x, SLICES), 1).output,
        lambda x: expected(masked(x, SLICES), 1),
    ),
    Case(
        "nothing_masked",
        [(4, 9)],
        lambda x: graph.MaskedSoftmaxOp(x, -1).output,
        lambda x: expected(x, -1),
    ),
]


class TestNumbers(CaseTests):
    CASES = SOFTMAXES
    IN_OTHER_FLOATS = ["last_axis_one_row_masked"]
