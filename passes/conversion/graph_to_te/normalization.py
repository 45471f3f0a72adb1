"""Softmax, log-softmax and the normalizations (batch norm, layer, group and RMS norms, LRN):
reductions along an axis feeding an elementwise compute, max first where exp could overflow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.dialects.te import ComputeOp
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    Window,
    axes_for,
    broadcast_indices,
    compute,
    generic_axes,
    lowered,
    shape_of,
)


def along(indices: Sequence[Index], axis: int, k: Index) -> list[Index]:
    """`indices` with the one on `axis` replaced by `k`."""
    return [*indices[:axis], k, *indices[axis + 1 :]]


def max_along(name: str, op: graph.AlongAxisOp, axis: int) -> ComputeOp:
    """The maximum of `op`'s input along `axis`, kept with extent 1."""
    shape = shape_of(op.input)
    element = graph.tensor(op.input).element_type
    kept_type = TensorType(element, [*shape[:axis], 1, *shape[axis + 1 :]])

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        return b.read(op.input, along(indices[:-1], axis, indices[-1]))

    reduction = Reduction("max", ["k"], [shape[axis]], -math.inf)
    return compute(name, [op.input], kept_type, generic_axes(len(shape)), body, reduction)


class SoftmaxLowering(RewritePattern):
    lowers = graph.SoftmaxOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.SoftmaxOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        full_type = graph.tensor(op.input)
        maximum = max_along("softmax_max", op, axis)
        kept_type = graph.tensor(maximum.result)
        axes = generic_axes(len(shape))

        def exp_body(b: Body, *indices: SSAValue) -> SSAValue:
            shifted = arith.SubfOp(
                b.read(op.input, indices), b.read(maximum.result, along(indices, axis, 0))
            )
            return b.emit(math_dialect.ExpOp(b.emit(shifted)))

        exp = compute("softmax_exp", [op.input, maximum.result], full_type, axes, exp_body)

        def sum_body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.read(exp.result, along(indices[:-1], axis, indices[-1]))

        total = compute(
            "softmax_sum",
            [exp.result],
            kept_type,
            axes,
            sum_body,
            Reduction("sum", ["k"], [shape[axis]], 0.0),
        )

        def divide(b: Body, *indices: SSAValue) -> SSAValue:
            value = b.read(exp.result, indices)
            return b.emit(arith.DivfOp(value, b.read(total.result, along(indices, axis, 0))))

        softmax = compute("softmax", [exp.result, total.result], full_type, axes, divide)
        lowered(rewriter, op, [maximum, exp, total, softmax])


class LogSoftmaxLowering(RewritePattern):
    """The max along the axis, the sum of exp(x - max), and x - max - log(sum)."""

    lowers = graph.LogSoftmaxOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LogSoftmaxOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        maximum = max_along("log_softmax_max", op, axis)
        axes = generic_axes(len(shape))

        def exp_body(b: Body, *indices: SSAValue) -> SSAValue:
            x = b.read(op.input, along(indices[:-1], axis, indices[-1]))
            shifted = b.emit(arith.SubfOp(x, b.read(maximum.result, indices[:-1])))
            return b.emit(math_dialect.ExpOp(shifted))

        total = compute(
            "log_softmax_sum",
            [op.input, maximum.result],
            graph.tensor(maximum.result),
            axes,
            exp_body,
            Reduction("sum", ["k"], [shape[axis]], 0.0),
        )

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            kept = along(indices, axis, 0)
            shifted = b.emit(arith.SubfOp(b.read(op.input, indices), b.read(maximum.result, kept)))
            log_sum = b.emit(math_dialect.LogOp(b.read(total.result, kept)))
            return b.emit(arith.SubfOp(shifted, log_sum))

        inputs = [op.input, maximum.result, total.result]
        log_softmax = compute("log_softmax", inputs, graph.tensor(op.output), axes, body)
        lowered(rewriter, op, [maximum, total, log_softmax])


class LrnLowering(RewritePattern):
    """The sum of squares over a window of channels (zero outside), then the division."""

    lowers = graph.LrnOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LrnOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        size = op.size.value.data
        channels = Window(shape[1], shape[1], size, 1, 1, (size - 1) // 2)
        full_type = graph.tensor(op.input)
        axes = axes_for(shape)

        def square_body(b: Body, *indices: SSAValue) -> SSAValue:
            *outer, offset = indices
            channel, inside = b.window(channels, outer[1], offset)
            value = b.padded_read(op.input, along(outer, 1, channel), inside, 0.0)
            return b.emit(arith.MulfOp(value, value))

        reduction = Reduction("sum", ["rc"], [size], 0.0)
        squares = compute("lrn_square_sum", [op.input], full_type, axes, square_body, reduction)
        scale = op.alpha.value.data / size
        bias, beta = op.bias.value.data, op.beta.value.data

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            scaled = b.emit(arith.MulfOp(b.read(squares.result, indices), b.float(scale)))
            base = b.emit(arith.AddfOp(scaled, b.float(bias)))
            divisor = b.emit(math_dialect.PowFOp(base, b.float(beta)))
            return b.emit(arith.DivfOp(b.read(op.input, indices), divisor))

        lrn = compute("lrn", [op.input, squares.result], full_type, axes, body)
        lowered(rewriter, op, [squares, lrn])


class BatchNormLowering(RewritePattern):
    lowers = graph.BatchNormOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.BatchNormOp, rewriter: PatternRewriter) -> None:
        epsilon = op.epsilon.value.data
        inputs = [op.input, op.scale, op.bias, op.mean, op.variance]

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            x, scale, bias, mean, variance = (
                b.read(v, indices if v is op.input else [indices[1]]) for v in inputs
            )
            deviation = b.emit(
                math_dialect.SqrtOp(b.emit(arith.AddfOp(variance, b.float(epsilon))))
            )
            factor = b.emit(arith.DivfOp(scale, deviation))
            centered = b.emit(arith.SubfOp(x, mean))
            return b.emit(arith.AddfOp(b.emit(arith.MulfOp(centered, factor)), bias))

        result_type = graph.tensor(op.output)
        axes = axes_for(result_type.get_shape())
        lowered(rewriter, op, [compute("batch_norm", inputs, result_type, axes, body)])


class LayerNormLowering(RewritePattern):
    """A sum, the mean, a sum of squared deviations from it, and the normalized result."""

    lowers = graph.LayerNormOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LayerNormOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        rank = len(shape)
        axis = graph.normalize_axis(op.axis.value.data, rank)
        normalized = shape[axis:]
        count = math.prod(normalized)
        full_type = graph.tensor(op.input)
        kept_type = TensorType(full_type.element_type, [*shape[:axis], *[1] * len(normalized)])
        axes = generic_axes(rank)
        reduction = Reduction("sum", generic_axes(len(normalized), "r"), normalized, 0.0)
        epsilon = op.epsilon.value.data

        def kept(indices: Sequence[SSAValue]) -> list[Index]:
            return [*indices[:axis], *[0] * len(normalized)]

        def sum_body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.read(op.input, [*indices[:axis], *indices[rank:]])

        total = compute("layer_norm_sum", [op.input], kept_type, axes, sum_body, reduction)

        def mean_body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.emit(arith.DivfOp(b.read(total.result, indices), b.float(count)))

        mean = compute("layer_norm_mean", [total.result], kept_type, axes, mean_body)

        def square_body(b: Body, *indices: SSAValue) -> SSAValue:
            x = b.read(op.input, [*indices[:axis], *indices[rank:]])
            deviation = b.emit(arith.SubfOp(x, b.read(mean.result, indices[:rank])))
            return b.emit(arith.MulfOp(deviation, deviation))

        squares = compute(
            "layer_norm_square_sum",
            [op.input, mean.result],
            kept_type,
            axes,
            square_body,
            reduction,
        )

        def normalize(b: Body, *indices: SSAValue) -> SSAValue:
            centered = b.emit(
                arith.SubfOp(b.read(op.input, indices), b.read(mean.result, kept(indices)))
            )
            variance = b.emit(arith.DivfOp(b.read(squares.result, kept(indices)), b.float(count)))
            deviation = b.emit(
                math_dialect.SqrtOp(b.emit(arith.AddfOp(variance, b.float(epsilon))))
            )
            scale = b.read(op.scale, broadcast_indices(op.scale, indices))
            value = b.emit(arith.MulfOp(b.emit(arith.DivfOp(centered, deviation)), scale))
            if op.bias is None:
                return value
            return b.emit(arith.AddfOp(value, b.read(op.bias, broadcast_indices(op.bias, indices))))

        inputs = [op.input, mean.result, squares.result, op.scale, *([op.bias] if op.bias else [])]
        layer_norm = compute("layer_norm", inputs, full_type, axes, normalize)
        lowered(rewriter, op, [total, mean, squares, layer_norm])


class RmsNormLowering(RewritePattern):
    """The sum of squares over the normalized dimensions, then x / sqrt(sum / count +
    epsilon) * scale."""

    lowers = graph.RmsNormOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.RmsNormOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        rank = len(shape)
        axis = graph.normalize_axis(op.axis.value.data, rank)
        normalized = shape[axis:]
        count = math.prod(normalized)
        full_type = graph.tensor(op.input)
        kept_type = TensorType(full_type.element_type, [*shape[:axis], *[1] * len(normalized)])
        axes = generic_axes(rank)
        epsilon = op.epsilon.value.data

        def square_body(b: Body, *indices: SSAValue) -> SSAValue:
            x = b.read(op.input, [*indices[:axis], *indices[rank:]])
            return b.emit(arith.MulfOp(x, x))

        reduction = Reduction("sum", generic_axes(len(normalized), "r"), normalized, 0.0)
        squares = compute(
            "rms_norm_square_sum", [op.input], kept_type, axes, square_body, reduction
        )

        def normalize(b: Body, *indices: SSAValue) -> SSAValue:
            total = b.read(squares.result, [*indices[:axis], *[0] * len(normalized)])
            mean = b.emit(arith.DivfOp(total, b.float(count)))
            root = b.emit(math_dialect.SqrtOp(b.emit(arith.AddfOp(mean, b.float(epsilon)))))
            value = b.emit(arith.DivfOp(b.read(op.input, indices), root))
            return b.emit(
                arith.MulfOp(value, b.read(op.scale, broadcast_indices(op.scale, indices)))
            )

        inputs = [op.input, squares.result, op.scale]
        lowered(rewriter, op, [squares, compute("rms_norm", inputs, full_type, axes, normalize)])


class GroupNormLowering(RewritePattern):
    """A layer norm per item and group of channels: the sum over the group's channels and
    the dimensions after them, the mean, the sum of squared deviations from it (each kept
    per item and group), and the normalized result, scaled and shifted per channel."""

    lowers = graph.GroupNormOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.GroupNormOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        rank = len(shape)
        groups = op.groups.value.data
        per_group = shape[1] // groups
        extents = [per_group, *shape[2:]]
        count = math.prod(extents)
        full_type = graph.tensor(op.input)
        kept_type = TensorType(full_type.element_type, [shape[0], groups])
        reduction = Reduction("sum", generic_axes(len(extents), "r"), extents, 0.0)
        epsilon = op.epsilon.value.data

        def element(b: Body, n: SSAValue, g: SSAValue, inner: Sequence[SSAValue]) -> SSAValue:
            channel = b.add(b.mul(g, per_group), inner[0])
            return b.read(op.input, [n, channel, *inner[1:]])

        def sum_body(b: Body, n: SSAValue, g: SSAValue, *inner: SSAValue) -> SSAValue:
            return element(b, n, g, inner)

        total = compute("group_norm_sum", [op.input], kept_type, ["n", "g"], sum_body, reduction)

        def mean_body(b: Body, n: SSAValue, g: SSAValue) -> SSAValue:
            return b.emit(arith.DivfOp(b.read(total.result, [n, g]), b.float(count)))

        mean = compute("group_norm_mean", [total.result], kept_type, ["n", "g"], mean_body)

        def square_body(b: Body, n: SSAValue, g: SSAValue, *inner: SSAValue) -> SSAValue:
            deviation = b.emit(arith.SubfOp(element(b, n, g, inner), b.read(mean.result, [n, g])))
            return b.emit(arith.MulfOp(deviation, deviation))

        squares = compute(
            "group_norm_square_sum",
            [op.input, mean.result],
            kept_type,
            ["n", "g"],
            square_body,
            reduction,
        )

        def normalize(b: Body, *indices: SSAValue) -> SSAValue:
            n, c = indices[0], indices[1]
            group = [n, b.div(c, per_group)]
            centered = b.emit(arith.SubfOp(b.read(op.input, indices), b.read(mean.result, group)))
            variance = b.emit(arith.DivfOp(b.read(squares.result, group), b.float(count)))
            deviation = b.emit(
                math_dialect.SqrtOp(b.emit(arith.AddfOp(variance, b.float(epsilon))))
            )
            value = b.emit(
                arith.MulfOp(b.emit(arith.DivfOp(centered, deviation)), b.read(op.scale, [c]))
            )
            return b.emit(arith.AddfOp(value, b.read(op.bias, [c])))

        inputs = [op.input, mean.result, squares.result, op.scale, op.bias]
        group_norm = compute(
            "group_norm",
            inputs,
            full_type,
            axes_for(shape) if rank == 4 else generic_axes(rank),
            normalize,
        )
        lowered(rewriter, op, [total, mean, squares, group_norm])


PATTERNS = (
    SoftmaxLowering(),
    LogSoftmaxLowering(),
    LrnLowering(),
    BatchNormLowering(),
    LayerNormLowering(),
    RmsNormLowering(),
    GroupNormLowering(),
)
