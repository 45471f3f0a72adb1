"""The layout section of the graph dialect: layout strings, graph.layout_transform and
graph.conv2d_nchwc built, verified, rejected and round-tripped."""

from __future__ import annotations

import pytest
from xdsl.dialects.builtin import TensorType, f32
from xdsl.ir import Block
from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects import graph
from ziggurat.dialects.graph import Layout, PatternKind, pattern_kind
from ziggurat.ir_io import parse_module, print_module, verify_module


def values(*shapes: tuple[int, ...]):
    return Block(arg_types=[TensorType(f32, s) for s in shapes]).args


@pytest.mark.parametrize("text", ["NCHW", "NCHW8c", "OIHW8i4o", "NC16cHW", "NHWC"])
def test_layouts_parse_and_print_back(text):
    assert str(Layout.parse(text)) == text


@pytest.mark.parametrize("text", ["nchw", "NCHW8C", "NCHW8", "NCHW8c8c", "NCHW8d", "NCCHW", "8"])
def test_malformed_layouts_are_rejected(text):
    with pytest.raises(VerifyException, match="invalid layout"):
        Layout.parse(text)


def test_a_layout_knows_its_axes_blocks_and_shapes():
    layout = Layout.parse("OIHW8i4o")
    assert layout.primal == ("O", "I", "H", "W")
    assert (layout.factor("I"), layout.factor("O"), layout.factor("H")) == (8, 4, 1)
    extents = layout.extents((2, 3, 5, 5, 8, 4))
    assert extents == {"O": 8, "I": 24, "H": 5, "W": 5}
    assert Layout.parse("OIHW").shape(extents) == (8, 24, 5, 5)


def test_layout_transform_infers_the_blocked_shape():
    (x,) = values((1, 16, 5, 7))
    op = graph.LayoutTransformOp(x, "NCHW", "NCHW8c")
    assert op.output.type == TensorType(f32, (1, 2, 5, 7, 8))
    assert pattern_kind(op) == PatternKind.INJECTIVE
    back = graph.LayoutTransformOp(op.output, "NCHW8c", "NHWC")
    assert back.output.type == TensorType(f32, (1, 5, 7, 16))


def test_layout_transform_rejects_what_does_not_split():
    (x,) = values((1, 12, 5, 7))
    with pytest.raises(VerifyException, match="does not split into blocks of 8"):
        graph.LayoutTransformOp(x, "NCHW", "NCHW8c")
    with pytest.raises(VerifyException, match="needs rank 5"):
        graph.LayoutTransformOp(x, "NCHW4c", "NCHW")


def test_conv2d_nchwc_infers_its_output_and_is_out_elementwise_fusable():
    x, w, b = values((1, 2, 9, 9, 8), (3, 2, 3, 3, 8, 4), (3, 4))
    op = graph.Conv2dNchwcOp(x, w, b, strides=(2, 2), padding=(1, 1, 1, 1))
    assert op.output.type == TensorType(f32, (1, 3, 5, 5, 4))
    assert pattern_kind(op) == PatternKind.OUT_ELEMENTWISE_FUSABLE


def test_conv2d_nchwc_rejects_mismatched_blocks():
    x, w = values((1, 2, 9, 9, 8), (3, 4, 3, 3, 4, 4))
    with pytest.raises(VerifyException, match="does not take the input's 2 blocks of 8"):
        graph.Conv2dNchwcOp(x, w)


TEXT = """
func.func @f(%x: tensor<1x16x5x5xf32>, %w: tensor<2x2x3x3x8x4xf32>) -> tensor<1x8x5x5xf32> {
  %a = graph.layout_transform %x from "NCHW" to "NCHW8c" : (tensor<1x16x5x5xf32>) -> tensor<1x2x5x5x8xf32>
  %y = graph.conv2d_nchwc %a, %w padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x2x5x5x8xf32>, tensor<2x2x3x3x8x4xf32>) -> tensor<1x2x5x5x4xf32>
  %z = graph.layout_transform %y from "NCHW4c" to "NCHW" : (tensor<1x2x5x5x4xf32>) -> tensor<1x8x5x5xf32>
  func.return %z : tensor<1x8x5x5xf32>
}
"""


def test_the_layout_ops_round_trip():
    module = parse_module(TEXT)
    verify_module(module)
    text = print_module(module)
    assert print_module(parse_module(text)) == text
    assert 'from "NCHW" to "NCHW8c"' in text
