"""Indexing and rearranging: GatherElements, GatherND, ScatterElements (and the older
Scatter), ScatterND, OneHot, Trilu, DepthToSpace and SpaceToDepth.
"""

from __future__ import annotations

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value, scalar

HANDLERS = Handlers()


@HANDLERS.handles("GatherElements")
def gather_elements(node: Node) -> list[Value]:
    op = graph.GatherElementsOp(node.input(0), node.input(1), node.int("axis", 0))
    return [node.emit(op)]


@HANDLERS.handles("GatherND")
def gather_nd(node: Node) -> list[Value]:
    op = graph.GatherNdOp(node.input(0), node.input(1), node.int("batch_dims", 0))
    return [node.emit(op)]


@HANDLERS.handles("ScatterElements", "Scatter")
def scatter_elements(node: Node) -> list[Value]:
    reduction = node.string("reduction", "none")
    if reduction not in graph.SCATTER_REDUCTIONS:
        raise node.error(f"reduction '{reduction}' is not supported")
    data, indices, updates = node.input(0), node.input(1), node.input(2)
    op = graph.ScatterElementsOp(data, indices, updates, node.int("axis", 0), reduction)
    return [node.emit(op)]


@HANDLERS.handles("ScatterND")
def scatter_nd(node: Node) -> list[Value]:
    reduction = node.string("reduction", "none")
    if reduction not in graph.SCATTER_REDUCTIONS:
        raise node.error(f"reduction '{reduction}' is not supported")
    op = graph.ScatterNdOp(node.input(0), node.input(1), node.input(2), reduction)
    return [node.emit(op)]


@HANDLERS.handles("OneHot")
def one_hot(node: Node) -> list[Value]:
    depth = scalar(node, 1, "depth")
    if depth is None:
        raise node.error("depth is required")
    op = graph.OneHotOp(node.input(0), node.input(2), int(depth), node.int("axis", -1))
    return [node.emit(op)]


@HANDLERS.handles("Trilu")
def trilu(node: Node) -> list[Value]:
    upper = bool(node.int("upper", 1))
    x = node.input(0)
    if not node.has(1):
        return [node.emit(graph.TriluOp(x, upper))]
    if node.proto.input[1] in node.importer.constants:
        k = scalar(node, 1, "k")
        return [node.emit(graph.TriluOp(x, upper, int(k or 0)))]
    return [node.emit(graph.TriluOp(x, upper, k_value=node.input(1)))]


@HANDLERS.handles("DepthToSpace", "SpaceToDepth")
def depth_to_space(node: Node) -> list[Value]:
    blocksize = node.attribute("blocksize")
    if blocksize is None:
        raise node.error("attribute 'blocksize' is required")
    mode = node.string("mode", "DCR")
    if mode not in graph.DEPTH_TO_SPACE_MODES:
        raise node.error(f"mode '{mode}' is not supported")
    op_class = graph.DepthToSpaceOp if node.op_type == "DepthToSpace" else graph.SpaceToDepthOp
    return [node.emit(op_class(node.input(0), int(blocksize), mode))]
