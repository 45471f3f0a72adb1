"""The NVIDIA GPU target: loop-level IR to kernels in PTX, launched from numpy arrays.

loop IR --lowering()--> gpu (kernels + launches) --gpu-to-nvvm--> llvm dialect kernels
        --nvptx.py (llvmlite, O3, NVPTX backend)--> PTX --runtime.py (CUDA driver)--> GPU

The GPU is the one this process sees unless named (`cuda{arch=sm_90}`; device.py);
compiling needs no GPU, only running does. The default schedules bind loops to blocks and
threads and stage operands in shared memory (schedules/, knobs.py).

    target = target_named("cuda{arch=sm_90}")
    print(target.emit(module, "ptx"))
    compiled = target.compile(module)
    C = compiled.matmul(A, B)[0]
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects import llvm
from xdsl.dialects.builtin import ModuleOp

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import gpu as gpu_dialect
from ziggurat.ir_io import pass_pipeline, print_module
from ziggurat.registry import make_context
from ziggurat.targets.cuda.device import Gpu, describe_gpu
from ziggurat.targets.target import Target

# From the gpu level to kernels in the llvm dialect (host functions stay as they are).
KERNEL_LOWERING = "gpu-to-nvvm"


@dataclass(frozen=True)
class CudaTarget(Target):
    """An NVIDIA GPU: its architecture (`arch`, sm_80, sm_90, ...: the visible GPU's by
    default, sm_80 where there is none)."""

    name: ClassVar[str] = "cuda"
    levels: ClassVar[tuple[str, ...]] = ("gpu", "llvm", "llvm-ir", "ptx")
    schedule_package: ClassVar[str | None] = "ziggurat.targets.cuda"

    arch: str = ""

    def __post_init__(self) -> None:
        self.gpu  # noqa: B018 (an unknown architecture fails here)

    @cached_property
    def gpu(self) -> Gpu:
        return describe_gpu(self.arch)

    def lowering(self) -> str:
        return f'expand-gpu-math,expand-math,vectorize-loops,mma-fragments,loop-to-gpu{{target="{self}"}}'

    def default_schedule(self, nest: Any) -> tuple[str, dict[str, Any]] | None:
        from ziggurat.targets.cuda.knobs import plan

        return plan(nest, self.gpu)

    def local_memory(self) -> int:
        """A thread's local buffers (its register tile) in half the registers a thread may
        have: more spills to local memory, which is as slow as global."""
        return (self.gpu.registers_per_thread + 1) // 2 * 4  # 128 registers

    def shared_memory(self) -> int:
        return self.gpu.shared_memory_per_block

    def missing_device(self) -> str | None:
        from ziggurat.targets.cuda.runtime import device_properties

        try:
            major, minor, _ = device_properties()
        except ZigguratError as error:
            return error.message
        if major * 10 + minor < self.gpu.capability:
            return f"the GPU is sm_{major}{minor}, older than {self.gpu.arch}"
        return None

    def device_resources(self) -> dict[str, float]:
        return {"num_cpus": 0, "num_gpus": 1}

    def check_compiled(self, compiled: Any) -> None:
        """Its kernels assembled by ptxas for the architecture, where ptxas is on the PATH
        (a rejection is the candidate's compile error, not a driver's failure at its run)."""
        from ziggurat.targets.cuda.nvptx import ptxas

        if compiled.module.ptx and shutil.which("ptxas") is not None:
            ptxas(compiled.module.ptx, self.gpu.arch)

    def release(self, compiled: Any) -> None:
        compiled.module.release()

    def emit(self, module: ModuleOp, level: str) -> str:
        if level not in self.levels:
            raise ZigguratError(f"the cuda target emits {', '.join(self.levels)}, not '{level}'")
        lowered = self.lower(module, kernels=level != "gpu")
        if level in ("gpu", "llvm"):
            return print_module(lowered)
        from ziggurat.targets.cuda import nvptx

        kernels = kernel_module(lowered)
        if kernels is None:
            return ""
        if level == "llvm-ir":
            return nvptx.llvm_ir(kernels)
        return nvptx.ptx(kernels, self.gpu.arch)

    def lower(self, module: ModuleOp, kernels: bool = True) -> ModuleOp:
        """A copy of a loop-level module at the gpu level, its kernels lowered to the llvm
        dialect if `kernels`."""
        lowered = module.clone()
        spec = self.lowering() + (f",{KERNEL_LOWERING}" if kernels else "")
        pass_pipeline(spec).apply(make_context(), lowered)
        return lowered

    def compile(self, module: ModuleOp) -> Any:
        from ziggurat.targets.cuda import nvptx
        from ziggurat.targets.cuda.runtime import CudaModule

        host = self.lower(module, kernels=False)
        lowered = host.clone()
        pass_pipeline(KERNEL_LOWERING).apply(make_context(), lowered)
        kernels = kernel_module(lowered)
        if kernels is None:
            return CudaModule(host, "", [])
        names = [op.sym_name.data for op in kernels.body.block.ops if isinstance(op, llvm.FuncOp)]
        return CudaModule(host, nvptx.ptx(kernels, self.gpu.arch), names)

    def time(
        self, function: Callable[..., Any], arrays: Sequence[np.ndarray], runs: int
    ) -> list[float]:
        return function.time(arrays, runs)  # type: ignore[attr-defined]


def kernel_module(module: ModuleOp) -> gpu_dialect.ModuleOp | None:
    """The gpu.module of kernels of a module at the gpu level, if it has one."""
    for op in module.ops:
        if isinstance(op, gpu_dialect.ModuleOp):
            return op
    return None
