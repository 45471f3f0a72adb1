"""`subsample-strided-convs`: a 1x1 convolution with strides reads its image's pixels that
the strides land on and no others; it becomes a strided slice of those pixels and the
same convolution without strides.

The CPU schedules pack a convolution's image whole (the box it reads): for a 1x1 stride-2
convolution (ResNet-50's downsampling shortcuts and the first 1x1 of its stages) that is
four times the pixels it uses, read again for every filter block, and its rows of pixels
are every other one. Sliced first (a copy of a quarter of the image), the convolution is a
1x1 one on a dense image, which the schedules run as fast as any.

    %y = graph.conv2d %x, %w strides [2, 2] : (tensor<1x256x56x56xf32>, ...) -> tensor<1x512x28x28xf32>
becomes
    %s = graph.slice %x offsets [0, 0, 0, 0] steps [1, 1, 2, 2] : (...) -> tensor<1x256x28x28xf32>
    %y = graph.conv2d %s, %w : (tensor<1x256x28x28xf32>, ...) -> tensor<1x512x28x28xf32>
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ziggurat.dialects import graph


class SubsampleStridedConv(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dOp, rewriter: PatternRewriter) -> None:
        strides = tuple(op.strides.get_values())
        _, _, kernel_h, kernel_w = op.weight_shape()
        if strides == (1, 1) or (kernel_h, kernel_w) != (1, 1):
            return
        if any(op.padding.get_values()):
            return
        n, channels, _, _ = graph.shape_of(op.input)
        _, _, rows, columns = graph.shape_of(op.output)
        sliced = graph.SliceOp(
            op.input, (0, 0, 0, 0), (n, channels, rows, columns), (1, 1, *strides)
        )
        conv = graph.Conv2dOp(
            sliced.output,
            op.weight,
            op.bias,
            (1, 1),
            (0, 0, 0, 0),
            op.dilation.get_values(),
            op.groups.value.data,
            op.weight_layout.data,
        )
        conv.output.name_hint = op.output.name_hint
        rewriter.replace(op, [sliced, conv], [conv.output])


@dataclass(frozen=True)
class SubsampleStridedConvs(ModulePass):
    """Give 1x1 convolutions with strides the pixels they read, sliced, and no strides."""

    name = "subsample-strided-convs"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(SubsampleStridedConv()).rewrite_module(op)
