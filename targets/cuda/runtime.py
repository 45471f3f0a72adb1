"""Run a module compiled for the CUDA target on an NVIDIA GPU: its PTX loaded by the CUDA
driver, its buffers in device memory, its host functions as a list of kernel launches.

One small interface, two backends: NVIDIA's `cuda-bindings` (the driver API, binary wheels:
`pip install cuda-bindings`) and `pycuda` (built from source against a CUDA toolkit). The
first installed is used, cuda-bindings first (`ZIGGURAT_CUDA_BACKEND=pycuda` picks pycuda);
both use the device's primary context, which PyTorch shares. Nothing here is imported until
a compiled function is called: without a GPU, a driver or either package, compiling still
gives PTX, and a call says in one line what is missing.

A host function (what loop-to-gpu leaves of a loop-level function: buffers, calls and
`gpu.launch_func`) is flattened once into the launches it makes, its buffers allocated once
and kept: a call copies the arrays in, launches the kernels one after the other, and copies
the outputs (and any argument a kernel writes) back. `time` runs the launches alone between
two CUDA events.

    compiled = target_named("cuda").compile(module)     # PTX now, the GPU at the first call
    C = compiled.matmul(A, B)[0]
    seconds = compiled.matmul.time([A, B], runs=10)
"""

from __future__ import annotations

import importlib
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerAttr, MemRefType, ModuleOp
from xdsl.ir import Block, Operation, SSAValue

from ziggurat.analysis.payload import is_pure
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import arith_extra, gpu
from ziggurat.targets.cpu.runtime import Signature, aligned_empty, numpy_dtype, signatures
from ziggurat.targets.cuda.device import STATIC_SHARED_MEMORY

BACKEND_VARIABLE = "ZIGGURAT_CUDA_BACKEND"
NO_PACKAGE = (
    "cannot run on the GPU: no Python package for the CUDA driver is installed "
    "(pip install cuda-bindings, or pycuda)"
)


# The two backends ------------------------------------------------------------------------------


class CudaBindings:
    """The CUDA driver API through NVIDIA's cuda-bindings."""

    name = "cuda-bindings"

    def __init__(self) -> None:
        from cuda.bindings import driver

        self.driver = driver
        try:
            self.check(driver.cuInit(0), "cuInit")
        except ZigguratError:
            raise
        except Exception as error:  # the bindings raise when libcuda.so is missing
            raise ZigguratError(f"cannot run on the GPU: no CUDA driver ({error})") from None
        count = self.check(driver.cuDeviceGetCount(), "cuDeviceGetCount")
        if count == 0:
            raise ZigguratError("cannot run on the GPU: the CUDA driver sees no GPU")
        self.device = self.check(driver.cuDeviceGet(0), "cuDeviceGet")
        self.context = self.check(driver.cuDevicePrimaryCtxRetain(self.device), "context")
        self.check(driver.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")

    def check(self, result: tuple, what: str) -> Any:
        error, *values = result
        if error != self.driver.CUresult.CUDA_SUCCESS:
            _, text = self.driver.cuGetErrorString(error)
            message = text.decode() if isinstance(text, bytes) else str(error)
            if error == self.driver.CUresult.CUDA_ERROR_NO_DEVICE:
                raise ZigguratError("cannot run on the GPU: the CUDA driver sees no GPU")
            raise ZigguratError(f"{what} failed: {error.name}: {message}")
        return values[0] if len(values) == 1 else values

    def properties(self) -> tuple[int, int, int]:
        attribute = self.driver.CUdevice_attribute
        return tuple(  # type: ignore[return-value]
            self.check(self.driver.cuDeviceGetAttribute(a, self.device), "properties")
            for a in (
                attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
            )
        )

    def shared_memory_limit(self) -> int:
        attribute = (
            self.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        )
        return self.check(self.driver.cuDeviceGetAttribute(attribute, self.device), "properties")

    def load(self, compiled: CudaModule) -> Any:
        self.check(self.driver.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")
        image = compiled.ptx.encode() + b"\0"
        return self.check(self.driver.cuModuleLoadData(image), "loading the PTX")

    def unload(self, module: Any) -> None:
        self.driver.cuModuleUnload(module)

    def function(self, module: Any, name: str, shared: int) -> Any:
        function = self.check(self.driver.cuModuleGetFunction(module, name.encode()), name)
        if shared > STATIC_SHARED_MEMORY:
            attribute = (
                self.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
            )
            self.check(self.driver.cuFuncSetAttribute(function, attribute, shared), name)
        return function

    def alloc(self, size: int) -> int:
        return int(self.check(self.driver.cuMemAlloc(max(size, 1)), "cuMemAlloc"))

    def free(self, pointer: int) -> None:
        self.driver.cuMemFree(self.driver.CUdeviceptr(pointer))

    def upload(self, pointer: int, array: np.ndarray) -> None:
        if array.nbytes:
            self.check(
                self.driver.cuMemcpyHtoD(
                    self.driver.CUdeviceptr(pointer), array.ctypes.data, array.nbytes
                ),
                "copying to the GPU",
            )

    def download(self, array: np.ndarray, pointer: int) -> None:
        if array.nbytes:
            self.check(
                self.driver.cuMemcpyDtoH(
                    array.ctypes.data, self.driver.CUdeviceptr(pointer), array.nbytes
                ),
                "copying from the GPU (a kernel may have failed)",
            )

    def launch(self, launch: Launch) -> None:
        self.check(
            self.driver.cuLaunchKernel(
                launch.function, *launch.grid, *launch.block, launch.shared, 0,
                launch.parameters.ctypes.data, 0,
            ),
            f"launching kernel '{launch.kernel}'",
        )  # fmt: skip

    def synchronize(self) -> None:
        self.check(self.driver.cuCtxSynchronize(), "running the kernels")

    def event(self) -> Any:
        return self.check(self.driver.cuEventCreate(0), "cuEventCreate")

    def record(self, event: Any) -> None:
        self.check(self.driver.cuEventRecord(event, 0), "cuEventRecord")

    def seconds_between(self, start: Any, end: Any) -> float:
        self.check(self.driver.cuEventSynchronize(end), "running the kernels")
        return self.check(self.driver.cuEventElapsedTime(start, end), "timing") / 1e3


class PyCuda:
    """The CUDA driver API through pycuda."""

    name = "pycuda"

    def __init__(self) -> None:
        import pycuda.driver as cuda

        self.cuda = cuda
        try:
            cuda.init()
        except Exception as error:
            raise ZigguratError(f"cannot run on the GPU: no CUDA driver ({error})") from None
        if cuda.Device.count() == 0:
            raise ZigguratError("cannot run on the GPU: the CUDA driver sees no GPU")
        self.device = cuda.Device(0)
        self.context = self.device.retain_primary_context()
        self.context.push()
        self.allocations: dict[int, Any] = {}

    def properties(self) -> tuple[int, int, int]:
        major, minor = self.device.compute_capability()
        count = self.device.get_attribute(self.cuda.device_attribute.MULTIPROCESSOR_COUNT)
        return major, minor, count

    def shared_memory_limit(self) -> int:
        attribute = self.cuda.device_attribute.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        return self.device.get_attribute(attribute)

    def load(self, compiled: CudaModule) -> Any:
        try:
            return self.cuda.module_from_buffer(compiled.ptx.encode())
        except self.cuda.Error as error:
            raise ZigguratError(f"loading the PTX failed: {error}") from None

    def unload(self, module: Any) -> None:
        pass  # pycuda unloads a module it no longer references

    def function(self, module: Any, name: str, shared: int) -> Any:
        function = module.get_function(name)
        if shared > STATIC_SHARED_MEMORY:
            attribute = self.cuda.function_attribute.MAX_DYNAMIC_SHARED_SIZE_BYTES
            function.set_attribute(attribute, shared)
        return function

    def alloc(self, size: int) -> int:
        allocation = self.cuda.mem_alloc(max(size, 1))
        self.allocations[int(allocation)] = allocation
        return int(allocation)

    def free(self, pointer: int) -> None:
        self.allocations.pop(pointer).free()

    def upload(self, pointer: int, array: np.ndarray) -> None:
        if array.nbytes:
            self.cuda.memcpy_htod(pointer, array)

    def download(self, array: np.ndarray, pointer: int) -> None:
        if array.nbytes:
            self.cuda.memcpy_dtoh(array, pointer)

    def launch(self, launch: Launch) -> None:
        arguments = [cell[0] for cell in launch.cells]
        try:
            launch.function(*arguments, grid=launch.grid, block=launch.block, shared=launch.shared)
        except self.cuda.Error as error:
            raise ZigguratError(f"launching kernel '{launch.kernel}' failed: {error}") from None

    def synchronize(self) -> None:
        self.cuda.Context.synchronize()

    def event(self) -> Any:
        return self.cuda.Event()

    def record(self, event: Any) -> None:
        event.record()

    def seconds_between(self, start: Any, end: Any) -> float:
        end.synchronize()
        return start.time_till(end) / 1e3


BACKENDS = {"cuda-bindings": CudaBindings, "pycuda": PyCuda}


@cache
def backend() -> Any:
    """The driver of this process: the backend first installed, initialized once; or the
    class `ZIGGURAT_CUDA_BACKEND=module:Class` names (a driver of one's own with this
    interface: the tests' emulator, which tuning workers started by the tests then use)."""
    chosen = os.environ.get(BACKEND_VARIABLE)
    if chosen is not None and ":" in chosen:
        module, _, name = chosen.partition(":")
        try:
            return getattr(importlib.import_module(module), name)()
        except (ImportError, AttributeError) as error:
            raise ZigguratError(f"{BACKEND_VARIABLE}={chosen}: {error}") from None
    if chosen is not None and chosen not in BACKENDS:
        raise ZigguratError(f"{BACKEND_VARIABLE}={chosen}: expected one of {', '.join(BACKENDS)}")
    for name in [chosen] if chosen else list(BACKENDS):
        try:
            return BACKENDS[name]()
        except ImportError:
            continue
    if chosen:
        raise ZigguratError(f"cannot run on the GPU: {chosen} is not installed")
    raise ZigguratError(NO_PACKAGE)


def device_properties() -> tuple[int, int, int]:
    """The compute capability (major, minor) and SM count of the GPU; an error saying what
    is missing where there is none."""
    return backend().properties()


# Host programs: what a host function launches ----------------------------------------------------


@dataclass
class Launch:
    """One kernel launch with its arguments fixed: device pointers and scalars."""

    kernel: str
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared: int
    cells: list[np.ndarray]  # one element each, the argument's bytes
    buffers: list[tuple[int, Buffer]]  # the cells that hold a buffer's device pointer
    function: Any = None
    parameters: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))

    def __post_init__(self) -> None:
        self.parameters = np.array([cell.ctypes.data for cell in self.cells], np.uint64)


@dataclass
class Buffer:
    """A device buffer the program uses: an argument, a global or an allocation."""

    shape: tuple[int, ...]
    dtype: np.dtype
    contents: np.ndarray | None = None  # a global's
    pointer: int = 0

    @property
    def size(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


@dataclass
class Program:
    """The launches of one public host function, over its buffers."""

    arguments: list[Buffer | np.ndarray]  # a buffer for a memref, a cell for a scalar
    buffers: list[Buffer]
    launches: list[Launch]
    written: set[int]  # the arguments a kernel writes


# The index arithmetic a host loop's body may compute its kernels' arguments with.
INDEX_ARITHMETIC: dict[type[Operation], Any] = {
    arith.AddiOp: lambda a, b: a + b,
    arith.SubiOp: lambda a, b: a - b,
    arith.MuliOp: lambda a, b: a * b,
    arith.DivUIOp: lambda a, b: a // b,
    arith.RemUIOp: lambda a, b: a % b,
    arith.MinUIOp: min,
    arith.MaxUIOp: max,
    arith_extra.IndexCastOp: lambda a: a,
}


class Flattener:
    """Turns a host function and the functions it calls into one list of launches."""

    def __init__(self, module: ModuleOp):
        self.functions = {op.sym_name.data: op for op in module.ops if isinstance(op, func.FuncOp)}
        self.globals = {
            op.sym_name.data: op for op in module.ops if isinstance(op, memref.GlobalOp)
        }
        kernels = [o for o in module.ops if isinstance(o, gpu.ModuleOp)]
        self.kernels = {
            op.sym_name.data: op
            for module in kernels
            for op in module.body.block.ops
            if isinstance(op, gpu.FuncOp)
        }
        self.global_buffers: dict[str, Buffer] = {}
        self.allocated: dict[Operation, Buffer] = {}
        self.buffers: list[Buffer] = []
        self.launches: list[Launch] = []
        self.written: set[int] = set()

    def program(self, name: str) -> Program:
        function = self.functions[name]
        arguments: list[Buffer | np.ndarray] = []
        for value in function.body.block.args:
            if isinstance(value.type, MemRefType):
                arguments.append(self.buffer(value.type, function))
            else:
                arguments.append(np.zeros(1, numpy_dtype(value.type, name)))
        self.buffers = [a for a in arguments if isinstance(a, Buffer)]
        self.run(function, list(arguments))
        written = {
            index
            for index, argument in enumerate(arguments)
            if isinstance(argument, Buffer) and id(argument) in self.written
        }
        buffers = [*self.buffers, *self.global_buffers.values()]
        return Program(arguments, buffers, self.launches, written)

    def buffer(self, type: MemRefType, where: Operation) -> Buffer:
        if not type.has_static_shape():
            raise ZigguratError(f"the cuda target needs static shapes, not {type}", where)
        return Buffer(tuple(type.get_shape()), numpy_dtype(type.element_type, str(type)))

    def run(self, function: func.FuncOp, arguments: Sequence[Buffer | np.ndarray]) -> None:
        values: dict[SSAValue, Any] = dict(zip(function.body.block.args, arguments, strict=True))
        self.run_block(function.body.block, values)

    def run_block(self, block: Block, values: dict[SSAValue, Any]) -> None:
        for op in block.ops:
            if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
                values[op.result] = op.value.value.data
            elif type(op) in INDEX_ARITHMETIC and all(
                isinstance(values.get(o), int) for o in op.operands
            ):
                values[op.results[0]] = INDEX_ARITHMETIC[type(op)](
                    *(values[o] for o in op.operands)
                )
            elif isinstance(op, scf.ForOp) and not op.iter_args:
                # A loop over time around kernels (loop-to-gpu's host loops): its launches
                # at each iteration, in order; a buffer it allocates is allocated once.
                lower, upper, step = (values[v] for v in (op.lb, op.ub, op.step))
                for index in range(lower, upper, step):
                    values[op.body.block.args[0]] = index
                    self.run_block(op.body.block, values)
            elif isinstance(op, scf.YieldOp) and not op.operands:
                continue
            elif isinstance(op, memref.AllocOp):
                if op not in self.allocated:
                    self.allocated[op] = self.buffer(op.memref.type, op)
                    self.buffers.append(self.allocated[op])
                values[op.memref] = self.allocated[op]
            elif isinstance(op, memref.GetGlobalOp):
                values[op.memref] = self.global_buffer(op.name_.root_reference.data, op)
            elif isinstance(op, memref.CollapseShapeOp | memref.ExpandShapeOp | memref.CastOp):
                source = values[op.operands[0]]
                values[op.results[0]] = source  # the same bytes, another shape
            elif isinstance(op, func.CallOp):
                callee = self.functions[op.callee.root_reference.data]
                self.run(callee, [values[a] for a in op.arguments])
            elif isinstance(op, gpu.LaunchFuncOp):
                self.launch(op, values)
            elif isinstance(op, memref.DeallocOp | func.ReturnOp):
                if isinstance(op, func.ReturnOp) and op.arguments:
                    raise ZigguratError("the cuda runtime runs functions that return nothing", op)
            elif is_pure(op) and not any(result.uses for result in op.results):
                continue  # what the nests that became kernels needed
            else:
                raise ZigguratError(f"the cuda runtime cannot run '{op.name}' on the host", op)

    def global_buffer(self, name: str, where: Operation) -> Buffer:
        if name not in self.global_buffers:
            op = self.globals[name]
            type = op.type
            assert isinstance(type, MemRefType)
            buffer = self.buffer(type, where)
            value = op.initial_value
            contents = np.zeros(buffer.shape, buffer.dtype)
            if isinstance(value, DenseIntOrFPElementsAttr):
                raw = np.frombuffer(value.data.data, buffer.dtype)
                contents = np.broadcast_to(raw, (contents.size,)).reshape(buffer.shape).copy()
            buffer.contents = contents
            self.global_buffers[name] = buffer
        return self.global_buffers[name]

    def launch(self, op: gpu.LaunchFuncOp, values: dict[SSAValue, Any]) -> None:
        name = op.kernel.nested_references.data[-1].data
        kernel = self.kernels[name]
        cells: list[np.ndarray] = []
        buffers: list[tuple[int, Buffer]] = []
        for argument, parameter in zip(op.kernelOperands, kernel.body.block.args, strict=True):
            value = values[argument]
            if isinstance(value, Buffer):
                buffers.append((len(cells), value))
                cells.append(np.zeros(1, np.uint64))
                if writes(parameter):
                    self.written.add(id(value))
            elif isinstance(value, np.ndarray):
                cells.append(value)  # a scalar argument of the function: set at each call
            else:
                cells.append(np.array([value], numpy_dtype(argument.type, name)))
        sizes = [[values[v] for v in sizes] for sizes in (op.grid(), op.block())]
        shared = 0 if op.dynamicSharedMemorySize is None else values[op.dynamicSharedMemorySize]
        self.launches.append(
            Launch(name, tuple(sizes[0]), tuple(sizes[1]), shared, cells, buffers)  # type: ignore[arg-type]
        )


def writes(parameter: SSAValue) -> bool:
    """Whether a kernel may store into the buffer of one of its parameters: anything but
    a load of it may (a store, or a view to store through)."""
    return any(use.operation.name not in ("memref.load", "vector.load") for use in parameter.uses)


# Compiled modules ---------------------------------------------------------------------------------


class CudaModule:
    """A module compiled for the GPU: its PTX, and one callable per public function."""

    def __init__(self, host: ModuleOp, ptx: str, kernels: list[str]):
        self.host = host  # at the gpu level
        self.ptx = ptx
        self.kernel_names = kernels
        self.functions = {
            name: CudaFunction(self, signature, Flattener(host).program(name))
            for name, signature in signatures(host).items()
        }
        self._loaded: Any = None

    def loaded(self) -> tuple[Any, Any]:
        """The driver and the PTX loaded by it, the first time a function is called."""
        driver = backend()
        if self._loaded is None:
            check_architecture(self.ptx, self.kernel_names, driver)
            try:
                self._loaded = driver.load(self)
            except ZigguratError as error:
                raise ZigguratError(
                    f"the CUDA driver rejects the PTX of kernels {', '.join(self.kernel_names)}: "
                    f"{' '.join(error.message.split())}{ptxas_explanation(self.ptx, driver)}"
                ) from None
        return driver, self._loaded

    def release(self) -> None:
        """Free the device memory and module the first call took (a tuner measures many
        candidates in one process); a later call takes them again."""
        if self.__dict__.get("_loaded") is None:
            return
        driver = backend()
        for function in self.functions.values():
            if function.ready:
                for buffer in function.program.buffers:
                    driver.free(buffer.pointer)
                function.ready = False
        driver.unload(self._loaded)
        self._loaded = None

    def __getattr__(self, name: str) -> CudaFunction:
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the module has no function '{name}'")

    @property
    def main(self) -> CudaFunction:
        if "main" in self.functions:
            return self.functions["main"]
        if len(self.functions) == 1:
            return next(iter(self.functions.values()))
        raise ZigguratError(f"no function named 'main' among {', '.join(self.functions)}")

    def __call__(self, *args: Any) -> Any:
        return self.main(*args)


def check_architecture(ptx: str, kernels: Sequence[str], driver: Any) -> None:
    """An error if the PTX is for a newer GPU than the one the driver sees (its driver
    would reject it with no word on why)."""
    found = re.search(r"^\.target sm_(\d+)", ptx, re.MULTILINE)
    major, minor, _ = driver.properties()
    if found is not None and int(found.group(1)) > major * 10 + minor:
        raise ZigguratError(
            f"kernels {', '.join(kernels)} are compiled for sm_{found.group(1)}, but the GPU "
            f"is sm_{major}{minor}: compile for it (--target 'cuda{{arch=sm_{major}{minor}}}')"
        )


def ptxas_explanation(ptx: str, driver: Any) -> str:
    """What ptxas says of PTX the driver rejects, where ptxas is installed."""
    command = shutil.which("ptxas")
    if command is None:
        return ""
    major, minor, _ = driver.properties()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "kernels.ptx"
        source.write_text(ptx)
        result = subprocess.run(
            [command, f"-arch=sm_{major}{minor}", str(source), "-o", os.devnull],
            capture_output=True,
            text=True,
        )
    # One line, without the temporary file's name: "kernels.ptx, line 11; fatal: ...".
    lines = [" ".join(line.split()) for line in result.stderr.splitlines() if line.strip()]
    said = "; ".join(line.replace(str(source), source.name) for line in lines)
    return f" (ptxas: {said})" if said else ""


@dataclass
class CudaFunction:
    """One compiled function, callable on numpy arrays and scalars (copied in and out)."""

    module: CudaModule = field(repr=False)
    signature: Signature
    program: Program = field(repr=False)
    ready: bool = False

    @property
    def name(self) -> str:
        return self.signature.name

    def prepare(self) -> Any:
        """Load the kernels and allocate the buffers, the first time; the driver."""
        driver, loaded = self.module.loaded()
        if self.ready:
            return driver
        limit = driver.shared_memory_limit() if self.program.launches else 0
        for launch in self.program.launches:
            if launch.shared > limit:
                raise ZigguratError(
                    f"kernel '{launch.kernel}' needs {launch.shared} bytes of shared memory, "
                    f"more than the {limit} a block may have on this GPU"
                )
        for buffer in self.program.buffers:
            buffer.pointer = driver.alloc(buffer.size)
            if buffer.contents is not None:
                driver.upload(buffer.pointer, np.ascontiguousarray(buffer.contents))
        functions: dict[str, Any] = {}
        for launch in self.program.launches:
            key = f"{launch.kernel}/{launch.shared}"
            if key not in functions:
                functions[key] = driver.function(loaded, launch.kernel, launch.shared)
            launch.function = functions[key]
            for index, buffer in launch.buffers:
                launch.cells[index][0] = buffer.pointer
        self.ready = True
        return driver

    def arguments(self, args: Sequence[Any]) -> list[Any]:
        """The arguments with the omitted outputs allocated, checked against the signature."""
        signature = self.signature
        count, inputs = len(signature.inputs), signature.is_output.count(False)
        if len(args) == inputs and inputs < count:
            outputs = [
                aligned_empty(t.get_shape(), numpy_dtype(t.element_type, self.name))
                for t, out in zip(signature.inputs, signature.is_output, strict=True)
                if out and isinstance(t, MemRefType)
            ]
            args = (*args, *outputs)
        elif len(args) != count:
            expected = f"{inputs} or {count}" if inputs < count else f"{count}"
            raise ZigguratError(f"{self.name} takes {expected} arguments, got {len(args)}")
        for index, (arg, slot) in enumerate(zip(args, self.program.arguments, strict=True)):
            where = f"{self.name}: argument {index}"
            if isinstance(slot, Buffer):
                if not isinstance(arg, np.ndarray):
                    raise ZigguratError(f"{where} must be a numpy array of shape {slot.shape}")
                # Integers are signless below the graph level: unsigned ones pass as they are.
                unsigned = (
                    arg.dtype.kind == "u"
                    and slot.dtype.kind == "i"
                    and arg.dtype.itemsize == slot.dtype.itemsize
                )
                if arg.shape != slot.shape or (arg.dtype != slot.dtype and not unsigned):
                    raise ZigguratError(
                        f"{where} must be an array of shape {slot.shape} and dtype {slot.dtype}, "
                        f"got {arg.shape} {arg.dtype}"
                    )
            elif isinstance(arg, np.ndarray) and arg.ndim:
                raise ZigguratError(f"{where} is a scalar, got an array")
        return list(args)

    def upload(self, driver: Any, args: Sequence[Any], outputs: set[int]) -> None:
        for index, (arg, slot) in enumerate(zip(args, self.program.arguments, strict=True)):
            if isinstance(slot, Buffer):
                if index not in outputs:
                    driver.upload(slot.pointer, np.ascontiguousarray(arg))
            else:
                slot[0] = arg

    def run(self, driver: Any) -> None:
        for launch in self.program.launches:
            driver.launch(launch)

    def __call__(self, *args: Any) -> Any:
        driver = self.prepare()
        omitted = len(args) < len(self.signature.inputs)
        args = tuple(self.arguments(args))
        outputs = {i for i, out in enumerate(self.signature.is_output) if out}
        self.upload(driver, args, outputs if omitted else set())
        self.run(driver)
        for index in sorted(outputs | self.program.written):
            slot = self.program.arguments[index]
            assert isinstance(slot, Buffer)
            result = np.empty(slot.shape, slot.dtype)
            driver.download(result, slot.pointer)
            np.copyto(args[index], result)
        returned = [args[i] for i in sorted(outputs)]
        return returned or None

    def time(self, arrays: Sequence[np.ndarray], runs: int) -> list[float]:
        """Seconds each of `runs` runs of the kernels take on the GPU (between two CUDA
        events), after one untimed run; the arrays are copied in once."""
        driver = self.prepare()
        args = self.arguments(arrays)
        self.upload(driver, args, set())
        self.run(driver)
        driver.synchronize()
        start, end = driver.event(), driver.event()
        times = []
        for _ in range(runs):
            driver.record(start)
            self.run(driver)
            driver.record(end)
            times.append(driver.seconds_between(start, end))
        return times
