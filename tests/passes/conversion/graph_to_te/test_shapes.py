"""graph-to-te's data movement (passes/conversion/graph_to_te/shapes.py): reshape and
flatten, transpose, slice, concat, split, gather and pad."""

from __future__ import annotations

import numpy as np
import pytest
from testing_graph_to_te import Case, CaseTests, computes, define, lower, ops_in
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f32, i1, i32, i64

from ziggurat.dialects import graph
from ziggurat.dialects.te import ReadOp, compute_ops
from ziggurat.passes.conversion.graph_to_te.shapes import reassociation
from ziggurat.reference import gather as gather_reference


def test_reshape_linearizes_and_delinearizes():
    (reshape,) = computes(lambda x: graph.ReshapeOp(x, [6, 4]).output, (2, 3, 4))
    assert reshape.compute_name.data == "reshape"
    assert ops_in(reshape, "arith.divui") >= 1 and ops_in(reshape, "arith.remui") >= 1


@pytest.mark.parametrize(
    "source, target, groups",
    [
        (
            (1, 232, 14, 14),
            (1, 2, 116, 14, 14),
            [([0], [0]), ([1], [1, 2]), ([2], [3]), ([3], [4])],
        ),
        ((2, 3, 4), (4, 6), [([0, 1, 2], [0, 1])]),
        ((1, 12), (12,), [([0, 1], [0])]),
        ((12, 1), (12,), [([0], [0]), ([1], [])]),
        ((6, 0), (0, 3), [([0, 1], [0, 1])]),  # nothing to read: one group
    ],
)
def test_a_reshape_maps_groups_of_dimensions(source, target, groups):
    assert [([*a], [*b]) for a, b in reassociation(source, target)] == groups


def test_split_is_one_compute_per_piece_read_at_its_offset():
    module = lower(define("f", [(7, 13)], lambda x: graph.SplitOp(x, 1, [2, 10, 1]).outputs))
    pieces = compute_ops(module)
    assert [c.result.type for c in pieces] == [TensorType(f32, (7, n)) for n in (2, 10, 1)]
    (ret,) = [op for op in module.walk() if isinstance(op, func.ReturnOp)]
    assert list(ret.arguments) == [c.result for c in pieces]
    assert [ops_in(c, "arith.addi") for c in pieces] == [0, 1, 1]


def test_gather_reads_the_index_then_the_data_at_it_clamped():
    function = define(
        "f", [(5, 3), (2,)], lambda d, i: graph.GatherOp(d, i, 0).output, types=(f32, i64)
    )
    (gather,) = compute_ops(lower(function))
    index_read, data_read = [op for op in gather.body.walk() if isinstance(op, ReadOp)]
    assert index_read.tensor is gather.inputs[1] and data_read.tensor is gather.inputs[0]
    assert ops_in(gather, "arith.index_cast") == 1
    assert ops_in(gather, "arith.minsi") == 1 and ops_in(gather, "arith.maxsi") == 1


DATA_MOVEMENT = [
    Case(
        "reshape",
        [(7, 13)],
        lambda x: graph.ReshapeOp(x, [13, 7]).output,
        lambda x: x.reshape(13, 7),
    ),
    Case(
        "reshape_rank3",
        [(2, 3, 4)],
        lambda x: graph.ReshapeOp(x, [4, -1]).output,
        lambda x: x.reshape(4, 6),
    ),
    Case(
        "reshape_ones",
        [(1, 3, 1, 5)],
        lambda x: graph.ReshapeOp(x, [15]).output,
        lambda x: x.reshape(15),
    ),
    Case(
        "transpose",
        [(2, 3, 5)],
        lambda x: graph.TransposeOp(x, [2, 0, 1]).output,
        lambda x: x.transpose(2, 0, 1),
    ),
    Case(
        "transpose_matrix", [(7, 13)], lambda x: graph.TransposeOp(x, [1, 0]).output, lambda x: x.T
    ),
    Case(
        "slice_strided_backwards",
        [(3, 7, 9)],
        lambda x: graph.SliceOp(x, [1, 6, 0], [2, 3, 5], [1, -2, 2]).output,
        lambda x: x[1:3, 6:0:-2, 0::2],
    ),
    Case(
        "flatten_0",
        [(2, 3, 4, 5)],
        lambda x: graph.FlattenOp(x, 0).output,
        lambda x: x.reshape(1, -1),
    ),
    Case(
        "flatten_2",
        [(2, 3, 4, 5)],
        lambda x: graph.FlattenOp(x, 2).output,
        lambda x: x.reshape(6, 20),
    ),
    Case(
        "flatten_last",
        [(2, 3, 4, 5)],
        lambda x: graph.FlattenOp(x, -1).output,
        lambda x: x.reshape(24, 5),
    ),
    Case(
        "concat_three",
        [(2, 1, 5), (2, 3, 5), (2, 7, 5)],
        lambda *v: graph.ConcatOp(v, 1).output,
        lambda *v: np.concatenate(v, axis=1),
    ),
    Case(
        "concat_first_axis",
        [(1, 13), (7, 13)],
        lambda *v: graph.ConcatOp(v, 0).output,
        lambda *v: np.concatenate(v, axis=0),
    ),
    Case("concat_one", [(7,)], lambda x: graph.ConcatOp([x], 0).output, lambda x: x),
    Case(
        "concat_i64",
        [(2, 3), (2, 1)],
        lambda *v: graph.ConcatOp(v, -1).output,
        lambda *v: np.concatenate(v, axis=-1),
        types=(i64, i64),
        integers=(-(2**40), 2**40),
    ),
    Case(
        "transpose_reshape_i32",
        [(7, 13)],
        lambda x: graph.ReshapeOp(graph.TransposeOp(x, [1, 0]).output, [-1]).output,
        lambda x: x.T.reshape(-1),
        types=(i32,),
        integers=(-100, 100),
    ),
    Case(
        "split_three",
        [(7, 13)],
        lambda x: graph.SplitOp(x, 1, [2, 10, 1]).outputs,
        lambda x: np.split(x, [2, 12], axis=1),
    ),
    Case(
        "split_negative_axis",
        [(13, 2, 7)],
        lambda x: graph.SplitOp(x, -3, [6, 7]).outputs,
        lambda x: np.split(x, [6], axis=0),
    ),
    Case("split_one", [(1,)], lambda x: graph.SplitOp(x, 0, [1]).outputs, lambda x: [x]),
    Case(
        "split_i64",
        [(7, 5)],
        lambda x: graph.SplitOp(x, 0, [3, 4]).outputs,
        lambda x: np.split(x, [3], axis=0),
        types=(i64,),
        integers=(-(2**40), 2**40),
    ),
    Case(
        "gather_first_axis",
        [(7, 13), (5,)],
        lambda d, i: graph.GatherOp(d, i, 0).output,
        lambda d, i: np.take(d, i, axis=0),
        types=(f32, i64),
        integers=(-7, 7),
    ),
    Case(
        "gather_matrix_of_indices",
        [(2, 13, 7), (3, 4)],
        lambda d, i: graph.GatherOp(d, i, 1).output,
        lambda d, i: np.take(d, i, axis=1),
        types=(f32, i32),
        integers=(-13, 13),
    ),
    Case(
        "gather_scalar_index",
        [(7, 13), ()],
        lambda d, i: graph.GatherOp(d, i, -1).output,
        lambda d, i: np.take(d, i, axis=-1),
        types=(f32, i64),
        integers=(-13, 0),
    ),
    Case(
        "gather_out_of_range_clamps",
        [(7,), (13,)],
        lambda d, i: graph.GatherOp(d, i, 0).output,
        lambda d, i: gather_reference(d, i, 0),
        types=(f32, i32),
        integers=(-10, 10),
    ),
    Case(
        "gather_i64_data",
        [(5, 1), (4,)],
        lambda d, i: graph.GatherOp(d, i, 0).output,
        lambda d, i: np.take(d, i, axis=0),
        types=(i64, i64),
        integers=(-5, 5),
    ),
    Case(
        "pad_constant",
        [(7, 13)],
        lambda x: graph.PadOp(x, [1, 0, 2, 3], 0.5).output,
        lambda x: np.pad(x, ((1, 2), (0, 3)), constant_values=0.5),
    ),
    Case(
        "pad_reflect",
        [(7, 13)],
        lambda x: graph.PadOp(x, [2, 12, 6, 3], mode="reflect").output,
        lambda x: np.pad(x, ((2, 6), (12, 3)), mode="reflect"),
    ),
    Case(
        "pad_reflect_past_the_edge",
        [(3, 1, 2)],
        lambda x: graph.PadOp(x, [4, 2, 0, 7, 1, 3], mode="reflect").output,
        lambda x: np.pad(x, ((4, 7), (2, 1), (0, 3)), mode="reflect"),
    ),
    Case(
        "pad_edge",
        [(1, 7, 13)],
        lambda x: graph.PadOp(x, [1, 2, 0, 0, 3, 1], mode="edge").output,
        lambda x: np.pad(x, ((1, 0), (2, 3), (0, 1)), mode="edge"),
    ),
    Case(
        "pad_wrap",
        [(7, 3)],
        lambda x: graph.PadOp(x, [0, 4, 9, 5], mode="wrap").output,
        lambda x: np.pad(x, ((0, 9), (4, 5)), mode="wrap"),
    ),
    Case(
        "pad_i64",
        [(7,)],
        lambda x: graph.PadOp(x, [2, 3], 9.0).output,
        lambda x: np.pad(x, (2, 3), constant_values=9),
        types=(i64,),
    ),
]


class TestNumbers(CaseTests):
    CASES = DATA_MOVEMENT
    IN_OTHER_FLOATS = [
        "reshape_rank3",
        "transpose",
        "flatten_2",
        "concat_three",
        "split_three",
        "gather_matrix_of_indices",
        "pad_reflect_past_the_edge",
        "pad_constant",
    ]


# Broadcasting and tiling (issue 12) -----------------------------------------------------------

BROADCASTS = [
    Case(
        "broadcast_to",
        [(3, 1)],
        lambda x: graph.BroadcastToOp(x, [2, 3, 5]).output,
        lambda x: np.broadcast_to(x, (2, 3, 5)),
    ),
    Case(
        "broadcast_to_i1",
        [(1, 7)],
        lambda x: graph.BroadcastToOp(x, [3, 7]).output,
        lambda x: np.broadcast_to(x, (3, 7)),
        types=(i1,),
        integers=(0, 2),
    ),
    Case(
        "tile",
        [(3, 5)],
        lambda x: graph.TileOp(x, [2, 3]).output,
        lambda x: np.tile(x, (2, 3)),
    ),
    Case(
        "tile_ui8_with_zero",
        [(3, 5)],
        lambda x: graph.TileOp(x, [1, 0]).output,
        lambda x: np.tile(x, (1, 0)),
        types=(IntegerType(8, Signedness.UNSIGNED),),
        integers=(0, 256),
    ),
]


class TestBroadcastNumbers(CaseTests):
    CASES = BROADCASTS
    IN_OTHER_FLOATS = ["tile"]
