"""Every Ziggurat dialect and pass, registered once for all entry points.

`ziggurat-opt`, `ziggurat.compile` and xDSL's own tools (through the `xdsl.universe` entry
point) all read these tables, so a new dialect or pass is added here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from xdsl.context import Context
from xdsl.dialects import get_all_dialects as xdsl_dialects
from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.transforms import get_all_passes as xdsl_passes
from xdsl.universe import Universe


def lazy(path: str) -> Callable[[], Any]:
    """A loader for `module:Name`, imported on first use (the opt tool starts fast)."""

    def load() -> Any:
        module, name = path.split(":")
        return getattr(import_module(module), name)

    return load


DIALECTS: dict[str, Callable[[], Dialect]] = {
    "graph": lazy("ziggurat.dialects.graph:Graph"),
    "te": lazy("ziggurat.dialects.te:TE"),
    "loop": lazy("ziggurat.dialects.loop:Loop"),
    "arith": lazy("ziggurat.dialects.arith_extra:Arith"),
    "llvm": lazy("ziggurat.dialects.llvm_extra:LLVM"),
    "transform": lazy("ziggurat.dialects.schedule:Transform"),
    "gpu": lazy("ziggurat.dialects.gpu:GPU"),
    "accel": lazy("ziggurat.dialects.accel:Accel"),
    "systolic": lazy("ziggurat.dialects.systolic:Systolic"),
}

PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    # graph level
    "fold-constants": lazy("ziggurat.passes.graph.fold_constants:FoldConstants"),
    "fold-batch-norm": lazy("ziggurat.passes.graph.fold_batch_norm:FoldBatchNorm"),
    "fuse-ops": lazy("ziggurat.passes.graph.fuse_ops:FuseOps"),
    "alter-conv-layout": lazy("ziggurat.passes.graph.alter_conv_layout:AlterConvLayout"),
    # te level
    "te-inline": lazy("ziggurat.passes.te.te_inline:TeInline"),
    # conversions between levels
    "graph-to-te": lazy("ziggurat.passes.conversion.graph_to_te:GraphToTe"),
    "te-to-loop": lazy("ziggurat.passes.conversion.te_to_loop:TeToLoop"),
    "loop-to-llvm": lazy("ziggurat.passes.conversion.loop_to_llvm:LoopToLlvm"),
    "lower-affine-if-present": lazy(
        "ziggurat.passes.conversion.lower_affine_if_present:LowerAffineIfPresent"
    ),
    # scheduling
    "apply-schedule": lazy("ziggurat.passes.scheduling.apply_schedule:ApplySchedule"),
    "apply-default-schedules": lazy(
        "ziggurat.passes.scheduling.apply_default_schedules:ApplyDefaultSchedules"
    ),
    # the CPU target's
    "pack-weights": lazy("ziggurat.targets.cpu.passes.pack_weights:PackWeights"),
    "subsample-strided-convs": lazy(
        "ziggurat.targets.cpu.passes.subsample_strided_convs:SubsampleStridedConvs"
    ),
    "expand-math": lazy("ziggurat.targets.cpu.passes.expand_math:ExpandMath"),
    "version-guarded-loops": lazy(
        "ziggurat.targets.cpu.passes.version_guarded_loops:VersionGuardedLoops"
    ),
    "vectorize-loops": lazy("ziggurat.targets.cpu.passes.vectorize_loops:VectorizeLoops"),
    "outline-parallel": lazy("ziggurat.targets.cpu.passes.outline_parallel:OutlineParallel"),
    "convert-math-to-libm": lazy(
        "ziggurat.targets.cpu.passes.convert_math_to_libm:ConvertMathToLibm"
    ),
    "lower-allocations": lazy("ziggurat.targets.cpu.passes.lower_allocations:LowerAllocations"),
    # the CUDA target's
    "mma-fragments": lazy("ziggurat.targets.cuda.passes.mma_fragments:MmaFragments"),
    "loop-to-gpu": lazy("ziggurat.targets.cuda.passes.loop_to_gpu:LoopToGpu"),
    "gpu-to-nvvm": lazy("ziggurat.targets.cuda.passes.gpu_to_nvvm:GpuToNvvm"),
    "expand-gpu-math": lazy("ziggurat.targets.cuda.passes.expand_gpu_math:ExpandGpuMath"),
    # the accelerator target's
    "lower-to-accel": lazy("ziggurat.targets.accel.passes.lower_to_accel:LowerToAccel"),
    "insert-tokens": lazy("ziggurat.targets.accel.passes.insert_tokens:InsertTokens"),
    # the systolic array's
    "lower-to-systolic": lazy("ziggurat.targets.systolic.passes.lower_to_systolic:LowerToSystolic"),
}

# xDSL rejects two universes defining one name, so xDSL's own tools keep their `arith`,
# `llvm`, `transform` and `gpu` dialects; ours (xDSL's with casts over vectors, xDSL's plus a
# few casts, xDSL's plus the schedule ops, xDSL's with upstream's syntax) replace them in our
# tools only.
UNIVERSE = Universe(
    all_dialects={
        name: load
        for name, load in DIALECTS.items()
        if name not in ("arith", "llvm", "transform", "gpu")
    },
    all_passes=PASSES,
)


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    """xDSL's dialects and ours; ours win where a name is shared."""
    return {**xdsl_dialects(), **DIALECTS}


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """xDSL's passes and ours."""
    return {**xdsl_passes(), **PASSES}


def make_context(allow_unregistered: bool = False) -> Context:
    """A context that knows every dialect, loaded lazily on first use."""
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, load in all_dialects().items():
        ctx.register_dialect(name, load)
    return ctx
