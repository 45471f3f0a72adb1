"""conv2d_transpose as a conv2d, as TVM computes it: the input spread out by the strides
(stride - 1 zeros between pixels) and padded so that a stride-1 convolution with the
weight flipped and its channel axes swapped gives the output. Three computes: the spread
input, the flipped weight (both elementwise) and a conv2d, lowered as graph.conv2d is, so
the target's conv2d (or grouped_conv2d) schedule takes it.

Along one axis of input extent H, stride s, dilation d, kernel K (K' = d (K - 1) + 1) and
padding p before, output element o sums spread[o + d k] * flipped[k], where spread[u] is
x[(u + p - K' + 1) / s] where that is a whole index in [0, H), else 0.
"""

from __future__ import annotations

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.passes.conversion.graph_to_te.body import Body, Index, compute, shape_of
from ziggurat.passes.conversion.graph_to_te.contractions import Conv2dLowering


def spread_index(
    b: Body, u: SSAValue, offset: int, stride: int, size: int, extent: int
) -> tuple[Index, list[SSAValue]]:
    """The input index that spread position u (of `extent`) reads, clamped, and the tests
    that it is a whole index in [0, size)."""
    raw: Index = b.add(u, offset)
    conditions = []
    if offset < 0:
        conditions.append(b.at_least(raw, 0))
        raw = b.max(raw, 0)
    if stride > 1:
        remainder = b.rem(raw, stride)
        conditions.append(b.less(remainder, 1))
    index = b.div(raw, stride)
    if (extent - 1 + offset) // stride > size - 1:
        conditions.append(b.less(index, size))
        index = b.min(index, size - 1)
    return index, conditions


WEIGHT_AXES = ["o", "i", "ky", "kx"]


class Conv2dTransposeLowering(RewritePattern):
    lowers = graph.Conv2dTransposeOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dTransposeOp, rewriter: PatternRewriter) -> None:
        n, channels, height, width = shape_of(op.input)
        _, group_out, kernel_h, kernel_w = shape_of(op.weight)
        _, out_channels, out_h, out_w = shape_of(op.output)
        groups = op.groups.value.data
        strides, dilation = op.strides.get_values(), op.dilation.get_values()
        top, left, _, _ = op.padding.get_values()
        spans = [d * (k - 1) + 1 for d, k in zip(dilation, (kernel_h, kernel_w), strict=True)]
        extents = [out_h + spans[0] - 1, out_w + spans[1] - 1]
        offsets = [top - spans[0] + 1, left - spans[1] + 1]
        element = graph.tensor(op.input).element_type

        def spread(b: Body, i: SSAValue, c: SSAValue, u: SSAValue, v: SSAValue) -> SSAValue:
            y, y_ok = spread_index(b, u, offsets[0], strides[0], height, extents[0])
            x, x_ok = spread_index(b, v, offsets[1], strides[1], width, extents[1])
            return b.padded_read(op.input, [i, c, y, x], y_ok + x_ok, 0.0)

        def flipped(b: Body, o: SSAValue, i: SSAValue, ky: SSAValue, kx: SSAValue) -> SSAValue:
            channel: Index = i
            if groups > 1:
                channel = b.add(b.mul(b.div(o, group_out), channels // groups), i)
                o = b.rem(o, group_out)  # type: ignore[assignment]
            where = [channel, o, b.sub(kernel_h - 1, ky), b.sub(kernel_w - 1, kx)]
            return b.read(op.weight, where)

        spread_type = TensorType(element, (n, channels, *extents))
        weight_type = TensorType(element, (out_channels, channels // groups, kernel_h, kernel_w))
        axes = ["n", "c", "h", "w"]
        computes: list[Operation] = [
            compute("conv2d_transpose_input", [op.input], spread_type, axes, spread),
            compute("conv2d_transpose_weight", [op.weight], weight_type, WEIGHT_AXES, flipped),
        ]
        conv = graph.Conv2dOp(
            computes[0].results[0],
            computes[1].results[0],
            op.bias,
            dilation=dilation,
            groups=groups,
        )
        rewriter.replace(op, [*computes, conv], conv.results)
        Conv2dLowering().match_and_rewrite(conv, rewriter)


PATTERNS = (Conv2dTransposeLowering(),)
