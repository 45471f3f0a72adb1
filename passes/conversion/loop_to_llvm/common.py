"""What the lowerings to the `llvm` dialect share: types, constants and memref descriptors.

Patterns replace each op by llvm ops and, where a result's type changes (`index` becomes
`i64`, a memref becomes its descriptor struct), cast the new value back to the old type with
`builtin.unrealized_conversion_cast`, so later patterns still see memref types. `loop-to-llvm`
then converts every remaining value's type and the casts fold away.

A memref is MLIR's descriptor `!llvm.struct<(ptr, ptr, i64, array<R x i64>, array<R x i64>)>`:
allocated pointer, aligned pointer, offset, sizes, strides (in elements). Whatever the memref
type knows statically is used as a constant instead of being read from the descriptor.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    DenseArrayBase,
    Float16Type,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    NoneAttr,
    StridedLayoutAttr,
    UnrealizedConversionCastOp,
    VectorType,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from ziggurat.diagnostics import ZigguratError

PTR = llvm.LLVMPointerType()
ALLOCATED, ALIGNED, OFFSET, SIZES, STRIDES = range(5)


def llvm_type(type: Attribute) -> Attribute:
    """The llvm-dialect type that represents a value of `type`."""
    if isinstance(type, IndexType):
        return i64
    if isinstance(type, MemRefType):
        return descriptor_type(type)
    if isinstance(type, VectorType) and isinstance(type.element_type, IndexType):
        return VectorType(i64, type.get_shape())
    return type


def descriptor_type(type: MemRefType) -> llvm.LLVMStructType:
    """MLIR's memref descriptor struct for a memref of this rank."""
    rank = type.get_num_dims()
    fields: list[Attribute] = [PTR, PTR, i64]
    if rank:
        array = llvm.LLVMArrayType(rank, i64)
        fields += [array, array]
    return llvm.LLVMStructType.from_type_list(fields)


def byte_size(type: Attribute, where: Operation) -> int:
    """Bytes one element of `type` takes in memory."""
    match type:
        case IndexType():
            return 8
        case IntegerType():
            return (type.width.data + 7) // 8
        case Float16Type():
            return 2
        case Float32Type():
            return 4
        case Float64Type():
            return 8
        case VectorType():
            count = 1
            for dim in type.get_shape():
                count *= dim
            return count * byte_size(type.element_type, where)
    raise ZigguratError(f"'{where.name}': element type {type} has no LLVM lowering", where)


def emit(rewriter: PatternRewriter, op: Operation) -> SSAValue:
    """Insert `op` before the matched op and return its result."""
    rewriter.insert(op)
    return op.results[0]


def as_type(rewriter: PatternRewriter, value: SSAValue, type: Attribute) -> SSAValue:
    """`value` seen as `type`, through a cast that folds away once types are converted."""
    if value.type == type:
        return value
    return emit(rewriter, UnrealizedConversionCastOp.get([value], [type]))


def replace(rewriter: PatternRewriter, op: Operation, values: Sequence[SSAValue]) -> None:
    """Replace `op`'s results by `values`, cast back to the result types they replace."""
    results = [as_type(rewriter, v, r.type) for v, r in zip(values, op.results, strict=True)]
    rewriter.replace(op, [], results)


def constant(rewriter: PatternRewriter, value: int, type: Attribute = i64) -> SSAValue:
    """An llvm integer constant."""
    return emit(rewriter, llvm.ConstantOp(IntegerAttr(value, type), type))


def value_of(rewriter: PatternRewriter, value: int | SSAValue) -> SSAValue:
    """An i64 value for a static integer, or the given value."""
    return constant(rewriter, value) if isinstance(value, int) else value


def add(rewriter: PatternRewriter, lhs: int | SSAValue, rhs: int | SSAValue) -> int | SSAValue:
    """`lhs + rhs`, folded when both are static."""
    if isinstance(lhs, int) and isinstance(rhs, int):
        return lhs + rhs
    if lhs == 0:
        return rhs
    if rhs == 0:
        return lhs
    return emit(rewriter, llvm.AddOp(value_of(rewriter, lhs), value_of(rewriter, rhs)))


def mul(rewriter: PatternRewriter, lhs: int | SSAValue, rhs: int | SSAValue) -> int | SSAValue:
    """`lhs * rhs`, folded when both are static or one is 1."""
    if isinstance(lhs, int) and isinstance(rhs, int):
        return lhs * rhs
    if lhs == 1:
        return rhs
    if rhs == 1:
        return lhs
    return emit(rewriter, llvm.MulOp(value_of(rewriter, lhs), value_of(rewriter, rhs)))


def extract(
    rewriter: PatternRewriter, aggregate: SSAValue, position: Sequence[int], type: Attribute
) -> SSAValue:
    """`llvm.extractvalue aggregate[position]`."""
    index = DenseArrayBase.from_list(i64, position)
    return emit(rewriter, llvm.ExtractValueOp(index, aggregate, type))


def insert(
    rewriter: PatternRewriter, aggregate: SSAValue, position: Sequence[int], value: SSAValue
) -> SSAValue:
    """`llvm.insertvalue value, aggregate[position]`."""
    index = DenseArrayBase.from_list(i64, position)
    return emit(rewriter, llvm.InsertValueOp(index, aggregate, value))


def static_strides(type: MemRefType, where: Operation | None = None) -> list[int | None]:
    """The strides a memref type states (None where only known at run time)."""
    shape = type.get_shape()
    if isinstance(type.layout, NoneAttr):
        strides: list[int | None] = []
        running: int | None = 1
        for size in reversed(shape):
            strides.append(running)
            running = None if running is None or size < 0 else running * size
        return strides[::-1]
    if isinstance(type.layout, StridedLayoutAttr):
        return list(type.layout.get_strides())
    raise ZigguratError(f"memref layout {type.layout} is not strided", where)


def static_offset(type: MemRefType) -> int | None:
    """The offset a memref type states (None where only known at run time)."""
    if isinstance(type.layout, StridedLayoutAttr):
        return type.layout.get_offset()
    return 0


def static_size(size: int) -> int | None:
    return None if size < 0 else size


class Descriptor:
    """A memref value seen as its descriptor, with the facts its type states statically."""

    def __init__(self, rewriter: PatternRewriter, value: SSAValue, where: Operation):
        if not isinstance(value.type, MemRefType):
            raise ZigguratError(f"'{where.name}': expected a ranked memref", where)
        self.rewriter, self.type, self.where = rewriter, value.type, where
        self.struct = as_type(rewriter, value, descriptor_type(value.type))

    def field(self, position: Sequence[int], type: Attribute = i64) -> SSAValue:
        return extract(self.rewriter, self.struct, position, type)

    def pointer(self, which: int = ALIGNED) -> SSAValue:
        return self.field([which], PTR)

    def offset(self) -> int | SSAValue:
        offset = static_offset(self.type)
        return self.field([OFFSET]) if offset is None else offset

    def size(self, dim: int) -> int | SSAValue:
        size = static_size(self.type.get_shape()[dim])
        return self.field([SIZES, dim]) if size is None else size

    def stride(self, dim: int) -> int | SSAValue:
        stride = static_strides(self.type, self.where)[dim]
        return self.field([STRIDES, dim]) if stride is None else stride

    def element_pointer(self, indices: Sequence[SSAValue]) -> SSAValue:
        """`llvm.getelementptr` to the element at `indices`: the address LLVM can analyse."""
        linear = self.offset()
        for dim, index in enumerate(indices):
            linear = add(self.rewriter, linear, mul(self.rewriter, index, self.stride(dim)))
        aligned = self.pointer()
        if linear == 0:
            return aligned
        element = llvm_type(self.type.element_type)
        gep = llvm.GEPOp(
            aligned,
            [llvm.GEP_USE_SSA_VAL],
            element,
            ssa_indices=[value_of(self.rewriter, linear)],
            inbounds=True,
        )
        return emit(self.rewriter, gep)


def build_descriptor(
    rewriter: PatternRewriter,
    type: MemRefType,
    allocated: SSAValue,
    aligned: SSAValue,
    offset: int | SSAValue,
    sizes: Sequence[int | SSAValue],
    strides: Sequence[int | SSAValue],
) -> SSAValue:
    """A descriptor struct from its fields."""
    struct = emit(rewriter, llvm.UndefOp(descriptor_type(type)))
    struct = insert(rewriter, struct, [ALLOCATED], allocated)
    struct = insert(rewriter, struct, [ALIGNED], aligned)
    struct = insert(rewriter, struct, [OFFSET], value_of(rewriter, offset))
    for dim, (size, stride) in enumerate(zip(sizes, strides, strict=True)):
        struct = insert(rewriter, struct, [SIZES, dim], value_of(rewriter, size))
        struct = insert(rewriter, struct, [STRIDES, dim], value_of(rewriter, stride))
    return struct


def element_count(rewriter: PatternRewriter, sizes: Sequence[int | SSAValue]) -> int | SSAValue:
    """The product of `sizes`, folded where they are constants."""
    count: int | SSAValue = 1
    for size in sizes:
        count = mul(rewriter, count, size)
    return count


def contiguous_strides(
    rewriter: PatternRewriter, sizes: Sequence[int | SSAValue]
) -> list[int | SSAValue]:
    """Row-major strides of a dense buffer with these sizes."""
    strides: list[int | SSAValue] = []
    running: int | SSAValue = 1
    for size in reversed(sizes):
        strides.append(running)
        running = mul(rewriter, running, size)
    return strides[::-1]


def declare_function(
    rewriter: PatternRewriter,
    where: Operation,
    name: str,
    inputs: Sequence[Attribute],
    output: Attribute | None,
) -> None:
    """Declare an external C function (`aligned_alloc`, `erff`, ...) once per module."""
    module = where.get_toplevel_object()
    if not isinstance(module, ModuleOp):
        raise ZigguratError(f"'{where.name}' is not inside a module", where)
    for op in module.ops:
        if getattr(op, "sym_name", None) is not None and op.sym_name.data == name:  # type: ignore[attr-defined]
            return
    function_type = llvm.LLVMFunctionType(inputs, output or llvm.LLVMVoidType())
    declaration = llvm.FuncOp(name, function_type, linkage=llvm.LinkageAttr("external"))
    rewriter.insert(declaration, InsertPoint.at_start(module.body.block))


def intrinsic_suffix(type: Attribute) -> str:
    """LLVM's name mangling of an overloaded intrinsic's type: `f32`, `v8f32`, `i64`."""
    type = llvm_type(type)
    if isinstance(type, VectorType):
        return f"v{type.get_shape()[0]}{intrinsic_suffix(type.element_type)}"
    if isinstance(type, IntegerType):
        return f"i{type.width.data}"
    return {Float16Type: "f16", Float32Type: "f32", Float64Type: "f64"}[type.__class__]
