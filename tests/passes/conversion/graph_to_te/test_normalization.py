"""graph-to-te's softmax and normalizations (passes/conversion/graph_to_te/normalization.py):
the computes each becomes and their numbers against numpy."""

from __future__ import annotations

import numpy as np
from testing_graph_to_te import Case, CaseTests, computes, ops_in
from xdsl.dialects.builtin import TensorType, f32

from ziggurat.dialects import graph
from ziggurat.reference import batch_norm as batch_norm_reference
from ziggurat.reference import layer_norm as layer_norm_reference
from ziggurat.reference import log_softmax as log_softmax_reference
from ziggurat.reference import lrn as lrn_reference
from ziggurat.reference import softmax as softmax_reference


def test_softmax_is_max_exp_sum_divide():
    ops = computes(lambda x: graph.SoftmaxOp(x, 0).output, (7, 13))
    assert [c.compute_name.data for c in ops] == [
        "softmax_max",
        "softmax_exp",
        "softmax_sum",
        "softmax",
    ]
    assert [c.reduce_kind.data for c in (ops[0], ops[2])] == ["max", "sum"]
    assert ops[0].result.type == TensorType(f32, [1, 13])


def test_log_softmax_is_max_sum_of_exponentials_and_the_difference():
    ops = computes(lambda x: graph.LogSoftmaxOp(x, 0).output, (7, 13))
    assert [c.compute_name.data for c in ops] == [
        "log_softmax_max",
        "log_softmax_sum",
        "log_softmax",
    ]
    assert [c.reduce_kind.data for c in ops[:2]] == ["max", "sum"]
    assert ops_in(ops[1], "math.exp") == 1 and ops_in(ops[2], "math.log") == 1


def test_layer_norm_is_a_sum_the_mean_a_sum_of_squares_and_the_result():
    ops = computes(lambda x, s: graph.LayerNormOp(x, s, None, 1).output, (2, 7, 13), (13,))
    assert [c.compute_name.data for c in ops] == [
        "layer_norm_sum",
        "layer_norm_mean",
        "layer_norm_square_sum",
        "layer_norm",
    ]
    assert [c.reduce_extent_values for c in ops] == [[7, 13], [], [7, 13], []]
    assert ops[0].result.type == TensorType(f32, [2, 1, 1])


def test_lrn_is_a_sum_of_squares_over_channels_then_a_division():
    squares, lrn = computes(lambda x: graph.LrnOp(x, 5).output, (1, 7, 3, 3))
    assert squares.reduce_axis_names == ["rc"] and squares.reduce_extent_values == [5]
    assert ops_in(squares, "arith.select") == 1 and ops_in(lrn, "math.powf") == 1


NORMALIZATIONS = [
    # Softmax on several axes.
    Case(
        "softmax_last",
        [(7, 13)],
        lambda x: graph.SoftmaxOp(x, -1).output,
        lambda x: softmax_reference(x, -1),
    ),
    Case(
        "softmax_first",
        [(7, 13)],
        lambda x: graph.SoftmaxOp(x, 0).output,
        lambda x: softmax_reference(x, 0),
    ),
    Case(
        "softmax_middle",
        [(2, 7, 5)],
        lambda x: graph.SoftmaxOp(x, 1).output,
        lambda x: softmax_reference(x, 1),
    ),
    Case(
        "softmax_one",
        [(1,)],
        lambda x: graph.SoftmaxOp(x, 0).output,
        lambda x: softmax_reference(x, 0),
    ),
    Case(
        "log_softmax_last",
        [(7, 13)],
        lambda x: graph.LogSoftmaxOp(x, -1).output,
        lambda x: log_softmax_reference(x, -1),
    ),
    Case(
        "log_softmax_middle",
        [(2, 7, 5)],
        lambda x: graph.LogSoftmaxOp(x, 1).output,
        lambda x: log_softmax_reference(x, 1),
    ),
    Case(
        "log_softmax_one",
        [(1,)],
        lambda x: graph.LogSoftmaxOp(x, 0).output,
        lambda x: log_softmax_reference(x, 0),
    ),
    # Normalization.
    Case(
        "lrn",
        [(2, 7, 5, 3)],
        lambda x: graph.LrnOp(x, 3).output,
        lambda x: lrn_reference(x, 3),
    ),
    Case(
        "lrn_even_size",
        [(1, 13, 2, 2)],
        lambda x: graph.LrnOp(x, 4, 1e-2, 0.5, 2.0).output,
        lambda x: lrn_reference(x, 4, 1e-2, 0.5, 2.0),
    ),
    Case(
        "lrn_wider_than_the_channels",
        [(1, 5, 3, 3)],
        lambda x: graph.LrnOp(x, 7, 0.5, 0.75, 1.0).output,
        lambda x: lrn_reference(x, 7, 0.5, 0.75, 1.0),
    ),
    Case(
        "lrn_size_one",
        [(1, 7, 1, 1)],
        lambda x: graph.LrnOp(x, 1, 1.0, 1.0, 1.0).output,
        lambda x: x / (1 + x * x),
    ),
    Case(
        "batch_norm",
        [(2, 3, 7, 7), (3,), (3,), (3,), (3,)],
        lambda *v: graph.BatchNormOp(*v, epsilon=1e-3).output,
        lambda *v: batch_norm_reference(*v, epsilon=1e-3),
        positive=True,
    ),
    Case(
        "batch_norm_rank2",
        [(7, 13), (13,), (13,), (13,), (13,)],
        lambda *v: graph.BatchNormOp(*v).output,
        batch_norm_reference,
        positive=True,
    ),
    Case(
        "layer_norm_last_axis",
        [(7, 13), (13,), (13,)],
        lambda x, s, b: graph.LayerNormOp(x, s, b, -1).output,
        layer_norm_reference,
    ),
    Case(
        "layer_norm_two_axes_no_bias",
        [(2, 7, 13), (13,)],
        lambda x, s: graph.LayerNormOp(x, s, None, 1, 1e-3).output,
        lambda x, s: layer_norm_reference(x, s, axis=1, epsilon=1e-3),
    ),
    Case(
        "layer_norm_every_axis",
        [(7, 13), (7, 13), (1,)],
        lambda x, s, b: graph.LayerNormOp(x, s, b, 0).output,
        lambda x, s, b: layer_norm_reference(x, s, b, axis=0),
    ),
]


class TestNumbers(CaseTests):
    CASES = NORMALIZATIONS
    IN_OTHER_FLOATS = [
        "softmax_middle",
        "log_softmax_middle",
        "batch_norm",
        "layer_norm_two_axes_no_bias",
        "lrn_even_size",
    ]


# RMS norms, and layer norms with a scale per channel (instance norms; issue 12) -------------


def rms_norm(x: np.ndarray, scale: np.ndarray, axis: int, epsilon: float) -> np.ndarray:
    axes = tuple(range(axis % x.ndim, x.ndim))
    return x / np.sqrt((x * x).mean(axis=axes, keepdims=True) + epsilon) * scale


MORE_NORMALIZATIONS = [
    Case(
        "rms_norm",
        [(3, 7, 13), (13,)],
        lambda x, s: graph.RmsNormOp(x, s, axis=-1, epsilon=1e-3).output,
        lambda x, s: rms_norm(x, s, -1, 1e-3),
    ),
    Case(
        "rms_norm_two_axes",
        [(3, 7, 13), (7, 1)],
        lambda x, s: graph.RmsNormOp(x, s, axis=1).output,
        lambda x, s: rms_norm(x, s, 1, 1e-5),
    ),
    Case(
        "instance_norm",
        [(2, 3, 5, 7), (3, 1, 1), (3, 1, 1)],
        lambda x, s, b: graph.LayerNormOp(x, s, b, axis=2, epsilon=1e-4).output,
        lambda x, s, b: layer_norm_reference(x, s, b, axis=2, epsilon=1e-4),
    ),
]


class TestMoreNumbers(CaseTests):
    CASES = MORE_NORMALIZATIONS
    IN_OTHER_FLOATS = ["rms_norm", "instance_norm"]


def group_norm(x, scale, bias, groups, epsilon=1e-5):
    grouped = x.reshape(x.shape[0], groups, -1)
    mean = grouped.mean(axis=2, keepdims=True)
    variance = ((grouped - mean) ** 2).mean(axis=2, keepdims=True)
    normalized = ((grouped - mean) / np.sqrt(variance + epsilon)).reshape(x.shape)
    channel = (1, -1) + (1,) * (x.ndim - 2)
    return normalized * scale.reshape(channel) + bias.reshape(channel)


GROUP_NORMALIZATIONS = [
    Case(
        "group_norm",
        [(2, 6, 5, 3), (6,), (6,)],
        lambda x, s, b: graph.GroupNormOp(x, s, b, 3, epsilon=1e-3).output,
        lambda x, s, b: group_norm(x, s, b, 3, 1e-3),
    ),
    Case(
        "group_norm_rank3_one_group",
        [(3, 4, 7), (4,), (4,)],
        lambda x, s, b: graph.GroupNormOp(x, s, b, 1).output,
        lambda x, s, b: group_norm(x, s, b, 1),
    ),
]


class TestGroupNumbers(CaseTests):
    CASES = GROUP_NORMALIZATIONS
    IN_OTHER_FLOATS = ["group_norm"]


def test_group_norm_is_one_reduction_pair_per_item_and_group():
    computes_ = computes(
        lambda x, s, b: graph.GroupNormOp(x, s, b, 3).output, (2, 6, 5, 3), (6,), (6,)
    )
    assert [c.compute_name.data for c in computes_] == [
        "group_norm_sum",
        "group_norm_mean",
        "group_norm_square_sum",
        "group_norm",
    ]
    assert computes_[0].result.type.get_shape() == (2, 3)
    assert computes_[0].reduce_extent_values == [2, 5, 3]
