"""Comparisons and logic: Equal, Less, Greater, LessOrEqual and GreaterOrEqual (graph.compare),
And, Or, Xor and Not (and their bitwise forms), Where (graph.select), and IsNaN and IsInf
as comparisons (x != x; |x| == inf).
"""

from __future__ import annotations

import numpy as np

from ziggurat.dialects import graph
from ziggurat.elements import element_dtype
from ziggurat.frontends.onnx.elementwise import legacy_broadcast
from ziggurat.frontends.onnx.node import Handlers, Node, Value, constant_tensor

HANDLERS = Handlers()


PREDICATES = {
    "Equal": "eq",
    "Less": "lt",
    "LessOrEqual": "le",
    "Greater": "gt",
    "GreaterOrEqual": "ge",
}


@HANDLERS.handles(*PREDICATES)
def compare(node: Node) -> list[Value]:
    a, b = node.input(0), node.input(1)
    if node.opset < 7:
        b = legacy_broadcast(node, a, b)
    return [node.emit(graph.CompareOp(PREDICATES[node.op_type], a, b))]


LOGIC = {
    "And": graph.AndOp,
    "Or": graph.OrOp,
    "Xor": graph.XorOp,
    "BitwiseAnd": graph.AndOp,
    "BitwiseOr": graph.OrOp,
    "BitwiseXor": graph.XorOp,
}


@HANDLERS.handles(*LOGIC)
def logic(node: Node) -> list[Value]:
    a, b = node.input(0), node.input(1)
    if node.opset < 7:
        b = legacy_broadcast(node, a, b)
    return [node.emit(LOGIC[node.op_type](a, b))]


@HANDLERS.handles("Not", "BitwiseNot")
def not_(node: Node) -> list[Value]:
    return [node.emit(graph.NotOp(node.input(0)))]


@HANDLERS.handles("Where")
def where(node: Node) -> list[Value]:
    return [node.emit(graph.SelectOp(node.input(0), node.input(1), node.input(2)))]


@HANDLERS.handles("IsNaN")
def is_nan(node: Node) -> list[Value]:
    x = node.input(0)
    return [node.emit(graph.CompareOp("ne", x, x))]


@HANDLERS.handles("IsInf")
def is_inf(node: Node) -> list[Value]:
    """|x| == inf, x == inf or x == -inf, as the node detects either sign or one."""
    x = node.input(0)
    positive, negative = node.int("detect_positive", 1), node.int("detect_negative", 1)
    dtype = element_dtype(graph.tensor(x).element_type)
    if not positive and not negative:
        return [constant_tensor(node, np.zeros(graph.shape_of(x), np.bool_))]
    infinity = constant_tensor(node, np.array(-np.inf if not positive else np.inf, dtype))
    if positive and negative:
        x = node.emit(graph.AbsOp(x))
    return [node.emit(graph.CompareOp("eq", x, infinity))]
