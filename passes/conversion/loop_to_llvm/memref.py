"""Lower `memref` to the `llvm` dialect over MLIR's memref descriptors (see llvm_common).

Addresses are `llvm.getelementptr inbounds` from the aligned pointer, with the sizes,
strides and offset the memref type states as constants, so LLVM's alias analysis and loop
vectorizer see plain affine accesses. Heap buffers come from `aligned_alloc(64, ...)`;
`memref.alloca` and small `#loop.scope<local>` buffers are 64-byte aligned stack slots in the
function's entry block.
`memref.copy` becomes loops with the rest of structured control flow (scf.py). Used by
`loop-to-llvm`.

    %v = memref.load %A[%i, %j] : memref<8x16xf32>
    ->
    %row = llvm.mul %i, %c16 : i64
    %at = llvm.add %row, %j : i64
    %p = llvm.getelementptr inbounds %aligned[%at] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %v = llvm.load %p : !llvm.ptr -> f32
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import llvm, memref
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    MemRefType,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute, Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import llvm_extra
from ziggurat.dialects.loop import ALIGNMENT
from ziggurat.elements import array_to_dense, dense_to_array
from ziggurat.passes.conversion.loop_to_llvm.common import (
    ALLOCATED,
    PTR,
    Descriptor,
    add,
    build_descriptor,
    constant,
    contiguous_strides,
    element_count,
    emit,
    llvm_type,
    load,
    mul,
    static_offset,
    static_size,
    static_strides,
    store,
    value_of,
)
from ziggurat.passes.conversion.loop_to_llvm.lowering import Lower, Lowering


def descriptor(lower: Lowering, value: SSAValue, where: Operation) -> Descriptor:
    """The descriptor of the memref `value` became."""
    return Descriptor(lower, value, where, lower.value(value))


def lower_load(lower: Lowering, op: memref.LoadOp) -> None:
    address = descriptor(lower, op.memref, op).element_pointer(lower.operands(op.indices))
    lower.result(op, load(lower, address, llvm_type(op.res.type)))


def lower_store(lower: Lowering, op: memref.StoreOp) -> None:
    address = descriptor(lower, op.memref, op).element_pointer(lower.operands(op.indices))
    store(lower, lower.value(op.value), address)


def lower_global(op: memref.GlobalOp) -> llvm.GlobalOp:
    """A global becomes a flat, 64-byte aligned array; no initializer means zeros."""
    type = op.type
    if not isinstance(type, MemRefType) or not type.has_static_shape():
        raise ZigguratError("memref.global needs a statically shaped memref", op)
    count = 1
    for size in type.get_shape():
        count *= size
    element = llvm_type(type.element_type)
    value: Attribute | None = None
    if isinstance(op.initial_value, DenseIntOrFPElementsAttr):
        values = dense_to_array(op.initial_value).reshape(-1)
        value = array_to_dense(values, TensorType(element, [count]))
    elif not isinstance(op.initial_value, UnitAttr | None):
        raise ZigguratError(f"memref.global initializer {op.initial_value} is not dense", op)
    # xDSL declares the visibility required; upstream leaves it out for public globals.
    private = op.properties.get("sym_visibility") == StringAttr("private")
    return llvm.GlobalOp(
        llvm.LLVMArrayType(count, element),
        op.sym_name,
        "internal" if private else "external",
        constant=op.constant is not None,
        value=value,
        alignment=max(ALIGNMENT, op.alignment.value.data if op.alignment else 0),
    )


def lower_get_global(lower: Lowering, op: memref.GetGlobalOp) -> None:
    type = op.memref.type
    address = emit(lower, llvm.AddressOfOp(op.name_, PTR))
    sizes = list(type.get_shape())
    strides = contiguous_strides(lower, sizes)
    lower.result(op, build_descriptor(lower, type, address, address, 0, sizes, strides))


def lower_dim(lower: Lowering, op: memref.DimOp) -> None:
    """A static size is a constant; a dynamic one is read from the descriptor, choosing the
    dimension with selects when the index is itself dynamic."""
    source = descriptor(lower, op.source, op)
    rank = source.type.get_num_dims()
    known = constant_index(op.index)
    if known is not None:
        lower.result(op, value_of(lower, source.size(known)))
        return
    index = lower.value(op.index)
    result = value_of(lower, source.size(0))
    for dim in range(1, rank):
        is_dim = emit(lower, llvm.ICmpOp(index, constant(lower, dim), IntegerAttr(0, 64)))
        size = value_of(lower, source.size(dim))
        result = emit(lower, llvm_extra.SelectOp(is_dim, size, result))
    lower.result(op, result)


def constant_index(value: SSAValue) -> int | None:
    """The value of an index constant, seen through casts."""
    owner = value.owner
    while isinstance(owner, Operation) and owner.name == "builtin.unrealized_conversion_cast":
        owner = owner.operands[0].owner
    if isinstance(owner, Operation) and owner.name in ("arith.constant", "llvm.mlir.constant"):
        attr = owner.properties.get("value")
        if isinstance(attr, IntegerAttr):
            return attr.value.data
    return None


def mixed(static: Sequence[int], dynamic: Sequence[SSAValue]) -> list[int | SSAValue]:
    """Offsets, sizes or strides given half as attribute, half as operands."""
    remaining = iter(dynamic)
    return [next(remaining) if value == DYNAMIC_INDEX else value for value in static]


def view_descriptor(
    lower: Lowering,
    op: Operation,
    source: Descriptor,
    offset: int | SSAValue,
    sizes: Sequence[int | SSAValue],
    strides: Sequence[int | SSAValue],
) -> SSAValue:
    """A descriptor for a view of `source`'s buffer; the facts its result type states win
    over the computed values so LLVM sees them as constants."""
    type = op.results[0].type
    assert isinstance(type, MemRefType)
    known_offset = static_offset(type)
    known_strides = static_strides(type, op)
    sizes = [
        size if static_size(known) is None else known  # type: ignore[misc]
        for size, known in zip(sizes, type.get_shape(), strict=True)
    ]
    strides = [
        stride if known is None else known
        for stride, known in zip(strides, known_strides, strict=True)
    ]
    return build_descriptor(
        lower,
        type,
        source.pointer(ALLOCATED),
        source.pointer(),
        offset if known_offset is None else known_offset,
        sizes,
        strides,
    )


def lower_subview(lower: Lowering, op: memref.SubviewOp) -> None:
    source = descriptor(lower, op.source, op)
    offsets = mixed(op.static_offsets.get_values(), lower.operands(op.offsets))
    sizes = mixed(op.static_sizes.get_values(), lower.operands(op.sizes))
    steps = mixed(op.static_strides.get_values(), lower.operands(op.strides))
    offset = source.offset()
    strides: list[int | SSAValue] = []
    for dim, (start, step) in enumerate(zip(offsets, steps, strict=True)):
        stride = source.stride(dim)
        offset = add(lower, offset, mul(lower, start, stride))
        strides.append(mul(lower, step, stride))
    kept = kept_dimensions(op, op.static_sizes.get_values(), op.result.type)
    sizes = [sizes[dim] for dim in kept]
    strides = [strides[dim] for dim in kept]
    lower.result(op, view_descriptor(lower, op, source, offset, sizes, strides))


def kept_dimensions(op: Operation, sizes: Sequence[int], result: MemRefType) -> list[int]:
    """The source dimensions a rank-reducing subview keeps: unit ones are dropped, from the
    left, until the ranks agree."""
    drop = len(sizes) - result.get_num_dims()
    kept = []
    for dim, size in enumerate(sizes):
        if drop and size == 1:
            drop -= 1
            continue
        kept.append(dim)
    if drop:
        raise ZigguratError("cannot tell which dimensions this subview drops", op)
    return kept


def lower_reinterpret_cast(lower: Lowering, op: memref.ReinterpretCastOp) -> None:
    source = descriptor(lower, op.source, op)
    offset = mixed(op.static_offsets.get_values(), lower.operands(op.offsets))[0]
    sizes = mixed(op.static_sizes.get_values(), lower.operands(op.sizes))
    strides = mixed(op.static_strides.get_values(), lower.operands(op.strides))
    lower.result(op, view_descriptor(lower, op, source, offset, sizes, strides))


def lower_cast(lower: Lowering, op: memref.CastOp) -> None:
    """A ranked cast only changes what the type states; the descriptor stays."""
    if not isinstance(op.dest.type, MemRefType):
        raise ZigguratError("memref.cast to an unranked memref is not supported", op)
    lower.result(op, descriptor(lower, op.source, op).struct)


def lower_collapse_shape(lower: Lowering, op: memref.CollapseShapeOp) -> None:
    """Each group of dimensions becomes one: sizes multiply, the innermost stride stays."""
    source = descriptor(lower, op.src, op)
    sizes: list[int | SSAValue] = []
    strides: list[int | SSAValue] = []
    for group in op.reassociation:
        dims = [d.value.data for d in group]  # type: ignore[attr-defined]
        sizes.append(element_count(lower, [source.size(d) for d in dims]))
        strides.append(source.stride(dims[-1]) if dims else 1)
    offset = source.offset()
    lower.result(op, view_descriptor(lower, op, source, offset, sizes, strides))


def lower_expand_shape(lower: Lowering, op: memref.ExpandShapeOp) -> None:
    """Each dimension splits into a group: strides grow from the source stride inward-out."""
    source = descriptor(lower, op.src, op)
    sizes = mixed(op.static_output_shape.get_values(), lower.operands(op.output_shape))
    strides: list[int | SSAValue] = [0] * len(sizes)
    for source_dim, group in enumerate(op.reassociation):
        running = source.stride(source_dim)
        for dim in reversed([d.value.data for d in group]):  # type: ignore[attr-defined]
            strides[dim] = running
            running = mul(lower, running, sizes[dim])
    offset = source.offset()
    lower.result(op, view_descriptor(lower, op, source, offset, sizes, strides))


def lower_assume_alignment(lower: Lowering, op: memref.AssumeAlignmentOp) -> None:
    """A hint LLVM may do without."""
    lower.map(op.results, lower.operands(op.operands[: len(op.results)]))


MEMREF_LOWERINGS: dict[type[Operation], Lower] = {
    memref.LoadOp: lower_load,
    memref.StoreOp: lower_store,
    memref.GetGlobalOp: lower_get_global,
    memref.DimOp: lower_dim,
    memref.SubviewOp: lower_subview,
    memref.ReinterpretCastOp: lower_reinterpret_cast,
    memref.CastOp: lower_cast,
    memref.CollapseShapeOp: lower_collapse_shape,
    memref.ExpandShapeOp: lower_expand_shape,
    memref.AssumeAlignmentOp: lower_assume_alignment,
}

MEMREF_OPS: tuple[type[Operation], ...] = (memref.GlobalOp, *MEMREF_LOWERINGS)
