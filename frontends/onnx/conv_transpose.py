"""ConvTranspose (1-D and 2-D): its pads from `pads`, `auto_pad` or `output_shape`."""

from __future__ import annotations

from collections.abc import Sequence

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value
from ziggurat.frontends.onnx.windows import (
    lift,
    lift_pads,
    per_axis,
    window_sizes,
    with_height,
    without_height,
)

HANDLERS = Handlers()


def transposed_padding(
    node: Node,
    sizes: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    output_padding: Sequence[int],
) -> list[int]:
    """ONNX pads (every begin, then every end) from `pads`, or from the output shape that
    `output_shape` or `auto_pad` asks for; a negative one extends the output."""
    rank = len(sizes)
    auto_pad = node.string("auto_pad", "NOTSET")
    if auto_pad not in ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"):
        raise node.error(f"auto_pad '{auto_pad}' is not supported")
    pads = node.ints("pads", [0] * 2 * rank)
    assert pads is not None
    shape = node.ints("output_shape")
    if shape is not None:
        shape = shape[-rank:]  # it may list the batch and channel dimensions too
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        shape = [size * stride for size, stride in zip(sizes, strides, strict=True)]
    elif auto_pad == "VALID":
        return [0] * 2 * rank
    else:
        if len(pads) != 2 * rank:
            raise node.error(f"pads needs {2 * rank} values for a {rank}-D window, got {pads}")
        return pads
    if len(shape) != rank:
        raise node.error(f"output_shape needs {rank} values, got {shape}")
    begins, ends = [], []
    for size, k, s, d, extra, wanted in zip(
        sizes, kernel, strides, dilations, output_padding, shape, strict=True
    ):
        total = s * (size - 1) + extra + d * (k - 1) + 1 - wanted
        small, large = total // 2, total - total // 2
        begins.append(small if auto_pad == "SAME_UPPER" else large)
        ends.append(large if auto_pad == "SAME_UPPER" else small)
    return begins + ends


@HANDLERS.handles("ConvTranspose")
def conv_transpose(node: Node) -> list[Value]:
    weight_shape = node.shape(1)
    sizes = window_sizes(node, "transposed convolutions")
    rank = len(sizes)
    if len(weight_shape) != rank + 2:
        raise node.error(f"a {rank}-D convolution needs a {rank + 2}-D weight, got {weight_shape}")
    kernel = node.ints("kernel_shape", weight_shape[2:])
    if list(kernel or ()) != list(weight_shape[2:]):
        raise node.error(f"kernel_shape {kernel} does not match the weight {list(weight_shape)}")
    strides, dilations = per_axis(node, "strides", rank), per_axis(node, "dilations", rank)
    output_padding = node.ints("output_padding", [0] * rank)
    assert output_padding is not None
    if len(output_padding) != rank:
        raise node.error(f"output_padding needs {rank} values, got {output_padding}")
    pads = transposed_padding(node, sizes, weight_shape[2:], strides, dilations, output_padding)
    op = graph.Conv2dTransposeOp(
        with_height(node, node.input(0)),
        with_height(node, node.input(1)),
        node.optional(2),
        strides=lift(strides, 1),
        padding=lift_pads(pads),
        dilation=lift(dilations, 1),
        output_padding=lift(output_padding, 0),
        groups=node.int("group", 1),
    )
    return [without_height(node, node.emit(op), rank)]
