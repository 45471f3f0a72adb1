"""`loop-to-llvm`: lower a loop-level module (func, scf, affine, memref, arith, math, vector,
cf) to the `llvm` dialect, in steps one can read separately:

1. xDSL's `lower-affine`; f32 `math.exp` expanded into arithmetic that vectorizes
   (expand_math); innermost `#loop.vectorize` loops written as vector ops
   (vectorize_loops); outermost `#loop.parallel` loops outlined into functions the CPU's
   thread pool calls (outline_parallel); structured control flow to blocks (scf_to_cf);
2. one rewrite per op into llvm ops (func_to_llvm, memref_to_llvm, arith_to_llvm,
   math_to_llvm, vector_to_llvm), casting back to the old types where they change;
3. every value still typed `index` or memref gets its llvm type, and the casts fold away.

An op none of them lowers is reported, with its location, before anything changes.
`#loop.unroll`, and `#loop.vectorize` on a loop vectorize_loops leaves alone, stay on the
loop's back edge (`llvm.br ... {loop.annotations = [...]}`) for the CPU target to emit as
LLVM loop metadata. `loop.barrier` has no GPU block to wait for and is erased.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import affine
from xdsl.dialects.builtin import ModuleOp, UnrealizedConversionCastOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import Rewriter
from xdsl.transforms.lower_affine import LowerAffinePass
from xdsl.transforms.reconcile_unrealized_casts import ReconcileUnrealizedCastsPass

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import BarrierOp
from ziggurat.passes.arith_to_llvm import ARITH_OPS, ARITH_PATTERNS
from ziggurat.passes.expand_math import expand_math
from ziggurat.passes.func_to_llvm import FUNC_OPS, FUNC_PATTERNS
from ziggurat.passes.llvm_common import llvm_type
from ziggurat.passes.math_to_llvm import MATH_OPS, MATH_PATTERNS
from ziggurat.passes.memref_to_llvm import MEMREF_OPS, MEMREF_PATTERNS
from ziggurat.passes.outline_parallel import outline_parallel_loops
from ziggurat.passes.scf_to_cf import SCF_OPS, SCF_PATTERNS
from ziggurat.passes.vector_to_llvm import VECTOR_OPS, VECTOR_PATTERNS
from ziggurat.passes.vectorize_loops import vectorize_loops

AFFINE_OPS = (affine.ForOp, affine.YieldOp, affine.LoadOp, affine.StoreOp, affine.ApplyOp)
LOWERED_OPS = (
    *AFFINE_OPS,
    *SCF_OPS,
    *FUNC_OPS,
    *MEMREF_OPS,
    *ARITH_OPS,
    *MATH_OPS,
    *VECTOR_OPS,
    BarrierOp,
    ModuleOp,
    UnrealizedConversionCastOp,
)


class BarrierLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: BarrierOp, rewriter: PatternRewriter):
        rewriter.erase(op)


def check_lowerable(module: ModuleOp) -> None:
    """Name the first op this pass cannot lower, before it changes anything."""
    for op in module.walk():
        if isinstance(op, LOWERED_OPS) or op.name.startswith("llvm."):
            continue
        raise ZigguratError(f"loop-to-llvm cannot lower '{op.name}'", op)


def convert_value_types(module: ModuleOp) -> None:
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


def check_lowered(module: ModuleOp) -> None:
    for op in module.walk():
        if not isinstance(op, ModuleOp) and not op.name.startswith("llvm."):
            raise ZigguratError(f"loop-to-llvm left '{op.name}' unlowered", op)


@dataclass(frozen=True)
class LoopToLlvm(ModulePass):
    """Lower a loop-level module to the llvm dialect."""

    name = "loop-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        check_lowerable(op)
        LowerAffinePass().apply(ctx, op)
        expand_math(op)
        vectorize_loops(op)
        outline_parallel_loops(op)
        PatternRewriteWalker(GreedyRewritePatternApplier(SCF_PATTERNS)).rewrite_module(op)
        patterns: list[RewritePattern] = [
            *FUNC_PATTERNS,
            *MEMREF_PATTERNS,
            *ARITH_PATTERNS,
            *MATH_PATTERNS,
            *VECTOR_PATTERNS,
            BarrierLowering(),
        ]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_module(op)
        convert_value_types(op)
        ReconcileUnrealizedCastsPass().apply(ctx, op)
        check_lowered(op)
