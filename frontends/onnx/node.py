"""One ONNX node being converted and what the converters share: the node's attributes
(each read is recorded, so an attribute nobody handles becomes an error naming the node),
its inputs as SSA values or constants, the element types we read, and the tables of
converters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
from onnx import numpy_helper
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    IntegerType,
    Signedness,
    TensorType,
    f16,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.elements import array_to_dense

if TYPE_CHECKING:
    from ziggurat.frontends.onnx.importer import Importer

ELEMENT_TYPES: dict[int, Attribute] = {
    onnx.TensorProto.FLOAT: f32,
    onnx.TensorProto.DOUBLE: f64,
    onnx.TensorProto.FLOAT16: f16,
    onnx.TensorProto.BOOL: i1,
    onnx.TensorProto.INT8: i8,
    onnx.TensorProto.INT16: i16,
    onnx.TensorProto.INT32: i32,
    onnx.TensorProto.INT64: i64,
    onnx.TensorProto.UINT8: IntegerType(8, Signedness.UNSIGNED),
    onnx.TensorProto.UINT16: IntegerType(16, Signedness.UNSIGNED),
    onnx.TensorProto.UINT32: IntegerType(32, Signedness.UNSIGNED),
    onnx.TensorProto.UINT64: IntegerType(64, Signedness.UNSIGNED),
}

NUMPY_TYPES: dict[np.dtype, Attribute] = {
    np.dtype(onnx.helper.tensor_dtype_to_np_dtype(code)): element
    for code, element in ELEMENT_TYPES.items()
}

Value = SSAValue | np.ndarray


class NotConstant(ZigguratError):
    """A node input whose value the importer needs (CumSum's axis) is not a constant: the
    ONNX backend compiles such a model for the values it is run with."""

    def __init__(self, message: str, where: str, name: str):
        super().__init__(message, where)
        self.name = name


def dense(array: np.ndarray, where: str) -> DenseIntOrFPElementsAttr:
    """`array` as a dense elements attribute of its own element type and shape."""
    element = NUMPY_TYPES.get(array.dtype)
    if element is None:
        raise ZigguratError(f"constant of element type {array.dtype} is not supported", where)
    return array_to_dense(array, TensorType(element, array.shape))


def tensor_value(proto: onnx.TensorProto, what: str, node: Node | None = None) -> np.ndarray:
    """The array a tensor proto holds; a malformed one is an error naming it."""
    try:
        return numpy_helper.to_array(proto)
    except (ValueError, TypeError, KeyError) as error:
        message = f"{what} '{proto.name}' is malformed: {error}"
        raise (node.error(message) if node else ZigguratError(message)) from None


class Node:
    """One ONNX node being imported: its attributes (remembering which were read), its
    inputs as SSA values or constants, and errors located at it."""

    def __init__(self, importer: Importer, proto: onnx.NodeProto, index: int):
        self.importer = importer
        self.proto = proto
        self.op_type = proto.op_type
        self.opset = importer.opset
        self.where = Node.describe(proto, index)
        self.attributes = {a.name: a for a in proto.attribute}
        self.read: set[str] = set()

    @staticmethod
    def describe(proto: onnx.NodeProto, index: int) -> str:
        label = f"'{proto.name}'" if proto.name else f"#{index}"
        return f"node {label} ({proto.op_type})"

    def error(self, message: str) -> ZigguratError:
        return ZigguratError(message, self.where)

    def output_label(self, index: int) -> str:
        try:
            outputs = onnx.defs.get_schema(self.op_type, self.opset).outputs
            return f"'{outputs[min(index, len(outputs) - 1)].name}'"
        except onnx.defs.SchemaError:
            return f"#{index}"

    # Attributes

    def attribute(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        if name not in self.attributes:
            return default
        value = onnx.helper.get_attribute_value(self.attributes[name])
        return value.decode() if isinstance(value, bytes) else value

    def int(self, name: str, default: int) -> int:
        return int(self.attribute(name, default))

    def float(self, name: str, default: float) -> float:
        return float(self.attribute(name, default))

    def ints(self, name: str, default: Sequence[int] | None = None) -> list[int] | None:
        value = self.attribute(name, default)
        return None if value is None else [int(v) for v in value]

    def string(self, name: str, default: str) -> str:
        return str(self.attribute(name, default))

    def ignore(self, *names: str) -> None:
        """Attributes that do not change what inference computes."""
        self.read.update(names)

    # Inputs and outputs

    def has(self, index: int) -> bool:
        return index < len(self.proto.input) and self.proto.input[index] != ""

    def input(self, index: int) -> SSAValue:
        if not self.has(index):
            raise self.error(f"input {index} is missing")
        return self.importer.value(self.proto.input[index], self.where)

    def optional(self, index: int) -> SSAValue | None:
        return self.input(index) if self.has(index) else None

    def inputs(self) -> list[SSAValue]:
        return [self.input(i) for i in range(len(self.proto.input)) if self.has(i)]

    def constant(self, index: int, what: str) -> np.ndarray | None:
        """The value of an optional input that must be known at import time."""
        if not self.has(index):
            return None
        name = self.proto.input[index]
        if name not in self.importer.constants:
            raise NotConstant(f"{what} (input '{name}') must be a constant", self.where, name)
        return self.importer.constants[name]

    def shape(self, index: int) -> tuple[int, ...]:
        name = self.proto.input[index]
        if name in self.importer.constants:
            return self.importer.constants[name].shape
        return graph.shape_of(self.input(index))

    def element_type(self, index: int) -> Attribute:
        """The element type of an input, without materializing a constant one."""
        name = self.proto.input[index]
        if name in self.importer.constants:
            array = self.importer.constants[name]
            if array.dtype not in NUMPY_TYPES:
                raise self.error(f"input '{name}' of element type {array.dtype} is not supported")
            return NUMPY_TYPES[array.dtype]
        return graph.tensor(self.input(index)).element_type

    def output_used(self, index: int) -> bool:
        outputs = self.proto.output
        return index < len(outputs) and outputs[index] in self.importer.used

    def emit(self, op: Operation) -> SSAValue:
        self.importer.append(op, self.where)
        return op.results[0]

    def emit_results(self, op: Operation) -> list[SSAValue]:
        """Append an op of several results; its results."""
        self.importer.append(op, self.where)
        return list(op.results)


Handler = Callable[[Node], list[Value]]


class Handlers(dict[str, Handler]):
    """Converters by ONNX operator type; `@HANDLERS.handles("Relu", ...)` adds one."""

    def handles(self, *op_types: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for op_type in op_types:
                self[op_type] = handler
            return handler

        return register


def constant_tensor(node: Node, array: np.ndarray) -> SSAValue:
    """A graph.constant holding `array`, located at `node`."""
    return node.emit(graph.ConstantOp(dense(array, node.where)))


def scalar(node: Node, index: int, what: str) -> float | None:
    value = node.constant(index, what)
    if value is None:
        return None
    if value.size != 1:
        raise node.error(f"{what} must be a scalar, got shape {list(value.shape)}")
    return float(value.reshape(()))


def integers(values: np.ndarray | Sequence[int] | None) -> list[int] | None:
    return None if values is None else [int(v) for v in np.asarray(values).reshape(-1)]
