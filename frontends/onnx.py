"""ONNX models to graph-level modules: one `func.func @main` of graph ops on static shapes.

The function's arguments are the graph inputs that are not initializers, in graph order; its
results are the graph outputs, in order; each carries its ONNX name as an `onnx.name`
attribute (read them back with `input_names` and `output_names`). Initializers become
`graph.constant`s, each op is located at its node (`node 'conv1' (Conv)`), and a node whose
inputs are all constants is evaluated at import time, so shape arithmetic (Shape -> Gather ->
Concat -> Reshape, as PyTorch exports it) folds into the static shapes the graph level needs.

    module = import_model("model.onnx", batch_size=1)
    input_names(module)   # ['input']

Anything the importer cannot express (an operator, an attribute or one of its values, an
opset, a dynamic dimension) is a `ZigguratError` naming the node, before any compilation.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    ModuleOp,
    NameLoc,
    StringAttr,
    TensorType,
    UnknownLoc,
    f16,
    f32,
    f64,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph

__all__ = ["ONNX_NAME", "OPSETS", "import_model", "input_names", "output_names", "read_model"]

ONNX_NAME = "onnx.name"

# Default-domain opsets we read: from 6 (the oldest PyTorch exports onnx ships as tests,
# opset 6 broadcasting included) to 28, which onnx 1.23 writes unless told otherwise.
OPSETS = range(6, 29)

DEFAULT_DOMAINS = ("", "ai.onnx")

ELEMENT_TYPES: dict[int, Attribute] = {
    onnx.TensorProto.FLOAT: f32,
    onnx.TensorProto.DOUBLE: f64,
    onnx.TensorProto.FLOAT16: f16,
    onnx.TensorProto.INT8: i8,
    onnx.TensorProto.INT16: i16,
    onnx.TensorProto.INT32: i32,
    onnx.TensorProto.INT64: i64,
}

NUMPY_TYPES: dict[np.dtype, Attribute] = {
    np.dtype(onnx.helper.tensor_dtype_to_np_dtype(code)): element
    for code, element in ELEMENT_TYPES.items()
}

# Evaluating these at import time would change what the model computes.
NEVER_FOLDED = {"RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial"}

Value = SSAValue | np.ndarray


# Reading a model ----------------------------------------------------------------------------


def read_model(model: onnx.ModelProto | str | os.PathLike[str]) -> onnx.ModelProto:
    """The model itself, or the model stored at a path; an unreadable file is a ZigguratError."""
    if isinstance(model, onnx.ModelProto):
        return model
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise ZigguratError(f"no such file: {path}")
    try:
        model = onnx.load(path)
    except Exception as error:  # protobuf and onnx raise several unrelated types
        raise ZigguratError(f"cannot read ONNX model '{path}': {first_line(error)}") from None
    if not model.HasField("graph"):
        raise ZigguratError(f"cannot read ONNX model '{path}': it holds no graph")
    return model


def first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def default_opset(model: onnx.ModelProto) -> int:
    """The model's default-domain opset, or a ZigguratError when we do not read it."""
    versions = {o.domain: o.version for o in model.opset_import}
    found = [versions[d] for d in DEFAULT_DOMAINS if d in versions]
    if not found:
        raise ZigguratError("the model imports no default-domain (ai.onnx) opset")
    if found[0] not in OPSETS:
        raise ZigguratError(
            f"opset {found[0]} is not supported (supported: {OPSETS.start} to {OPSETS.stop - 1})"
        )
    return found[0]


def check_node(node: Node, ir_version: int) -> None:
    """ONNX's own checks of a node against its schema (inputs, attribute names and types)."""
    context = onnx.checker.C.CheckerContext()
    context.ir_version = ir_version
    context.opset_imports = {"": node.opset}
    try:
        onnx.checker.check_node(node.proto, context, onnx.checker.C.LexicalScopeContext())
    except onnx.checker.ValidationError as error:
        if node.op_type not in HANDLERS and not onnx.defs.has(node.op_type):
            raise node.error("operator not supported") from None
        raise node.error(f"invalid node: {first_line(error)}") from None


def static_shapes(model: onnx.ModelProto, batch_size: int | None) -> onnx.ModelProto:
    """A copy of `model` whose inputs have static shapes (the batch size replacing a dynamic
    first dimension) and whose other values have the shapes ONNX infers from them."""
    if batch_size is not None and batch_size < 1:
        raise ZigguratError(f"the batch size must be positive, not {batch_size}")
    model = onnx.ModelProto.FromString(model.SerializeToString())
    initializers = {i.name for i in model.graph.initializer}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        if not value.type.HasField("tensor_type"):
            raise ZigguratError(f"input '{value.name}' is not a tensor")
        tensor_type = value.type.tensor_type
        if not tensor_type.HasField("shape"):
            raise ZigguratError(f"input '{value.name}' has no shape")
        for index, dim in enumerate(tensor_type.shape.dim):
            if dim.HasField("dim_value"):
                continue
            name = f" ('{dim.dim_param}')" if dim.dim_param else ""
            if index == 0 and batch_size is not None:
                dim.dim_value = batch_size
            elif index == 0:
                raise ZigguratError(
                    f"input '{value.name}' has a dynamic batch dimension 0{name}: give a batch "
                    "size (batch_size=N, or --batch N)"
                )
            else:
                raise ZigguratError(
                    f"input '{value.name}' has a dynamic dimension {index}{name}: only the "
                    "first (batch) dimension may be dynamic"
                )
    del model.graph.value_info[:]
    try:
        return onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError):
        pass
    # The importer infers every type itself: ONNX's inference only has to be best effort.
    try:
        return onnx.shape_inference.infer_shapes(model, data_prop=True)
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError):
        return model


# The module ----------------------------------------------------------------------------------


def import_model(
    model: onnx.ModelProto | str | os.PathLike[str],
    batch_size: int | None = None,
    name: str = "main",
) -> ModuleOp:
    """A module with one function `name` of graph ops computing the ONNX model."""
    proto = read_model(model)
    opset = default_opset(proto)
    for index, node in enumerate(proto.graph.node):
        if node.domain not in DEFAULT_DOMAINS:
            raise ZigguratError(
                f"domain '{node.domain}' is not supported", Node.describe(node, index)
            )
    proto = static_shapes(proto, batch_size)
    return Importer(proto, opset).build(name)


def function_names(module: ModuleOp, function: str, results: bool) -> list[str]:
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == function:
            attributes = op.res_attrs if results else op.arg_attrs
            if attributes is None:
                return []
            return [
                entry.data[ONNX_NAME].data  # type: ignore[attr-defined]
                for entry in attributes.data
                if ONNX_NAME in entry.data
            ]
    raise ZigguratError(f"the module has no function @{function}")


def input_names(module: ModuleOp, function: str = "main") -> list[str]:
    """The ONNX names of the arguments of `function`, in order."""
    return function_names(module, function, results=False)


def output_names(module: ModuleOp, function: str = "main") -> list[str]:
    """The ONNX names of the results of `function`, in order."""
    return function_names(module, function, results=True)


def dense(array: np.ndarray, where: str) -> DenseIntOrFPElementsAttr:
    """`array` as a dense elements attribute of its own element type and shape."""
    element = NUMPY_TYPES.get(array.dtype)
    if element is None:
        raise ZigguratError(f"constant of element type {array.dtype} is not supported", where)
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return DenseIntOrFPElementsAttr(TensorType(element, array.shape), BytesAttr(data))


def names_attribute(names: Sequence[str]) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr([DictionaryAttr({ONNX_NAME: StringAttr(n)}) for n in names])


def tensor_value(proto: onnx.TensorProto, what: str, node: Node | None = None) -> np.ndarray:
    """The array a tensor proto holds; a malformed one is an error naming it."""
    try:
        return numpy_helper.to_array(proto)
    except (ValueError, TypeError, KeyError) as error:
        message = f"{what} '{proto.name}' is malformed: {error}"
        raise (node.error(message) if node else ZigguratError(message)) from None


class Importer:
    """The state of one import: the block being built and what each ONNX name holds."""

    def __init__(self, model: onnx.ModelProto, opset: int):
        self.graph = model.graph
        self.ir_version = model.ir_version
        self.opset = opset
        self.values: dict[str, SSAValue] = {}
        self.constants = {i.name: tensor_value(i, "initializer") for i in self.graph.initializer}
        self.used = {name for node in self.graph.node for name in node.input}
        self.used |= {o.name for o in self.graph.output}
        self.arguments = [i for i in self.graph.input if i.name not in self.constants]
        self.block = Block(arg_types=[self.input_type(i) for i in self.arguments])
        for value, arg in zip(self.arguments, self.block.args, strict=True):
            self.values[value.name] = arg

    def input_type(self, value: onnx.ValueInfoProto) -> TensorType:
        tensor_type = value.type.tensor_type
        element = ELEMENT_TYPES.get(tensor_type.elem_type)
        if element is None:
            type_name = onnx.TensorProto.DataType.Name(tensor_type.elem_type).lower()
            raise ZigguratError(
                f"input '{value.name}' of element type {type_name} is not supported"
            )
        return TensorType(element, [d.dim_value for d in tensor_type.shape.dim])

    def build(self, name: str) -> ModuleOp:
        for index, proto in enumerate(self.graph.node):
            self.import_node(Node(self, proto, index))
        results = [self.value(o.name, f"output '{o.name}'") for o in self.graph.output]
        self.block.add_op(func.ReturnOp(*results))
        function = func.FuncOp(
            name,
            ([a.type for a in self.block.args], [r.type for r in results]),
            Region(self.block),
            arg_attrs=names_attribute([a.name for a in self.arguments]),
            res_attrs=names_attribute([o.name for o in self.graph.output]),
        )
        module = ModuleOp([function])
        try:
            module.verify()
        except VerifyException as error:
            raise ZigguratError(f"the imported module does not verify: {error}") from None
        return module

    def append(self, op: Operation, where: str) -> Operation:
        op.location = NameLoc(StringAttr(where), UnknownLoc())
        try:
            op.verify()
        except VerifyException as error:
            raise ZigguratError(str(error), where) from None
        self.block.add_op(op)
        return op

    def value(self, name: str, where: str) -> SSAValue:
        """The SSA value of an ONNX name, materializing a constant at its first use."""
        if name in self.values:
            return self.values[name]
        if name not in self.constants:
            raise ZigguratError(f"'{name}' is used before it is defined", where)
        label = f"constant '{name}'"
        op = self.append(graph.ConstantOp(dense(self.constants[name], label)), label)
        self.values[name] = op.results[0]
        return op.results[0]

    def import_node(self, node: Node) -> None:
        check_node(node, self.ir_version)
        results = self.fold(node)
        if results is None:
            handler = HANDLERS.get(node.op_type)
            if handler is None:
                raise node.error("operator not supported")
            try:
                results = handler(node)
            except VerifyException as error:
                raise node.error(str(error)) from None
            unread = [a for a in node.attributes if a not in node.read]
            if unread:
                raise node.error(f"attribute '{unread[0]}' is not supported")
        for index, output in enumerate(node.proto.output):
            if not output:
                continue
            if index >= len(results):
                if output in self.used:
                    raise node.error(f"the {node.output_label(index)} output is not supported")
                continue
            result = results[index]
            if isinstance(result, np.ndarray):
                self.constants[output] = result
            else:
                self.values[output] = result

    def fold(self, node: Node) -> list[Value] | None:
        """The outputs of a node whose inputs are all constants, evaluated by ONNX's reference
        implementation; None where the node is not evaluated now."""
        names = [n for n in node.proto.input if n]
        if (
            not names
            or any(n not in self.constants for n in names)
            or node.op_type in NEVER_FOLDED
            or any(a.type in (a.GRAPH, a.GRAPHS) for a in node.proto.attribute)
        ):
            return None
        from onnx.reference import ReferenceEvaluator

        try:
            evaluator = ReferenceEvaluator(node.proto, opsets={"": self.opset})
            outputs = evaluator.run(None, {n: self.constants[n] for n in names})
        except Exception:  # the handler reports what is wrong with the node, if anything
            return None
        return [np.asarray(o) for o in outputs]


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
            raise self.error(f"{what} (input '{name}') must be a constant")
        return self.importer.constants[name]

    def shape(self, index: int) -> tuple[int, ...]:
        name = self.proto.input[index]
        if name in self.importer.constants:
            return self.importer.constants[name].shape
        return graph.shape_of(self.input(index))

    def output_used(self, index: int) -> bool:
        outputs = self.proto.output
        return index < len(outputs) and outputs[index] in self.importer.used

    def emit(self, op: Operation) -> SSAValue:
        self.importer.append(op, self.where)
        return op.results[0]


# Operators -----------------------------------------------------------------------------------

Handler = Callable[[Node], list[Value]]
HANDLERS: dict[str, Handler] = {}


def handles(*op_types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for op_type in op_types:
            HANDLERS[op_type] = handler
        return handler

    return register


def scalar(node: Node, index: int, what: str) -> float | None:
    value = node.constant(index, what)
    if value is None:
        return None
    if value.size != 1:
        raise node.error(f"{what} must be a scalar, got shape {list(value.shape)}")
    return float(value.reshape(()))


def integers(values: np.ndarray | Sequence[int] | None) -> list[int] | None:
    return None if values is None else [int(v) for v in np.asarray(values).reshape(-1)]


# Elementwise

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


@handles(*UNARY)
def unary(node: Node) -> list[Value]:
    return [node.emit(UNARY[node.op_type]()(node.input(0)))]


@handles(*BINARY)
def binary(node: Node) -> list[Value]:
    """Binary operators, and the variadic ones as a chain of binary ops."""
    op_class = BINARY[node.op_type]()
    operands = node.inputs()
    if not operands:
        raise node.error("needs at least one input")
    result = operands[0]
    element = graph.tensor(result).element_type
    if node.op_type == "Pow" and graph.tensor(operands[1]).element_type != element:
        # Since opset 12 the exponent may have its own type (x ** 2 with an integer 2).
        operands[1] = node.emit(graph.CastOp(operands[1], element))
    if node.opset < 7 and node.op_type in ("Add", "Sub", "Mul", "Div", "Pow"):
        operands[1] = legacy_broadcast(node, operands[0], operands[1])
    for operand in operands[1:]:
        result = node.emit(op_class(result, operand))
    if node.op_type == "Mean" and len(operands) > 1:
        count = np.array(len(operands), dtype=graph_dtype(element))
        divisor = node.importer.append(graph.ConstantOp(dense(count, node.where)), node.where)
        result = node.emit(graph.DivOp(result, divisor.results[0]))
    return [result]


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


def graph_dtype(element: Attribute) -> np.dtype:
    return next(dtype for dtype, e in NUMPY_TYPES.items() if e == element)


@handles("LeakyRelu")
def leaky_relu(node: Node) -> list[Value]:
    return [node.emit(graph.LeakyReluOp(node.input(0), node.float("alpha", 0.01)))]


@handles("Clip")
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


@handles("Identity")
def identity(node: Node) -> list[Value]:
    return [node.input(0)]


@handles("Dropout")
def dropout(node: Node) -> list[Value]:
    node.ignore("ratio", "seed")
    if node.opset < 12:
        return [node.input(0)]
    training = node.constant(2, "training_mode")
    if training is not None and bool(training.reshape(-1)[0]):
        raise node.error("training_mode is not supported")
    return [node.input(0)]


@handles("Cast")
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


# Contractions


@handles("Gemm")
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


@handles("MatMul")
def matmul(node: Node) -> list[Value]:
    return [node.emit(graph.MatmulOp(node.input(0), node.input(1)))]


def window_padding(
    node: Node,
    sizes: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
) -> list[int]:
    """ONNX pads (every begin, then every end) from `pads` or `auto_pad`."""
    rank = len(sizes)
    auto_pad = node.string("auto_pad", "NOTSET")
    pads = node.ints("pads", [0] * 2 * rank)
    assert pads is not None
    if auto_pad == "NOTSET":
        if len(pads) != 2 * rank:
            raise node.error(f"pads needs {2 * rank} values for a {rank}-D window, got {pads}")
        return pads
    if auto_pad == "VALID":
        return [0] * 2 * rank
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        raise node.error(f"auto_pad '{auto_pad}' is not supported")
    begins, ends = [], []
    for size, k, stride, dilation in zip(sizes, kernel, strides, dilations, strict=True):
        total = max(0, (-(-size // stride) - 1) * stride + dilation * (k - 1) + 1 - size)
        small, large = total // 2, total - total // 2
        begins.append(small if auto_pad == "SAME_UPPER" else large)
        ends.append(large if auto_pad == "SAME_UPPER" else small)
    return begins + ends


def window_sizes(node: Node, what: str) -> list[int]:
    """The spatial sizes of a 1-D or 2-D window's NC... input, or an error naming the rank."""
    shape = node.shape(0)
    if len(shape) not in (3, 4):
        raise node.error(
            f"only 1-D and 2-D {what} are supported, got a {max(len(shape) - 2, 0)}-D input "
            f"{list(shape)}"
        )
    return list(shape[2:])


def per_axis(node: Node, name: str, rank: int) -> list[int]:
    values = node.ints(name, [1] * rank)
    assert values is not None
    if len(values) != rank:
        raise node.error(f"{name} needs {rank} values for a {rank}-D window, got {values}")
    return values


# The graph level has 2-D windows only: a 1-D window is a 2-D one of height 1, its input
# and weight reshaped to have that height and its result reshaped back.


def lift(values: Sequence[int], fill: int) -> list[int]:
    """Per-axis values of a 1-D window as those of its 2-D equivalent."""
    return [fill, *values] if len(values) == 1 else list(values)


def lift_pads(pads: Sequence[int]) -> list[int]:
    """ONNX pads as the graph level's [top, left, bottom, right]."""
    return [0, pads[0], 0, pads[1]] if len(pads) == 2 else list(pads)


def with_height(node: Node, value: SSAValue) -> SSAValue:
    """`value` (N, C, W) as (N, C, 1, W); a 2-D value is returned as it is."""
    shape = graph.shape_of(value)
    if len(shape) == 4:
        return value
    return node.emit(graph.ReshapeOp(value, [shape[0], shape[1], 1, shape[2]]))


def without_height(node: Node, value: SSAValue, rank: int) -> SSAValue:
    if rank == 2:
        return value
    n, c, _, w = graph.shape_of(value)
    return node.emit(graph.ReshapeOp(value, [n, c, w]))


@handles("Conv")
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


# Pooling and normalization


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


@handles("MaxPool")
def max_pool(node: Node) -> list[Value]:
    if node.int("storage_order", 0) != 0:
        raise node.error("storage_order 1 is not supported")
    rank, kernel, strides, padding, dilations, ceil_mode = pool_window(node)
    x = with_height(node, node.input(0))
    op = graph.MaxPool2dOp(x, kernel, strides, padding, dilations, ceil_mode)
    return [without_height(node, node.emit(op), rank)]


@handles("AveragePool")
def average_pool(node: Node) -> list[Value]:
    rank, kernel, strides, padding, dilations, ceil_mode = pool_window(node)
    if dilations != [1, 1]:
        raise node.error(f"dilations {dilations[2 - rank :]} are not supported")
    include_pad = bool(node.int("count_include_pad", 0))
    x = with_height(node, node.input(0))
    op = graph.AvgPool2dOp(x, kernel, strides, padding, ceil_mode, include_pad)
    return [without_height(node, node.emit(op), rank)]


@handles("GlobalAveragePool", "GlobalMaxPool")
def global_pool(node: Node) -> list[Value]:
    rank = len(window_sizes(node, "pools"))
    x = with_height(node, node.input(0))
    if node.op_type == "GlobalAveragePool":
        pooled = node.emit(graph.GlobalAvgPool2dOp(x))
    else:
        pooled = node.emit(graph.GlobalMaxPool2dOp(x))
    return [without_height(node, pooled, rank)]


@handles("BatchNormalization")
def batch_normalization(node: Node) -> list[Value]:
    node.ignore("momentum", "is_test")
    if node.int("training_mode", 0):
        raise node.error("training_mode 1 is not supported")
    if node.int("spatial", 1) != 1:
        raise node.error("spatial 0 is not supported")
    x, scale, bias, mean, variance = (node.input(i) for i in range(5))
    epsilon = node.float("epsilon", 1e-5)
    return [node.emit(graph.BatchNormOp(x, scale, bias, mean, variance, epsilon=epsilon))]


@handles("LayerNormalization")
def layer_normalization(node: Node) -> list[Value]:
    node.ignore("stash_type")
    op = graph.LayerNormOp(
        node.input(0),
        node.input(1),
        node.optional(2),
        axis=node.int("axis", -1),
        epsilon=node.float("epsilon", 1e-5),
    )
    return [node.emit(op)]


@handles("LRN")
def lrn(node: Node) -> list[Value]:
    size = node.attribute("size")
    if size is None:
        raise node.error("attribute 'size' is required")
    op = graph.LrnOp(
        node.input(0),
        int(size),
        node.float("alpha", 1e-4),
        node.float("beta", 0.75),
        node.float("bias", 1.0),
    )
    return [node.emit(op)]


@handles("Softmax", "LogSoftmax")
def softmax(node: Node) -> list[Value]:
    """Before opset 13 the input is coerced to 2-D at `axis`: the softmax spans every
    dimension from `axis` on, which a reshape around a last-axis softmax expresses."""
    op_class = graph.SoftmaxOp if node.op_type == "Softmax" else graph.LogSoftmaxOp
    x = node.input(0)
    if node.opset >= 13:
        return [node.emit(op_class(x, node.int("axis", -1)))]
    shape = graph.shape_of(x)
    try:
        axis = graph.normalize_axis(node.int("axis", 1), max(len(shape), 1))
    except VerifyException as error:
        raise node.error(str(error)) from None
    if axis >= len(shape) - 1:
        return [node.emit(op_class(x, -1))]
    rows = node.emit(graph.ReshapeOp(x, [math.prod(shape[:axis]), math.prod(shape[axis:])]))
    result = node.emit(op_class(rows, 1))
    return [node.emit(graph.ReshapeOp(result, shape))]


# Reductions

AXES_AS_INPUT = {"ReduceSum": 13, "ReduceMean": 18, "ReduceMax": 18}

REDUCTIONS: dict[str, Callable[[], type[graph.ReduceOp]]] = {
    "ReduceSum": lambda: graph.ReduceSumOp,
    "ReduceMean": lambda: graph.ReduceMeanOp,
    "ReduceMax": lambda: graph.ReduceMaxOp,
}


@handles(*REDUCTIONS)
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


# Shapes and data movement


@handles("Constant")
def constant(node: Node) -> list[Value]:
    if "value" in node.attributes:
        return [tensor_value(node.attribute("value"), "the value", node)]
    for name, dtype in (
        ("value_float", np.float32),
        ("value_floats", np.float32),
        ("value_int", np.int64),
        ("value_ints", np.int64),
    ):
        if name in node.attributes:
            return [np.array(node.attribute(name), dtype=dtype)]
    unread = next(iter(node.attributes), None)
    if unread is not None:
        raise node.error(f"attribute '{unread}' is not supported")
    raise node.error("needs a value")


@handles("Shape")
def shape(node: Node) -> list[Value]:
    dims = node.shape(0)
    start, end = node.int("start", 0), node.attribute("end")
    return [np.array(dims[start : None if end is None else int(end)], dtype=np.int64)]


@handles("Size")
def size(node: Node) -> list[Value]:
    return [np.array(math.prod(node.shape(0)), dtype=np.int64)]


@handles("ConstantOfShape")
def constant_of_shape(node: Node) -> list[Value]:
    dims = integers(node.constant(0, "the shape"))
    value = node.attribute("value")
    fill = np.zeros(1, np.float32) if value is None else tensor_value(value, "the value", node)
    return [np.full(dims or [], fill.reshape(-1)[0], dtype=fill.dtype)]


@handles("Reshape")
def reshape(node: Node) -> list[Value]:
    target = integers(node.constant(1, "the shape"))
    if target is None:
        raise node.error("the shape input is missing")
    x = node.input(0)
    if not node.int("allowzero", 0):
        source = graph.shape_of(x)
        target = [source[i] if d == 0 and i < len(source) else d for i, d in enumerate(target)]
    return [node.emit(graph.ReshapeOp(x, target))]


@handles("Flatten")
def flatten(node: Node) -> list[Value]:
    return [node.emit(graph.FlattenOp(node.input(0), node.int("axis", 1)))]


@handles("Squeeze")
def squeeze(node: Node) -> list[Value]:
    axes = integers(node.constant(1, "axes")) if node.opset >= 13 else node.ints("axes")
    x = node.input(0)
    dims = graph.shape_of(x)
    if axes is None:
        kept = [d for d in dims if d != 1]
    else:
        try:
            dropped = {graph.normalize_axis(a, len(dims)) for a in axes}
        except VerifyException as error:
            raise node.error(str(error)) from None
        if any(dims[a] != 1 for a in dropped):
            raise node.error(f"cannot squeeze axes {axes} of shape {list(dims)}")
        kept = [d for i, d in enumerate(dims) if i not in dropped]
    return [node.emit(graph.ReshapeOp(x, kept))]


@handles("Unsqueeze")
def unsqueeze(node: Node) -> list[Value]:
    axes = integers(node.constant(1, "axes")) if node.opset >= 13 else node.ints("axes")
    if not axes:
        raise node.error("axes are required")
    x = node.input(0)
    dims = list(graph.shape_of(x))
    rank = len(dims) + len(axes)
    try:
        inserted = sorted({graph.normalize_axis(a, rank) for a in axes})
    except VerifyException as error:
        raise node.error(str(error)) from None
    if len(inserted) != len(axes):
        raise node.error(f"axes {axes} repeat an axis")
    for axis in inserted:
        dims.insert(axis, 1)
    return [node.emit(graph.ReshapeOp(x, dims))]


@handles("Transpose")
def transpose(node: Node) -> list[Value]:
    x = node.input(0)
    perm = node.ints("perm") or list(reversed(range(len(graph.shape_of(x)))))
    return [node.emit(graph.TransposeOp(x, perm))]


@handles("Concat")
def concat(node: Node) -> list[Value]:
    axis = node.attribute("axis")
    if axis is None:
        raise node.error("attribute 'axis' is required")
    return [node.emit(graph.ConcatOp(node.inputs(), int(axis)))]


@handles("Split")
def split(node: Node) -> list[Value]:
    x = node.input(0)
    dims = graph.shape_of(x)
    axis = node.int("axis", 0)
    try:
        extent = dims[graph.normalize_axis(axis, len(dims))]
    except VerifyException as error:
        raise node.error(str(error)) from None
    sizes = node.ints("split") if node.opset < 13 else integers(node.constant(1, "split"))
    count = node.int("num_outputs", len(node.proto.output))
    if sizes is None:
        chunk = -(-extent // count)
        if extent % count and "num_outputs" not in node.attributes:
            raise node.error(f"cannot split {extent} elements into {count} equal parts")
        sizes = [chunk] * (count - 1) + [extent - chunk * (count - 1)]
    if sum(sizes) != extent or any(s < 0 for s in sizes):
        raise node.error(f"cannot split {extent} elements into parts of {sizes}")
    op = graph.SplitOp(x, axis, sizes)
    node.importer.append(op, node.where)
    return list(op.results)


@handles("Slice")
def slice_(node: Node) -> list[Value]:
    x = node.input(0)
    dims = graph.shape_of(x)
    rank = len(dims)
    if node.opset < 10:
        starts, ends = node.ints("starts"), node.ints("ends")
        axes, steps = node.ints("axes"), None
    else:
        starts = integers(node.constant(1, "starts"))
        ends = integers(node.constant(2, "ends"))
        axes = integers(node.constant(3, "axes"))
        steps = integers(node.constant(4, "steps"))
    if starts is None or ends is None:
        raise node.error("starts and ends are required")
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise node.error(
            f"starts, ends, axes and steps differ in length: {starts}, {ends}, {axes}, {steps}"
        )
    offsets, sizes, strides = [0] * rank, list(dims), [1] * rank
    seen: set[int] = set()
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        if not -rank <= axis < rank or axis % rank in seen:
            raise node.error(f"axes {axes} are out of range or repeat, for rank {rank}")
        if step == 0:
            raise node.error("a step of 0")
        d = axis % rank
        seen.add(d)
        extent = dims[d]
        start = start + extent if start < 0 else start
        end = end + extent if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), extent), min(max(end, 0), extent)
        else:
            start, end = min(max(start, 0), extent - 1), min(max(end, -1), extent - 1)
        size = max(0, -(-(end - start) // step))
        offsets[d], sizes[d], strides[d] = (start if size else 0), size, step
    return [node.emit(graph.SliceOp(x, offsets, sizes, strides))]


@handles("Gather")
def gather(node: Node) -> list[Value]:
    axis = node.int("axis", 0)
    data = node.input(0)
    indices = (
        node.constant(1, "indices") if node.proto.input[1] in node.importer.constants else None
    )
    if indices is None:
        return [node.emit(graph.GatherOp(data, node.input(1), axis))]
    dims = graph.shape_of(data)
    try:
        extent = dims[graph.normalize_axis(axis, len(dims))]
    except VerifyException as error:
        raise node.error(str(error)) from None
    if np.any(indices < -extent) or np.any(indices >= extent):
        raise node.error(f"indices out of range for a dimension of {extent}")
    positive = np.where(indices < 0, indices + extent, indices).astype(np.int64)
    label = f"{node.where} indices"
    index_value = node.importer.append(graph.ConstantOp(dense(positive, label)), label)
    return [node.emit(graph.GatherOp(data, index_value.results[0], axis))]


@handles("Pad")
def pad(node: Node) -> list[Value]:
    mode = node.string("mode", "constant")
    if mode not in graph.PAD_MODES:
        raise node.error(f"mode '{mode}' is not supported")
    x = node.input(0)
    rank = len(graph.shape_of(x))
    value_input: SSAValue | None = None
    if node.opset < 11:
        pads = node.ints("pads")
        value = node.float("value", 0.0)
    else:
        pads = integers(node.constant(1, "pads"))
        if node.has(2) and node.proto.input[2] not in node.importer.constants:
            value, value_input = 0.0, node.input(2)
        else:
            value = scalar(node, 2, "constant_value") or 0.0
        axes = integers(node.constant(3, "axes"))
        if axes is not None and pads is not None:
            full = [0] * (2 * rank)
            for i, axis in enumerate(axes):
                full[axis % rank] = pads[i]
                full[axis % rank + rank] = pads[i + len(axes)]
            pads = full
    if pads is None or len(pads) != 2 * rank:
        raise node.error(f"pads needs {2 * rank} values, got {pads}")
    if any(p < 0 for p in pads):
        raise node.error(f"negative pads {pads} are not supported")
    padded = node.emit(graph.PadOp(x, pads, value, mode))
    if value_input is None or mode != "constant":
        return [padded]
    # A fill value known only at run time: pad with zeros, then add the value where a
    # constant mask marks the padding.
    element = graph.tensor(x).element_type
    inside = np.ones(graph.shape_of(x), dtype=graph_dtype(element))
    outside = 1 - np.pad(inside, list(zip(pads[:rank], pads[rank:], strict=True)))
    mask = node.importer.append(graph.ConstantOp(dense(outside, node.where)), node.where)
    fill = node.emit(graph.MulOp(mask.results[0], value_input))
    return [node.emit(graph.AddOp(padded, fill))]
