"""alter-conv-layout: convolutions run blocked, chains stay blocked, and the numbers are
numpy's; the layout ops lower to te and compute what the numpy reference does."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.passes.graph.alter_conv_layout import AlterConvLayout
from ziggurat.reference import evaluate, layout_transform
from ziggurat.registry import make_context


def altered(text: str, block: int = 8) -> tuple[ModuleOp, ModuleOp]:
    original = parse_module(text)
    module = original.clone()
    AlterConvLayout(block=block).apply(make_context(), module)
    verify_module(module)
    return original, module


def random_inputs(module: ModuleOp, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    main = next(f for f in module.ops if isinstance(f, func.FuncOp))
    return [
        (0.5 * rng.standard_normal(tuple(t.get_shape()))).astype(np.float32)
        for t in main.function_type.inputs
    ]


def count(module: ModuleOp, kind: type) -> int:
    return sum(isinstance(op, kind) for op in module.walk())


RESNET_BLOCK = """
func.func @main(%x: tensor<1x6x11x9xf32>, %w1: tensor<12x6x3x3xf32>, %b1: tensor<12xf32>,
                %w2: tensor<12x12x3x3xf32>, %s: tensor<12x1x1xf32>, %fc: tensor<5x48xf32>)
    -> (tensor<1x5xf32>, tensor<1x12x6x5xf32>) {
  %c = graph.constant dense<0.25> : tensor<12x1x1xf32>
  %y1 = graph.conv2d %x, %w1, %b1 strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x6x11x9xf32>, tensor<12x6x3x3xf32>, tensor<12xf32>) -> tensor<1x12x6x5xf32>
  %r1 = graph.relu %y1 : tensor<1x12x6x5xf32>
  %y2 = graph.conv2d %r1, %w2 padding [2, 2, 2, 2] dilation [2, 2] : (tensor<1x12x6x5xf32>, tensor<12x12x3x3xf32>) -> tensor<1x12x6x5xf32>
  %a2 = graph.add %y2, %c : (tensor<1x12x6x5xf32>, tensor<12x1x1xf32>) -> tensor<1x12x6x5xf32>
  %m2 = graph.mul %a2, %s : (tensor<1x12x6x5xf32>, tensor<12x1x1xf32>) -> tensor<1x12x6x5xf32>
  %sum = graph.add %m2, %r1 : (tensor<1x12x6x5xf32>, tensor<1x12x6x5xf32>) -> tensor<1x12x6x5xf32>
  %t = graph.tanh %sum : tensor<1x12x6x5xf32>
  %p = graph.max_pool2d %t kernel [3, 3] strides [2, 2] : (tensor<1x12x6x5xf32>) -> tensor<1x12x2x2xf32>
  %f = graph.flatten %p axis 1 : (tensor<1x12x2x2xf32>) -> tensor<1x48xf32>
  %d = graph.dense %f, %fc trans_b : (tensor<1x48xf32>, tensor<5x48xf32>) -> tensor<1x5xf32>
  func.return %d, %t : tensor<1x5xf32>, tensor<1x12x6x5xf32>
}
"""


@pytest.mark.parametrize("block", [4, 8])
def test_a_blocked_network_computes_what_the_original_does(block):
    original, module = altered(RESNET_BLOCK, block)
    assert count(module, graph.Conv2dOp) == 0
    assert count(module, graph.Conv2dNchwcOp) == 2
    inputs = random_inputs(original)
    expected = evaluate(original, "main", inputs)
    for actual, reference in zip(evaluate(module, "main", inputs), expected, strict=True):
        np.testing.assert_allclose(actual, reference, rtol=1e-5, atol=1e-5)
    for fuse in (True, False):
        compiled = ziggurat.compile(module, fuse=fuse)
        for actual, reference in zip(compiled(*inputs), expected, strict=True):
            np.testing.assert_allclose(actual, reference, rtol=1e-4, atol=1e-4)


def test_the_chain_stays_blocked_between_its_convolutions():
    _, module = altered(RESNET_BLOCK, 4)
    transforms = [op for op in module.walk() if isinstance(op, graph.LayoutTransformOp)]
    # In: x (6 channels: blocks of 3), the two weight arguments and %s (it broadcasts
    # over H and W only); out: the sum once, before the pool. The bias is reshaped.
    layouts = sorted((op.src_layout.data, op.dst_layout.data) for op in transforms)
    assert layouts == [
        ("NCHW", "NCHW3c"),
        ("NCHW", "NCHW4c"),
        ("NCHW4c", "NCHW"),
        ("OIHW", "OIHW3i4o"),
        ("OIHW", "OIHW4i4o"),
    ]


def test_constant_weights_are_stored_blocked():
    text = RESNET_BLOCK.replace("%w2: tensor<12x12x3x3xf32>, ", "").replace(
        "%c = graph.constant dense<0.25> : tensor<12x1x1xf32>",
        "%c = graph.constant dense<0.25> : tensor<12x1x1xf32>\n"
        "  %w2 = graph.constant dense<0.125> : tensor<12x12x3x3xf32>",
    )
    original, module = altered(text, 4)
    weight_transforms = [
        op
        for op in module.walk()
        if isinstance(op, graph.LayoutTransformOp) and op.src_layout.data == "OIHW"
    ]
    assert len(weight_transforms) == 1  # only the argument w1
    inputs = random_inputs(original, seed=3)
    expected = evaluate(original, "main", inputs)
    for actual, reference in zip(ziggurat.compile(module)(*inputs), expected, strict=True):
        np.testing.assert_allclose(actual, reference, rtol=1e-4, atol=1e-4)


TRANSFORMS = [
    ((2, 16, 3, 5), "NCHW", "NCHW8c"),
    ((2, 2, 3, 5, 8), "NCHW8c", "NCHW"),
    ((2, 2, 3, 5, 8), "NCHW8c", "NCHW4c"),
    ((2, 2, 3, 5, 8), "NCHW8c", "NHWC"),
    ((8, 12, 3, 3), "OIHW", "OIHW4i2o"),
    ((4, 8, 5), "ABC", "CA2aB4b"),
]


@pytest.mark.parametrize(("shape", "source", "target"), TRANSFORMS)
def test_layout_transforms_compute_what_numpy_does(shape, source, target):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    expected = layout_transform(x, source, target)
    assert (layout_transform(expected, target, source) == x).all()
    element = f"tensor<{'x'.join(map(str, shape))}xf32>"
    result = f"tensor<{'x'.join(map(str, expected.shape))}xf32>"
    text = f"""
func.func @main(%x: {element}) -> {result} {{
  %y = graph.layout_transform %x from "{source}" to "{target}" : ({element}) -> {result}
  func.return %y : {result}
}}"""
    (actual,) = ziggurat.compile(text)(x)
    np.testing.assert_array_equal(actual, expected)


def test_numpy_layout_transform_moves_each_element_where_the_layout_says():
    x = np.arange(2 * 16 * 3 * 5).reshape(2, 16, 3, 5)
    blocked = layout_transform(x, "NCHW", "NCHW8c")
    assert blocked[1, 1, 2, 4, 3] == x[1, 11, 2, 4]
    w = np.arange(8 * 16 * 3 * 3).reshape(8, 16, 3, 3)
    assert layout_transform(w, "OIHW", "OIHW8i4o")[1, 1, 2, 0, 5, 3] == w[7, 13, 2, 0]
    # An axis of extent 1 splits into blocks of 1: a broadcasting operand still broadcasts.
    assert layout_transform(np.ones((1, 1, 1, 5)), "NCHW", "NCHW8c").shape == (1, 1, 1, 5, 1)


def test_a_block_below_one_is_an_error():
    with pytest.raises(ZigguratError, match="needs a block of 1 or more, got 0"):
        altered(RESNET_BLOCK, 0)


def test_negative_selections_are_an_error():
    module = parse_module(RESNET_BLOCK)
    with pytest.raises(ZigguratError, match="most-pixels and least-channels of 0 or more"):
        AlterConvLayout(block=8, least_channels=-1).apply(make_context(), module)


def test_only_the_selected_convolutions_run_blocked():
    # 6 -> 12 on 6x5 (30 pixels), then 12 -> 12: at least 12 channels leaves the first.
    _, module = altered(RESNET_BLOCK)
    assert count(module, graph.Conv2dNchwcOp) == 2
    selected = parse_module(RESNET_BLOCK)
    AlterConvLayout(block=4, most_pixels=30, least_channels=12).apply(make_context(), selected)
    assert (count(selected, graph.Conv2dNchwcOp), count(selected, graph.Conv2dOp)) == (1, 1)
    AlterConvLayout(block=4, most_pixels=29).apply(make_context(), selected)
    assert count(selected, graph.Conv2dNchwcOp) == 1


def test_whole_blocks_leave_ragged_channels_as_they_are():
    # 6 input channels are not blocks of 4; 12 are.
    module = parse_module(RESNET_BLOCK)
    AlterConvLayout(block=4, whole_blocks=True).apply(make_context(), module)
    assert (count(module, graph.Conv2dNchwcOp), count(module, graph.Conv2dOp)) == (1, 1)
