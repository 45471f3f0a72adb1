"""The importer: reads the model, checks its opset and nodes, makes its shapes static,
and walks its graph, converting each node (or evaluating it, when its inputs are
constants) into graph ops of one function.
"""

from __future__ import annotations

import math
import os
from collections import ChainMap
from collections.abc import MutableMapping, Sequence

import numpy as np
import onnx
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    ModuleOp,
    NameLoc,
    StringAttr,
    TensorType,
    UnknownLoc,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.frontends.onnx import (
    activations,
    attention,
    comparisons,
    contractions,
    control,
    conv_transpose,
    einsum,
    elementwise,
    indexing,
    normalization,
    pooling,
    quantization,
    quantized,
    recurrent,
    reductions,
    resize,
    shapes,
)
from ziggurat.frontends.onnx.folding import fold_natively
from ziggurat.frontends.onnx.node import ELEMENT_TYPES, Node, Value, dense, tensor_value

ONNX_NAME = "onnx.name"

# Default-domain opsets we read: from 6 (the oldest PyTorch exports onnx ships as tests,
# opset 6 broadcasting included) to 28, which onnx 1.23 writes unless told otherwise; and an
# older one where every operator of the model is as at opset 6.
OPSETS = range(6, 29)

DEFAULT_DOMAINS = ("", "ai.onnx")

# Evaluating these at import time would change what the model computes.
NEVER_FOLDED = {"RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial"}

HANDLERS = {
    **elementwise.HANDLERS,
    **contractions.HANDLERS,
    **pooling.HANDLERS,
    **normalization.HANDLERS,
    **reductions.HANDLERS,
    **shapes.HANDLERS,
    **quantized.HANDLERS,
    **indexing.HANDLERS,
    **einsum.HANDLERS,
    **conv_transpose.HANDLERS,
    **resize.HANDLERS,
    **quantization.HANDLERS,
    **attention.HANDLERS,
    **comparisons.HANDLERS,
    **activations.HANDLERS,
    **recurrent.HANDLERS,
    **control.HANDLERS,
}


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
    version = found[0]
    supported = f"opset {version} is not supported (supported: {OPSETS.start} to {OPSETS.stop - 1})"
    if version > OPSETS.stop - 1 or version < 1:
        raise ZigguratError(supported)
    if version >= OPSETS.start:
        return version
    # An older model reads as opset 6 where each of its operators is as at opset 6 (Not-1).
    changed = sorted(
        op for op in operators(model.graph) if schema(op, version) != schema(op, OPSETS.start)
    )
    if changed:
        raise ZigguratError(f"{supported}: {', '.join(changed)} changed by opset {OPSETS.start}")
    return OPSETS.start


def operators(graph: onnx.GraphProto) -> set[str]:
    """The default-domain operators of `graph` and its subgraphs."""
    found = set()
    for node in graph.node:
        if node.domain in DEFAULT_DOMAINS:
            found.add(node.op_type)
        for attribute in node.attribute:
            for subgraph in (
                *([attribute.g] if attribute.HasField("g") else []),
                *attribute.graphs,
            ):
                found |= operators(subgraph)
    return found


def schema(op_type: str, opset: int) -> int | None:
    """The version of `op_type` a model of `opset` uses, or None where there is none."""
    try:
        return onnx.defs.get_schema(op_type, opset, "").since_version
    except onnx.defs.SchemaError:
        return None


def check_node(node: Node, ir_version: int) -> None:
    """ONNX's own checks of a node against its schema (inputs, attribute names and types).
    A subgraph is left out, its nodes checked as they are imported: alone, it would not
    see the names of the graphs around it."""
    context = onnx.checker.C.CheckerContext()
    context.ir_version = ir_version
    context.opset_imports = {"": node.opset}
    proto = node.proto
    if any(a.type == a.GRAPH for a in proto.attribute):
        proto = onnx.NodeProto()
        proto.CopyFrom(node.proto)
        for attribute in proto.attribute:
            if attribute.type == attribute.GRAPH:
                attribute.g.CopyFrom(onnx.GraphProto(name=attribute.g.name))
    try:
        onnx.checker.check_node(proto, context, onnx.checker.C.LexicalScopeContext())
    except onnx.checker.ValidationError as error:
        if node.op_type not in HANDLERS and not onnx.defs.has(node.op_type):
            raise node.error("operator not supported") from None
        raise node.error(f"invalid node: {first_line(error)}") from None


def static_shapes(model: onnx.ModelProto, batch_size: int | None) -> onnx.ModelProto:
    """A copy of `model` whose inputs have static shapes (the batch size replacing a dynamic
    first dimension) and whose other values have the shapes ONNX infers from them; without
    its large initializers (see skeleton), which the importer reads from `model`."""
    if batch_size is not None and batch_size < 1:
        raise ZigguratError(f"the batch size must be positive, not {batch_size}")
    initializers = {i.name for i in model.graph.initializer}
    model, placeholders = skeleton(model)
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
    inferred = inferred_shapes(model)
    inputs = [i for i in inferred.graph.input if i.name not in placeholders]
    del inferred.graph.input[:]
    inferred.graph.input.extend(inputs)
    return inferred


def inferred_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    try:
        return onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError):
        pass
    # The importer infers every type itself: ONNX's inference only has to be best effort.
    try:
        return onnx.shape_inference.infer_shapes(model, data_prop=True)
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError):
        return model


SMALL_INITIALIZER = 1024  # elements: shapes, axes, indices; what shape inference may read


def skeleton(model: onnx.ModelProto) -> tuple[onnx.ModelProto, set[str]]:
    """A copy of `model` for shape inference, which serializes the model twice: without its
    large initializers (the weights: their values decide no shape), each one an input of
    its type instead; and the names of those inputs not in the model."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    inputs = {i.name for i in model.graph.input}
    del copy.graph.initializer[:]
    placeholders = set()
    for initializer in model.graph.initializer:
        if math.prod(initializer.dims) <= SMALL_INITIALIZER:
            copy.graph.initializer.append(initializer)
        elif initializer.name not in inputs:
            placeholders.add(initializer.name)
            copy.graph.input.append(
                onnx.helper.make_tensor_value_info(
                    initializer.name, initializer.data_type, list(initializer.dims)
                )
            )
    return copy, placeholders


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
    return Importer(static_shapes(proto, batch_size), opset, proto.graph.initializer).build(name)


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


def names_attribute(names: Sequence[str]) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr([DictionaryAttr({ONNX_NAME: StringAttr(n)}) for n in names])


def used_names(graph: onnx.GraphProto) -> set[str]:
    """The names the nodes of `graph` and of its subgraphs read, and the outputs of each."""
    used = {o.name for o in graph.output}
    for node in graph.node:
        used.update(node.input)
        for attribute in node.attribute:
            subgraphs = [attribute.g] if attribute.type == attribute.GRAPH else attribute.graphs
            for subgraph in subgraphs:
                used |= used_names(subgraph)
    return used


class Importer:
    """The state of one import: the block being built and what each ONNX name holds."""

    def __init__(
        self,
        model: onnx.ModelProto,
        opset: int,
        initializers: Sequence[onnx.TensorProto] | None = None,
    ):
        """`initializers` are the graph's (by default those of `model`)."""
        self.graph = model.graph
        self.ir_version = model.ir_version
        self.opset = opset
        self.values: MutableMapping[str, SSAValue] = {}
        self.constants: MutableMapping[str, np.ndarray] = {
            i.name: tensor_value(i, "initializer")
            for i in (self.graph.initializer if initializers is None else initializers)
        }
        self.used = used_names(self.graph)
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

    def subgraph(
        self, graph: onnx.GraphProto, block: Block, inputs: dict[str, Value], where: str
    ) -> list[Value]:
        """Import the nodes of `graph` (a branch or a loop body, which may read the values of
        the graphs around it) into `block`, its inputs bound to `inputs`; the value of
        each of its outputs (an array where it is a constant)."""
        outer = self.block, self.values, self.constants
        self.block = block
        self.values = ChainMap({}, self.values)
        self.constants = ChainMap({}, self.constants)
        for initializer in graph.initializer:
            self.constants[initializer.name] = tensor_value(initializer, "initializer")
        for name, value in inputs.items():
            if isinstance(value, np.ndarray):
                self.constants[name] = value
            else:
                self.values[name] = value
        try:
            for index, proto in enumerate(graph.node):
                node = Node(self, proto, index)
                node.where = f"{node.where} in {where}"
                self.import_node(node)
            outputs: list[Value] = []
            for output in graph.output:
                if output.name in self.values:
                    outputs.append(self.values[output.name])
                elif output.name in self.constants:
                    outputs.append(self.constants[output.name])
                else:
                    raise ZigguratError(f"output '{output.name}' is never defined", where)
            return outputs
        finally:
            self.block, self.values, self.constants = outer

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
        """The outputs of a node whose inputs are all constants, evaluated in numpy (folding.py)
        or by ONNX's reference implementation; None where the node is not evaluated now."""
        names = [n for n in node.proto.input if n]
        if (
            not names
            or any(n not in self.constants for n in names)
            or node.op_type in NEVER_FOLDED
            or any(a.type in (a.GRAPH, a.GRAPHS) for a in node.proto.attribute)
        ):
            return None
        folded = fold_natively(node.proto, self.constants, self.opset)
        if folded is not None:
            return list(folded)
        from onnx.reference import ReferenceEvaluator

        # Alone, a node would be evaluated at the newest opset (Unsqueeze-13 reads its
        # axes from an input, Unsqueeze-11 from an attribute): a model states ours.
        produced = [o for o in node.proto.output if o]
        model = onnx.helper.make_model(
            onnx.helper.make_graph(
                [node.proto],
                "fold",
                [onnx.helper.make_value_info(n, onnx.TypeProto()) for n in dict.fromkeys(names)],
                [onnx.helper.make_value_info(o, onnx.TypeProto()) for o in produced],
            ),
            opset_imports=[onnx.helper.make_opsetid("", self.opset)],
        )
        try:
            evaluator = ReferenceEvaluator(model)
            outputs = evaluator.run(None, {n: self.constants[n] for n in names})
        except Exception:  # the handler reports what is wrong with the node, if anything
            return None
        by_name = dict(zip(produced, outputs, strict=True))
        # An output left out ('') is never read.
        return [np.asarray(by_name.get(o, ())) for o in node.proto.output]
