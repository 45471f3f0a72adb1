"""`gpu-to-nvvm`: the kernels of each `gpu.module` lowered to the `llvm` dialect for NVIDIA's
PTX (the CUDA target's, after loop-to-gpu); host functions and launches stay as they are.

What is particular to the GPU is lowered here; the rest of a kernel's body (loops, loads,
arithmetic, vectors) by the shared `loop-to-llvm` patterns, as on the CPU:

- a kernel is an `llvm.func` marked `nvvm.kernel`, with `nvvm.reqntid` its block size (so
  ptxas sizes its registers for it); a buffer argument is one pointer into global memory
  (`!llvm.ptr<1>`, `noalias`, 16-byte aligned: the runtime allocates every buffer so, and
  no kernel gets two views of one), from which the kernel rebuilds the memref descriptor
  its type states (upstream's bare-pointer calling convention);
- `gpu.thread_id x` and its kin read the special registers
  (`llvm.nvvm.read.ptx.sreg.tid.x`), `gpu.barrier` is `llvm.nvvm.barrier0`;
- a `#loop.scope<shared>` buffer is its offset in the block's dynamic shared memory
  (`@__shared_memory`, address space 3, as loop-to-gpu laid it out); a `#loop.scope<local>`
  one is an `llvm.alloca` in the kernel's entry block (local memory, address space 5, which
  LLVM keeps in registers when every access has a constant index: a register tile);
- the casts to generic pointers leave LLVM's address-space inference to load with
  `ld.global` and `ld.shared` (and `ld.global.nc` for what a kernel only reads).

Math LLVM has no NVPTX lowering for must be expanded before (expand-gpu-math, expand-math);
a kernel that still has some is an error naming the op.

    gpu.func @k(%A: memref<1024xf32>) kernel attributes {gpu.known_block_size = array<i32: 256, 1, 1>}
    ->
    llvm.func @k(%A: !llvm.ptr<1> {llvm.align = 16 : i64, llvm.noalias}) attributes {nvvm.kernel, nvvm.reqntid = array<i32: 256, 1, 1>}
"""

from __future__ import annotations

import math as arithmetic
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import llvm, math, memref, scf, vector
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    IntAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    UnitAttr,
    VectorType,
    f16,
    f32,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.transforms.scf_for_loop_unroll import UnrollLoopPattern

from ziggurat.analysis.payload import optional_bounds
from ziggurat.analysis.ranges import linear
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import gpu, llvm_extra
from ziggurat.dialects.loop import ScopeAttr, UnrollAttr, annotations
from ziggurat.passes.conversion.loop_to_llvm import lower_to_llvm
from ziggurat.passes.conversion.loop_to_llvm.common import (
    PTR,
    as_type,
    build_descriptor,
    byte_size,
    emit,
    llvm_type,
    replace,
    static_offset,
    static_strides,
)
from ziggurat.passes.conversion.loop_to_llvm.math import INTRINSICS
from ziggurat.targets.cuda.passes.loop_to_gpu import SHARED_ALIGNMENT, shared_buffers

GLOBAL, SHARED = 1, 3
# Loops of more iterations are left to LLVM's unroller even where annotated.
MOST_UNROLLED = 64
SHARED_MEMORY = "__shared_memory"
# Kernel buffers start on this many bytes: the runtime's allocations do (256, in fact).
BUFFER_ALIGNMENT = 16
# Math ops whose LLVM intrinsic NVPTX lowers to an instruction.
NVPTX_MATH = (
    math.AbsFOp,
    math.CeilOp,
    math.FloorOp,
    math.TruncOp,
    math.RoundEvenOp,
    math.SqrtOp,
    math.FmaOp,
    math.CopySignOp,
    math.CtPopOp,
)
ACCESSES = (memref.LoadOp, memref.StoreOp, vector.LoadOp, vector.StoreOp)
SPECIAL_REGISTERS = {
    gpu.ThreadIdOp: "tid",
    gpu.BlockIdOp: "ctaid",
    gpu.BlockDimOp: "ntid",
    gpu.GridDimOp: "nctaid",
}


@dataclass(frozen=True)
class GpuToNvvm(ModulePass):
    """Lower the kernels of every gpu.module to the llvm dialect for NVPTX."""

    name = "gpu-to-nvvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for module in [o for o in op.ops if isinstance(o, gpu.ModuleOp)]:
            lower_kernels(ctx, module)


def lower_kernels(ctx: Context, module: gpu.ModuleOp) -> None:
    check_math(module)
    shared = False
    for kernel in [f for f in module.body.block.ops if isinstance(f, gpu.FuncOp)]:
        unroll_fully(kernel)
        align_accesses(kernel)
        shared |= lower_allocations(kernel)
    patterns = [
        IndexLowering(),
        LaneIdLowering(),
        BarrierLowering(),
        MmaSyncLowering(),
        ReturnLowering(),
        FuncLowering(),
    ]
    PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_region(module.regions[0])
    lower_to_llvm(ctx, module)
    if shared:
        memory = llvm.GlobalOp(
            llvm.LLVMArrayType(0, i8),
            SHARED_MEMORY,
            "external",
            addr_space=SHARED,
            alignment=SHARED_ALIGNMENT,
        )
        module.body.block.insert_op_before(memory, module.body.block.first_op)  # type: ignore[arg-type]


def check_math(module: gpu.ModuleOp) -> None:
    for op in module.walk():
        if type(op) in INTRINSICS and not isinstance(op, NVPTX_MATH):
            raise ZigguratError(
                f"'{op.name}' has no NVPTX lowering: expand it first (expand-gpu-math, "
                "expand-math)",
                op,
            )


# Buffers -------------------------------------------------------------------------------------


def lower_allocations(kernel: gpu.FuncOp) -> bool:
    """Shared buffers at their offsets in the block's shared memory, local ones on the
    kernel's stack; whether it has shared buffers."""
    entry = kernel.body.block
    offsets = dict(shared_buffers(kernel))
    for alloc in [o for o in kernel.walk() if isinstance(o, memref.AllocOp)]:
        type = alloc.memref.type
        scope = type.memory_space.scope.data if isinstance(type.memory_space, ScopeAttr) else ""
        rewriter = PatternRewriter(alloc)
        if scope == "shared":
            space = llvm.LLVMPointerType(IntAttr(SHARED))
            base = emit(rewriter, llvm.AddressOfOp(SHARED_MEMORY, space))
            # xDSL translates a GEP through a pointer of address space 0: cast first.
            generic = emit(rewriter, llvm_extra.AddrSpaceCastOp(base, PTR))
            pointer = emit(rewriter, llvm.GEPOp(generic, [offsets[alloc]], i8))
        elif scope == "local":
            count = 1
            for size in type.get_shape():
                count *= size
            size = llvm.ConstantOp(IntegerAttr(count, i64), i64)
            alloca = llvm.AllocaOp(size, llvm_type(type.element_type), BUFFER_ALIGNMENT)
            Rewriter.insert_op([size, alloca], InsertPoint.at_start(entry))
            pointer = alloca.res
        else:
            raise ZigguratError(
                "a kernel cannot allocate global memory: allocate the buffer on the host, "
                "outside the loop nest",
                alloc,
            )
        replace(rewriter, alloc, [descriptor(rewriter, type, pointer)])
    for dealloc in [o for o in kernel.walk() if isinstance(o, memref.DeallocOp)]:
        Rewriter.erase_op(dealloc)
    return bool(offsets)


def unroll_fully(kernel: gpu.FuncOp) -> None:
    """Unroll the loops over shared memory annotated `#loop.unroll<N>` that N iterations
    cover (innermost first), so that the accesses of each copy have constant offsets whose
    alignment align_accesses proves: four neighbouring floats of a register tile's row, 16
    bytes apart from the next four, are then one vector load (ld.shared.v4). LLVM unrolls
    the others (their annotation is LLVM loop metadata)."""
    for loop in reversed([o for o in kernel.walk() if isinstance(o, scf.ForOp)]):
        factors = [a.factor.data for a in annotations(loop) if isinstance(a, UnrollAttr)]
        bounds = optional_bounds(loop)
        if (
            factors
            and bounds is not None
            and bounds.trip_count <= min(factors[0], MOST_UNROLLED)
            and any(isinstance(o, memref.LoadOp) and in_shared(o.memref) for o in loop.walk())
        ):
            UnrollLoopPattern().match_and_rewrite(loop, PatternRewriter(loop))


def in_shared(buffer: SSAValue) -> bool:
    space = buffer.type.memory_space  # type: ignore[attr-defined]
    return isinstance(space, ScopeAttr) and space.scope.data == "shared"


def align_accesses(kernel: gpu.FuncOp) -> None:
    """Give each load and store the alignment its address provably has (every buffer starts
    on BUFFER_ALIGNMENT bytes), so that NVPTX loads and stores vectors whole (ld.v4) and
    joins neighbouring scalars into vectors."""
    for op in kernel.walk():
        if not isinstance(op, ACCESSES):
            continue
        buffer = op.operands[0 if isinstance(op, memref.LoadOp | vector.LoadOp) else 1]
        type = buffer.type
        assert isinstance(type, MemRefType)
        strides, offset = static_strides(type), static_offset(type)
        if None in strides or offset is None:
            continue
        multiple = offset
        indices = (
            op.operands[1:] if isinstance(op, memref.LoadOp | vector.LoadOp) else op.operands[2:]
        )
        for index, stride in zip(indices, strides, strict=True):
            terms, constant = linear(index)
            multiple = arithmetic.gcd(
                multiple, constant * stride, *(c * stride for c in terms.values())
            )  # type: ignore[operator]
        size = byte_size(type.element_type, op)
        alignment = arithmetic.gcd(multiple * size, BUFFER_ALIGNMENT)
        if alignment > size:
            op.attributes["alignment"] = IntegerAttr(alignment, i64)


def descriptor(rewriter: PatternRewriter, type: MemRefType, pointer: SSAValue) -> SSAValue:
    """The memref descriptor of a buffer at `pointer` with the shape and layout of `type`."""
    if not type.has_static_shape():
        raise ZigguratError(f"a kernel's buffers need static shapes, not {type}")
    strides = static_strides(type)
    offset = static_offset(type)
    if offset is None or None in strides:
        raise ZigguratError(f"a kernel's buffers need a static layout, not {type}")
    return build_descriptor(rewriter, type, pointer, pointer, offset, type.get_shape(), strides)  # type: ignore[arg-type]


# Kernels ---------------------------------------------------------------------------------------


class FuncLowering(RewritePattern):
    """A kernel as an `llvm.func` taking a global pointer for each buffer."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: gpu.FuncOp, rewriter: PatternRewriter):
        if op.kernel is None or op.function_type.outputs.data:
            raise ZigguratError("only kernels (gpu.func ... kernel) are lowered", op)
        inputs = op.function_type.inputs.data
        types = [global_pointer() if isinstance(t, MemRefType) else llvm_type(t) for t in inputs]
        entry = op.body.block
        assert entry.first_op is not None
        at_entry = PatternRewriter(entry.first_op)
        for old, type in zip(list(entry.args), types, strict=True):
            new = rewriter.insert_block_argument(entry, len(entry.args), type)
            new.name_hint = old.name_hint
            value: SSAValue = new
            if isinstance(old.type, MemRefType):
                generic = emit(at_entry, llvm_extra.AddrSpaceCastOp(new, PTR))
                value = descriptor(at_entry, old.type, generic)
            old.replace_all_uses_with(as_type(at_entry, value, old.type))
            rewriter.erase_block_argument(old)
        attributes = [
            DictionaryAttr(
                {"llvm.noalias": UnitAttr(), "llvm.align": IntegerAttr(BUFFER_ALIGNMENT, i64)}
                if isinstance(t, MemRefType)
                else {}
            )
            for t in inputs
        ]
        lowered = llvm.FuncOp(
            op.sym_name,
            llvm.LLVMFunctionType(types, llvm.LLVMVoidType()),
            linkage=llvm.LinkageAttr("external"),
            body=rewriter.move_region_contents_to_new_regions(op.body),
            other_props={"arg_attrs": ArrayAttr(attributes)},
            extra_attrs={gpu.KERNEL: UnitAttr(), "nvvm.kernel": UnitAttr()},
        )
        if op.known_block_size is not None:
            lowered.attributes["nvvm.reqntid"] = op.known_block_size
        rewriter.replace(op, lowered)


def global_pointer() -> Attribute:
    return llvm.LLVMPointerType(IntAttr(GLOBAL))


class ReturnLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: gpu.ReturnOp, rewriter: PatternRewriter):
        rewriter.replace(op, llvm.ReturnOp())


class IndexLowering(RewritePattern):
    """`gpu.thread_id x` reads `%tid.x`: an i32, widened to an index."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        register = SPECIAL_REGISTERS.get(type(op))
        if register is None:
            return
        dimension = op.dimension.data.value  # type: ignore[attr-defined]
        name = f"llvm.nvvm.read.ptx.sreg.{register}.{dimension}"
        value = emit(rewriter, llvm.CallIntrinsicOp(name, [], [i32]))
        wide = emit(rewriter, llvm.ZExtOp(value, i64))
        replace(rewriter, op, [wide])


class BarrierLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: gpu.BarrierOp, rewriter: PatternRewriter):
        rewriter.replace(op, llvm.CallIntrinsicOp("llvm.nvvm.barrier0", [], []))


class LaneIdLowering(RewritePattern):
    """`gpu.lane_id` reads `%laneid`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: gpu.LaneIdOp, rewriter: PatternRewriter):
        value = emit(rewriter, llvm.CallIntrinsicOp("llvm.nvvm.read.ptx.sreg.laneid", [], [i32]))
        replace(rewriter, op, [emit(rewriter, llvm.ZExtOp(value, i64))])


class MmaSyncLowering(RewritePattern):
    """`gpu.mma_sync m16n8k16` as NVVM's `llvm.nvvm.mma.m16n8k16.row.col.f32.f32` (named for
    D's and C's types; A and B are f16 in pairs, <2 x half>), which NVPTX emits as
    `mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: gpu.MmaSyncOp, rewriter: PatternRewriter):
        pair = VectorType(f16, [2])

        def pairs(values: Sequence[SSAValue]) -> list[SSAValue]:
            packed = []
            for first in range(0, len(values), 2):
                vector_value = emit(rewriter, llvm.UndefOp(pair))
                for lane in (0, 1):
                    position = emit(rewriter, llvm.ConstantOp(IntegerAttr(lane, i32), i32))
                    vector_value = emit(
                        rewriter,
                        llvm.InsertElementOp(vector_value, values[first + lane], position),
                    )
                packed.append(vector_value)
            return packed

        result = llvm.LLVMStructType.from_type_list([f32] * len(op.d))
        call = llvm.CallIntrinsicOp(
            f"llvm.nvvm.mma.{op.shape.data}.row.col.f32.f32",
            [*pairs(op.a), *pairs(op.b), *op.c],
            [result],
        )
        product = emit(rewriter, call)
        parts = [
            emit(rewriter, llvm.ExtractValueOp(DenseArrayBase.from_list(i64, [n]), product, f32))
            for n in range(len(op.d))
        ]
        replace(rewriter, op, parts)
