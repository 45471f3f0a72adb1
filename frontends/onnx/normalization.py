"""Normalizations: BatchNormalization (inference), LayerNormalization (its Mean and
InvStdDev too), InstanceNormalization (as a layer norm), GroupNormalization,
MeanVarianceNormalization (as ONNX defines it), LpNormalization, RMSNormalization, LRN, and
Softmax and LogSoftmax (before opset 13, over every dimension from `axis` on).
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from xdsl.ir import SSAValue
from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects import graph
from ziggurat.elements import element_dtype
from ziggurat.frontends.onnx.node import (
    ELEMENT_TYPES,
    Handlers,
    Node,
    Value,
    constant_tensor,
)

HANDLERS = Handlers()


@HANDLERS.handles("BatchNormalization")
def batch_normalization(node: Node) -> list[Value]:
    node.ignore("momentum", "is_test")
    if node.int("training_mode", 0):
        raise node.error("training_mode 1 is not supported")
    if node.int("spatial", 1) != 1:
        raise node.error("spatial 0 is not supported")
    x, scale, bias, mean, variance = (node.input(i) for i in range(5))
    epsilon = node.float("epsilon", 1e-5)
    return [node.emit(graph.BatchNormOp(x, scale, bias, mean, variance, epsilon=epsilon))]


@HANDLERS.handles("LayerNormalization")
def layer_normalization(node: Node) -> list[Value]:
    """The normalized input; the Mean and InvStdDev outputs, where something reads them, by
    reductions of their own (in the stash type, float32 unless said otherwise)."""
    x, axis, epsilon = node.input(0), node.int("axis", -1), node.float("epsilon", 1e-5)
    stash = node.int("stash_type", onnx.TensorProto.FLOAT)
    op = graph.LayerNormOp(x, node.input(1), node.optional(2), axis=axis, epsilon=epsilon)
    results: list[Value] = [node.emit(op)]
    if not node.output_used(1) and not node.output_used(2):
        return results
    if stash not in ELEMENT_TYPES:
        raise node.error(f"stash_type {stash} is not supported")
    rank = len(graph.shape_of(x))
    try:
        axes = list(range(graph.normalize_axis(axis, rank), rank))
    except VerifyException as error:
        raise node.error(str(error)) from None
    element = ELEMENT_TYPES[stash]
    if graph.tensor(x).element_type != element:
        x = node.emit(graph.CastOp(x, element))
    mean = node.emit(graph.ReduceMeanOp(x, axes, keepdims=True))
    deviation = node.emit(graph.SubOp(x, mean))
    squares = node.emit(graph.MulOp(deviation, deviation))
    variance = node.emit(graph.ReduceMeanOp(squares, axes, keepdims=True))
    shifted = node.emit(graph.AddOp(variance, scalar_like(node, epsilon, variance)))
    inverse = node.emit(graph.ReciprocalOp(node.emit(graph.SqrtOp(shifted))))
    return [*results, mean, inverse]


def scalar_like(node: Node, value: float, like: SSAValue) -> SSAValue:
    """A scalar constant of the element type of `like`."""
    dtype = element_dtype(graph.tensor(like).element_type)
    return constant_tensor(node, np.array(value, dtype))


def channel_parameter(node: Node, value: SSAValue, rank: int, name: str) -> SSAValue:
    """A per-channel parameter [C] as [C, 1, ...] to broadcast along axis 1 of rank `rank`."""
    shape = graph.shape_of(value)
    if len(shape) != 1:
        raise node.error(f"{name} must be one-dimensional, got {value.type}")
    return node.emit(graph.ReshapeOp(value, [shape[0], *[1] * (rank - 2)]))


@HANDLERS.handles("InstanceNormalization")
def instance_normalization(node: Node) -> list[Value]:
    """A layer norm over the spatial dimensions (from axis 2), scale and bias per channel."""
    x = node.input(0)
    rank = len(graph.shape_of(x))
    if rank < 3:
        raise node.error(f"needs an input of rank 3 or more, got {x.type}")
    scale = channel_parameter(node, node.input(1), rank, "scale")
    bias = channel_parameter(node, node.input(2), rank, "B")
    epsilon = node.float("epsilon", 1e-5)
    return [node.emit(graph.LayerNormOp(x, scale, bias, axis=2, epsilon=epsilon))]


@HANDLERS.handles("GroupNormalization")
def group_normalization(node: Node) -> list[Value]:
    """A graph.group_norm, scale and bias per channel (opset 21's; the checker refuses
    opset 18's, per group, as deprecated)."""
    node.ignore("stash_type")
    x = node.input(0)
    shape = graph.shape_of(x)
    groups = node.attribute("num_groups")
    if groups is None:
        raise node.error("attribute 'num_groups' is required")
    groups = int(groups)
    if len(shape) < 2 or groups < 1 or shape[1] % groups:
        raise node.error(f"{groups} groups do not divide the channels of {x.type}")
    parameters = []
    for index, name in ((1, "scale"), (2, "bias")):
        value = node.input(index)
        if math.prod(graph.shape_of(value)) != shape[1]:
            raise node.error(f"{name} must have one value per channel, got {value.type}")
        if graph.shape_of(value) != (shape[1],):
            value = node.emit(graph.ReshapeOp(value, [shape[1]]))
        parameters.append(value)
    epsilon = node.float("epsilon", 1e-5)
    return [node.emit(graph.GroupNormOp(x, *parameters, groups, epsilon))]


@HANDLERS.handles("MeanVarianceNormalization")
def mean_variance_normalization(node: Node) -> list[Value]:
    """ONNX's own function: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over the axes."""
    x = node.input(0)
    axes = node.ints("axes", [0, 2, 3])
    mean = node.emit(graph.ReduceMeanOp(x, axes, keepdims=True))
    mean_of_squares = node.emit(
        graph.ReduceMeanOp(node.emit(graph.MulOp(x, x)), axes, keepdims=True)
    )
    variance = node.emit(graph.SubOp(mean_of_squares, node.emit(graph.MulOp(mean, mean))))
    deviation = node.emit(graph.SqrtOp(variance))
    divisor = node.emit(graph.AddOp(deviation, scalar_like(node, 1e-9, deviation)))
    return [node.emit(graph.DivOp(node.emit(graph.SubOp(x, mean)), divisor))]


@HANDLERS.handles("LpNormalization")
def lp_normalization(node: Node) -> list[Value]:
    """x divided by its L1 or L2 norm along the axis; 0 where the norm is 0 (ONNX's)."""
    p = node.int("p", 2)
    if p not in (1, 2):
        raise node.error(f"p {p} is not supported (1 and 2 are)")
    x = node.input(0)
    norm_class = graph.ReduceL2Op if p == 2 else graph.ReduceL1Op
    norm = node.emit(norm_class(x, [node.int("axis", -1)], keepdims=True))
    zero = scalar_like(node, 0.0, norm)
    quotient = node.emit(graph.DivOp(x, norm))
    return [node.emit(graph.SelectOp(node.emit(graph.CompareOp("eq", norm, zero)), zero, quotient))]


@HANDLERS.handles("RMSNormalization")
def rms_normalization(node: Node) -> list[Value]:
    node.ignore("stash_type")
    op = graph.RmsNormOp(
        node.input(0),
        node.input(1),
        axis=node.int("axis", -1),
        epsilon=node.float("epsilon", 1e-5),
    )
    return [node.emit(op)]


@HANDLERS.handles("LRN")
def lrn(node: Node) -> list[Value]:
    size = node.attribute("size")
    if size is None:
        raise node.error("attribute 'size' is required")
    op = graph.LrnOp(
        node.input(0),
        int(size),
        node.float("alpha", 1e-4),
        node.float("beta", 0.75),
        node.float("bias", 1.0),
    )
    return [node.emit(op)]


@HANDLERS.handles("Softmax", "LogSoftmax")
def softmax(node: Node) -> list[Value]:
    """Before opset 13 the input is coerced to 2-D at `axis`: the softmax spans every
    dimension from `axis` on, which a reshape around a last-axis softmax expresses."""
    op_class = graph.SoftmaxOp if node.op_type == "Softmax" else graph.LogSoftmaxOp
    x = node.input(0)
    if node.opset >= 13:
        return [node.emit(op_class(x, node.int("axis", -1)))]
    shape = graph.shape_of(x)
    try:
        axis = graph.normalize_axis(node.int("axis", 1), max(len(shape), 1))
    except VerifyException as error:
        raise node.error(str(error)) from None
    if axis >= len(shape) - 1:
        return [node.emit(op_class(x, -1))]
    rows = node.emit(graph.ReshapeOp(x, [math.prod(shape[:axis]), math.prod(shape[axis:])]))
    result = node.emit(op_class(rows, 1))
    return [node.emit(graph.ReshapeOp(result, shape))]
