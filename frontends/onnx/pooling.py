"""Pools: MaxPool and AveragePool over 1-D and 2-D windows, and the global pools."""

from __future__ import annotations

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value
from ziggurat.frontends.onnx.windows import (
    lift,
    lift_pads,
    per_axis,
    window_padding,
    window_sizes,
    with_height,
    without_height,
)

HANDLERS = Handlers()


def pool_window(node: Node) -> tuple[int, list[int], list[int], list[int], list[int], bool]:
    """Rank, and the 2-D kernel, strides, padding, dilations and ceil mode of a pool."""
    sizes = window_sizes(node, "pools")
    rank = len(sizes)
    kernel = node.ints("kernel_shape")
    if kernel is None or len(kernel) != rank:
        raise node.error(f"kernel_shape needs {rank} values for a {rank}-D window, got {kernel}")
    strides, dilations = per_axis(node, "strides", rank), per_axis(node, "dilations", rank)
    padding = window_padding(node, sizes, kernel, strides, dilations)
    return (
        rank,
        lift(kernel, 1),
        lift(strides, 1),
        lift_pads(padding),
        lift(dilations, 1),
        bool(node.int("ceil_mode", 0)),
    )


@HANDLERS.handles("MaxPool")
def max_pool(node: Node) -> list[Value]:
    if node.int("storage_order", 0) != 0:
        raise node.error("storage_order 1 is not supported")
    rank, kernel, strides, padding, dilations, ceil_mode = pool_window(node)
    x = with_height(node, node.input(0))
    op = graph.MaxPool2dOp(x, kernel, strides, padding, dilations, ceil_mode)
    return [without_height(node, node.emit(op), rank)]


@HANDLERS.handles("AveragePool")
def average_pool(node: Node) -> list[Value]:
    rank, kernel, strides, padding, dilations, ceil_mode = pool_window(node)
    if dilations != [1, 1]:
        raise node.error(f"dilations {dilations[2 - rank :]} are not supported")
    include_pad = bool(node.int("count_include_pad", 0))
    x = with_height(node, node.input(0))
    op = graph.AvgPool2dOp(x, kernel, strides, padding, ceil_mode, include_pad)
    return [without_height(node, node.emit(op), rank)]


@HANDLERS.handles("GlobalAveragePool", "GlobalMaxPool")
def global_pool(node: Node) -> list[Value]:
    rank = len(window_sizes(node, "pools"))
    x = with_height(node, node.input(0))
    if node.op_type == "GlobalAveragePool":
        pooled = node.emit(graph.GlobalAvgPool2dOp(x))
    else:
        pooled = node.emit(graph.GlobalMaxPool2dOp(x))
    return [without_height(node, pooled, rank)]
