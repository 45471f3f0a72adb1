"""Elementwise operators: functions of one element, binary arithmetic (the variadic Sum,
Mean, Max and Min as chains of binary ops, opset 6's axis broadcasting too), LeakyRelu,
Clip, Identity, Dropout (inference), Cast and CastLike.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import onnx
from xdsl.dialects.builtin import f64
from xdsl.ir import SSAValue

from ziggurat.dialects import graph
from ziggurat.elements import element_dtype
from ziggurat.frontends.onnx.node import (
    ELEMENT_TYPES,
    Handlers,
    Node,
    Value,
    dense,
    scalar,
)

HANDLERS = Handlers()


UNARY: dict[str, Callable[[], type[graph.GraphOp]]] = {
    "Relu": lambda: graph.ReluOp,
    "Sigmoid": lambda: graph.SigmoidOp,
    "Tanh": lambda: graph.TanhOp,
    "Exp": lambda: graph.ExpOp,
    "Sqrt": lambda: graph.SqrtOp,
    "Erf": lambda: graph.ErfOp,
    "Neg": lambda: graph.NegOp,
    "Abs": lambda: graph.AbsOp,
    "Log": lambda: graph.LogOp,
    "Reciprocal": lambda: graph.ReciprocalOp,
}

BINARY: dict[str, Callable[[], type[graph.GraphOp]]] = {
    "Add": lambda: graph.AddOp,
    "Sub": lambda: graph.SubOp,
    "Mul": lambda: graph.MulOp,
    "Div": lambda: graph.DivOp,
    "Pow": lambda: graph.PowOp,
    "Sum": lambda: graph.AddOp,
    "Mean": lambda: graph.AddOp,
    "Max": lambda: graph.MaximumOp,
    "Min": lambda: graph.MinimumOp,
}


@HANDLERS.handles(*UNARY)
def unary(node: Node) -> list[Value]:
    return [node.emit(UNARY[node.op_type]()(node.input(0)))]


@HANDLERS.handles(*BINARY)
def binary(node: Node) -> list[Value]:
    """Binary operators, and the variadic ones as a chain of binary ops."""
    op_class = BINARY[node.op_type]()
    operands = node.inputs()
    if not operands:
        raise node.error("needs at least one input")
    result = operands[0]
    element = graph.tensor(result).element_type
    if node.op_type == "Pow" and graph.tensor(operands[1]).element_type != element:
        return [mixed_power(node, *operands)]
    if node.opset < 7 and node.op_type in ("Add", "Sub", "Mul", "Div", "Pow"):
        operands[1] = legacy_broadcast(node, operands[0], operands[1])
    for operand in operands[1:]:
        result = node.emit(op_class(result, operand))
    if node.op_type == "Mean" and len(operands) > 1:
        count = np.array(len(operands), dtype=element_dtype(element))
        divisor = node.importer.append(graph.ConstantOp(dense(count, node.where)), node.where)
        result = node.emit(graph.DivOp(result, divisor.results[0]))
    return [result]


def mixed_power(node: Node, base: SSAValue, exponent: SSAValue) -> SSAValue:
    """Since opset 12 the exponent may have its own type: a float base takes it converted
    (x ** 2 with an integer 2); an integer base to a float exponent is computed in f64 and
    truncated back, as onnxruntime does."""
    element = graph.tensor(base).element_type
    if node.opset < 7:
        exponent = legacy_broadcast(node, base, exponent)
    if graph.element_kind(element) == graph.FLOAT:
        return node.emit(graph.PowOp(base, node.emit(graph.CastOp(exponent, element))))
    wide = [node.emit(graph.CastOp(v, f64)) for v in (base, exponent)]
    return node.emit(graph.CastOp(node.emit(graph.PowOp(*wide)), element))


def legacy_broadcast(node: Node, a: SSAValue, b: SSAValue) -> SSAValue:
    """Before opset 7, `broadcast` stretches b over a with b's dimensions starting at `axis`
    of a (by default at the end, as numpy would): b reshaped to that alignment."""
    axis = node.attribute("axis")
    if not node.int("broadcast", 0) or axis is None:
        return b
    a_rank, b_shape = len(graph.shape_of(a)), graph.shape_of(b)
    start = int(axis) % max(a_rank, 1)
    if start + len(b_shape) > a_rank:
        raise node.error(f"cannot broadcast {b.type} over {a.type} from axis {axis}")
    aligned = [1] * start + list(b_shape) + [1] * (a_rank - start - len(b_shape))
    return node.emit(graph.ReshapeOp(b, aligned))


@HANDLERS.handles("LeakyRelu")
def leaky_relu(node: Node) -> list[Value]:
    return [node.emit(graph.LeakyReluOp(node.input(0), node.float("alpha", 0.01)))]


@HANDLERS.handles("Clip")
def clip(node: Node) -> list[Value]:
    x = node.input(0)
    if node.opset < 11:
        return [node.emit(graph.ClipOp(x, node.attribute("min"), node.attribute("max")))]
    constants = node.importer.constants
    if all(not node.has(i) or node.proto.input[i] in constants for i in (1, 2)):
        return [node.emit(graph.ClipOp(x, scalar(node, 1, "min"), scalar(node, 2, "max")))]
    # Bounds computed at run time: max(x, min), then min(that, max).
    if node.has(1):
        x = node.emit(graph.MaximumOp(x, node.input(1)))
    if node.has(2):
        x = node.emit(graph.MinimumOp(x, node.input(2)))
    return [x]


@HANDLERS.handles("Identity")
def identity(node: Node) -> list[Value]:
    return [node.input(0)]


@HANDLERS.handles("Dropout")
def dropout(node: Node) -> list[Value]:
    node.ignore("ratio", "seed")
    if node.opset < 12:
        return [node.input(0)]
    training = node.constant(2, "training_mode")
    if training is not None and bool(training.reshape(-1)[0]):
        raise node.error("training_mode is not supported")
    return [node.input(0)]


@HANDLERS.handles("Cast")
def cast(node: Node) -> list[Value]:
    node.ignore("saturate", "round_mode")
    to = node.int("to", onnx.TensorProto.FLOAT)
    element = ELEMENT_TYPES.get(to)
    if element is None:
        raise node.error(f"cast to {onnx.TensorProto.DataType.Name(to).lower()} is not supported")
    x = node.input(0)
    if graph.tensor(x).element_type == element:
        return [x]
    return [node.emit(graph.CastOp(x, element))]


@HANDLERS.handles("CastLike")
def cast_like(node: Node) -> list[Value]:
    node.ignore("saturate", "round_mode")
    element = node.element_type(1)
    name = node.proto.input[0]
    if name in node.importer.constants:  # like a constant: a constant (a fill value, say)
        with np.errstate(over="ignore", invalid="ignore"):
            return [node.importer.constants[name].astype(element_dtype(element))]
    x = node.input(0)
    if graph.tensor(x).element_type == element:
        return [x]
    return [node.emit(graph.CastOp(x, element))]
