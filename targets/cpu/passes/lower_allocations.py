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
    i8,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ALIGNMENT, ScopeAttr
from ziggurat.passes.conversion.loop_to_llvm.common import (
    ALIGNED,
    ALLOCATED,
    PTR,
    Builder,
    Declarations,
    Descriptor,
    add,
    as_type,
    build_descriptor,
    byte_size,
    constant,
    contiguous_strides,
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
    builder: Builder, type: MemRefType, dynamic: Sequence[SSAValue], where: Operation
) -> list[int | SSAValue]:
    """The sizes of a new buffer: static ones from its type, the rest from its operands (as
    i64: the llvm ops computing with them take no index)."""
    identity = MemRefType(type.element_type, type.get_shape())
    if static_offset(type) != 0 or static_strides(type, where) != static_strides(identity, where):
        raise ZigguratError(f"'{where.name}': only buffers with the identity layout", where)
    remaining = iter([as_type(builder, size, i64) for size in dynamic])
    return [next(remaining) if size == DYNAMIC_INDEX else size for size in type.get_shape()]


def lower_alloc(
    builder: Builder, op: memref.AllocOp, declarations: Declarations, guard_zones: bool
) -> None:
    """`aligned_alloc(64, bytes rounded up to 64)`: C11 wants a multiple of the alignment.
    Small local buffers go on the stack instead (see on_stack). With `guard_zones`, every
    buffer is on the heap between guard zones (see the module docstring)."""
    type = op.memref.type
    if on_stack(type, op) and not guard_zones:
        stack_buffer(builder, op)
        return
    sizes = allocation_sizes(builder, type, op.dynamic_sizes, op)
    alignment = max(ALIGNMENT, op.alignment.value.data if op.alignment else 0)
    size = mul(builder, element_count(builder, sizes), byte_size(type.element_type, op))
    data = size
    if guard_zones:
        size = add(builder, size, 2 * GUARD_BYTES)
    if isinstance(size, int):
        padded: int | SSAValue = -(-size // alignment) * alignment
    else:
        bumped = add(builder, size, alignment - 1)
        quotient = emit(
            builder, llvm.UDivOp(value_of(builder, bumped), constant(builder, alignment))
        )
        padded = mul(builder, quotient, alignment)
    declarations.declare("aligned_alloc", [i64, i64], PTR)
    pointer = emit(
        builder,
        llvm.CallOp(
            "aligned_alloc",
            constant(builder, alignment),
            value_of(builder, padded),
            return_type=PTR,
        ),
    )
    aligned = pointer
    if guard_zones:
        aligned = fill_guard_zones(builder, pointer, data)
    strides = contiguous_strides(builder, sizes)
    descriptor = build_descriptor(builder, type, pointer, aligned, 0, sizes, strides)
    replace(builder, op, [descriptor])


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


def stack_buffer(builder: Builder, op: memref.AllocOp | memref.AllocaOp) -> None:
    """Replace `op` by an `llvm.alloca`. A statically sized one goes to the entry block of the
    function, as C compilers place them, so a loop around it does not grow the stack."""
    type = op.memref.type
    sizes = allocation_sizes(builder, type, op.dynamic_sizes, op)
    count = element_count(builder, sizes)
    alignment = max(ALIGNMENT, op.alignment.value.data if op.alignment else 0)
    element = llvm_type(type.element_type)
    if isinstance(count, int):
        function = op.parent_op()
        while not isinstance(function, func.FuncOp | llvm.FuncOp | None):
            function = function.parent_op()
        assert function is not None and function.body.blocks
        size = llvm.ConstantOp(IntegerAttr(count, i64), i64)
        alloca = llvm.AllocaOp(size, element, alignment)
        builder.insert([size, alloca], InsertPoint.at_start(function.body.blocks[0]))
        pointer: SSAValue = alloca.res
    else:
        pointer = emit(builder, llvm.AllocaOp(count, element, alignment))
    strides = contiguous_strides(builder, sizes)
    descriptor = build_descriptor(builder, type, pointer, pointer, 0, sizes, strides)
    replace(builder, op, [descriptor])


def lower_dealloc(
    builder: Builder, op: memref.DeallocOp, declarations: Declarations, guard_zones: bool
) -> None:
    type = op.memref.type
    if isinstance(type, MemRefType) and on_stack(type, op) and not guard_zones:
        builder.erase(op)
        return
    descriptor = Descriptor(builder, op.memref, op)
    pointer = descriptor.pointer(ALLOCATED)
    if guard_zones:
        sizes = [descriptor.size(dim) for dim in range(descriptor.type.get_num_dims())]
        data = mul(builder, element_count(builder, sizes), byte_size(type.element_type, op))
        check_guard_zones(builder, declarations, descriptor.pointer(ALIGNED), data)
    declarations.declare("free", [PTR], None)
    builder.insert(llvm.CallOp("free", pointer))
    builder.erase(op)


# Guard zones (for tests) --------------------------------------------------------------

GUARD_BYTES = 64  # a cache line: the buffer between the zones stays 64-byte aligned
GUARD_PATTERN = 0x5AFE_C0DE_5AFE_C0DE
VIOLATIONS = "ziggurat_guard_violations"


def guard_words(builder: Builder, data: SSAValue, size: int | SSAValue) -> list[SSAValue]:
    """Pointers to the 8-byte words of the zones before and after `size` bytes at `data`."""
    words = []
    for start in (-GUARD_BYTES, size):
        for word in range(0, GUARD_BYTES, 8):
            offset = value_of(builder, add(builder, start, word))
            gep = llvm.GEPOp(data, [llvm.GEP_USE_SSA_VAL], i8, ssa_indices=[offset])
            words.append(emit(builder, gep))
    return words


def fill_guard_zones(builder: Builder, base: SSAValue, size: int | SSAValue) -> SSAValue:
    """Fill the zones around the `size` bytes after the first zone at `base`; the data's
    pointer."""
    data = emit(builder, llvm.GEPOp(base, [GUARD_BYTES], i8))
    pattern = constant(builder, GUARD_PATTERN)
    for word in guard_words(builder, data, size):
        builder.insert(llvm.StoreOp(pattern, word, alignment=1))
    return data


def check_guard_zones(
    builder: Builder, declarations: Declarations, data: SSAValue, size: int | SSAValue
) -> None:
    """Set `ziggurat_guard_violations[1]` if a zone around the `size` bytes at `data`
    changed."""
    pattern = constant(builder, GUARD_PATTERN)
    changed = constant(builder, 0)
    for word in guard_words(builder, data, size):
        found = emit(builder, llvm.LoadOp(word, i64, alignment=1))
        changed = emit(builder, llvm.OrOp(changed, emit(builder, llvm.XOrOp(found, pattern))))
    zero = constant(builder, 0)
    bad = emit(builder, llvm.ICmpOp(changed, zero, IntegerAttr(1, 64)))  # ne
    cell = emit(builder, llvm.ZExtOp(bad, i64))
    flags = emit(builder, llvm.AddressOfOp(VIOLATIONS, PTR))
    gep = llvm.GEPOp(flags, [llvm.GEP_USE_SSA_VAL], i64, ssa_indices=[cell])
    builder.insert(llvm.StoreOp(constant(builder, 1), emit(builder, gep)))
    if VIOLATIONS not in declarations.names:
        declarations.names.add(VIOLATIONS)
        flag = llvm.GlobalOp(llvm.LLVMArrayType(2, i64), VIOLATIONS, "external", alignment=8)
        builder.insert(flag, InsertPoint.at_start(declarations.block))


@dataclass(frozen=True)
class LowerAllocations(ModulePass):
    """Allocate buffers on the CPU: the heap through aligned_alloc, small local ones on the
    stack."""

    name = "lower-allocations"

    guard_zones: bool = False
    """Test-only: every alloc on the heap between guard zones its dealloc checks."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        allocations: list[Operation] = []
        for inner in op.walk():
            for value in inner.results:
                if isinstance(value.type, MemRefType):
                    check_memory_space(value.type, inner)
            for region in inner.regions:
                for block in region.blocks:
                    for argument in block.args:
                        if isinstance(argument.type, MemRefType):
                            check_memory_space(argument.type, inner)
            if isinstance(inner, memref.AllocOp | memref.AllocaOp | memref.DeallocOp):
                allocations.append(inner)
        declarations = Declarations(op)
        for allocation in allocations:
            builder = Builder(allocation)
            if isinstance(allocation, memref.AllocOp):
                lower_alloc(builder, allocation, declarations, self.guard_zones)
            elif isinstance(allocation, memref.AllocaOp):
                stack_buffer(builder, allocation)
            else:
                lower_dealloc(builder, allocation, declarations, self.guard_zones)
