"""Einsum: the equation as ONNX spells it (letters, an ellipsis, spaces, an implicit output)."""

from __future__ import annotations

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value

HANDLERS = Handlers()


@HANDLERS.handles("Einsum")
def einsum(node: Node) -> list[Value]:
    equation = node.attribute("equation")
    if equation is None:
        raise node.error("attribute 'equation' is required")
    return [node.emit(graph.EinsumOp(node.inputs(), str(equation)))]
