"""The CPU target: loop-level IR to native functions callable on numpy arrays.

loop IR --lowering()--> llvm dialect --llvm_ir--> LLVM IR --jit (O3, its CPU)--> code

The CPU is the host's unless named (`cpu{mcpu=znver2 vector-bits=256 threads=4}`; host.py);
the default schedules' knobs follow from it (knobs.py).

    target = target_named("cpu{threads=1}")
    compiled = target.compile(module)
    C = compiled.matmul(A, B)[0]
"""

from __future__ import annotations

import ctypes
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from ziggurat import cache, progress
from ziggurat.cache import Cache
from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cpu import jit, threads
from ziggurat.targets.cpu.host import Cpu, describe_cpu
from ziggurat.targets.cpu.llvm_ir import translate, wrapper_name
from ziggurat.targets.cpu.runtime import CpuFunction, CpuModule, Signature, signatures
from ziggurat.targets.target import Target

# What compiles (build.py, the passes) is imported when first compiling: loading a model
# from the cache needs none of it.

__all__ = [
    "CpuFunction",
    "CpuModule",
    "CpuTarget",
    "compile_loop_module",
    "llvm_ir",
    "optimized_llvm_ir",
]

# Convolutions whose output images have at most this many pixels (14x14 and 7x7: the last
# two stages of a ResNet) and that have at least this many input and output channels run
# in the blocked NCHW[x]c layout, x two vectors of channels: their weights are read in
# place, a block's as one run, and between them the layout stays blocked, with no packing
# or gathered write-back at each (Emerald Rapids, one thread, each function on its own:
# ResNet-50's last stage 1.21x faster, its 14x14 convolutions 1.13x to 1.2x; ResNet-18's
# last stage 1.19x), where the channels are whole blocks (SqueezeNet's 512 -> 1000 1x1 on
# 13x13, in blocks of 25 filters and guarded tiles of 7 pixels, is slower blocked).
BLOCKED_PIXELS = 196
BLOCKED_CHANNELS = 256

# From the loop level to the llvm dialect.
LOWERING = (
    "lower-affine-if-present,expand-math,version-guarded-loops,vectorize-loops,outline-parallel,"
    "convert-math-to-libm,"
    "lower-allocations,loop-to-llvm"
)


@dataclass(frozen=True)
class CpuTarget(Target):
    """A CPU: LLVM's name for it (`mcpu`, the host's by default), its vector width in bits
    (`vector-bits`, the CPU's widest by default) and the threads of parallel loops
    (`threads`, ZIGGURAT_NUM_THREADS or the CPUs this process may use by default)."""

    name: ClassVar[str] = "cpu"
    levels: ClassVar[tuple[str, ...]] = ("llvm", "llvm-ir", "asm")
    schedule_package: ClassVar[str | None] = "ziggurat.targets.cpu"

    mcpu: str = ""
    vector_bits: int = 0
    threads: int = 0

    def __post_init__(self) -> None:
        self.cpu  # noqa: B018 (a CPU LLVM does not know, or a width it lacks, fails here)

    @cached_property
    def cpu(self) -> Cpu:
        return describe_cpu(self.mcpu, self.vector_bits, self.threads)

    def graph_passes(self) -> str:
        block = 2 * self.cpu.lanes(4)
        return (
            "subsample-strided-convs,"
            f"alter-conv-layout{{block={block} most-pixels={BLOCKED_PIXELS} "
            f"least-channels={BLOCKED_CHANNELS} whole-blocks=true}},"
            "pack-weights"
        )

    def lowering(self) -> str:
        return LOWERING

    def default_schedule(self, nest: Any) -> tuple[str, dict[str, Any]] | None:
        from ziggurat.targets.cpu.knobs import plan

        return plan(nest, self.cpu)

    def local_memory(self) -> int:
        return self.cpu.l2

    def resources(self) -> dict[str, int]:
        cpu = self.cpu
        return {
            "registers": cpu.registers,
            "vector_bytes": cpu.vector_bits // 8,
            "threads": cpu.threads,
            "l1": cpu.l1d,
            "l2": cpu.l2,
        }

    def emit(self, module: ModuleOp, level: str) -> str:
        if level == "llvm":
            from ziggurat.ir_io import print_module

            return print_module(lower_to_llvm_dialect(module))
        if level == "llvm-ir":
            return llvm_ir(module)
        if level == "asm":
            return compile_loop_module(module, self.cpu).assembly
        raise ZigguratError(f"the cpu target emits {', '.join(self.levels)}, not '{level}'")

    def identity(self) -> str:
        return f"{self} {self.cpu}"

    def compile(self, module: ModuleOp) -> CpuModule:
        return self.compile_functions(module, "")

    def compile_functions(self, module: ModuleOp, passes: str) -> CpuModule:
        from ziggurat import paused_gc

        with paused_gc():
            return compile_loop_module(module, self.cpu, self.threads, cache.current(), passes)

    def artifact(self, compiled: CpuModule) -> dict[str, bytes | memoryview]:
        return saved(compiled)

    def is_data(self, part: str) -> bool:
        return part.startswith("constant ")

    def load(self, artifact: Mapping[str, bytes | memoryview]) -> CpuModule:
        return load_saved(artifact, self.cpu, self.threads)

    def time(
        self, function: Callable[..., Any], arrays: Sequence[np.ndarray], runs: int
    ) -> list[float]:
        function(*arrays)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            function(*arrays)
            times.append(time.perf_counter() - start)
        return times


def lower_to_llvm_dialect(module: ModuleOp, guard_zones: bool = False) -> ModuleOp:
    """A copy of a loop-level module lowered to the llvm dialect (with `guard_zones`, its
    buffers between zones their deallocations check: see lower-allocations)."""
    from ziggurat.ir_io import pass_pipeline
    from ziggurat.registry import make_context

    lowered = module.clone()
    pass_pipeline(lowering_pipeline(guard_zones)).apply(make_context(), lowered)
    return lowered


def lowering_pipeline(guard_zones: bool = False) -> str:
    """The CPU's lowering to the llvm dialect; `guard_zones` is for tests (lower-allocations)."""
    if guard_zones:
        return LOWERING.replace("lower-allocations", "lower-allocations{guard-zones=true}")
    return LOWERING


def llvm_ir(module: ModuleOp) -> str:
    """LLVM IR text for a loop-level or llvm-dialect module, before LLVM optimizes it."""
    if any(not op.name.startswith("llvm.") for op in module.ops):
        module = lower_to_llvm_dialect(module)
    return str(translate(module))


def optimized_llvm_ir(module: ModuleOp, cpu: Cpu | None = None) -> str:
    """LLVM IR text after LLVM's O3 pipeline for `cpu` (the host's by default)."""
    machine = (cpu.name, cpu.features) if cpu is not None else jit.HOST
    compiled = jit.parse(llvm_ir(module), machine)
    jit.optimize(compiled, machine=machine)
    return str(compiled)


def compile_loop_module(
    module: ModuleOp,
    cpu: Cpu | None = None,
    threads_: int = 0,
    store: Cache | None = None,
    passes: str = "",
    guard_zones: bool = False,
) -> CpuModule:
    """Compile a loop-level module for `cpu` (the host's by default), its parallel loops on
    `threads_` threads (the pool's count where 0), a few functions at a time on every
    core (build.py), after `passes` that act on each function alone (the default
    schedules), each unit's object code from `store` where it has it; the module itself
    is left unchanged. `guard_zones` is for tests: see lower-allocations."""
    from ziggurat.targets.cpu.build import (
        Built,
        Unit,
        build_units,
        symbol_table,
        unit_text,
        units_of,
    )

    cpu = cpu or describe_cpu()
    machine = (cpu.name, cpu.features)
    units = units_of(module)
    pipeline = (
        f"{passes},{lowering_pipeline(guard_zones)}" if passes else lowering_pipeline(guard_zones)
    )
    codes: dict[Unit, bytes] = {}
    keys: dict[Unit, str] = {}
    if store is not None:
        with progress.phase("cache lookup"):
            symbols = symbol_table(module)
            prefix = cache.key("cpu unit", cache.versions(), repr(cpu), pipeline)
            for unit in units:
                if unit.functions:
                    keys[unit] = cache.key(prefix, unit_text(module, symbols, unit))
                    found = store.get(keys[unit])
                    if found is not None:
                        codes[unit] = found["object"]

    def save(built: Built) -> None:
        if store is not None and built.unit in keys:
            store.put(keys[built.unit], {"object": built.code})

    missing = [unit for unit in units if unit not in codes]
    built = build_units(module, pipeline, machine, missing, on_built=save)
    codes |= {result.unit: result.code for result in built}
    return load_module(
        signatures(module),
        [codes[unit] for unit in units],
        {name: raw for result in built for name, raw in result.contents.items()},
        machine,
        threads_,
        None if len(built) < len(units) else [result.llvm_ir for result in built],
    )


def load_module(
    functions: dict[str, Signature],
    objects: list[bytes],
    contents: Mapping[str, bytes | memoryview],
    machine: jit.Machine,
    threads_: int = 0,
    units_ir: list[str] | None = None,
) -> CpuModule:
    """The functions of object code, linked and loaded, with the large constants where
    `contents` holds them (a cache entry, mapped) if aligned there, else copied."""
    threads.install()  # parallel loops call the pool's entry points
    with progress.phase("load"):
        placed = {name: aligned(raw) for name, raw in contents.items()}
        constants = {name: (array.ctypes.data, array.nbytes) for name, array in placed.items()}
        symbols = {name: address for name, (address, _) in constants.items()}
        engine = jit.load_objects(objects, machine, symbols)
    return CpuModule(
        {
            name: CpuFunction(
                signature, engine.get_function_address(wrapper_name(name)), engine, threads_
            )
            for name, signature in functions.items()
        },
        units_ir,
        machine,
        objects,
        constants,
        list(placed.values()),
    )


# What a large constant's memory is aligned to: a page, more than any global asks for.
CONSTANT_ALIGNMENT = 4096


def aligned(raw: bytes | memoryview) -> np.ndarray:
    """The bytes of a large constant where they are, if aligned for it, else a copy that is."""
    array = np.frombuffer(raw, np.uint8)
    if array.ctypes.data % CONSTANT_ALIGNMENT == 0:
        return array
    space = np.empty(array.nbytes + CONSTANT_ALIGNMENT, np.uint8)
    start = -space.ctypes.data % CONSTANT_ALIGNMENT
    copy = space[start : start + array.nbytes]
    copy[...] = array
    return copy


def saved(module: CpuModule) -> dict[str, bytes | memoryview]:
    """A compiled module as the parts of a cache entry: its object code, the values of its
    large constants (views of where they are, which the module keeps) and its functions'
    signatures."""
    meta = {
        "objects": len(module.objects),
        "constants": list(module.constants),
        "functions": [f.signature.describe() for f in module.functions.values()],
    }
    parts: dict[str, bytes | memoryview] = {"meta": json.dumps(meta).encode()}
    for index, code in enumerate(module.objects):
        parts[f"object {index}"] = code
    for name, (address, size) in module.constants.items():
        parts[f"constant {name}"] = memoryview((ctypes.c_char * size).from_address(address)).cast(
            "B"
        )
    return parts


def load_saved(parts: Mapping[str, bytes | memoryview], cpu: Cpu, threads_: int = 0) -> CpuModule:
    """The module `saved` gave the parts of (the constants copied from where they are)."""
    meta = json.loads(bytes(parts["meta"]))
    signatures = [Signature.described(data) for data in meta["functions"]]
    return load_module(
        {signature.name: signature for signature in signatures},
        [bytes(parts[f"object {index}"]) for index in range(meta["objects"])],
        {name: parts[f"constant {name}"] for name in meta["constants"]},
        (cpu.name, cpu.features),
        threads_,
    )
