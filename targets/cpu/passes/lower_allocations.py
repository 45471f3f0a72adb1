"""`lower-allocations`: the CPU's memory for `memref.alloc`, `memref.alloca` and `memref.dealloc`
(its lowering before `loop-to-llvm`, which lowers every other memref op the same way on every
target).

A heap buffer comes from `aligned_alloc(64, bytes rounded up to 64)` and goes back with
`free`; `memref.alloca` and a small `#loop.scope<local>` buffer (private to a thread, and
kept in registers by LLVM when every access has a constant index: a register tile) is a
64-byte aligned stack slot in the function's entry block. The CPU has no shared memory: a
`#loop.scope<shared>` buffer anywhere is an error at the op that has it.

    %t = memref.alloc() {alignment = 64 : i64} : memref<8x32xf32, #loop.scope<local>>
    ->
    %n = llvm.mlir.constant(256 : i64) : i64
    %p = llvm.alloca %n x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr

For tests, `lower-allocations{guard-zones=true}` puts every `memref.alloc` on the heap between
two zones of GUARD_BYTES filled with GUARD_PATTERN, and its `memref.dealloc` checks them:
a zone found changed sets the module's global `ziggurat_guard_violations[1]` (an array of two
i64, the first a scratch cell, so a check stores without a branch or a race), which the test
reads after the call. That catches a schedule that writes past a local buffer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, llvm, memref
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    i8,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ALIGNMENT, ScopeAttr
from ziggurat.passes.conversion.loop_to_llvm.common import (
    ALIGNED,
    ALLOCATED,
    PTR,
    Descriptor,
    add,
    as_type,
    build_descriptor,
    byte_size,
    constant,
    contiguous_strides,
    declare_function,
    element_count,
    emit,
    llvm_type,
    mul,
    replace,
    static_offset,
    static_strides,
    value_of,
)

# The largest `#loop.scope<local>` buffer placed on the stack, in bytes: a packed panel of a
# tiled matmul fits; threads have at least 8 MiB of stack on Linux.
STACK_LIMIT = 256 * 1024


def check_memory_space(type: MemRefType, where: Operation) -> None:
    """On the CPU every scope is ordinary memory, except that there is no shared memory."""
    space = type.memory_space
    if isinstance(space, ScopeAttr) and space.scope.data == "shared":
        raise ZigguratError(
            f"'{where.name}': #loop.scope<shared> memory does not exist on the CPU", where
        )


def allocation_sizes(
    rewriter: PatternRewriter, type: MemRefType, dynamic: Sequence[SSAValue], where: Operation
) -> list[int | SSAValue]:
    """The sizes of a new buffer: static ones from its type, the rest from its operands (as
    i64: the llvm ops computing with them take no index)."""
    identity = MemRefType(type.element_type, type.get_shape())
    if static_offset(type) != 0 or static_strides(type, where) != static_strides(identity, where):
        raise ZigguratError(f"'{where.name}': only buffers with the identity layout", where)
    remaining = iter([as_type(rewriter, size, i64) for size in dynamic])
    return [next(remaining) if size == DYNAMIC_INDEX else size for size in type.get_shape()]


@dataclass
class AllocLowering(RewritePattern):
    """`aligned_alloc(64, bytes rounded up to 64)`: C11 wants a multiple of the alignment.
    Small local buffers go on the stack instead (see on_stack). With `guard_zones`, every
    buffer is on the heap between guard zones (see the module docstring)."""

    guard_zones: bool = False

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.AllocOp, rewriter: PatternRewriter):
        type = op.memref.type
        if on_stack(type, op) and not self.guard_zones:
            stack_buffer(rewriter, op)
            return
        sizes = allocation_sizes(rewriter, type, op.dynamic_sizes, op)
        alignment = max(ALIGNMENT, op.alignment.value.data if op.alignment else 0)
        size = mul(rewriter, element_count(rewriter, sizes), byte_size(type.element_type, op))
        data = size
        if self.guard_zones:
            size = add(rewriter, size, 2 * GUARD_BYTES)
        if isinstance(size, int):
            padded: int | SSAValue = -(-size // alignment) * alignment
        else:
            bumped = add(rewriter, size, alignment - 1)
            quotient = emit(
                rewriter, llvm.UDivOp(value_of(rewriter, bumped), constant(rewriter, alignment))
            )
            padded = mul(rewriter, quotient, alignment)
        declare_function(rewriter, op, "aligned_alloc", [i64, i64], PTR)
        pointer = emit(
            rewriter,
            llvm.CallOp(
                "aligned_alloc",
                constant(rewriter, alignment),
                value_of(rewriter, padded),
                return_type=PTR,
            ),
        )
        aligned = pointer
        if self.guard_zones:
            aligned = fill_guard_zones(rewriter, pointer, data)
        strides = contiguous_strides(rewriter, sizes)
        descriptor = build_descriptor(rewriter, type, pointer, aligned, 0, sizes, strides)
        replace(rewriter, op, [descriptor])


def on_stack(type: MemRefType, where: Operation) -> bool:
    """Whether an alloc of `type` lives on the stack: `#loop.scope<local>` buffers of static
    size up to STACK_LIMIT, which are private to a thread and which LLVM may keep in
    registers (a register tile) when every access has a constant index."""
    space = type.memory_space
    if not (isinstance(space, ScopeAttr) and space.scope.data == "local"):
        return False
    if not type.has_static_shape():
        return False
    count = 1
    for size in type.get_shape():
        count *= size
    return count * byte_size(type.element_type, where) <= STACK_LIMIT


def stack_buffer(rewriter: PatternRewriter, op: memref.AllocOp | memref.AllocaOp) -> None:
    """Replace `op` by an `llvm.alloca`. A statically sized one goes to the entry block of the
    function, as C compilers place them, so a loop around it does not grow the stack."""
    type = op.memref.type
    sizes = allocation_sizes(rewriter, type, op.dynamic_sizes, op)
    count = element_count(rewriter, sizes)
    alignment = max(ALIGNMENT, op.alignment.value.data if op.alignment else 0)
    element = llvm_type(type.element_type)
    if isinstance(count, int):
        function = op.parent_op()
        while not isinstance(function, func.FuncOp | llvm.FuncOp | None):
            function = function.parent_op()
        assert function is not None and function.body.blocks
        size = llvm.ConstantOp(IntegerAttr(count, i64), i64)
        alloca = llvm.AllocaOp(size, element, alignment)
        rewriter.insert([size, alloca], InsertPoint.at_start(function.body.blocks[0]))
        pointer: SSAValue = alloca.res
    else:
        pointer = emit(rewriter, llvm.AllocaOp(count, element, alignment))
    strides = contiguous_strides(rewriter, sizes)
    descriptor = build_descriptor(rewriter, type, pointer, pointer, 0, sizes, strides)
    replace(rewriter, op, [descriptor])


class AllocaLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.AllocaOp, rewriter: PatternRewriter):
        stack_buffer(rewriter, op)


@dataclass
class DeallocLowering(RewritePattern):
    guard_zones: bool = False

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.DeallocOp, rewriter: PatternRewriter):
        type = op.memref.type
        if isinstance(type, MemRefType) and on_stack(type, op) and not self.guard_zones:
            rewriter.erase(op)
            return
        descriptor = Descriptor(rewriter, op.memref, op)
        pointer = descriptor.pointer(ALLOCATED)
        if self.guard_zones:
            sizes = [descriptor.size(dim) for dim in range(descriptor.type.get_num_dims())]
            data = mul(rewriter, element_count(rewriter, sizes), byte_size(type.element_type, op))
            check_guard_zones(rewriter, op, descriptor.pointer(ALIGNED), data)
        declare_function(rewriter, op, "free", [PTR], None)
        rewriter.insert(llvm.CallOp("free", pointer))
        rewriter.erase(op)


# Guard zones (for tests) --------------------------------------------------------------

GUARD_BYTES = 64  # a cache line: the buffer between the zones stays 64-byte aligned
GUARD_PATTERN = 0x5AFE_C0DE_5AFE_C0DE
VIOLATIONS = "ziggurat_guard_violations"


def guard_words(rewriter: PatternRewriter, data: SSAValue, size: int | SSAValue) -> list[SSAValue]:
    """Pointers to the 8-byte words of the zones before and after `size` bytes at `data`."""
    words = []
    for start in (-GUARD_BYTES, size):
        for word in range(0, GUARD_BYTES, 8):
            offset = value_of(rewriter, add(rewriter, start, word))
            gep = llvm.GEPOp(data, [llvm.GEP_USE_SSA_VAL], i8, ssa_indices=[offset])
            words.append(emit(rewriter, gep))
    return words


def fill_guard_zones(rewriter: PatternRewriter, base: SSAValue, size: int | SSAValue) -> SSAValue:
    """Fill the zones around the `size` bytes after the first zone at `base`; the data's
    pointer."""
    data = emit(rewriter, llvm.GEPOp(base, [GUARD_BYTES], i8))
    pattern = constant(rewriter, GUARD_PATTERN)
    for word in guard_words(rewriter, data, size):
        rewriter.insert(llvm.StoreOp(pattern, word, alignment=1))
    return data


def check_guard_zones(
    rewriter: PatternRewriter, where: Operation, data: SSAValue, size: int | SSAValue
) -> None:
    """Set `ziggurat_guard_violations[1]` if a zone around the `size` bytes at `data`
    changed."""
    pattern = constant(rewriter, GUARD_PATTERN)
    changed = constant(rewriter, 0)
    for word in guard_words(rewriter, data, size):
        found = emit(rewriter, llvm.LoadOp(word, i64, alignment=1))
        changed = emit(rewriter, llvm.OrOp(changed, emit(rewriter, llvm.XOrOp(found, pattern))))
    zero = constant(rewriter, 0)
    bad = emit(rewriter, llvm.ICmpOp(changed, zero, IntegerAttr(1, 64)))  # ne
    cell = emit(rewriter, llvm.ZExtOp(bad, i64))
    flags = emit(rewriter, llvm.AddressOfOp(VIOLATIONS, PTR))
    gep = llvm.GEPOp(flags, [llvm.GEP_USE_SSA_VAL], i64, ssa_indices=[cell])
    rewriter.insert(llvm.StoreOp(constant(rewriter, 1), emit(rewriter, gep)))
    module = where.get_toplevel_object()
    assert isinstance(module, ModuleOp)
    if not any(getattr(o, "sym_name", None) == StringAttr(VIOLATIONS) for o in module.ops):
        flag = llvm.GlobalOp(llvm.LLVMArrayType(2, i64), VIOLATIONS, "external", alignment=8)
        rewriter.insert(flag, InsertPoint.at_start(module.body.block))


@dataclass(frozen=True)
class LowerAllocations(ModulePass):
    """Allocate buffers on the CPU: the heap through aligned_alloc, small local ones on the
    stack."""

    name = "lower-allocations"

    guard_zones: bool = False
    """Test-only: every alloc on the heap between guard zones its dealloc checks."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for inner in op.walk():
            arguments = [a for region in inner.regions for b in region.blocks for a in b.args]
            for value in (*inner.results, *arguments):
                if isinstance(value.type, MemRefType):
                    check_memory_space(value.type, inner)
        patterns = [
            AllocLowering(self.guard_zones),
            AllocaLowering(),
            DeallocLowering(self.guard_zones),
        ]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_module(op)
