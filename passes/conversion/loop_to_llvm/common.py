"""What the lowerings to the `llvm` dialect share: types, constants and memref descriptors.

The helpers emit through a *builder*, anything with `insert(op)`: `loop-to-llvm`'s walk
(lowering.py), which appends to the block being built, or a rewriter inserting before an op
(`Builder`, or xDSL's PatternRewriter). Lowering before `loop-to-llvm` (a target's
allocations), where the rest of the IR still wants the old types, casts a new value back to
the old type with `builtin.unrealized_conversion_cast` (`as_type`, `replace`); `loop-to-llvm`
reads such a cast as the value it casts.

A memref is MLIR's descriptor `!llvm.struct<(ptr, ptr, i64, array<R x i64>, array<R x i64>)>`:
allocated pointer, aligned pointer, offset, sizes, strides (in elements). Whatever the memref
type knows statically is used as a constant instead of being read from the descriptor.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

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
    StringAttr,
    UnitAttr,
    UnrealizedConversionCastOp,
    VectorType,
    i32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.diagnostics import ZigguratError
from ziggurat.elements import static_offset, static_size, static_strides

PTR = llvm.LLVMPointerType()
ALLOCATED, ALIGNED, OFFSET, SIZES, STRIDES = range(5)


class Builder:
    """Inserts ops before `op` (or at `at`): the builder for lowerings that rewrite IR in
    place, as a target's passes before `loop-to-llvm` do."""

    def __init__(self, op: Operation | None = None, at: InsertPoint | None = None):
        assert op is not None or at is not None
        self.at = at if at is not None else InsertPoint.before(op)  # type: ignore[arg-type]

    def insert(self, op: Operation | Sequence[Operation], at: InsertPoint | None = None) -> None:
        Rewriter.insert_op(op, at or self.at)

    def replace(self, op: Operation, new_ops: Sequence[Operation], results: Sequence[SSAValue]):
        Rewriter.replace_op(op, new_ops, results)

    def erase(self, op: Operation) -> None:
        Rewriter.erase_op(op)


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


def emit(builder: Builder, op: Operation) -> SSAValue:
    """Insert `op` where `builder` builds and return its result."""
    builder.insert(op)
    return op.results[0]


def as_type(builder: Builder, value: SSAValue, type: Attribute) -> SSAValue:
    """`value` seen as `type`, through a cast that folds away once types are converted."""
    if value.type == type:
        return value
    return emit(builder, UnrealizedConversionCastOp.get([value], [type]))


def replace(builder: Builder, op: Operation, values: Sequence[SSAValue]) -> None:
    """Replace `op`'s results by `values`, cast back to the result types they replace."""
    results = [as_type(builder, v, r.type) for v, r in zip(values, op.results, strict=True)]
    builder.replace(op, [], results)


# The ops built most often are built without their constructors' checks (a third of the
# time), from attributes made once.
NO_OVERFLOW_FLAGS = {"overflowFlags": IntegerAttr(0, 32)}
UNORDERED = IntegerAttr(0, i64)
SSA_INDEX = DenseArrayBase.from_list(i32, [llvm.GEP_USE_SSA_VAL])
NO_WRAP_FLAGS = IntegerAttr(0, 32)


@lru_cache(maxsize=4096)
def integer(value: int, type: Attribute) -> IntegerAttr:
    return IntegerAttr(value, type)  # type: ignore[arg-type]


@cache
def position_attribute(position: tuple[int, ...]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, position)


def constant(builder: Builder, value: int, type: Attribute = i64) -> SSAValue:
    """An llvm integer constant."""
    attribute = integer(value, type)
    op = llvm.ConstantOp.create(properties={"value": attribute}, result_types=[type])
    return emit(builder, op)


def binary(builder: Builder, kind: type[Operation], lhs: SSAValue, rhs: SSAValue) -> SSAValue:
    """An llvm integer add, mul, ... of two values of one type."""
    op = kind.create(operands=[lhs, rhs], result_types=[lhs.type], properties=NO_OVERFLOW_FLAGS)
    return emit(builder, op)


def load(
    builder: Builder, address: SSAValue, type: Attribute, alignment: int | None = None
) -> SSAValue:
    """`llvm.load`."""
    properties: dict[str, Attribute] = {"ordering": UNORDERED}
    if alignment is not None:
        properties["alignment"] = integer(alignment, i64)
    op = llvm.LoadOp.create(operands=[address], result_types=[type], properties=properties)
    return emit(builder, op)


def store(
    builder: Builder, value: SSAValue, address: SSAValue, alignment: int | None = None
) -> None:
    """`llvm.store`."""
    properties: dict[str, Attribute] = {"ordering": UNORDERED}
    if alignment is not None:
        properties["alignment"] = integer(alignment, i64)
    builder.insert(llvm.StoreOp.create(operands=[value, address], properties=properties))


def value_of(builder: Builder, value: int | SSAValue) -> SSAValue:
    """An i64 value for a static integer, or the given value."""
    return constant(builder, value) if isinstance(value, int) else value


def constant_integer(value: SSAValue) -> int | None:
    """The integer an `llvm.mlir.constant` gives as `value`, None for any other value."""
    owner = value.owner
    if isinstance(owner, llvm.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None


def static(value: int | SSAValue) -> int | SSAValue:
    """`value` as an int where it is an i64 constant (an index the lowering knows)."""
    if isinstance(value, int) or value.type != i64:
        return value
    known = constant_integer(value)
    return value if known is None else known


def add(builder: Builder, lhs: int | SSAValue, rhs: int | SSAValue) -> int | SSAValue:
    """`lhs + rhs`, folded when both are static or one is 0."""
    lhs, rhs = static(lhs), static(rhs)
    if isinstance(lhs, int) and isinstance(rhs, int):
        return lhs + rhs
    if lhs == 0:
        return rhs
    if rhs == 0:
        return lhs
    return binary(builder, llvm.AddOp, value_of(builder, lhs), value_of(builder, rhs))


def mul(builder: Builder, lhs: int | SSAValue, rhs: int | SSAValue) -> int | SSAValue:
    """`lhs * rhs`, folded when both are static or one is 0 or 1."""
    lhs, rhs = static(lhs), static(rhs)
    if isinstance(lhs, int) and isinstance(rhs, int):
        return lhs * rhs
    if lhs == 0 or rhs == 0:
        return 0
    if lhs == 1:
        return rhs
    if rhs == 1:
        return lhs
    return binary(builder, llvm.MulOp, value_of(builder, lhs), value_of(builder, rhs))


def extract(
    builder: Builder, aggregate: SSAValue, position: Sequence[int], type: Attribute
) -> SSAValue:
    """`llvm.extractvalue aggregate[position]`, or the value inserted there where
    `aggregate` was built by inserts (a descriptor whose fields are known): so a call
    passes a buffer's pointer itself, and the descriptor, unread, goes away."""
    wanted = tuple(position)
    built = aggregate.owner
    while isinstance(built, llvm.InsertValueOp):
        inserted = tuple(built.position.iter_values())
        if inserted == wanted:
            return built.value
        if inserted[: len(wanted)] == wanted or wanted[: len(inserted)] == inserted:
            break  # a part of it, or a whole containing it
        built = built.container.owner
    properties = {"position": position_attribute(wanted)}
    op = llvm.ExtractValueOp.create(
        operands=[aggregate], result_types=[type], properties=properties
    )
    return emit(builder, op)


def insert(
    builder: Builder, aggregate: SSAValue, position: Sequence[int], value: SSAValue
) -> SSAValue:
    """`llvm.insertvalue value, aggregate[position]`."""
    properties = {"position": position_attribute(tuple(position))}
    op = llvm.InsertValueOp.create(
        operands=[aggregate, value], result_types=[aggregate.type], properties=properties
    )
    return emit(builder, op)


class Descriptor:
    """A memref value seen as its descriptor, with the facts its type states statically: the
    descriptor is `struct` where given (what loop-to-llvm's walk made of the memref), else
    the memref cast to its struct."""

    def __init__(
        self, builder: Builder, value: SSAValue, where: Operation, struct: SSAValue | None = None
    ):
        if not isinstance(value.type, MemRefType):
            raise ZigguratError(f"'{where.name}': expected a ranked memref", where)
        self.builder, self.type, self.where = builder, value.type, where
        self.struct = struct or as_type(builder, value, descriptor_type(value.type))

    def field(self, position: Sequence[int], type: Attribute = i64) -> SSAValue:
        return extract(self.builder, self.struct, position, type)

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
            linear = add(self.builder, linear, mul(self.builder, index, self.stride(dim)))
        aligned = self.pointer()
        if linear == 0:
            return aligned
        properties = {
            "rawConstantIndices": SSA_INDEX,
            "elem_type": llvm_type(self.type.element_type),
            "noWrapFlags": NO_WRAP_FLAGS,
            "inbounds": UnitAttr(),
        }
        gep = llvm.GEPOp.create(
            operands=[aligned, value_of(self.builder, linear)],
            result_types=[PTR],
            properties=properties,
        )
        return emit(self.builder, gep)


def build_descriptor(
    builder: Builder,
    type: MemRefType,
    allocated: SSAValue,
    aligned: SSAValue,
    offset: int | SSAValue,
    sizes: Sequence[int | SSAValue],
    strides: Sequence[int | SSAValue],
) -> SSAValue:
    """A descriptor struct from its fields."""
    struct = emit(builder, llvm.UndefOp(descriptor_type(type)))
    struct = insert(builder, struct, [ALLOCATED], allocated)
    struct = insert(builder, struct, [ALIGNED], aligned)
    struct = insert(builder, struct, [OFFSET], value_of(builder, offset))
    for dim, (size, stride) in enumerate(zip(sizes, strides, strict=True)):
        struct = insert(builder, struct, [SIZES, dim], value_of(builder, size))
        struct = insert(builder, struct, [STRIDES, dim], value_of(builder, stride))
    return struct


def element_count(builder: Builder, sizes: Sequence[int | SSAValue]) -> int | SSAValue:
    """The product of `sizes`, folded where they are constants."""
    count: int | SSAValue = 1
    for size in sizes:
        count = mul(builder, count, size)
    return count


def contiguous_strides(builder: Builder, sizes: Sequence[int | SSAValue]) -> list[int | SSAValue]:
    """Row-major strides of a dense buffer with these sizes."""
    strides: list[int | SSAValue] = []
    running: int | SSAValue = 1
    for size in reversed(sizes):
        strides.append(running)
        running = mul(builder, running, size)
    return strides[::-1]


class Declarations:
    """The symbols a module defines, to declare each external C function it calls
    (`aligned_alloc`, `erff`, ...) once, at the top of the module; and the functions it
    calls with bare pointers (func.py)."""

    def __init__(self, module: Operation, bare_pointers: frozenset[str] = frozenset()):
        self.block = module.regions[0].block
        self.names = {
            op.sym_name.data  # type: ignore[attr-defined]
            for op in self.block.ops
            if isinstance(getattr(op, "sym_name", None), StringAttr)
        }
        self.bare_pointers = bare_pointers

    def declare(self, name: str, inputs: Sequence[Attribute], output: Attribute | None) -> None:
        if name in self.names:
            return
        self.names.add(name)
        function_type = llvm.LLVMFunctionType(inputs, output or llvm.LLVMVoidType())
        declaration = llvm.FuncOp(name, function_type, linkage=llvm.LinkageAttr("external"))
        Rewriter.insert_op(declaration, InsertPoint.at_start(self.block))


def intrinsic_suffix(type: Attribute) -> str:
    """LLVM's name mangling of an overloaded intrinsic's type: `f32`, `v8f32`, `i64`."""
    type = llvm_type(type)
    if isinstance(type, VectorType):
        return f"v{type.get_shape()[0]}{intrinsic_suffix(type.element_type)}"
    if isinstance(type, IntegerType):
        return f"i{type.width.data}"
    return {Float16Type: "f16", Float32Type: "f32", Float64Type: "f64"}[type.__class__]
