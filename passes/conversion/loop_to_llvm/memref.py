"""Lower `memref` to the `llvm` dialect over MLIR's memref descriptors (see llvm_common).

Addresses are `llvm.getelementptr inbounds` from the aligned pointer, with the sizes,
strides and offset the memref type states as constants, so LLVM's alias analysis and loop
vectorizer see plain affine accesses; a load or store keeps the `alignment` a target proved
for it (the GPU's, so that NVPTX joins neighbours into vector loads). Heap buffers come
from `aligned_alloc(64, ...)`; `memref.alloca` and small `#loop.scope<local>` buffers are
64-byte aligned stack slots in the function's entry block.
`memref.copy` is expanded into loops before this runs (see loop_to_llvm). Used by
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
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import llvm_extra
from ziggurat.dialects.loop import ALIGNMENT
from ziggurat.elements import array_to_dense, dense_to_array
from ziggurat.passes.conversion.loop_to_llvm.common import (
    ALLOCATED,
    PTR,
    Descriptor,
    add,
    as_type,
    build_descriptor,
    constant,
    contiguous_strides,
    element_count,
    emit,
    llvm_type,
    mul,
    replace,
    static_offset,
    static_size,
    static_strides,
    value_of,
)


def declared_alignment(op: Operation) -> int | None:
    """The `alignment` a target proved for a load's or store's address, if any."""
    found = op.attributes.get("alignment")
    return found.value.data if isinstance(found, IntegerAttr) else None


class LoadLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.LoadOp, rewriter: PatternRewriter):
        address = Descriptor(rewriter, op.memref, op).element_pointer(op.indices)
        load = llvm.LoadOp(address, llvm_type(op.res.type), alignment=declared_alignment(op))
        replace(rewriter, op, [emit(rewriter, load)])


class StoreLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.StoreOp, rewriter: PatternRewriter):
        address = Descriptor(rewriter, op.memref, op).element_pointer(op.indices)
        rewriter.insert(llvm.StoreOp(op.value, address, alignment=declared_alignment(op)))
        rewriter.erase(op)


class GlobalLowering(RewritePattern):
    """A global becomes a flat, 64-byte aligned array; no initializer means zeros."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.GlobalOp, rewriter: PatternRewriter):
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
        global_op = llvm.GlobalOp(
            llvm.LLVMArrayType(count, element),
            op.sym_name,
            "internal" if private else "external",
            constant=op.constant is not None,
            value=value,
            alignment=max(ALIGNMENT, op.alignment.value.data if op.alignment else 0),
        )
        rewriter.replace(op, global_op)


class GetGlobalLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.GetGlobalOp, rewriter: PatternRewriter):
        type = op.memref.type
        address = emit(rewriter, llvm.AddressOfOp(op.name_, PTR))
        sizes = list(type.get_shape())
        strides = contiguous_strides(rewriter, sizes)
        descriptor = build_descriptor(rewriter, type, address, address, 0, sizes, strides)
        replace(rewriter, op, [descriptor])


class DimLowering(RewritePattern):
    """A static size is a constant; a dynamic one is read from the descriptor, choosing the
    dimension with selects when the index is itself dynamic."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.DimOp, rewriter: PatternRewriter):
        source = Descriptor(rewriter, op.source, op)
        rank = source.type.get_num_dims()
        known = constant_index(op.index)
        if known is not None:
            replace(rewriter, op, [value_of(rewriter, source.size(known))])
            return
        result = value_of(rewriter, source.size(0))
        for dim in range(1, rank):
            is_dim = emit(
                rewriter, llvm.ICmpOp(op.index, constant(rewriter, dim), IntegerAttr(0, 64))
            )
            size = value_of(rewriter, source.size(dim))
            result = emit(rewriter, llvm_extra.SelectOp(is_dim, size, result))
        replace(rewriter, op, [result])


def constant_index(value: SSAValue) -> int | None:
    """The value of an index constant, seen through the casts of lowering in progress."""
    owner = value.owner
    while isinstance(owner, Operation) and owner.name == "builtin.unrealized_conversion_cast":
        owner = owner.operands[0].owner
    if isinstance(owner, Operation) and owner.name in ("arith.constant", "llvm.mlir.constant"):
        attr = owner.properties.get("value")
        if isinstance(attr, IntegerAttr):
            return attr.value.data
    return None


def mixed(
    rewriter: PatternRewriter, static: Sequence[int], dynamic: Sequence[SSAValue]
) -> list[int | SSAValue]:
    """Offsets, sizes or strides given half as attribute, half as operands."""
    remaining = iter(dynamic)
    return [next(remaining) if value == DYNAMIC_INDEX else value for value in static]


def view_descriptor(
    rewriter: PatternRewriter,
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
        rewriter,
        type,
        source.pointer(ALLOCATED),
        source.pointer(),
        offset if known_offset is None else known_offset,
        sizes,
        strides,
    )


class SubviewLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.SubviewOp, rewriter: PatternRewriter):
        source = Descriptor(rewriter, op.source, op)
        offsets = mixed(rewriter, op.static_offsets.get_values(), op.offsets)
        sizes = mixed(rewriter, op.static_sizes.get_values(), op.sizes)
        steps = mixed(rewriter, op.static_strides.get_values(), op.strides)
        offset = source.offset()
        strides: list[int | SSAValue] = []
        for dim, (start, step) in enumerate(zip(offsets, steps, strict=True)):
            stride = source.stride(dim)
            offset = add(rewriter, offset, mul(rewriter, start, stride))
            strides.append(mul(rewriter, step, stride))
        kept = kept_dimensions(op, op.static_sizes.get_values(), op.result.type)
        sizes = [sizes[dim] for dim in kept]
        strides = [strides[dim] for dim in kept]
        replace(rewriter, op, [view_descriptor(rewriter, op, source, offset, sizes, strides)])


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


class ReinterpretCastLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.ReinterpretCastOp, rewriter: PatternRewriter):
        source = Descriptor(rewriter, op.source, op)
        offset = mixed(rewriter, op.static_offsets.get_values(), op.offsets)[0]
        sizes = mixed(rewriter, op.static_sizes.get_values(), op.sizes)
        strides = mixed(rewriter, op.static_strides.get_values(), op.strides)
        replace(rewriter, op, [view_descriptor(rewriter, op, source, offset, sizes, strides)])


class CastLowering(RewritePattern):
    """A ranked cast only changes what the type states; the descriptor stays."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.CastOp, rewriter: PatternRewriter):
        if not isinstance(op.dest.type, MemRefType):
            raise ZigguratError("memref.cast to an unranked memref is not supported", op)
        source = Descriptor(rewriter, op.source, op)
        replace(rewriter, op, [as_type(rewriter, source.struct, llvm_type(op.dest.type))])


class CollapseShapeLowering(RewritePattern):
    """Each group of dimensions becomes one: sizes multiply, the innermost stride stays."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.CollapseShapeOp, rewriter: PatternRewriter):
        source = Descriptor(rewriter, op.src, op)
        sizes: list[int | SSAValue] = []
        strides: list[int | SSAValue] = []
        for group in op.reassociation:
            dims = [d.value.data for d in group]  # type: ignore[attr-defined]
            sizes.append(element_count(rewriter, [source.size(d) for d in dims]))
            strides.append(source.stride(dims[-1]) if dims else 1)
        offset = source.offset()
        replace(rewriter, op, [view_descriptor(rewriter, op, source, offset, sizes, strides)])


class ExpandShapeLowering(RewritePattern):
    """Each dimension splits into a group: strides grow from the source stride inward-out."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.ExpandShapeOp, rewriter: PatternRewriter):
        source = Descriptor(rewriter, op.src, op)
        sizes = mixed(rewriter, op.static_output_shape.get_values(), op.output_shape)
        strides: list[int | SSAValue] = [0] * len(sizes)
        for source_dim, group in enumerate(op.reassociation):
            running = source.stride(source_dim)
            for dim in reversed([d.value.data for d in group]):  # type: ignore[attr-defined]
                strides[dim] = running
                running = mul(rewriter, running, sizes[dim])
        offset = source.offset()
        replace(rewriter, op, [view_descriptor(rewriter, op, source, offset, sizes, strides)])


class AssumeAlignmentLowering(RewritePattern):
    """A hint LLVM may do without."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.AssumeAlignmentOp, rewriter: PatternRewriter):
        rewriter.replace(op, [], list(op.operands[: len(op.results)]))


MEMREF_PATTERNS: list[RewritePattern] = [
    LoadLowering(),
    StoreLowering(),
    GlobalLowering(),
    GetGlobalLowering(),
    DimLowering(),
    SubviewLowering(),
    ReinterpretCastLowering(),
    CastLowering(),
    CollapseShapeLowering(),
    ExpandShapeLowering(),
    AssumeAlignmentLowering(),
]

MEMREF_OPS: tuple[type[Operation], ...] = (
    memref.LoadOp,
    memref.StoreOp,
    memref.GlobalOp,
    memref.GetGlobalOp,
    memref.DimOp,
    memref.SubviewOp,
    memref.ReinterpretCastOp,
    memref.CastOp,
    memref.CollapseShapeOp,
    memref.ExpandShapeOp,
    memref.AssumeAlignmentOp,
)
