"""QuantizeLinear and DequantizeLinear (per tensor, per axis, blocked; signed and unsigned 8-
and 16-bit integers and, for DequantizeLinear, int32), and DynamicQuantizeLinear (uint8) as
the graph ops it is made of. Quantized tensors keep ONNX's signedness: uint8 is ui8 at the
graph level (graph-to-te makes it signless, its computes' bodies unsigned).
"""

from __future__ import annotations

import numpy as np
import onnx
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f32, i8, i16, i32
from xdsl.ir import SSAValue

from ziggurat.dialects import graph
from ziggurat.elements import array_to_dense
from ziggurat.frontends.onnx.node import ELEMENT_TYPES, Handlers, Node, Value

HANDLERS = Handlers()

# The integer types a quantized tensor may have, as the graph level names them.
QUANTIZED_TYPES: dict[int, IntegerType] = {
    onnx.TensorProto.INT8: i8,
    onnx.TensorProto.UINT8: IntegerType(8, Signedness.UNSIGNED),
    onnx.TensorProto.INT16: i16,
    onnx.TensorProto.UINT16: IntegerType(16, Signedness.UNSIGNED),
    onnx.TensorProto.INT32: i32,
}


def type_name(code: int) -> str:
    return onnx.TensorProto.DataType.Name(code).lower()


def quantized_type(node: Node, code: int) -> IntegerType:
    element = QUANTIZED_TYPES.get(code)
    if element is None or (node.op_type == "QuantizeLinear" and element == i32):
        raise node.error(f"quantized type {type_name(code)} is not supported")
    return element


def onnx_type(node: Node, index: int) -> int:
    """The ONNX element type of input `index`, from its value or the graph's types."""
    name = node.proto.input[index]
    if name in node.importer.constants:
        array = node.importer.constants[name]
        return onnx.helper.np_dtype_to_tensor_dtype(array.dtype)
    element = graph.tensor(node.input(index)).element_type
    return next(code for code, known in ELEMENT_TYPES.items() if known == element)


def operand(node: Node, index: int) -> SSAValue | None:
    """An optional input, or None."""
    return node.input(index) if node.has(index) else None


def granularity(node: Node) -> tuple[int, int]:
    axis = node.int("axis", 1) if node.opset >= 13 else 1
    return axis, node.int("block_size", 0)


@HANDLERS.handles("QuantizeLinear")
def quantize_linear(node: Node) -> list[Value]:
    node.ignore("saturate")  # float8 only
    code = node.int("output_dtype", 0)
    if node.has(2):
        zero_type = onnx_type(node, 2)
        if code and code != zero_type:
            raise node.error("output_dtype differs from the zero point's type")
        code = zero_type
    element = quantized_type(node, code or onnx.TensorProto.UINT8)
    scale = node.input(1)
    precision = node.attribute("precision")
    if (
        precision is not None
        and ELEMENT_TYPES.get(int(precision)) != graph.tensor(scale).element_type
    ):
        raise node.error(f"precision {type_name(int(precision))} is not supported")
    axis, block_size = granularity(node)
    op = graph.QuantizeLinearOp(node.input(0), scale, operand(node, 2), element, axis, block_size)
    return [node.emit(op)]


@HANDLERS.handles("DequantizeLinear")
def dequantize_linear(node: Node) -> list[Value]:
    quantized_type(node, onnx_type(node, 0))  # refuses a type the graph op does not take
    scale = node.input(1)
    result = graph.tensor(scale).element_type
    code = node.attribute("output_dtype")
    if code:
        result = ELEMENT_TYPES.get(int(code))
        if result is None or not graph.is_cast_type(result) or isinstance(result, IntegerType):
            raise node.error(f"output_dtype {type_name(int(code))} is not supported")
    axis, block_size = granularity(node)
    op = graph.DequantizeLinearOp(node.input(0), scale, operand(node, 2), result, axis, block_size)
    return [node.emit(op)]


@HANDLERS.handles("DynamicQuantizeLinear")
def dynamic_quantize_linear(node: Node) -> list[Value]:
    """ONNX's definition: the range of x and 0 mapped onto [0, 255]; the zero point is where
    0 falls, rounded and saturated, as quantize_linear rounds and saturates."""
    x = node.input(0)
    if graph.tensor(x).element_type != f32:
        raise node.error(f"DynamicQuantizeLinear quantizes f32, not {graph.tensor(x).element_type}")
    axes = list(range(len(graph.shape_of(x))))
    zero = scalar_constant(node, 0.0)
    if axes:
        maximum = node.emit(graph.ReduceMaxOp(x, axes))
        minimum = node.emit(graph.ReduceMinOp(x, axes))
    else:
        maximum = minimum = x
    high = node.emit(graph.MaximumOp(maximum, zero))
    low = node.emit(graph.MinimumOp(minimum, zero))
    scale = node.emit(graph.DivOp(node.emit(graph.SubOp(high, low)), scalar_constant(node, 255.0)))
    uint8 = quantized_type(node, onnx.TensorProto.UINT8)
    zero_point = node.emit(graph.QuantizeLinearOp(node.emit(graph.NegOp(low)), scale, None, uint8))
    y = node.emit(graph.QuantizeLinearOp(x, scale, zero_point, uint8))
    return [y, scale, zero_point]


def scalar_constant(node: Node, value: float) -> SSAValue:
    dense = array_to_dense(np.array(value, np.float32), TensorType(f32, ()))
    return node.emit(graph.ConstantOp(dense))
