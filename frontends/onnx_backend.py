"""ONNX's backend API (`onnx.backend.base.Backend`) over Ziggurat's compiler: the CPU, or
the GPU (`device="CUDA"`) where one can be reached.

`prepare` imports a model to the graph level and compiles it; the returned `ZigguratRep`
runs it on numpy arrays given in graph-input order or by name, and returns the outputs in
graph-output order, with their ONNX element types, as a tuple one may also index by name.
The module itself is a backend, so it can be handed to ONNX's test runner:

    import ziggurat.frontends.onnx_backend as backend
    outputs = backend.prepare(onnx.load("model.onnx")).run([x])     # or run({"x": x})
    globals().update(onnx.backend.test.BackendTest(backend, __name__).test_cases)

Ziggurat compiles static shapes. When the shapes of a model follow from the *values* of
some integer inputs (a Reshape fed its target shape, a Pad its pads), or the importer needs
an input's value (a CumSum's axis), the model is compiled at its first run with those
inputs fixed to the values given, and again for new values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
from onnx import ModelProto, NodeProto, TensorProto, ValueInfoProto, helper, numpy_helper
from onnx.backend.base import Backend, BackendRep, Device, DeviceType, namedtupledict
from xdsl.dialects import func
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.elements import element_dtype
from ziggurat.frontends.onnx import import_model, input_names, output_names, read_model
from ziggurat.frontends.onnx.node import NotConstant

__all__ = [
    "ZigguratBackend",
    "ZigguratRep",
    "is_compatible",
    "prepare",
    "run_model",
    "run_node",
    "supports_device",
]

# Element types that carry shapes (Reshape's shape, Pad's pads, Unsqueeze's axes, ...; a
# Loop's condition, which decides whether it runs at all).
SHAPE_ELEMENT_TYPES = (TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL)

# Inputs of other element types whose values the importer needs: by operator, the positions
# of its inputs that size its output (floating-point scales, a depth) or locate it (a roi).
VALUE_OPERANDS = {"Resize": (1, 2), "Upsample": (1,), "OneHot": (1,)}


@dataclass
class Program:
    """A model compiled for one set of fixed input values: its arguments and results by name."""

    compiled: ziggurat.Compiled
    arguments: list[tuple[str, Attribute]]
    results: list[str]


def compile_model(model: ModelProto, batch_size: int | None, target: str = "cpu") -> Program:
    module = import_model(model, batch_size=batch_size)
    (main,) = (
        op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data == "main"
    )
    arguments = list(zip(input_names(module), main.function_type.inputs.data, strict=True))
    return Program(ziggurat.compile(module, target=target), arguments, output_names(module))


def graph_inputs(model: ModelProto) -> list[ValueInfoProto]:
    """The graph inputs a caller feeds: those that are not initializers."""
    initialized = {tensor.name for tensor in model.graph.initializer}
    return [value for value in model.graph.input if value.name not in initialized]


def has_static_shape(value: ValueInfoProto) -> bool:
    tensor_type = value.type.tensor_type
    return tensor_type.HasField("shape") and all(
        dim.HasField("dim_value") for dim in tensor_type.shape.dim
    )


def shape_inputs(model: ModelProto) -> list[str]:
    """The inputs to fix before compiling: when some shape in the model depends on input
    values, every integer or boolean input, every scalar (a float start, limit or delta
    sizes a Range, and a loop's trip count computed from them) and those VALUE_OPERANDS
    names (Resize's scales); none when the input shapes settle every shape."""
    inputs = graph_inputs(model)
    if not all(has_static_shape(value) for value in inputs):
        return []  # symbolic input dimensions are the importer's (batch_size)
    bare = ModelProto()
    bare.CopyFrom(model)
    # Declared output shapes would hide what inference alone can tell.
    for output in bare.graph.output:
        output.type.tensor_type.ClearField("shape")
    del bare.graph.value_info[:]
    try:
        inferred = onnx.shape_inference.infer_shapes(bare, data_prop=True).graph
    except onnx.shape_inference.InferenceError as error:
        raise ZigguratError(f"shape inference failed: {error}") from None
    known = {value.name: value for value in (*inferred.value_info, *inferred.output)}
    produced = [name for node in inferred.node for name in node.output if name]
    if all(name in known and has_static_shape(known[name]) for name in produced):
        return []
    operands = {
        node.input[i]
        for node in inferred.node
        for i in VALUE_OPERANDS.get(node.op_type, ())
        if i < len(node.input)
    }
    return [
        value.name
        for value in inputs
        if value.type.tensor_type.elem_type in SHAPE_ELEMENT_TYPES
        or not value.type.tensor_type.shape.dim
        or value.name in operands
    ]


def with_initializers(model: ModelProto, values: Mapping[str, np.ndarray]) -> ModelProto:
    """`model` with the inputs named in `values` fixed to those values."""
    fixed = ModelProto()
    fixed.CopyFrom(model)
    # The inputs stay listed: a graph input with an initializer is a constant (any IR version).
    fixed.graph.initializer.extend(
        numpy_helper.from_array(value, name) for name, value in values.items()
    )
    return fixed


def numpy_type(value: ValueInfoProto, what: str) -> np.dtype:
    """The numpy element type of a tensor value, or an error for any other kind of value."""
    kind = value.type.WhichOneof("value")
    if kind != "tensor_type":
        kind = (kind or "untyped value").removesuffix("_type")
        raise ZigguratError(f"{what} '{value.name}' is a {kind}; Ziggurat takes tensors only")
    return np.dtype(helper.tensor_dtype_to_np_dtype(value.type.tensor_type.elem_type))


class ZigguratRep(BackendRep):
    """A prepared model: `run` it on inputs as often as needed."""

    def __init__(self, model: ModelProto, batch_size: int | None = None, target: str = "cpu"):
        self.model = model
        self.batch_size = batch_size
        self.target = target
        inputs = graph_inputs(model)
        for value in inputs:
            numpy_type(value, "input")
        self.input_names = [value.name for value in inputs]
        self.output_names = [value.name for value in model.graph.output]
        self.output_types = [numpy_type(value, "output") for value in model.graph.output]
        self.fixed_inputs = shape_inputs(model)
        self.programs: dict[tuple[Any, ...], Program] = {}
        if not self.fixed_inputs:
            try:
                self.programs[()] = compile_model(model, batch_size, target)
            except NotConstant as error:
                self.fix(error)

    def run(self, inputs: Any, **kwargs: Any) -> tuple[Any, ...]:
        feeds = self.feeds(inputs)
        program = self.program(feeds)
        arguments = []
        for name, argument_type in program.arguments:
            if name not in feeds:
                raise ZigguratError(f"the compiled model takes '{name}', which is not an input")
            arguments.append(checked(name, feeds[name], argument_type))
        by_name = dict(zip(program.results, program.compiled(*arguments), strict=True))
        outputs = []
        for name, dtype in zip(self.output_names, self.output_types, strict=True):
            if name not in by_name:
                raise ZigguratError(f"the compiled model does not return output '{name}'")
            outputs.append(np.asarray(by_name[name]).astype(dtype, copy=False))
        return namedtupledict("Outputs", self.output_names)(*outputs)

    def feeds(self, inputs: Any) -> dict[str, np.ndarray]:
        """The inputs by name, from a sequence in graph-input order or a mapping."""
        if isinstance(inputs, Mapping):
            unknown = sorted(set(inputs) - set(self.input_names))
            if unknown:
                raise ZigguratError(f"the model has no input named {', '.join(unknown)}")
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ZigguratError(f"missing model inputs: {', '.join(missing)}")
            return {name: np.asarray(value) for name, value in inputs.items()}
        if isinstance(inputs, np.ndarray):
            inputs = [inputs]
        if len(inputs) != len(self.input_names):
            raise ZigguratError(
                f"the model takes {len(self.input_names)} inputs "
                f"({', '.join(self.input_names)}), got {len(inputs)}"
            )
        return {
            name: np.asarray(value) for name, value in zip(self.input_names, inputs, strict=True)
        }

    def program(self, feeds: Mapping[str, np.ndarray]) -> Program:
        """The program for these inputs, compiled on first use of their fixed values."""
        while True:
            key = tuple(
                (name, feeds[name].dtype.str, feeds[name].shape, feeds[name].tobytes())
                for name in self.fixed_inputs
            )
            if key in self.programs:
                return self.programs[key]
            fixed = {name: feeds[name] for name in self.fixed_inputs}
            try:
                model = with_initializers(self.model, fixed)
                self.programs[key] = compile_model(model, self.batch_size, self.target)
            except NotConstant as error:
                self.fix(error)

    def fix(self, error: NotConstant) -> None:
        """Fix the input the importer needs the value of (a CumSum's axis), if it is one."""
        if error.name not in self.input_names or error.name in self.fixed_inputs:
            raise error
        self.fixed_inputs.append(error.name)


def checked(name: str, value: np.ndarray, expected: Attribute) -> np.ndarray:
    """`value` as a C-contiguous array, if its element type and shape are what `name` takes."""
    if not isinstance(expected, TensorType):
        return value
    dtype = element_dtype(expected.element_type, f"input '{name}'")
    shape = tuple(expected.get_shape())
    if value.dtype != dtype or value.shape != shape:
        raise ZigguratError(
            f"input '{name}' should be a {'x'.join(map(str, shape)) or 'scalar'} array of "
            f"{dtype}, got {'x'.join(map(str, value.shape)) or 'scalar'} of {value.dtype}"
        )
    return np.require(value, requirements="C")  # ascontiguousarray would make a scalar 1-D


class ZigguratBackend(Backend):
    """ONNX models compiled by Ziggurat for the CPU, or for the GPU (`device="CUDA"`,
    the CUDA target) where one can be reached."""

    @classmethod
    def supports_device(cls, device: str) -> bool:
        return device_target(device) is not None

    @classmethod
    def target(cls, device: str) -> str:
        """The target that runs on `device`, or an error saying why there is none."""
        target = device_target(device)
        if target is None:
            reason = gpu_missing() if device_type(device) == DeviceType.CUDA else None
            raise ZigguratError(
                reason
                or f"Ziggurat's ONNX backend runs on the CPU and on the first CUDA GPU, "
                f"not '{device}'"
            )
        return target

    @classmethod
    def prepare(
        cls, model: ModelProto | str | os.PathLike[str], device: str = "CPU", **kwargs: Any
    ) -> ZigguratRep:
        """Compile `model`; `batch_size` fixes a symbolic leading dimension of its inputs."""
        target = cls.target(device)
        model = read_model(model)
        try:
            onnx.checker.check_model(model)
        except onnx.checker.ValidationError as error:
            raise ZigguratError(f"invalid ONNX model: {error}") from None
        return ZigguratRep(model, kwargs.get("batch_size"), target)

    @classmethod
    def run_model(
        cls, model: ModelProto, inputs: Any, device: str = "CPU", **kwargs: Any
    ) -> tuple[Any, ...]:
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(
        cls,
        node: NodeProto,
        inputs: Any,
        device: str = "CPU",
        outputs_info: Sequence[tuple[np.dtype, tuple[int, ...]]] | None = None,
        **kwargs: Any,
    ) -> tuple[Any, ...]:
        """Run one node: a model of just `node`, typed by `inputs` and shape inference."""
        try:
            super().run_node(node, inputs, device, outputs_info, **kwargs)
        except onnx.checker.ValidationError as error:
            raise ZigguratError(f"invalid ONNX node: {error}", node.name or None) from None
        names = [name for name in node.input if name]
        if isinstance(inputs, Mapping):
            inputs = [inputs[name] for name in names]
        arrays = [np.asarray(value) for value in inputs]
        if len(arrays) != len(names):
            raise ZigguratError(
                f"{node.op_type} node has {len(names)} inputs, got {len(arrays)} arrays",
                node.name or None,
            )
        model = node_model(node, names, arrays, outputs_info, kwargs.get("opset_version"))
        return cls.run_model(model, arrays, device)


def node_model(
    node: NodeProto,
    names: Sequence[str],
    arrays: Sequence[np.ndarray],
    outputs_info: Sequence[tuple[np.dtype, tuple[int, ...]]] | None,
    opset_version: int | None,
) -> ModelProto:
    """A model whose graph is `node`, its inputs typed like `arrays`."""
    inputs = [
        helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
        for name, a in zip(names, arrays, strict=True)
    ]
    output_names = [name for name in node.output if name]
    if outputs_info is not None:
        outputs = [
            helper.make_tensor_value_info(
                name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), shape
            )
            for name, (dtype, shape) in zip(output_names, outputs_info, strict=True)
        ]
    else:
        outputs = [helper.make_empty_tensor_value_info(name) for name in output_names]
    version = opset_version or onnx.defs.onnx_opset_version()
    graph = helper.make_graph([node], f"{node.op_type}_node", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(node.domain, version)])
    if outputs_info is not None:
        return model
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except onnx.shape_inference.InferenceError as error:
        raise ZigguratError(f"shape inference failed: {error}", node.name or None) from None
    for output in inferred.graph.output:
        if output.type.tensor_type.elem_type == TensorProto.UNDEFINED:
            raise ZigguratError(
                f"cannot infer the type of output '{output.name}'", node.name or None
            )
    return inferred


def device_type(device: str) -> Any:
    try:
        parsed = Device(device)
    except (AttributeError, ValueError):
        return None
    return parsed.type if parsed.device_id == 0 else None


def device_target(device: str) -> str | None:
    """The target for an ONNX device name: "cpu" for CPU, "cuda" for CUDA (device 0) where
    a GPU can be reached; None for any other."""
    kind = device_type(device)
    if kind == DeviceType.CPU:
        return "cpu"
    if kind == DeviceType.CUDA and gpu_missing() is None:
        return "cuda"
    return None


def gpu_missing() -> str | None:
    """Why no GPU can run kernels here (no package, driver or GPU), or None."""
    from ziggurat.targets.cuda import runtime

    try:
        runtime.device_properties()
    except ZigguratError as error:
        return error.message
    return None


# The module is the backend too, as `onnx.backend.test.BackendTest(module, __name__)` wants.
is_compatible = ZigguratBackend.is_compatible
prepare = ZigguratBackend.prepare
run_model = ZigguratBackend.run_model
run_node = ZigguratBackend.run_node
supports_device = ZigguratBackend.supports_device
