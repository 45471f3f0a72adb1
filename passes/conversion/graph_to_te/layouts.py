"""Data layouts (alter-conv-layout): layout transforms between blocked layouts such as
NCHW and NCHW8c, and the conv2d that reads and writes blocked layouts.
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    Window,
    compute,
    lowered,
    shape_of,
)


def layout_axes(layout: graph.Layout) -> list[str]:
    """A primal axis is named by its lower-case letter, its block by the letter and "b"."""
    return [axis.lower() + ("b" if factor else "") for axis, factor in layout.items]


class LayoutTransformLowering(RewritePattern):
    lowers = graph.LayoutTransformOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LayoutTransformOp, rewriter: PatternRewriter) -> None:
        source = graph.Layout.parse(op.src_layout.data)
        target = graph.Layout.parse(op.dst_layout.data)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            outer: dict[str, Index] = {}
            inner: dict[str, Index] = {}
            for (axis, factor), index in zip(target.items, indices, strict=True):
                (inner if factor else outer)[axis] = index
            # The element's coordinate along each primal axis, then where the source has it.
            coordinate = {
                axis: b.add(b.mul(outer[axis], target.factor(axis)), inner.get(axis, 0))
                for axis in outer
            }
            where = [
                b.rem(coordinate[axis], factor)
                if factor
                else b.div(coordinate[axis], source.factor(axis))
                for axis, factor in source.items
            ]
            return b.read(op.input, where)

        out_type = graph.tensor(op.output)
        transform = compute("layout_transform", [op.input], out_type, layout_axes(target), body)
        lowered(rewriter, op, [transform])


class Conv2dNchwcLowering(RewritePattern):
    """conv2d_nchwc: the reduction runs over input channel blocks, the window, then the
    channels of a block, innermost."""

    lowers = graph.Conv2dNchwcOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dNchwcOp, rewriter: PatternRewriter) -> None:
        _, in_blocks, height, width, in_block = shape_of(op.input)
        _, _, kernel_h, kernel_w, _, _ = shape_of(op.weight)
        _, _, out_h, out_w, _ = shape_of(op.output)
        stride_h, stride_w = op.strides.get_values()
        top, left, _, _ = op.padding.get_values()
        dilation_h, dilation_w = op.dilation.get_values()
        rows = Window(height, out_h, kernel_h, stride_h, dilation_h, top)
        columns = Window(width, out_w, kernel_w, stride_w, dilation_w, left)

        def body(b: Body, n, c, h, w, cb, rc, ry, rx, rcb) -> SSAValue:
            y, y_ok = b.window(rows, h, ry)
            x, x_ok = b.window(columns, w, rx)
            value = b.padded_read(op.input, [n, rc, y, x, rcb], y_ok + x_ok, 0.0)
            return b.emit(arith.MulfOp(value, b.read(op.weight, [c, rc, ry, rx, rcb, cb])))

        axes = ["n", "c", "h", "w", "cb"]
        reduction = Reduction(
            "sum", ["rc", "ry", "rx", "rcb"], [in_blocks, kernel_h, kernel_w, in_block], 0.0
        )
        out_type = graph.tensor(op.output)
        conv = compute("conv2d_nchwc", [op.input, op.weight], out_type, axes, body, reduction)
        bias = op.bias
        if bias is None:
            lowered(rewriter, op, [conv])
            return

        def add_bias(b: Body, n, c, h, w, cb) -> SSAValue:
            value = b.read(conv.result, [n, c, h, w, cb])
            return b.emit(arith.AddfOp(value, b.read(bias, [c, cb])))

        lowered(
            rewriter, op, [conv, compute("bias_add", [conv.result, bias], out_type, axes, add_bias)]
        )


PATTERNS = (
    LayoutTransformLowering(),
    Conv2dNchwcLowering(),
)
