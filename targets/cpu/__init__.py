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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import pass_pipeline, print_module
from ziggurat.registry import make_context
from ziggurat.targets.cpu import jit, threads
from ziggurat.targets.cpu.host import Cpu, describe_cpu
from ziggurat.targets.cpu.llvm_ir import add_packed_wrapper, translate
from ziggurat.targets.cpu.runtime import CpuFunction, CpuModule, signatures
from ziggurat.targets.target import Target

__all__ = [
    "CpuFunction",
    "CpuModule",
    "CpuTarget",
    "compile_loop_module",
    "llvm_ir",
    "optimized_llvm_ir",
]

# From the loop level to the llvm dialect.
LOWERING = (
    "lower-affine,expand-math,vectorize-loops,outline-parallel,convert-math-to-libm,"
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
        return "pack-weights"

    def lowering(self) -> str:
        return LOWERING

    def default_schedule(self, nest: Any) -> tuple[str, dict[str, Any]] | None:
        from ziggurat.targets.cpu.knobs import plan

        return plan(nest, self.cpu)

    def emit(self, module: ModuleOp, level: str) -> str:
        if level == "llvm":
            return print_module(lower_to_llvm_dialect(module))
        if level == "llvm-ir":
            return llvm_ir(module)
        if level == "asm":
            return compile_loop_module(module, self.cpu).assembly
        raise ZigguratError(f"the cpu target emits {', '.join(self.levels)}, not '{level}'")

    def compile(self, module: ModuleOp) -> CpuModule:
        return compile_loop_module(module, self.cpu, self.threads)

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
    lowered = module.clone()
    lowering = LOWERING
    if guard_zones:
        lowering = lowering.replace("lower-allocations", "lower-allocations{guard-zones=true}")
    pass_pipeline(lowering).apply(make_context(), lowered)
    return lowered


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
    module: ModuleOp, cpu: Cpu | None = None, threads_: int = 0, guard_zones: bool = False
) -> CpuModule:
    """Compile a loop-level module for `cpu` (the host's by default), its parallel loops on
    `threads_` threads (the pool's count where 0); the module itself is left unchanged.
    `guard_zones` is for tests: see lower-allocations."""
    machine = (cpu.name, cpu.features) if cpu is not None else jit.HOST
    functions = signatures(module)
    contents: dict[str, bytes] = {}
    llvm_module = translate(lower_to_llvm_dialect(module, guard_zones), contents=contents)
    wrappers = {name: add_packed_wrapper(llvm_module, name) for name in functions}
    text = str(llvm_module)
    compiled = jit.parse(text, machine)
    jit.optimize(compiled, machine=machine)
    threads.install()  # parallel loops call the pool's entry points
    engine = jit.compile_module(compiled, machine)
    for name, raw in contents.items():
        ctypes.memmove(engine.get_global_value_address(name), raw, len(raw))
    return CpuModule(
        {
            name: CpuFunction(
                signature, engine.get_function_address(wrappers[name]), engine, threads_
            )
            for name, signature in functions.items()
        },
        text,
        compiled,
        machine,
    )
