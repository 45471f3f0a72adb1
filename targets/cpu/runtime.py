"""Call compiled loop-level functions on numpy arrays, without copying them.

A memref argument is passed as its descriptor's fields (see passes/func_to_llvm.py): the
array's data pointer twice, offset 0, its shape and its strides in elements. An array must
match the memref's element type, rank and static sizes, and its layout where the type
fixes one (for the identity layout: C-contiguous). Trailing memref arguments marked
`{ziggurat.output}` may be left out: they are allocated (64-byte aligned) and returned.

    compiled = compile_loop_module(module)
    C = compiled.matmul(A, B)[0]          # or compiled.matmul(A, B, C), in place
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    Float16Type,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    MemRefType,
    ModuleOp,
    NoneAttr,
    StringAttr,
)
from xdsl.ir import Attribute

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ALIGNMENT
from ziggurat.elements import static_offset, static_strides
from ziggurat.targets.cpu.jit import Machine, assembly, optimize, parse
from ziggurat.targets.cpu.threads import the_pool

OUTPUT = "ziggurat.output"

SCALARS: dict[str, tuple[type, Any]] = {
    "f16": (ctypes.c_uint16, np.float16),
    "f32": (ctypes.c_float, np.float32),
    "f64": (ctypes.c_double, np.float64),
    "i1": (ctypes.c_bool, np.bool_),
    "i8": (ctypes.c_int8, np.int8),
    "i16": (ctypes.c_int16, np.int16),
    "i32": (ctypes.c_int32, np.int32),
    "i64": (ctypes.c_int64, np.int64),
    "index": (ctypes.c_int64, np.int64),
}


def scalar_name(type: Attribute) -> str | None:
    match type:
        case IndexType():
            return "index"
        case IntegerType():
            return f"i{type.width.data}"
        case Float16Type():
            return "f16"
        case Float32Type():
            return "f32"
        case Float64Type():
            return "f64"
    return None


def numpy_dtype(type: Attribute, where: str) -> np.dtype:
    name = scalar_name(type)
    if name not in SCALARS:
        raise ZigguratError(f"the CPU runtime cannot pass values of type {type}", where)
    return np.dtype(SCALARS[name][1])


def descriptor_ctype(rank: int) -> type[ctypes.Structure]:
    """The memref descriptor struct as ctypes lays it out, for memref results."""
    fields = [
        ("allocated", ctypes.c_void_p),
        ("aligned", ctypes.c_void_p),
        ("offset", ctypes.c_int64),
    ]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRefDescriptor{rank}", (ctypes.Structure,), {"_fields_": fields})


def value_ctype(type: Attribute, where: str) -> Any:
    if isinstance(type, MemRefType):
        return descriptor_ctype(type.get_num_dims())
    name = scalar_name(type)
    if name not in SCALARS:
        raise ZigguratError(f"the CPU runtime cannot pass values of type {type}", where)
    return SCALARS[name][0]


def aligned_empty(shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
    """An uninitialized C-contiguous array whose data starts on a 64-byte boundary."""
    count = int(np.prod(shape, dtype=np.int64))
    raw = np.empty(count * dtype.itemsize + ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start : start + count * dtype.itemsize].view(dtype).reshape(tuple(shape))


def scalar_cell(type: Attribute, where: str, value: Any) -> int:
    """A scalar argument as the 8-byte cell the packed wrapper loads it from: its bits in
    the low bytes (two's complement for integers, which wrap as C's do)."""
    name = scalar_name(type)
    if name not in SCALARS:
        raise ZigguratError(f"the CPU runtime cannot pass values of type {type}", where)
    if name in FLOAT_BITS:
        float_type, bits = FLOAT_BITS[name]
        return int(np.array(value, float_type).view(bits))
    if name == "i1":
        return int(bool(value))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ZigguratError(f"{where} must be a scalar of type {type}, got {value!r}") from None


FLOAT_BITS = {
    "f16": (np.float16, np.uint16),
    "f32": (np.float32, np.uint32),
    "f64": (np.float64, np.uint64),
}


def fast_path(memref: Attribute, is_output: bool) -> Callable[[Any], list[int] | None] | None:
    """For a statically shaped memref with the identity layout, a check that accepts the
    common case (a C-contiguous array of the right dtype and shape) in a few comparisons and
    returns its cells; anything else (None) takes the full check, which explains errors."""
    if not isinstance(memref, MemRefType) or not isinstance(memref.layout, NoneAttr):
        return None
    if not memref.has_static_shape() or scalar_name(memref.element_type) not in SCALARS:
        return None
    dtype = numpy_dtype(memref.element_type, "")
    shape = tuple(memref.get_shape())
    tail = [0, *shape, *static_strides(memref)]

    def cells(arg: Any) -> list[int] | None:
        if (
            type(arg) is np.ndarray
            and arg.dtype == dtype
            and arg.shape == shape
            and arg.flags.c_contiguous
            and (arg.flags.writeable or not is_output)
        ):
            pointer = arg.ctypes.data
            return [pointer, pointer, *tail]
        return None

    return cells


@dataclass
class Signature:
    """What the runtime needs to know of a loop-level function."""

    name: str
    inputs: list[Attribute]
    outputs: list[Attribute]
    is_output: list[bool]

    @staticmethod
    def of(op: func.FuncOp) -> Signature:
        inputs = list(op.function_type.inputs.data)
        marked = [False] * len(inputs)
        if op.arg_attrs is not None:
            marked = [OUTPUT in attrs.data for attrs in op.arg_attrs.data]
        # Only a trailing run of marked memrefs can be left out of a call.
        is_output = [False] * len(inputs)
        for index in reversed(range(len(inputs))):
            if not (marked[index] and isinstance(inputs[index], MemRefType)):
                break
            is_output[index] = True
        return Signature(op.sym_name.data, inputs, list(op.function_type.outputs.data), is_output)

    def describe(self) -> dict[str, Any]:
        """The signature as JSON data, types as text (for the cache)."""
        return {
            "name": self.name,
            "inputs": [str(t) for t in self.inputs],
            "outputs": [str(t) for t in self.outputs],
            "is_output": self.is_output,
        }

    @staticmethod
    def described(data: dict[str, Any]) -> Signature:
        """The signature `describe` gave."""
        from xdsl.parser import Parser

        from ziggurat.registry import make_context

        context = make_context()

        def types(texts: list[str]) -> list[Attribute]:
            return [Parser(context, text).parse_type() for text in texts]

        return Signature(
            data["name"], types(data["inputs"]), types(data["outputs"]), data["is_output"]
        )


def signatures(module: ModuleOp) -> dict[str, Signature]:
    """The public functions with a body of a loop-level module."""
    return {
        op.sym_name.data: Signature.of(op)
        for op in module.ops
        if isinstance(op, func.FuncOp)
        and op.body.blocks
        and op.sym_visibility != StringAttr("private")
    }


@dataclass
class CpuFunction:
    """One compiled function, callable on numpy arrays and Python scalars."""

    signature: Signature
    address: int
    owner: object = field(repr=False)  # keeps the execution engine alive
    threads: int = 0  # threads its parallel loops run on; 0: the pool's count

    def __post_init__(self) -> None:
        where = f"function '{self.signature.name}'"
        results = [value_ctype(t, where) for t in self.signature.outputs]
        self.result_type: Any = None
        if len(results) == 1:
            self.result_type = results[0]
        elif results:
            fields = [(f"r{i}", t) for i, t in enumerate(results)]
            self.result_type = type("Results", (ctypes.Structure,), {"_fields_": fields})
        # See targets/cpu/llvm_ir.py: the packed wrapper takes the arguments as 8-byte cells
        # and a pointer to the result.
        self.cfunction = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)(self.address)
        self.fast = [
            fast_path(t, out)
            for t, out in zip(self.signature.inputs, self.signature.is_output, strict=True)
        ]

    @property
    def name(self) -> str:
        return self.signature.name

    def __call__(self, *args: Any) -> Any:
        signature = self.signature
        count, inputs = len(signature.inputs), signature.is_output.count(False)
        if len(args) == inputs and inputs < count:
            args = (*args, *self.allocate_outputs())
        elif len(args) != count:
            expected = f"{inputs} or {count}" if inputs < count else f"{count}"
            raise ZigguratError(f"{self.name} takes {expected} arguments, got {len(args)}")
        cells: list[int] = []
        for index, (arg, type, fast) in enumerate(
            zip(args, signature.inputs, self.fast, strict=True)
        ):
            passed = fast(arg) if fast is not None else None
            cells += passed if passed is not None else self.pass_argument(index, arg, type)
        result = self.result_type() if self.result_type is not None else None
        if self.threads:
            pool = the_pool()
            if pool.get_threads() != self.threads:
                pool.set_threads(self.threads)
        self.cfunction(
            (ctypes.c_int64 * len(cells))(*cells),
            ctypes.addressof(result) if result is not None else None,
        )
        outputs = [a for a, out in zip(args, signature.is_output, strict=True) if out]
        if outputs:
            return outputs
        return self.unpack_results(result)

    def allocate_outputs(self) -> list[np.ndarray]:
        arrays = []
        for type, out in zip(self.signature.inputs, self.signature.is_output, strict=True):
            if not out:
                continue
            assert isinstance(type, MemRefType)
            if DYNAMIC_INDEX in type.get_shape():
                raise ZigguratError(
                    f"{self.name}: output of type {type} has a dynamic shape; pass the array"
                )
            arrays.append(aligned_empty(type.get_shape(), numpy_dtype(type.element_type, "")))
        return arrays

    def pass_argument(self, index: int, arg: Any, type: Attribute) -> list[int]:
        """The cells of one argument, checked against its type, with errors that say why."""
        where = f"{self.name}: argument {index}"
        if not isinstance(type, MemRefType):
            if isinstance(arg, np.ndarray):
                raise ZigguratError(f"{where} is a scalar of type {type}, got an array")
            return [scalar_cell(type, where, arg)]
        if not isinstance(arg, np.ndarray):
            raise ZigguratError(f"{where} must be a numpy array of type {type}")
        dtype = numpy_dtype(type.element_type, where)
        if arg.dtype != dtype and not (
            arg.dtype.kind == "u" and dtype.kind == "i" and arg.dtype.itemsize == dtype.itemsize
        ):
            raise ZigguratError(f"{where} must have dtype {dtype}, got {arg.dtype}")
        shape = type.get_shape()
        if arg.ndim != len(shape) or any(
            size != DYNAMIC_INDEX and size != actual
            for size, actual in zip(shape, arg.shape, strict=True)
        ):
            raise ZigguratError(f"{where} must have shape {describe(shape)}, got {arg.shape}")
        if any(stride % arg.itemsize for stride in arg.strides):
            raise ZigguratError(f"{where}: strides {arg.strides} are not whole elements")
        strides = [stride // arg.itemsize for stride in arg.strides]
        # A size-1 dimension's stride is never used, so numpy's value for it does not matter.
        if static_offset(type) not in (0, None) or any(
            want is not None and want != got and size > 1
            for want, got, size in zip(static_strides(type), strides, arg.shape, strict=True)
        ):
            layout = "C-contiguous as" if isinstance(type.layout, NoneAttr) else "strided as"
            raise ZigguratError(f"{where} must be {layout} {type}, got strides {arg.strides}")
        if index in self.output_indices() and not arg.flags.writeable:
            raise ZigguratError(f"{where} is an output but the array is read-only")
        pointer = arg.ctypes.data
        return [pointer, pointer, 0, *arg.shape, *strides]

    def output_indices(self) -> set[int]:
        return {i for i, out in enumerate(self.signature.is_output) if out}

    def unpack_results(self, result: Any) -> Any:
        outputs = self.signature.outputs
        if not outputs:
            return None
        if len(outputs) == 1:
            return self.to_python(result, outputs[0])
        return tuple(self.to_python(getattr(result, f"r{i}"), t) for i, t in enumerate(outputs))

    def to_python(self, value: Any, type: Attribute) -> Any:
        if not isinstance(type, MemRefType):
            if isinstance(value, ctypes._SimpleCData):
                value = value.value
            if isinstance(type, Float16Type):
                return np.uint16(value).view(np.float16)
            return value
        # The function may return a global or an argument: copy, never free.
        rank = type.get_num_dims()
        dtype = numpy_dtype(type.element_type, self.name)
        shape = tuple(value.sizes) if rank else ()
        strides = tuple(s * dtype.itemsize for s in value.strides) if rank else ()
        start = value.aligned + value.offset * dtype.itemsize
        extent = sum((n - 1) * s for n, s in zip(shape, strides, strict=True)) + dtype.itemsize
        if any(n == 0 for n in shape):
            return np.empty(shape, dtype)
        buffer = (ctypes.c_char * extent).from_address(start)
        view = np.lib.stride_tricks.as_strided(
            np.frombuffer(buffer, dtype=np.uint8).view(dtype), shape, strides
        )
        return np.array(view)


def optimized(text: str, machine: Machine) -> Any:
    """LLVM IR text parsed and optimized as the build does."""
    module = parse(text, machine)
    optimize(module, machine=machine)
    return module


def describe(shape: Sequence[int]) -> str:
    return "(" + ", ".join("?" if s == DYNAMIC_INDEX else str(s) for s in shape) + ")"


class CpuModule:
    """A compiled module: one attribute per public function, `module(...)` calls main. Its
    object code and the place and size of its large constants are kept for the cache; the
    LLVM IR of its units (build.py), where they were compiled rather than loaded from the
    cache, to show it: before LLVM's optimizations, after, and as assembly."""

    def __init__(
        self,
        functions: dict[str, CpuFunction],
        units_ir: list[str] | None,
        machine: Machine,
        objects: list[bytes] | None = None,
        constants: dict[str, tuple[int, int]] | None = None,
        memory: list[object] | None = None,
    ):
        self.functions = functions
        self._units_ir = units_ir
        self._machine = machine
        self.objects = objects or []
        self.constants = constants or {}  # name: (address, bytes)
        self.memory = memory or []  # where the constants are: kept while the code lives

    def units_ir(self) -> list[str]:
        if self._units_ir is None:
            raise ZigguratError(
                "this module was loaded from the cache: compile it with cache=False to see its LLVM IR"
            )
        return self._units_ir

    @property
    def llvm_ir(self) -> str:
        """The LLVM IR of each unit, before LLVM's optimizations."""
        return "\n".join(self.units_ir())

    @property
    def optimized_ir(self) -> str:
        """The LLVM IR of each unit after LLVM's optimizations."""
        return "\n".join(str(optimized(text, self._machine)) for text in self.units_ir())

    @property
    def assembly(self) -> str:
        """The assembly the functions run as."""
        return "\n".join(
            assembly(optimized(text, self._machine), self._machine) for text in self.units_ir()
        )

    def __getattr__(self, name: str) -> CpuFunction:
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the module has no function '{name}'")

    @property
    def main(self) -> CpuFunction:
        """The function named `main`, or the module's only function."""
        if "main" in self.functions:
            return self.functions["main"]
        if len(self.functions) == 1:
            return next(iter(self.functions.values()))
        names = ", ".join(self.functions)
        raise ZigguratError(f"no function named 'main' among {names or 'no functions'}")

    def __call__(self, *args: Any) -> Any:
        return self.main(*args)
