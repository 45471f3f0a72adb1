"""ReduceSum, ReduceMean and ReduceMax, their axes an attribute or (from opsets 13 and 18)
a constant input.
"""

from __future__ import annotations

from collections.abc import Callable

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value, integers

HANDLERS = Handlers()


AXES_AS_INPUT = {"ReduceSum": 13, "ReduceMean": 18, "ReduceMax": 18}

REDUCTIONS: dict[str, Callable[[], type[graph.ReduceOp]]] = {
    "ReduceSum": lambda: graph.ReduceSumOp,
    "ReduceMean": lambda: graph.ReduceMeanOp,
    "ReduceMax": lambda: graph.ReduceMaxOp,
}


@HANDLERS.handles(*REDUCTIONS)
def reduce(node: Node) -> list[Value]:
    noop = node.int("noop_with_empty_axes", 0)
    if node.opset >= AXES_AS_INPUT[node.op_type]:
        axes = integers(node.constant(1, "axes"))
    else:
        axes = node.ints("axes")
    keepdims = bool(node.int("keepdims", 1))
    x = node.input(0)
    rank = len(graph.shape_of(x))
    if not axes:
        if noop or rank == 0:
            return [x]
        axes = list(range(rank))
    return [node.emit(REDUCTIONS[node.op_type]()(x, axes, keepdims=keepdims))]
