"""`pack-weights`: lay out constant weights at compile time the way the CPU schedules read
them, so no run of the model packs them again.

- A conv2d (groups of one) whose OIHW weight is a constant reads it as IHWO
  (`weight_layout "IHWO"`): the output channels innermost, the filters a register tile
  runs along in vector lanes. Each run would otherwise copy the weights into that order, a
  transposing copy as large as the weights, which is most of the time of a convolution on
  a small image with many channels (the last stages of a ResNet).
- A dense whose `b` is a constant read transposed (`trans_b`, ONNX Gemm's transB = 1 as
  every PyTorch Linear exports) reads the transposed constant instead: its rows along the
  output columns.

The new constant takes the old one's place; the old one goes when nothing else uses it.

    ziggurat-opt model.mlir -p 'pack-weights'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ziggurat.dialects import graph
from ziggurat.elements import dense_to_array
from ziggurat.passes.graph.fold_batch_norm import constant

PACKED = "IHWO"


def transposed_constant(value: SSAValue, perm: tuple[int, ...]) -> graph.ConstantOp | None:
    """A new graph.constant of the constant `value` transposed by `perm`; None when
    `value` is not a constant."""
    source = value.owner
    if not isinstance(source, graph.ConstantOp):
        return None
    array = np.ascontiguousarray(dense_to_array(source.value).transpose(perm))
    return constant(array, value, array.shape)


def erase_if_unused(value: SSAValue, rewriter: PatternRewriter) -> None:
    if isinstance(value.owner, graph.ConstantOp) and not value.uses:
        rewriter.erase(value.owner)


class PackConv2dWeights(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dOp, rewriter: PatternRewriter) -> None:
        if op.groups.value.data != 1 or op.weight_layout.data != "OIHW":
            return
        to_oihw = graph.WEIGHT_LAYOUTS[PACKED]
        perm = tuple(int(p) for p in np.argsort(to_oihw))  # OIHW -> IHWO
        weight = transposed_constant(op.weight, perm)
        if weight is None:
            return
        old = op.weight
        packed = op.with_weights(weight.output, op.bias, PACKED)
        packed.output.name_hint = op.output.name_hint
        rewriter.replace(op, [weight, packed], [packed.output])
        erase_if_unused(old, rewriter)


class UntransposeDenseWeights(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.DenseOp, rewriter: PatternRewriter) -> None:
        if op.trans_b is None or len(graph.shape_of(op.b)) != 2:
            return
        weight = transposed_constant(op.b, (1, 0))
        if weight is None:
            return
        old = op.b
        dense = graph.DenseOp(
            op.a,
            weight.output,
            op.bias,
            op.trans_a is not None,
            False,
            op.alpha.value.data,
            op.beta.value.data,
        )
        dense.output.name_hint = op.output.name_hint
        rewriter.replace(op, [weight, dense], [dense.output])
        erase_if_unused(old, rewriter)


@dataclass(frozen=True)
class PackWeights(ModulePass):
    """Lay out constant conv2d and dense weights as the CPU schedules read them."""

    name = "pack-weights"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(PackConv2dWeights()).rewrite_module(op)
        PatternRewriteWalker(UntransposeDenseWeights()).rewrite_module(op)
