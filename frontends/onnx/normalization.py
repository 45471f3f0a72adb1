"""Normalizations: BatchNormalization (inference), LayerNormalization, LRN, and Softmax
and LogSoftmax (before opset 13, over every dimension from `axis` on).
"""

from __future__ import annotations

import math

from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value

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
    node.ignore("stash_type")
    op = graph.LayerNormOp(
        node.input(0),
        node.input(1),
        node.optional(2),
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
