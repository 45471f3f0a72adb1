"""Reductions: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
ReduceSumSquare, ReduceLogSum and ReduceLogSumExp, their axes an attribute or (from opsets
13 and 18) a constant input; ArgMax and ArgMin; and CumSum.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value, integers

HANDLERS = Handlers()


REDUCTIONS: dict[str, Callable[[], type[graph.ReduceOp]]] = {
    "ReduceSum": lambda: graph.ReduceSumOp,
    "ReduceMean": lambda: graph.ReduceMeanOp,
    "ReduceMax": lambda: graph.ReduceMaxOp,
    "ReduceMin": lambda: graph.ReduceMinOp,
    "ReduceProd": lambda: graph.ReduceProdOp,
    "ReduceL1": lambda: graph.ReduceL1Op,
    "ReduceL2": lambda: graph.ReduceL2Op,
    "ReduceSumSquare": lambda: graph.ReduceSumSquareOp,
    "ReduceLogSum": lambda: graph.ReduceLogSumOp,
    "ReduceLogSumExp": lambda: graph.ReduceLogSumExpOp,
}

# The reductions that leave an element alone as it is.
IDENTITY_ALONE = ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd")

# The opset from which each takes its axes as an input rather than an attribute.
AXES_AS_INPUT = dict.fromkeys(REDUCTIONS, 18) | {"ReduceSum": 13}


@HANDLERS.handles(*REDUCTIONS)
def reduce(node: Node) -> list[Value]:
    """Over the axes given; without any, over all of them, or over none (each element
    alone: x, |x|, x^2, log x) with noop_with_empty_axes or for a scalar."""
    noop = node.int("noop_with_empty_axes", 0)
    if node.opset >= AXES_AS_INPUT[node.op_type]:
        axes = integers(node.constant(1, "axes"))
    else:
        axes = node.ints("axes")
    keepdims = bool(node.int("keepdims", 1))
    x = node.input(0)
    rank = len(graph.shape_of(x))
    if not axes:
        axes = [] if noop or rank == 0 else list(range(rank))
    if not axes and node.op_type in IDENTITY_ALONE:
        return [x]
    return [node.emit(REDUCTIONS[node.op_type]()(x, axes, keepdims=keepdims))]


@HANDLERS.handles("ArgMax", "ArgMin")
def arg_reduce(node: Node) -> list[Value]:
    op_class = graph.ArgMaxOp if node.op_type == "ArgMax" else graph.ArgMinOp
    op = op_class(
        node.input(0),
        node.int("axis", 0),
        keepdims=bool(node.int("keepdims", 1)),
        select_last_index=bool(node.int("select_last_index", 0)),
    )
    return [node.emit(op)]


@HANDLERS.handles("CumSum")
def cumsum(node: Node) -> list[Value]:
    axis = integers(node.constant(1, "axis"))
    if axis is None or len(axis) != 1:
        raise node.error(f"axis must be one integer, got {axis}")
    x = node.input(0)
    try:
        graph.normalize_axis(axis[0], len(graph.shape_of(x)))
    except VerifyException as error:
        raise node.error(str(error)) from None
    exclusive, reverse = bool(node.int("exclusive", 0)), bool(node.int("reverse", 0))
    return [node.emit(graph.CumSumOp(x, axis[0], exclusive, reverse))]
