"""`alter-conv-layout`: convolutions in the blocked NCHW[x]c layout (TVM's NCHWc).

A graph.conv2d (one group) becomes a layout transform of its input to NCHW[x]c, a
graph.conv2d_nchwc on weights in OIHW[x]i[y]o, and a transform of the result back to
NCHW, x and y the largest divisors of the input and output channels up to `block`.
Transforms of constants are folded, so constant weights are stored blocked. A transform
back to NCHW sinks below the elementwise and broadcast ops after it (their other operands
are transformed the other way, constants folded), and two transforms that meet compose,
cancelling when they are inverse: a chain of convolutions with elementwise ops between
them stays blocked, with one transform at each end.

    %y = graph.conv2d %x, %w : (tensor<1x16x8x8xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x6x6xf32>
becomes
    %a = graph.layout_transform %x from "NCHW" to "NCHW8c" : (...) -> tensor<1x2x8x8x8xf32>
    %b = graph.constant dense<...> : tensor<1x2x3x3x8x8xf32>
    %c = graph.conv2d_nchwc %a, %b : (...) -> tensor<1x1x6x6x8xf32>
    %y = graph.layout_transform %c from "NCHW8c" to "NCHW" : (...) -> tensor<1x8x6x6xf32>
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.dialects.graph import Layout, LayoutTransformOp
from ziggurat.elements import array_to_dense, dense_to_array
from ziggurat.reference import evaluate_op, layout_transform


def largest_divisor(value: int, limit: int) -> int:
    return max(d for d in range(1, min(value, limit) + 1) if value % d == 0)


@dataclass
class BlockConv2d(RewritePattern):
    block: int
    most_pixels: int
    least_channels: int
    whole_blocks: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dOp, rewriter: PatternRewriter) -> None:
        out_channels, in_channels, _, _ = graph.shape_of(op.weight)
        if op.groups.value.data != 1 or op.weight_layout.data != "OIHW":
            return
        _, _, out_h, out_w = graph.shape_of(op.output)
        if self.most_pixels and out_h * out_w > self.most_pixels:
            return
        if min(in_channels, out_channels) < self.least_channels:
            return
        if self.whole_blocks and (in_channels % self.block or out_channels % self.block):
            return
        in_block = largest_divisor(in_channels, self.block)
        out_block = largest_divisor(out_channels, self.block)
        if out_block == 1:
            return
        blocked = f"NCHW{in_block}c"
        x = LayoutTransformOp(op.input, "NCHW", blocked)
        w = LayoutTransformOp(op.weight, "OIHW", f"OIHW{in_block}i{out_block}o")
        new: list[Operation] = [x, w]
        bias = None
        if op.bias is not None:
            reshape = graph.ReshapeOp(op.bias, (out_channels // out_block, out_block))
            new.append(reshape)
            bias = reshape.output
        conv = graph.Conv2dNchwcOp(
            x.output,
            w.output,
            bias,
            op.strides.get_values(),
            op.padding.get_values(),
            op.dilation.get_values(),
        )
        back = LayoutTransformOp(conv.output, f"NCHW{out_block}c", "NCHW")
        rewriter.replace(op, [*new, conv, back], [back.output])


class ComposeLayoutTransforms(RewritePattern):
    """A transform of a transform is one transform, or none when they are inverse."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: LayoutTransformOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if not isinstance(inner, LayoutTransformOp):
            return
        source, target = inner.src_layout.data, op.dst_layout.data
        if Layout.parse(source) == Layout.parse(target):
            rewriter.replace(op, [], [inner.input])
        else:
            rewriter.replace(op, LayoutTransformOp(inner.input, source, target))


class SinkLayoutTransform(RewritePattern):
    """An elementwise or broadcast op on a tensor transformed out of a blocked layout runs
    in that layout, and the transform moves after it."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, graph.UnaryOp | graph.BinaryOp):
            return
        result_shape = graph.shape_of(op.results[0])
        back = next(
            (
                v.owner
                for v in op.operands
                if isinstance(v.owner, LayoutTransformOp)
                and graph.shape_of(v) == result_shape
                and not any(f for _, f in Layout.parse(v.owner.dst_layout.data).items)
            ),
            None,
        )
        if back is None:
            return
        blocked, plain = back.src_layout.data, back.dst_layout.data
        new: list[Operation] = []
        operands = []
        for value in op.operands:
            converted = to_layout(value, plain, blocked, result_shape, new)
            if converted is None:
                return
            operands.append(converted)
        element = graph.tensor(op.results[0]).element_type
        shape = Layout.parse(blocked).shape(Layout.parse(plain).extents(result_shape))
        moved = type(op).create(
            operands=operands,
            result_types=[TensorType(element, shape)],
            properties=dict(op.properties),
            attributes=dict(op.attributes),
        )
        restored = LayoutTransformOp(moved.results[0], blocked, plain)
        rewriter.replace(op, [*new, moved, restored], [restored.output])


def to_layout(
    value: SSAValue, plain: str, blocked: str, shape: tuple[int, ...], new: list[Operation]
) -> SSAValue | None:
    """`value`, an operand broadcasting to `shape` in layout `plain`, in layout `blocked`
    (ops it needs appended to `new`), or None when that takes a broadcast of a block."""
    owner = value.owner
    if (
        isinstance(owner, LayoutTransformOp)
        and owner.dst_layout.data == plain
        and owner.src_layout.data == blocked
    ):
        return owner.input
    value_shape = graph.shape_of(value)
    aligned = (1,) * (len(shape) - len(value_shape)) + value_shape
    if isinstance(owner, graph.ConstantOp):
        array = dense_to_array(owner.value).reshape(aligned)
        array = layout_transform(array, plain, blocked)
        element = graph.tensor(value).element_type
        constant = graph.ConstantOp(array_to_dense(array, TensorType(element, array.shape)))
        new.append(constant)
        return constant.output
    layout = Layout.parse(plain)
    blocks = {axis for axis, factor in Layout.parse(blocked).items if factor}
    # A block splits its axis: an operand that broadcasts along that axis has no blocks.
    if any(axis in blocks and aligned[d] != shape[d] for d, (axis, _) in enumerate(layout.items)):
        return None
    if aligned != value_shape:
        reshape = graph.ReshapeOp(value, aligned)
        new.append(reshape)
        value = reshape.output
    transform = LayoutTransformOp(value, plain, blocked)
    new.append(transform)
    return transform.output


class FoldLayoutOfConstant(RewritePattern):
    """Weights and biases are stored in the layout the convolution reads."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, LayoutTransformOp | graph.ReshapeOp):
            return
        source = op.input.owner
        if not isinstance(source, graph.ConstantOp):
            return
        (value,) = evaluate_op(op, [dense_to_array(source.value)])
        folded = graph.ConstantOp(array_to_dense(value, graph.tensor(op.output)))
        folded.output.name_hint = op.input.name_hint
        rewriter.replace(op, folded)


@dataclass(frozen=True)
class AlterConvLayout(ModulePass):
    """Run conv2d in the NCHW[x]c layout and keep chains of convolutions blocked."""

    name = "alter-conv-layout"

    block: int = 8
    """The largest channel block; each conv2d takes the largest divisor of its channels."""

    most_pixels: int = 0
    """Block only the convolutions whose output images have at most this many pixels (0:
    all), which a target sets where the blocked layout wins (the deep layers)."""

    least_channels: int = 0
    """Block only the convolutions with at least this many input and output channels."""

    whole_blocks: bool = False
    """Block only the convolutions whose input and output channels are multiples of `block`
    (a target's schedules may serve ragged blocks badly: 1000 filters in blocks of 25)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.block < 1:
            raise ZigguratError(f"alter-conv-layout needs a block of 1 or more, got {self.block}")
        if min(self.most_pixels, self.least_channels) < 0:
            raise ZigguratError(
                "alter-conv-layout needs most-pixels and least-channels of 0 or more, got "
                f"{self.most_pixels} and {self.least_channels}"
            )
        patterns = [
            BlockConv2d(self.block, self.most_pixels, self.least_channels, self.whole_blocks),
            ComposeLayoutTransforms(),
            SinkLayoutTransform(),
            FoldLayoutOfConstant(),
        ]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_module(op)
