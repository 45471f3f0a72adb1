"""ConvTranspose (1-D, 2-D and 3-D): its pads from `pads`, `auto_pad` or `output_shape`.

The graph level transposes 2-D convolutions: a 3-D one is one 2-D transposed convolution per
depth tap kd of the kernel, over the input's depth slices folded into its batch, each
result spread along the depth by the stride and placed at kd * dilation, the taps summed,
then cropped by the depth pads.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.ir import SSAValue

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


def placed(node: Node, value: SSAValue, axis: int, before: int, extent: int) -> SSAValue:
    """`value` with element i along `axis` at before + i of an extent `extent`: cropped where
    it reaches past either end, zeros where it does not reach."""
    shape = list(graph.shape_of(value))
    start = max(0, -before)
    at = max(0, before)
    kept = min(shape[axis] - start, extent - at)
    if (start, kept) != (0, shape[axis]):
        offsets = [start if d == axis else 0 for d in range(len(shape))]
        sizes = [kept if d == axis else size for d, size in enumerate(shape)]
        value = node.emit(graph.SliceOp(value, offsets, sizes, [1] * len(shape)))
    if (at, kept) != (0, extent):
        pads = [0] * 2 * len(shape)
        pads[axis], pads[len(shape) + axis] = at, extent - at - kept
        value = node.emit(graph.PadOp(value, pads))
    return value


def conv_transpose_3d(
    node: Node,
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    output_padding: Sequence[int],
) -> Value:
    """A 3-D ConvTranspose as one 2-D one per depth tap (see the module docstring)."""
    n, channels, depth, height, width = graph.shape_of(node.input(0))
    weight = node.input(1)
    group_out, taps = graph.shape_of(weight)[1], graph.shape_of(weight)[2]
    folded = node.emit(graph.TransposeOp(node.input(0), [0, 2, 1, 3, 4]))
    folded = node.emit(graph.ReshapeOp(folded, [n * depth, channels, height, width]))
    full = strides[0] * (depth - 1) + dilations[0] * (taps - 1) + 1 + output_padding[0]
    total: SSAValue | None = None
    for tap in range(taps):
        kernel = graph.shape_of(weight)[3:]
        sliced = node.emit(
            graph.SliceOp(weight, [0, 0, tap, 0, 0], [channels, group_out, 1, *kernel], [1] * 5)
        )
        plane = node.emit(graph.ReshapeOp(sliced, [channels, group_out, *kernel]))
        op = graph.Conv2dTransposeOp(
            folded,
            plane,
            strides=strides[1:],
            padding=[pads[1], pads[2], pads[4], pads[5]],
            dilation=dilations[1:],
            output_padding=output_padding[1:],
            groups=node.int("group", 1),
        )
        _, out_channels, out_h, out_w = graph.shape_of(node.emit(op))
        result = node.emit(graph.ReshapeOp(op.output, [n, depth, 1, out_channels, out_h, out_w]))
        if strides[0] > 1:  # stride - 1 zeros after each slice
            result = placed(node, result, 2, 0, strides[0])
        spread = [n, depth * strides[0], out_channels, out_h, out_w]
        result = placed(
            node, node.emit(graph.ReshapeOp(result, spread)), 1, tap * dilations[0], full
        )
        total = result if total is None else node.emit(graph.AddOp(total, result))
    assert total is not None
    total = placed(node, total, 1, -pads[0], full - pads[0] - pads[3])
    output = node.emit(graph.TransposeOp(total, [0, 2, 1, 3, 4]))
    bias = node.optional(2)
    if bias is None:
        return output
    _, out_channels, *_ = graph.shape_of(output)
    bias = node.emit(graph.ReshapeOp(bias, [1, out_channels, 1, 1, 1]))
    return node.emit(graph.AddOp(output, bias))


@HANDLERS.handles("ConvTranspose")
def conv_transpose(node: Node) -> list[Value]:
    weight_shape = node.shape(1)
    sizes = window_sizes(node, "transposed convolutions", (1, 2, 3))
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
    if rank == 3:
        return [conv_transpose_3d(node, strides, pads, dilations, output_padding)]
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
