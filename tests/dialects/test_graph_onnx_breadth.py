"""The graph ops of issue 12's sections of dialects/graph.py (indexing and rearranging,
einsum, conv2d_transpose, resize, quantization, masked_softmax): the types they infer, their
pattern kinds, and what their verifiers reject when they are built."""

from __future__ import annotations

import re

import pytest
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f16, f32, i8, i16, i32, i64
from xdsl.ir import Block
from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects import graph
from ziggurat.dialects.graph import Equation, PatternKind, pattern_kind

ui8 = IntegerType(8, Signedness.UNSIGNED)


def block(*shapes: tuple[int, ...], element=f32) -> list:
    return list(Block(arg_types=[TensorType(element, s) for s in shapes]).args)


def check(op, shape, kind: PatternKind, element=f32):
    assert op.results[0].type == TensorType(element, shape)
    assert pattern_kind(op) is kind
    op.verify()


def test_ops_infer_their_result_types_and_declare_their_pattern_kinds():
    data, x, cube = block((5, 7), (2, 12, 3, 4), (2, 3, 4))
    (indices, tuples, depth_one) = block((5, 3), (6, 2), (2, 1), element=i64)
    (values, wide_scale) = block((2,), (4,))
    injective = PatternKind.INJECTIVE
    check(graph.GatherElementsOp(data, indices, 1), (5, 3), injective)
    check(graph.GatherNdOp(data, tuples), (6,), injective)
    check(graph.GatherNdOp(cube, depth_one, 1), (2, 4), injective)
    updates, nd_updates = block((5, 3), (6,))
    check(graph.ScatterElementsOp(data, indices, updates, 1, "mul"), (5, 7), PatternKind.OPAQUE)
    check(graph.ScatterNdOp(data, tuples, nd_updates, "max"), (5, 7), PatternKind.OPAQUE)
    check(graph.OneHotOp(indices, values, 4, 1), (5, 4, 3), injective)
    check(graph.TriluOp(cube, False, -1), (2, 3, 4), injective)
    check(graph.DepthToSpaceOp(x, 2, "CRD"), (2, 3, 6, 8), injective)
    (image,) = block((2, 3, 4, 6))
    check(graph.SpaceToDepthOp(image, 2), (2, 12, 2, 3), injective)
    out = PatternKind.OUT_ELEMENTWISE_FUSABLE
    check(graph.EinsumOp([cube, cube], "...ij,...kj"), (2, 3, 3), out)
    (weight,) = block((12, 2, 3, 2))
    check(graph.Conv2dTransposeOp(x, weight, None, (2, 3), groups=3), (2, 6, 7, 11), out)
    resize = graph.ResizeOp(x, (2, 12, 6, 2), (1, 1, 2, 0.5), "cubic")
    check(resize, (2, 12, 6, 2), injective)
    (scale,) = block(())
    quantized = graph.QuantizeLinearOp(x, scale, None, ui8)
    check(quantized, (2, 12, 3, 4), PatternKind.BROADCAST, element=ui8)
    check(
        graph.DequantizeLinearOp(quantized.output, scale, None, f16),
        (2, 12, 3, 4),
        PatternKind.BROADCAST,
        element=f16,
    )
    check(
        graph.QuantizeLinearOp(x, wide_scale, None, i16, axis=-1),
        (2, 12, 3, 4),
        PatternKind.BROADCAST,
        element=i16,
    )
    check(graph.MaskedSoftmaxOp(cube, 1), (2, 3, 4), PatternKind.OPAQUE)


@pytest.mark.parametrize(
    "equation, shapes, operands, output",
    [
        ("ij,jk", [(2, 3), (3, 4)], ("ij", "jk"), "ik"),
        ("...ii->...i", [(3, 5, 5)], ("0ii",), "0i"),
        ("b...,b...->b...", [(2, 3, 1), (2, 5)], ("b01", "b1"), "b01"),
        ("Ba,aB", [(3, 4), (4, 3)], ("Ba", "aB"), ""),
        ("i, i ->", [(3,), (3,)], ("i", "i"), ""),
    ],
)
def test_equations_spell_out_ellipses_and_implicit_outputs(equation, shapes, operands, output):
    parsed = Equation.parse(equation, shapes)
    assert parsed.operands == operands and parsed.output == output


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda d, i: graph.GatherElementsOp(d, block((5, 3), element=i8)[0], 1),
            "graph.gather_elements needs i32 or i64 indices",
        ),
        (
            lambda d, i: graph.ScatterNdOp(
                d, block((2, 3), element=i64)[0], block((2,))[0]
            ).verify(),
            "index tuples of 3 elements do not index 2 dimensions",
        ),
        (lambda d, i: graph.OneHotOp(i, block((3,))[0], 4), "values must be [off, on]"),
        (lambda d, i: graph.OneHotOp(i, block((2,))[0], 0), "depth must be positive"),
        (lambda d, i: graph.EinsumOp([d], "ij->ji->i"), "is malformed"),
        (
            lambda d, i: graph.QuantizeLinearOp(d, block((5,))[0], None, i32).verify(),
            "a per-axis scale of axis 1 must have shape (7,)",
        ),
        (
            lambda d, i: graph.QuantizeLinearOp(d, block(())[0], None, i64).verify(),
            "the result must hold 8-, 16- or 32-bit integers, got i64",
        ),
        (
            lambda d, i: graph.ResizeOp(d, (10, 14), (2, 2), "area").verify(),
            "unknown mode 'area'",
        ),
    ],
    ids=["index_type", "tuple_depth", "values", "depth", "equation", "scale", "width", "mode"],
)
def test_building_an_invalid_op_raises(build, message):
    data, indices = block((5, 7)), block((5, 3), element=i64)
    with pytest.raises(VerifyException, match=re.escape(message)):
        build(data[0], indices[0])
