"""`loop-to-llvm`: lower a loop-level module (func, scf, affine, memref, arith, math, vector,
cf) to the `llvm` dialect, the same on every target, in one walk over each function:

1. xDSL's `lower-affine`, where the module has affine ops;
2. each function is rebuilt op by op (lowering.py): a lowering per op class (func.py,
   scf.py, memref.py, arith.py, math.py, vector.py) emits llvm ops into the new function,
   structured control flow becoming blocks as it is met; what each value became is kept in
   a table, so no casts are left to fold away and no op is visited twice.

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

# (The modules below are named for the dialects they lower, so the dialects' ops are
# imported by name.)
from xdsl.dialects.func import FuncOp
from xdsl.dialects.llvm import FuncOp as LlvmFuncOp
from xdsl.dialects.memref import GlobalOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.transforms.lower_affine import LowerAffinePass

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.arith import ARITH_LOWERINGS, ARITH_OPS
from ziggurat.passes.conversion.loop_to_llvm.common import Declarations
from ziggurat.passes.conversion.loop_to_llvm.func import (
    FUNC_LOWERINGS,
    FUNC_OPS,
    lower_function,
    lower_llvm_function,
    passes_bare_pointers,
)
from ziggurat.passes.conversion.loop_to_llvm.lowering import Lower
from ziggurat.passes.conversion.loop_to_llvm.math import MATH_LOWERINGS, MATH_OPS
from ziggurat.passes.conversion.loop_to_llvm.memref import (
    MEMREF_LOWERINGS,
    MEMREF_OPS,
    lower_global,
)
from ziggurat.passes.conversion.loop_to_llvm.scf import SCF_LOWERINGS, SCF_OPS
from ziggurat.passes.conversion.loop_to_llvm.vector import VECTOR_LOWERINGS, VECTOR_OPS

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
LOWERABLE = frozenset(LOWERED_OPS)

LOWERINGS: dict[type[Operation], Lower] = {
    **FUNC_LOWERINGS,
    **SCF_LOWERINGS,
    **MEMREF_LOWERINGS,
    **ARITH_LOWERINGS,
    **MATH_LOWERINGS,
    **VECTOR_LOWERINGS,
}

# Ops each target lowers its own way, before this pass (and math ops LLVM has no intrinsic for).
TARGET_LOWERED = ("memref.alloc", "memref.alloca", "memref.dealloc", "loop.barrier")


def check_lowerable(module: Operation) -> bool:
    """Name the first op this pass cannot lower, before it changes anything; whether the
    module has affine ops."""
    affine_ops = False
    for op in module.walk():
        kind = type(op)
        if kind in LOWERABLE or op is module or op.name.startswith("llvm."):
            affine_ops |= kind in AFFINE_OPS
            continue
        by_target = op.name in TARGET_LOWERED or op.name.startswith("math.")
        hint = " (the target's lowering pipeline lowers it first)" if by_target else ""
        raise ZigguratError(f"loop-to-llvm cannot lower '{op.name}'{hint}", op)
    return affine_ops


def lower_to_llvm(ctx: Context, module: Operation) -> None:
    """Lower the functions and globals inside `module` (a builtin.module, or a target's
    module of kernels) to the llvm dialect."""
    if check_lowerable(module):
        LowerAffinePass().apply(ctx, module)  # type: ignore[arg-type]
    bare_pointers = frozenset(
        op.sym_name.data
        for op in module.regions[0].block.ops
        if isinstance(op, FuncOp) and passes_bare_pointers(op)
    )
    declarations = Declarations(module, bare_pointers)
    for op in list(module.regions[0].block.ops):
        if isinstance(op, FuncOp):
            lowered: Operation = lower_function(op, LOWERINGS, declarations)
        elif isinstance(op, GlobalOp):
            lowered = lower_global(op)
        elif isinstance(op, LlvmFuncOp) and op.body.blocks and not is_lowered(op):
            lowered = lower_llvm_function(op, LOWERINGS, declarations)
        else:
            continue
        op.parent_block().insert_op_before(lowered, op)  # type: ignore[union-attr]
        op.detach()
        op.erase(safe_erase=False)


def is_lowered(function: LlvmFuncOp) -> bool:
    return all(op.name.startswith("llvm.") for op in function.walk() if op is not function)


@dataclass(frozen=True)
class LoopToLlvm(ModulePass):
    """Lower a loop-level module to the llvm dialect."""

    name = "loop-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_to_llvm(ctx, op)
