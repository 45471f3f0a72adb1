"""`loop-to-llvm`: lower a loop-level module (func, scf, affine, memref, arith, math, vector,
cf) to the `llvm` dialect, the same on every target, in steps one can read separately:

1. xDSL's `lower-affine`; structured control flow to blocks (scf.py);
2. one rewrite per op into llvm ops (func.py, memref.py, arith.py, math.py, vector.py),
   casting back to the old types where they change;
3. every value still typed `index` or memref gets its llvm type, and the casts fold away.

What differs between targets runs before it, in the target's lowering pipeline: how buffers
are allocated (`memref.alloc`), the math LLVM has no intrinsic for, threads, barriers and
vector code (for the CPU: targets/cpu/passes/). An op none of the steps lowers is reported,
with its location, before anything changes. `#loop.unroll`, and `#loop.vectorize` on a loop
still scalar, stay on the loop's back edge (`llvm.br ... {loop.annotations = [...]}`) for the
target to emit as LLVM loop metadata.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import affine
from xdsl.dialects.builtin import ModuleOp, UnrealizedConversionCastOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import Rewriter
from xdsl.transforms.lower_affine import LowerAffinePass
from xdsl.transforms.reconcile_unrealized_casts import ReconcileUnrealizedCastsPass

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.arith import ARITH_OPS, ARITH_PATTERNS
from ziggurat.passes.conversion.loop_to_llvm.common import llvm_type
from ziggurat.passes.conversion.loop_to_llvm.func import FUNC_OPS, FUNC_PATTERNS
from ziggurat.passes.conversion.loop_to_llvm.math import MATH_OPS, MATH_PATTERNS
from ziggurat.passes.conversion.loop_to_llvm.memref import MEMREF_OPS, MEMREF_PATTERNS
from ziggurat.passes.conversion.loop_to_llvm.scf import SCF_OPS, SCF_PATTERNS
from ziggurat.passes.conversion.loop_to_llvm.vector import VECTOR_OPS, VECTOR_PATTERNS

AFFINE_OPS = (affine.ForOp, affine.YieldOp, affine.LoadOp, affine.StoreOp, affine.ApplyOp)
LOWERED_OPS = (
    *AFFINE_OPS,
    *SCF_OPS,
    *FUNC_OPS,
    *MEMREF_OPS,
    *ARITH_OPS,
    *MATH_OPS,
    *VECTOR_OPS,
    ModuleOp,
    UnrealizedConversionCastOp,
)


# Ops each target lowers its own way, before this pass (and math ops LLVM has no intrinsic for).
TARGET_LOWERED = ("memref.alloc", "memref.alloca", "memref.dealloc", "loop.barrier")


def check_lowerable(module: Operation) -> None:
    """Name the first op this pass cannot lower, before it changes anything."""
    for op in module.walk():
        if op is module or isinstance(op, LOWERED_OPS) or op.name.startswith("llvm."):
            continue
        by_target = op.name in TARGET_LOWERED or op.name.startswith("math.")
        hint = " (the target's lowering pipeline lowers it first)" if by_target else ""
        raise ZigguratError(f"loop-to-llvm cannot lower '{op.name}'{hint}", op)


def convert_value_types(module: Operation) -> None:
    """Give every value still typed `index` or memref its llvm type."""
    for op in module.walk():
        for result in op.results:
            if (new := llvm_type(result.type)) != result.type:
                Rewriter.replace_value_with_new_type(result, new)
        for region in op.regions:
            for block in region.blocks:
                for arg in block.args:
                    if (new := llvm_type(arg.type)) != arg.type:
                        Rewriter.replace_value_with_new_type(arg, new)


def check_lowered(module: Operation) -> None:
    for op in module.walk():
        if op is not module and not isinstance(op, ModuleOp) and not op.name.startswith("llvm."):
            raise ZigguratError(f"loop-to-llvm left '{op.name}' unlowered", op)


@dataclass(frozen=True)
class LoopToLlvm(ModulePass):
    """Lower a loop-level module to the llvm dialect."""

    name = "loop-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_to_llvm(ctx, op)


def lower_to_llvm(ctx: Context, module: Operation) -> None:
    """Lower the ops inside `module` (a builtin.module, or a GPU target's module of kernels)
    to the llvm dialect."""
    check_lowerable(module)
    LowerAffinePass().apply(ctx, module)  # type: ignore[arg-type]
    PatternRewriteWalker(GreedyRewritePatternApplier(SCF_PATTERNS)).rewrite_region(
        module.regions[0]
    )
    patterns: list[RewritePattern] = [
        *FUNC_PATTERNS,
        *MEMREF_PATTERNS,
        *ARITH_PATTERNS,
        *MATH_PATTERNS,
        *VECTOR_PATTERNS,
    ]
    PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_region(module.regions[0])
    convert_value_types(module)
    ReconcileUnrealizedCastsPass().apply(ctx, module)  # type: ignore[arg-type]
    check_lowered(module)
