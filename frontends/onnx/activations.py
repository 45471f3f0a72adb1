"""Activations and other functions of one element: Elu, Selu, Celu, HardSigmoid, HardSwish
(x * HardSigmoid(x) with ONNX's alpha 1/6 and beta 1/2), ThresholdedRelu, Softplus,
Softsign, Mish, Gelu (exact and tanh), PRelu, Sign, Floor, Ceil, Round, Sin, Cos and Mod.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import SSAValue

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value

HANDLERS = Handlers()


UNARY: dict[str, Callable[[], type[graph.UnaryOp]]] = {
    "Softplus": lambda: graph.SoftplusOp,
    "Softsign": lambda: graph.SoftsignOp,
    "Mish": lambda: graph.MishOp,
    "Sign": lambda: graph.SignOp,
    "Floor": lambda: graph.FloorOp,
    "Ceil": lambda: graph.CeilOp,
    "Round": lambda: graph.RoundOp,
    "Sin": lambda: graph.SinOp,
    "Cos": lambda: graph.CosOp,
}


@HANDLERS.handles(*UNARY)
def unary(node: Node) -> list[Value]:
    return [node.emit(UNARY[node.op_type]()(node.input(0)))]


@HANDLERS.handles("Elu")
def elu(node: Node) -> list[Value]:
    return [node.emit(graph.EluOp(node.input(0), node.float("alpha", 1.0)))]


@HANDLERS.handles("Selu")
def selu(node: Node) -> list[Value]:
    alpha = node.float("alpha", graph.SELU_ALPHA)
    gamma = node.float("gamma", graph.SELU_GAMMA)
    return [node.emit(graph.SeluOp(node.input(0), alpha, gamma))]


@HANDLERS.handles("Celu")
def celu(node: Node) -> list[Value]:
    return [node.emit(graph.CeluOp(node.input(0), node.float("alpha", 1.0)))]


@HANDLERS.handles("HardSigmoid")
def hard_sigmoid(node: Node) -> list[Value]:
    alpha, beta = node.float("alpha", 0.2), node.float("beta", 0.5)
    return [node.emit(graph.HardSigmoidOp(node.input(0), alpha, beta))]


@HANDLERS.handles("HardSwish")
def hard_swish(node: Node) -> list[Value]:
    x = node.input(0)
    gate = node.emit(graph.HardSigmoidOp(x, 1 / 6, 0.5))
    return [node.emit(graph.MulOp(x, gate))]


@HANDLERS.handles("ThresholdedRelu")
def thresholded_relu(node: Node) -> list[Value]:
    return [node.emit(graph.ThresholdedReluOp(node.input(0), node.float("alpha", 1.0)))]


@HANDLERS.handles("Gelu")
def gelu(node: Node) -> list[Value]:
    approximate = node.string("approximate", "none")
    if approximate not in ("none", "tanh"):
        raise node.error(f"approximate '{approximate}' is not supported")
    return [node.emit(graph.GeluOp(node.input(0), tanh=approximate == "tanh"))]


@HANDLERS.handles("PRelu")
def prelu(node: Node) -> list[Value]:
    x, slope = node.input(0), node.input(1)
    slope = per_channel_before_opset_7(node, x, slope)
    if not graph.broadcasts_to(graph.shape_of(slope), graph.shape_of(x)):
        raise node.error(f"slope {slope.type} does not broadcast to {x.type}")
    return [node.emit(graph.PReluOp(x, slope))]


def per_channel_before_opset_7(node: Node, x: SSAValue, slope: SSAValue) -> SSAValue:
    """Before opset 7 a 1-D slope of one value per channel applies along axis 1."""
    x_shape, slope_shape = graph.shape_of(x), graph.shape_of(slope)
    if node.opset >= 7 or len(slope_shape) != 1 or len(x_shape) < 3:
        return slope
    if slope_shape[0] not in (1, x_shape[1]):
        return slope
    return node.emit(graph.ReshapeOp(slope, [slope_shape[0], *[1] * (len(x_shape) - 2)]))


@HANDLERS.handles("Mod")
def mod(node: Node) -> list[Value]:
    fmod = node.int("fmod", 0)
    return [node.emit(graph.ModOp(node.input(0), node.input(1), fmod=bool(fmod)))]
