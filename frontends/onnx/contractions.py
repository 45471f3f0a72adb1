"""Contractions: Gemm, MatMul and Conv (1-D and 2-D)."""

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


@HANDLERS.handles("Gemm")
def gemm(node: Node) -> list[Value]:
    node.ignore("broadcast")  # before opset 7; the bias broadcasts either way
    return [
        node.emit(
            graph.DenseOp(
                node.input(0),
                node.input(1),
                node.optional(2),
                trans_a=bool(node.int("transA", 0)),
                trans_b=bool(node.int("transB", 0)),
                alpha=node.float("alpha", 1.0),
                beta=node.float("beta", 1.0),
            )
        )
    ]


@HANDLERS.handles("MatMul")
def matmul(node: Node) -> list[Value]:
    return [node.emit(graph.MatmulOp(node.input(0), node.input(1)))]


@HANDLERS.handles("Conv")
def conv(node: Node) -> list[Value]:
    weight_shape = node.shape(1)
    sizes = window_sizes(node, "convolutions")
    rank = len(sizes)
    if len(weight_shape) != rank + 2:
        raise node.error(f"a {rank}-D convolution needs a {rank + 2}-D weight, got {weight_shape}")
    kernel = node.ints("kernel_shape", weight_shape[2:])
    if list(kernel or ()) != list(weight_shape[2:]):
        raise node.error(f"kernel_shape {kernel} does not match the weight {list(weight_shape)}")
    strides, dilations = per_axis(node, "strides", rank), per_axis(node, "dilations", rank)
    padding = window_padding(node, sizes, weight_shape[2:], strides, dilations)
    op = graph.Conv2dOp(
        with_height(node, node.input(0)),
        with_height(node, node.input(1)),
        node.optional(2),
        strides=lift(strides, 1),
        padding=lift_pads(padding),
        dilation=lift(dilations, 1),
        groups=node.int("group", 1),
    )
    return [without_height(node, node.emit(op), rank)]
