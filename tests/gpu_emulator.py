"""Runs what the CUDA target compiles on the CPU, for tests on machines without a GPU: a
stand-in for the CUDA driver under targets/cuda/runtime.py, so the host programs, launches,
buffers and copies are the runtime's own and only the kernels run elsewhere.

Each kernel (at the gpu level, as loop-to-gpu left it) is compiled for the CPU as a function
of its block and thread indices (`gpu.block_id x` and its kin become arguments), its shared
buffers (arguments that one block's threads share) and `gpu.barrier` as a call that waits
for the block's threads. A block's threads run at once, on a pool of OS threads, where the
kernel has barriers, one after the other where it has none. What this checks is what
loop-to-gpu made of the schedules (thread indices, launch sizes, shared memory, barriers, cooperative copies); the
NVPTX code is checked by ptxas, and on a GPU.

    with emulated_gpu(compiled):
        C = compiled.matmul(A, B)[0]
"""

from __future__ import annotations

import ctypes
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    FunctionType,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    f32,
    i32,
    i64,
)
from xdsl.ir import Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import gpu
from ziggurat.dialects.loop import ScopeAttr
from ziggurat.targets.cpu.runtime import aligned_empty, numpy_dtype
from ziggurat.targets.cuda import runtime
from ziggurat.targets.cuda.passes.loop_to_gpu import is_shared
from ziggurat.targets.target import target_named

BARRIER = "pthread_barrier_wait"
BARRIER_BYTES = 64  # room for a pthread_barrier_t
SHARED = ScopeAttr(StringAttr("shared"))
INDICES = [f"{kind}.{d}" for kind in ("block", "thread") for d in "xyz"]
# What a kernel takes after its own arguments (and before its shared buffers): its block's
# and thread's indices, the block's barrier and the base of its warps' barriers.
ADDED_ARGUMENTS = len(INDICES) + 2
LIBC = ctypes.CDLL(None)


def kernels_for_cpu(host: ModuleOp) -> tuple[ModuleOp, dict[str, list[MemRefType]], set[str]]:
    """The kernels of a gpu-level module as CPU functions taking their indices and shared
    buffers after their arguments; the shared buffers' types and the kernels with barriers."""
    # The block's barrier (a pthread_barrier_t, its address an i64 argument) is C's.
    functions: list[Operation] = [func.FuncOp.external(BARRIER, [i64], [i32])]
    shared_types: dict[str, list[MemRefType]] = {}
    barriers: set[str] = set()
    for module in [o for o in host.ops if isinstance(o, gpu.ModuleOp)]:
        # The constants the kernels read, as the module of kernels has them.
        functions += [o.clone() for o in module.body.block.ops if isinstance(o, memref.GlobalOp)]
        for kernel in [o for o in module.body.block.ops if isinstance(o, gpu.FuncOp)]:
            name = kernel.sym_name.data
            body = kernel.clone().body
            block = body.block
            indices = {axis: block.insert_arg(IndexType(), len(block.args)) for axis in INDICES}
            barrier = block.insert_arg(i64, len(block.args))
            warp_barriers = block.insert_arg(i64, len(block.args))
            sizes = (
                list(kernel.known_block_size.get_values()) if kernel.known_block_size else [1, 1, 1]
            )
            for op in list(body.walk()):
                if isinstance(op, gpu.LaneIdOp | gpu.MmaSyncOp):
                    warp, lane = warp_and_lane(op, indices, sizes)
                    if isinstance(op, gpu.LaneIdOp):
                        Rewriter.replace_op(op, [], [lane])
                    else:
                        barriers.add(name)
                        emulate_mma(op, warp, lane, warp_barriers, math.prod(sizes) // gpu.WARP)
            shared = [
                o for o in body.walk() if isinstance(o, memref.AllocOp) and is_shared(o.memref.type)
            ]
            # Ordinary memory on the CPU, which has no shared memory space.
            shared_types[name] = [plain(alloc.memref.type) for alloc in shared]
            for alloc, buffer_type in zip(shared, shared_types[name], strict=True):
                argument = block.insert_arg(buffer_type, len(block.args))
                alloc.memref.replace_all_uses_with(argument)
                Rewriter.erase_op(alloc)
            for op in list(body.walk()):
                kind = {gpu.BlockIdOp: "block", gpu.ThreadIdOp: "thread"}.get(type(op))
                if kind is not None:
                    op.results[0].replace_all_uses_with(
                        indices[f"{kind}.{op.dimension.data.value}"]
                    )  # type: ignore[attr-defined]
                    Rewriter.erase_op(op)
                elif isinstance(op, gpu.BarrierOp):
                    barriers.add(name)
                    Rewriter.insert_op(
                        func.CallOp(BARRIER, [barrier], [i32]), InsertPoint.before(op)
                    )
                    Rewriter.erase_op(op)
                elif isinstance(op, memref.DeallocOp) and op.memref.owner is block:
                    Rewriter.erase_op(op)
                elif isinstance(op, gpu.ReturnOp):
                    Rewriter.replace_op(op, func.ReturnOp())
            inputs = [argument.type for argument in block.args]
            region = Region()
            body.move_blocks(region)
            functions.append(func.FuncOp(name, FunctionType.from_lists(inputs, []), region))
    return ModuleOp(functions), shared_types, barriers


def emitters(at: InsertPoint) -> tuple[Callable[[Operation], SSAValue], Callable[[int], SSAValue]]:
    """Functions that insert an op at `at` and give its result, and an index constant."""

    def emit(new: Operation) -> SSAValue:
        Rewriter.insert_op(new, at)
        return new.results[0]

    def constant(value: int) -> SSAValue:
        return emit(arith.ConstantOp(IntegerAttr(value, IndexType())))

    return emit, constant


def warp_and_lane(
    op: Operation, indices: dict[str, SSAValue], sizes: list[int]
) -> tuple[SSAValue, SSAValue]:
    """The warp of the thread running `op` in its block and its lane (its linear index in
    the block, x fastest, by 32)."""
    at = InsertPoint.before(op)
    emit, constant = emitters(at)

    y_z = emit(arith.MuliOp(indices["thread.z"], constant(sizes[1])))
    rows = emit(arith.AddiOp(indices["thread.y"], y_z))
    linear = emit(arith.AddiOp(indices["thread.x"], emit(arith.MuliOp(rows, constant(sizes[0])))))
    return emit(arith.DivUIOp(linear, constant(gpu.WARP))), emit(
        arith.RemUIOp(linear, constant(gpu.WARP))
    )


def emulate_mma(
    op: gpu.MmaSyncOp, warp: SSAValue, lane: SSAValue, warp_barriers: SSAValue, warps: int
) -> None:
    """The warp's 32 lanes compute `op` together: each writes its fragment registers (A's 8,
    B's 4, C's 4) to the warp's row of a shared buffer, waits for the others, and sums its
    elements of D from the registers of the lanes that hold them, as the PTX ISA lays out
    m16n8k16: A[r][k] in lane 4 (r % 8) + (k % 8) / 2, register 2 (r / 8) + 4 (k / 8) + k % 2;
    B[k][n] in lane 4 n + (k % 8) / 2, register 2 (k / 8) + k % 2; C[r][n] and D[r][n] in lane
    4 (r % 8) + n / 2, register 2 (r / 8) + n % 2."""
    at = InsertPoint.before(op)
    emit, constant = emitters(at)

    scratch = emit(memref.AllocOp.get(f32, shape=[warps, gpu.WARP, 16], memory_space=SHARED))
    registers = [*op.a, *op.b, *op.c]
    for number, value in enumerate(registers):
        wide = emit(arith.ExtFOp(value, f32)) if value.type != f32 else value
        Rewriter.insert_op(memref.StoreOp.get(wide, scratch, [warp, lane, constant(number)]), at)
    address = emit(arith.IndexCastOp(emit(arith.MuliOp(warp, constant(BARRIER_BYTES))), i64))
    own_barrier = emit(arith.AddiOp(warp_barriers, address))
    Rewriter.insert_op(func.CallOp(BARRIER, [own_barrier], [i32]), at)
    four = constant(4)
    g, t = emit(arith.DivUIOp(lane, four)), emit(arith.RemUIOp(lane, four))

    def register(holder: SSAValue, number: int) -> SSAValue:
        return emit(memref.LoadOp.get(scratch, [warp, holder, constant(number)]))

    results = []
    for slot, c in enumerate(op.c):
        column = emit(arith.AddiOp(emit(arith.MuliOp(t, constant(2))), constant(slot % 2)))
        total = c
        for k in range(16):
            a_lane = emit(arith.AddiOp(emit(arith.MuliOp(g, four)), constant(k % 8 // 2)))
            a = register(a_lane, 2 * (slot // 2) + 4 * (k // 8) + k % 2)
            b_lane = emit(arith.AddiOp(emit(arith.MuliOp(column, four)), constant(k % 8 // 2)))
            b = register(b_lane, 8 + 2 * (k // 8) + k % 2)
            total = emit(arith.AddfOp(total, emit(arith.MulfOp(a, b))))
        results.append(total)
    # No lane writes its next registers before every lane has read these.
    Rewriter.insert_op(func.CallOp(BARRIER, [own_barrier], [i32]), at)
    Rewriter.replace_op(op, [], results)


def plain(type: MemRefType) -> MemRefType:
    return MemRefType(type.element_type, type.get_shape())


@dataclass
class EmulatedKernels:
    """A module's kernels compiled for the CPU: what `load` gives for its PTX."""

    compiled: Any
    shared_types: dict[str, list[MemRefType]]
    barriers: set[str]

    @staticmethod
    def of(host: ModuleOp) -> EmulatedKernels:
        module, shared_types, barriers = kernels_for_cpu(host)
        return EmulatedKernels(
            target_named("cpu{threads=1}").compile(module), shared_types, barriers
        )


class EmulatedGpu:
    """The CUDA driver's interface (runtime.py's backends), run on the CPU: for the module
    `host` (emulated_gpu), or for any the runtime loads (`ZIGGURAT_CUDA_BACKEND=
    gpu_emulator:EmulatedGpu`, as the tuning tests' worker processes use it). Its events
    time the kernels' emulation."""

    name = "emulator"

    def __init__(self, host: ModuleOp | None = None):
        self.host = host
        self.kernels = EmulatedKernels.of(host) if host is not None else None
        self.buffers: dict[int, np.ndarray] = {}
        self.threads = ThreadPoolExecutor(max_workers=gpu.MOST_THREADS)

    @property
    def compiled(self) -> Any:
        assert self.kernels is not None
        return self.kernels.compiled

    @property
    def shared_types(self) -> dict[str, list[MemRefType]]:
        assert self.kernels is not None
        return self.kernels.shared_types

    def properties(self) -> tuple[int, int, int]:
        return 9, 0, 4

    def shared_memory_limit(self) -> int:
        return 227 * 1024  # sm_90's, as properties() says

    def load(self, compiled: runtime.CudaModule) -> EmulatedKernels:
        if self.kernels is not None and compiled.host is self.host:
            return self.kernels
        return EmulatedKernels.of(compiled.host)

    def unload(self, module: EmulatedKernels) -> None:
        pass

    def function(self, module: EmulatedKernels, name: str, shared: int) -> Any:
        return module, name

    def alloc(self, size: int) -> int:
        array = aligned_empty((max(size, 1),), np.dtype(np.uint8))
        array[:] = 0xFF  # what a kernel reads before it writes shows as NaN
        self.buffers[array.ctypes.data] = array
        return array.ctypes.data

    def free(self, pointer: int) -> None:
        self.buffers.pop(pointer)

    def upload(self, pointer: int, array: np.ndarray) -> None:
        ctypes.memmove(pointer, array.ctypes.data, array.nbytes)

    def download(self, array: np.ndarray, pointer: int) -> None:
        ctypes.memmove(array.ctypes.data, pointer, array.nbytes)

    def launch(self, launch: runtime.Launch) -> None:
        # A launch the tests make by hand names its kernel in the module `host`.
        kernels, name = launch.function or (self.kernels, launch.kernel)
        function = getattr(kernels.compiled, name)
        types = function.signature.inputs
        arguments: list[Any] = []
        for cell, type in zip(launch.cells, types, strict=False):
            if isinstance(type, MemRefType):
                arguments.append(self.array_at(int(cell[0]), type))
            else:
                arguments.append(cell[0].item())
        threads = [
            (x, y, z)
            for z in range(launch.block[2])
            for y in range(launch.block[1])
            for x in range(launch.block[0])
        ]
        for bz in range(launch.grid[2]):
            for by in range(launch.grid[1]):
                for bx in range(launch.grid[0]):
                    shared = [
                        aligned_empty(t.get_shape(), numpy_dtype(t.element_type, "shared"))
                        for t in kernels.shared_types[name]
                    ]
                    barrier = aligned_empty((BARRIER_BYTES,), np.dtype(np.uint8))
                    LIBC.pthread_barrier_init(
                        ctypes.c_void_p(barrier.ctypes.data), None, len(threads)
                    )
                    # One barrier for each warp's lanes (gpu.mma_sync).
                    warps = -(-len(threads) // gpu.WARP)
                    warp_barriers = aligned_empty((warps * BARRIER_BYTES,), np.dtype(np.uint8))
                    for warp in range(warps):
                        LIBC.pthread_barrier_init(
                            ctypes.c_void_p(warp_barriers.ctypes.data + warp * BARRIER_BYTES),
                            None,
                            min(gpu.WARP, len(threads) - warp * gpu.WARP),
                        )
                    calls = [
                        (
                            *arguments,
                            bx,
                            by,
                            bz,
                            *thread,
                            barrier.ctypes.data,
                            warp_barriers.ctypes.data,
                            *shared,
                        )
                        for thread in threads
                    ]
                    self.run_block(function, calls, name in kernels.barriers)
                    LIBC.pthread_barrier_destroy(ctypes.c_void_p(barrier.ctypes.data))
                    for warp in range(warps):
                        LIBC.pthread_barrier_destroy(
                            ctypes.c_void_p(warp_barriers.ctypes.data + warp * BARRIER_BYTES)
                        )

    def run_block(self, function: Any, calls: list[tuple], barriers: bool) -> None:
        if not barriers:
            for call in calls:
                function(*call)
            return
        # Every thread of the block at once (they wait for each other at barriers).
        for future in [self.threads.submit(function, *call) for call in calls]:
            future.result()

    def array_at(self, pointer: int, type: MemRefType) -> np.ndarray:
        dtype = numpy_dtype(type.element_type, "buffer")
        count = int(np.prod(type.get_shape()))
        raw = (ctypes.c_uint8 * (count * dtype.itemsize)).from_address(pointer)
        return np.frombuffer(raw, dtype).reshape(type.get_shape())

    def synchronize(self) -> None:
        pass

    def event(self) -> Any:
        return [0.0]

    def record(self, event: Any) -> None:
        event[0] = time.perf_counter()

    def seconds_between(self, start: Any, end: Any) -> float:
        return end[0] - start[0]


def gpu_missing() -> str | None:
    """Why this machine cannot run kernels for real (no driver, no GPU, no package), or
    None where it can."""
    try:
        runtime.device_properties()
    except ZigguratError as error:
        return error.message
    return None


@contextmanager
def emulated_gpu(compiled: runtime.CudaModule):
    """Within the block, `compiled`'s functions run on the emulator."""
    emulator = EmulatedGpu(compiled.host)
    original = runtime.backend
    runtime.backend = lambda: emulator  # type: ignore[assignment]
    try:
        yield emulator
    finally:
        emulator.threads.shutdown()
        runtime.backend = original  # type: ignore[assignment]
        compiled._loaded = None
        for function in compiled.functions.values():
            function.ready = False
