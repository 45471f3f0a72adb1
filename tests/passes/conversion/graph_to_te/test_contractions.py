"""graph-to-te's contractions (passes/conversion/graph_to_te/contractions.py): dense,
matmul and conv2d, their structure and their numbers against numpy."""

from __future__ import annotations

import numpy as np
from testing_graph_to_te import Case, CaseTests, computes, ops_in
from xdsl.dialects import arith

from ziggurat.dialects import graph
from ziggurat.dialects.te import ReadOp
from ziggurat.reference import conv2d as conv2d_reference


def test_conv2d_with_padding_reads_clamped_and_selects_zero():
    (conv,) = computes(
        lambda x, w: graph.Conv2dOp(x, w, padding=[1, 1, 1, 1]).output, (1, 3, 7, 7), (4, 3, 3, 3)
    )
    assert conv.compute_name.data == "conv2d"
    assert conv.axis_names == ["n", "c", "h", "w"]
    assert conv.reduce_axis_names == ["rc", "ry", "rx"]
    assert conv.reduce_extent_values == [3, 3, 3]
    assert conv.reduce_kind.data == "sum"
    # Four bounds tests (top, bottom, left, right), one select, clamped indices.
    assert ops_in(conv, "arith.cmpi") == 4
    assert ops_in(conv, "arith.select") == 1
    assert ops_in(conv, "arith.maxsi") == 2 and ops_in(conv, "arith.minsi") == 2


def test_conv2d_without_padding_reads_directly_and_bias_is_its_own_compute():
    conv, bias = computes(
        lambda x, w, b: graph.Conv2dOp(x, w, b, strides=[2, 2]).output,
        (1, 3, 7, 7),
        (4, 3, 3, 3),
        (4,),
    )
    assert [conv.compute_name.data, bias.compute_name.data] == ["conv2d", "bias_add"]
    assert ops_in(conv, "arith.select") == 0 and ops_in(conv, "arith.cmpi") == 0
    assert bias.inputs[0] is conv.result


def test_grouped_conv2d_offsets_the_input_channel_by_group():
    (conv,) = computes(
        lambda x, w: graph.Conv2dOp(x, w, groups=2).output, (1, 4, 5, 5), (6, 2, 3, 3)
    )
    assert ops_in(conv, "arith.divui") == 1  # the group of the output channel
    assert conv.reduce_extent_values == [2, 3, 3]


def test_matmul_reduces_over_k_and_broadcasts_batches_with_index_zero():
    (matmul,) = computes(lambda a, b: graph.MatmulOp(a, b).output, (1, 7, 3), (5, 3, 13))
    assert matmul.axis_names == ["b0", "i", "j"]
    assert matmul.reduce_axis_names == ["k"]
    a_read = next(op for op in matmul.body.walk() if isinstance(op, ReadOp))
    assert isinstance(a_read.indices[0].owner, arith.ConstantOp)


CONTRACTIONS = [
    # Convolutions.
    Case(
        "conv_plain",
        [(1, 3, 7, 7), (4, 3, 3, 3)],
        lambda x, w: graph.Conv2dOp(x, w).output,
        conv2d_reference,
    ),
    Case(
        "conv_ihwo_weights",
        [(1, 3, 7, 7), (3, 3, 2, 5), (5,)],
        lambda x, w, b: graph.Conv2dOp(x, w, b, [1, 2], [1, 1, 0, 1], weight_layout="IHWO").output,
        lambda x, w, b: conv2d_reference(x, w.transpose(3, 0, 1, 2), b, (1, 2), (1, 1, 0, 1)),
    ),
    Case(
        "conv_stride_pad_dilation_groups",
        [(2, 4, 13, 13), (6, 2, 3, 3), (6,)],
        lambda x, w, b: graph.Conv2dOp(x, w, b, [2, 2], [1, 2, 0, 1], [2, 1], 2).output,
        lambda x, w, b: conv2d_reference(x, w, b, (2, 2), (1, 2, 0, 1), (2, 1), 2),
    ),
    Case(
        "conv_depthwise",
        [(1, 6, 7, 7), (6, 1, 3, 3), (6,)],
        lambda x, w, b: graph.Conv2dOp(x, w, b, padding=[1, 1, 1, 1], groups=6).output,
        lambda x, w, b: conv2d_reference(x, w, b, padding=(1, 1, 1, 1), groups=6),
    ),
    Case(
        "conv_1x1",
        [(1, 5, 1, 1), (7, 5, 1, 1)],
        lambda x, w: graph.Conv2dOp(x, w).output,
        conv2d_reference,
    ),
    Case(
        "conv_stride2_pad",
        [(1, 2, 7, 7), (3, 2, 3, 3)],
        lambda x, w: graph.Conv2dOp(x, w, strides=[2, 2], padding=[1, 1, 1, 1]).output,
        lambda x, w: conv2d_reference(x, w, strides=(2, 2), padding=(1, 1, 1, 1)),
    ),
    # Contractions.
    Case(
        "dense_bias_alpha_beta",
        [(7, 13), (13, 5), (5,)],
        lambda a, b, c: graph.DenseOp(a, b, c, alpha=0.5, beta=2.0).output,
        lambda a, b, c: 0.5 * a @ b + 2.0 * c,
    ),
    Case(
        "dense_transposed",
        [(13, 7), (5, 13), (7, 1)],
        lambda a, b, c: graph.DenseOp(a, b, c, trans_a=True, trans_b=True).output,
        lambda a, b, c: a.T @ b.T + c,
    ),
    Case(
        "dense_one", [(1, 1), (1, 1)], lambda a, b: graph.DenseOp(a, b).output, lambda a, b: a @ b
    ),
    Case("matmul", [(7, 13), (13, 5)], lambda a, b: graph.MatmulOp(a, b).output, np.matmul),
    Case(
        "matmul_batch_broadcast",
        [(5, 1, 7, 3), (4, 3, 13)],
        lambda a, b: graph.MatmulOp(a, b).output,
        np.matmul,
    ),
    Case(
        "matmul_vector_left",
        [(13,), (2, 13, 7)],
        lambda a, b: graph.MatmulOp(a, b).output,
        np.matmul,
    ),
    Case(
        "matmul_vector_right", [(7, 13), (13,)], lambda a, b: graph.MatmulOp(a, b).output, np.matmul
    ),
]


class TestNumbers(CaseTests):
    CASES = CONTRACTIONS
    IN_OTHER_FLOATS = ["conv_stride2_pad", "dense_bias_alpha_beta", "matmul_batch_broadcast"]
