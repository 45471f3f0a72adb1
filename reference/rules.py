"""The rule for each graph op: a function of the op and its operands (float operands in
float64) giving its result, or a list of them for several results."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from xdsl.ir import Operation

from ziggurat.dialects import graph
from ziggurat.reference.operators import (
    COMPARE,
    alpha,
    arg_reduce,
    avg_pool2d,
    batch_norm,
    cast_op,
    clip,
    constant,
    conv2d_op,
    cumsum_op,
    dense,
    divide,
    erf,
    extreme,
    gather,
    gelu_op,
    group_norm_op,
    ints,
    layer_norm_op,
    leaky_relu,
    log_softmax,
    log_sum,
    log_sum_exp,
    lrn_op,
    masked_softmax,
    max_pool2d,
    mod_op,
    pad_op,
    pow_op,
    reduce,
    result_shape,
    rms_norm_op,
    slice_op,
    softmax,
    softplus,
    split,
    to_result_shape,
)
from ziggurat.reference.quantized import (
    conv_integer,
    dequantize_linear,
    matmul_integer,
    quantize_linear,
    requantize,
)
from ziggurat.reference.rearranging import (
    conv2d_nchwc,
    depth_to_space,
    einsum,
    gather_elements,
    gather_nd,
    layout_transform,
    one_hot,
    scatter_elements,
    scatter_nd,
    space_to_depth,
    trilu,
)
from ziggurat.reference.recurrent import recurrent
from ziggurat.reference.resampling import conv2d_transpose, resize

RULES: dict[type[Operation], Callable[..., np.ndarray]] = {
    graph.ConstantOp: constant,
    graph.DenseOp: dense,
    graph.MatmulOp: lambda op, a, b: np.matmul(a, b),
    graph.Conv2dOp: conv2d_op,
    graph.AddOp: lambda op, a, b: a + b,
    graph.SubOp: lambda op, a, b: a - b,
    graph.MulOp: lambda op, a, b: a * b,
    graph.DivOp: lambda op, a, b: divide(a, b),
    graph.PowOp: pow_op,
    graph.MaximumOp: lambda op, a, b: np.maximum(a, b),
    graph.MinimumOp: lambda op, a, b: np.minimum(a, b),
    graph.ReluOp: lambda op, x: np.maximum(x, 0),
    graph.SigmoidOp: lambda op, x: 1 / (1 + np.exp(-x)),
    graph.TanhOp: lambda op, x: np.tanh(x),
    graph.ExpOp: lambda op, x: np.exp(x),
    graph.SqrtOp: lambda op, x: np.sqrt(x),
    graph.ErfOp: lambda op, x: erf(x),
    graph.NegOp: lambda op, x: -x,
    graph.AbsOp: lambda op, x: np.abs(x),
    graph.LogOp: lambda op, x: np.log(x),
    graph.ReciprocalOp: lambda op, x: 1 / x,
    graph.LeakyReluOp: leaky_relu,
    graph.ClipOp: clip,
    graph.SoftmaxOp: lambda op, x: softmax(x, op.axis.value.data),
    graph.LogSoftmaxOp: lambda op, x: log_softmax(x, op.axis.value.data),
    graph.LrnOp: lrn_op,
    graph.BatchNormOp: lambda op, *v: batch_norm(*v, epsilon=op.epsilon.value.data),
    graph.MaxPool2dOp: max_pool2d,
    graph.AvgPool2dOp: avg_pool2d,
    graph.GlobalAvgPool2dOp: lambda op, x: x.mean(axis=(2, 3), keepdims=True),
    graph.GlobalMaxPool2dOp: lambda op, x: x.max(axis=(2, 3), keepdims=True),
    graph.ReshapeOp: to_result_shape,
    graph.TransposeOp: lambda op, x: x.transpose(ints(op.perm)),
    graph.SliceOp: slice_op,
    graph.FlattenOp: to_result_shape,
    graph.ConcatOp: lambda op, *v: np.concatenate(v, axis=op.axis.value.data),
    graph.SplitOp: split,
    graph.GatherOp: lambda op, data, indices: gather(data, indices, op.axis.value.data),
    graph.PadOp: pad_op,
    graph.LayerNormOp: layer_norm_op,
    graph.CastOp: cast_op,
    graph.ReduceSumOp: reduce(np.sum),
    graph.ReduceMeanOp: reduce(np.mean),
    graph.ReduceMaxOp: extreme(np.max, -math.inf),
    # Integers, comparisons, more activations and reductions (issue 12).
    graph.CompareOp: lambda op, a, b: COMPARE[op.predicate.data](a, b),
    graph.SelectOp: lambda op, c, a, b: np.where(c, a, b),
    graph.AndOp: lambda op, a, b: np.bitwise_and(a, b),
    graph.OrOp: lambda op, a, b: np.bitwise_or(a, b),
    graph.XorOp: lambda op, a, b: np.bitwise_xor(a, b),
    graph.NotOp: lambda op, x: np.invert(x),
    graph.ModOp: mod_op,
    graph.PReluOp: lambda op, x, slope: np.where(x < 0, slope * x, x),
    graph.SignOp: lambda op, x: np.sign(x),
    graph.FloorOp: lambda op, x: np.floor(x),
    graph.CeilOp: lambda op, x: np.ceil(x),
    graph.RoundOp: lambda op, x: np.round(x),
    graph.SinOp: lambda op, x: np.sin(x),
    graph.CosOp: lambda op, x: np.cos(x),
    graph.SoftplusOp: lambda op, x: softplus(x),
    graph.SoftsignOp: lambda op, x: x / (1 + np.abs(x)),
    graph.MishOp: lambda op, x: x * np.tanh(softplus(x)),
    graph.EluOp: lambda op, x: np.where(x > 0, x, alpha(op) * np.expm1(x)),
    graph.SeluOp: lambda op, x: np.where(x > 0, x, alpha(op) * np.expm1(x)) * op.gamma.value.data,
    graph.CeluOp: lambda op, x: (
        np.maximum(x, 0) + np.minimum(0, alpha(op) * np.expm1(x / alpha(op)))
    ),
    graph.HardSigmoidOp: lambda op, x: np.clip(alpha(op) * x + op.beta.value.data, 0, 1),
    graph.ThresholdedReluOp: lambda op, x: np.where(x > alpha(op), x, 0),
    graph.GeluOp: gelu_op,
    graph.BroadcastToOp: lambda op, x: np.broadcast_to(x, result_shape(op)).copy(),
    graph.TileOp: lambda op, x: np.tile(x, ints(op.repeats)),
    graph.ArgMaxOp: arg_reduce,
    graph.ArgMinOp: arg_reduce,
    graph.ReduceMinOp: extreme(np.min, math.inf),
    graph.ReduceProdOp: reduce(np.prod),
    graph.ReduceL1Op: reduce(lambda x, **k: np.sum(np.abs(x), **k)),
    graph.ReduceL2Op: reduce(lambda x, **k: np.sqrt(np.sum(x * x, **k))),
    graph.ReduceSumSquareOp: reduce(lambda x, **k: np.sum(x * x, **k)),
    graph.ReduceLogSumOp: reduce(log_sum),
    graph.ReduceLogSumExpOp: reduce(log_sum_exp),
    graph.CumSumOp: cumsum_op,
    graph.GroupNormOp: group_norm_op,
    graph.RmsNormOp: rms_norm_op,
    # recurrent networks
    graph.RnnOp: recurrent,
    graph.GruOp: recurrent,
    graph.LstmOp: recurrent,
}

RULES.update(
    {
        # integer contractions and quantization
        graph.MatmulIntegerOp: matmul_integer,
        graph.ConvIntegerOp: conv_integer,
        graph.RequantizeOp: requantize,
        graph.QuantizeLinearOp: quantize_linear,
        graph.DequantizeLinearOp: dequantize_linear,
        # data layouts (alter-conv-layout)
        graph.LayoutTransformOp: lambda op, x: layout_transform(
            x, op.src_layout.data, op.dst_layout.data
        ),
        graph.Conv2dNchwcOp: conv2d_nchwc,
        # indexing, scattering and rearranging
        graph.GatherElementsOp: lambda op, d, i: gather_elements(d, i, op.axis.value.data),
        graph.GatherNdOp: lambda op, d, i: gather_nd(d, i, op.batch_dims.value.data),
        graph.ScatterElementsOp: scatter_elements,
        graph.ScatterNdOp: scatter_nd,
        graph.OneHotOp: one_hot,
        graph.TriluOp: trilu,
        graph.DepthToSpaceOp: lambda op, x: depth_to_space(
            x, op.blocksize.value.data, op.mode.data
        ),
        graph.SpaceToDepthOp: lambda op, x: space_to_depth(
            x, op.blocksize.value.data, op.mode.data
        ),
        graph.EinsumOp: einsum,
        # resampling
        graph.Conv2dTransposeOp: conv2d_transpose,
        graph.ResizeOp: resize,
        # attention
        graph.MaskedSoftmaxOp: lambda op, x: masked_softmax(x, op.axis.value.data),
    }
)
