"""`fold-batch-norm`: an inference batch norm after a conv2d or dense folds into its weights.

Batch norm is `y * f + (beta - mean * f)` with `f = scale / sqrt(variance + epsilon)` per
channel, so after `y = conv(x, w) + b` it is `conv(x, w * f) + (b - mean) * f + beta`: the
weights of each output channel scaled by f and a new bias. It folds when the weight, the
bias (if any) and the batch-norm parameters are constants and nothing else uses the
conv2d's (or dense's) result. The new constants are computed in float64 and cast once.

    %y = graph.conv2d %x, %w : (...) -> tensor<1x8x6x6xf32>
    %z = graph.batch_norm %y, %scale, %beta, %mean, %var : (...) -> tensor<1x8x6x6xf32>
becomes
    %z = graph.conv2d %x, %w2, %b2 : (...) -> tensor<1x8x6x6xf32>
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ziggurat.dialects import graph
from ziggurat.elements import array_to_dense, dense_to_array


def constant_value(value: SSAValue | None) -> np.ndarray | None:
    """The float64 value of a graph.constant, or None for anything else."""
    if value is None or not isinstance(value.owner, graph.ConstantOp):
        return None
    return dense_to_array(value.owner.value).astype(np.float64)


def constant(value: np.ndarray, like: SSAValue, shape: tuple[int, ...]) -> graph.ConstantOp:
    """A graph.constant of `value`, with the element type of `like`."""
    element = graph.tensor(like).element_type
    op = graph.ConstantOp(array_to_dense(value, TensorType(element, shape)))
    op.output.name_hint = like.name_hint
    return op


class BatchNormIntoWeights(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.BatchNormOp, rewriter: PatternRewriter) -> None:
        producer = op.input.owner
        if not isinstance(producer, graph.Conv2dOp | graph.DenseOp):
            return
        if not producer.output.has_one_use():
            return
        weight_value = producer.weight if isinstance(producer, graph.Conv2dOp) else producer.b
        parameters = [constant_value(v) for v in (op.scale, op.bias, op.mean, op.variance)]
        weight = constant_value(weight_value)
        if weight is None or any(p is None for p in parameters):
            return
        bias = constant_value(producer.bias)
        if producer.bias is not None and bias is None:
            return
        scale, beta, mean, variance = parameters  # type: ignore[misc]
        with np.errstate(invalid="ignore", divide="ignore"):
            # A negative variance gives NaN, as the unfolded op would compute.
            factor = scale / np.sqrt(variance + op.epsilon.value.data)
        if isinstance(producer, graph.Conv2dOp):
            channels = graph.WEIGHT_LAYOUTS[producer.weight_layout.data][0]
        else:
            # The output's columns are the channels, the columns of op(b); alpha * a @ b +
            # beta_gemm * bias: the bias term carries the gemm's beta.
            channels = 0 if producer.trans_b is not None else 1
            bias = None if bias is None else producer.beta.value.data * bias
        along = [1] * weight.ndim
        along[channels] = weight.shape[channels]  # scale each output channel
        new_weight = constant(weight * factor.reshape(along), weight_value, weight.shape)
        shifted = ((0.0 if bias is None else bias) - mean) * factor + beta
        new_bias = constant(shifted, producer.bias or producer.output, shifted.shape)
        if isinstance(producer, graph.Conv2dOp):
            folded = producer.with_weights(new_weight.output, new_bias.output)
        else:
            folded = graph.DenseOp(
                producer.a,
                new_weight.output,
                new_bias.output,
                producer.trans_a is not None,
                producer.trans_b is not None,
                producer.alpha.value.data,
                1.0,
            )
        folded.output.name_hint = op.output.name_hint
        sources = {v.owner for v in (*op.operands[1:], *producer.operands[1:])}
        rewriter.replace(op, [new_weight, new_bias, folded])
        rewriter.erase(producer)
        for source in sources:
            if isinstance(source, graph.ConstantOp) and not source.output.uses:
                rewriter.erase(source)


@dataclass(frozen=True)
class FoldBatchNorm(ModulePass):
    """Fold inference batch norms into the constant weights of the conv2d or dense before."""

    name = "fold-batch-norm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(BatchNormIntoWeights()).rewrite_module(op)
