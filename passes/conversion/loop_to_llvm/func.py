"""Lower `func` and `cf` to the `llvm` dialect. Used by `loop-to-llvm`.

A memref argument is passed as MLIR does, as its descriptor's fields one by one
(allocated pointer, aligned pointer, offset, sizes..., strides...), so a caller in C or
Python passes plain pointers and integers; the function rebuilds the descriptor on entry.
A function only our own code calls (private, or marked `loop.bare_pointers`) takes a memref
whose type states its shape and layout as its aligned pointer alone, as MLIR's
`use-bare-ptr-memref-call-conv` does: the rest of the descriptor is constants on entry. A
network's `main` then passes one value per buffer to each fused function, not eleven.
A memref result is returned as the descriptor struct; several results as a struct of them.
`cf.br` keeps its `loop.annotations`.

    func.func @f(%A: memref<?xf32>, %n: index)
    ->
    llvm.func @f(%allocated: !llvm.ptr, %aligned: !llvm.ptr, %offset: i64, %size: i64,
                 %stride: i64, %n: i64)

    func.func private @g(%A: memref<4x8xf32>)  ->  llvm.func internal @g(%aligned: !llvm.ptr)
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import cf, func, llvm
from xdsl.dialects.builtin import MemRefType, StringAttr, i64
from xdsl.ir import Attribute, Block, Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ANNOTATIONS, BARE_POINTERS
from ziggurat.elements import static_offset, static_strides
from ziggurat.passes.conversion.loop_to_llvm.common import (
    ALIGNED,
    ALLOCATED,
    OFFSET,
    PTR,
    SIZES,
    STRIDES,
    Builder,
    Declarations,
    Descriptor,
    build_descriptor,
    descriptor_type,
    emit,
    extract,
    insert,
    llvm_type,
)
from ziggurat.passes.conversion.loop_to_llvm.lowering import Lower, Lowering


def passes_bare_pointers(op: func.FuncOp) -> bool:
    """Whether `op` takes its statically laid out memrefs as bare pointers: only our own
    code calls it (a private function with a body, or one marked so)."""
    if BARE_POINTERS in op.attributes:
        return True
    return op.sym_visibility == StringAttr("private") and bool(op.body.blocks)


def is_bare(type: Attribute, bare: bool) -> bool:
    """Whether an argument of `type` passes as a bare pointer, to a function that takes
    them (`bare`): a memref whose type states its sizes, strides and offset."""
    return (
        bare
        and isinstance(type, MemRefType)
        and type.has_static_shape()
        and static_offset(type) is not None
        and None not in static_strides(type)
    )


def expanded_types(type: Attribute, bare: bool = False) -> list[Attribute]:
    """The llvm argument types one argument of `type` is passed as (to a function that
    takes bare pointers where `bare`)."""
    if is_bare(type, bare):
        return [PTR]
    if isinstance(type, MemRefType):
        rank = type.get_num_dims()
        return [PTR, PTR, i64, *[i64] * (2 * rank)]
    return [llvm_type(type)]


def result_type(types: Sequence[Attribute]) -> Attribute:
    if not types:
        return llvm.LLVMVoidType()
    if len(types) == 1:
        return llvm_type(types[0])
    return llvm.LLVMStructType.from_type_list([llvm_type(t) for t in types])


def lower_function(
    op: func.FuncOp, lowerings: dict[type[Operation], Lower], declarations: Declarations
) -> llvm.FuncOp:
    """The llvm.func of a func.func: its entry block takes the expanded arguments and
    rebuilds each memref's descriptor, then the body follows, lowered."""
    inputs = op.function_type.inputs.data
    bare = passes_bare_pointers(op)
    function_type = llvm.LLVMFunctionType(
        [t for type in inputs for t in expanded_types(type, bare)],
        result_type(op.function_type.outputs.data),
    )
    private = op.sym_visibility == StringAttr("private")
    linkage = llvm.LinkageAttr("internal" if private and op.body.blocks else "external")
    if not op.body.blocks:
        return llvm.FuncOp(op.sym_name, function_type, linkage=linkage)
    lower = Lowering(lowerings, declarations)
    entry = Block(arg_types=function_type.inputs.data)
    lower.start(entry)
    fields = iter(entry.args)
    for old in op.body.blocks[0].args:
        new = [next(fields) for _ in expanded_types(old.type, bare)]
        if is_bare(old.type, bare):
            value = descriptor_of_pointer(lower, old.type, new[0])  # type: ignore[arg-type]
        else:
            value = descriptor_of_fields(lower, old.type, new) if len(new) > 1 else new[0]
        lower.map([old], [value])
    lower.lower_region(op.body, into_current=True, terminator=unexpected)
    lower.erase_dead_ops()
    return llvm.FuncOp(op.sym_name, function_type, linkage=linkage, body=lower.region)


def descriptor_of_fields(builder: Builder, type: MemRefType, fields: list[SSAValue]) -> SSAValue:
    """The descriptor struct of a memref passed as its fields."""
    rank = type.get_num_dims()
    positions = [[ALLOCATED], [ALIGNED], [OFFSET]]
    positions += [[SIZES, d] for d in range(rank)] + [[STRIDES, d] for d in range(rank)]
    struct = emit(builder, llvm.UndefOp(descriptor_type(type)))
    for position, field in zip(positions, fields, strict=True):
        struct = insert(builder, struct, position, field)
    return struct


def descriptor_of_pointer(builder: Builder, type: MemRefType, pointer: SSAValue) -> SSAValue:
    """The descriptor struct of a memref passed as a bare pointer: its type states the
    rest."""
    offset = static_offset(type)
    strides = static_strides(type)
    assert offset is not None and None not in strides
    sizes: list[int | SSAValue] = list(type.get_shape())
    return build_descriptor(builder, type, pointer, pointer, offset, sizes, strides)  # type: ignore[arg-type]


def lower_llvm_function(
    op: llvm.FuncOp, lowerings: dict[type[Operation], Lower], declarations: Declarations
) -> llvm.FuncOp:
    """An llvm.func whose body a target left at the loop level (a GPU kernel's), with its
    body lowered."""
    lower = Lowering(lowerings, declarations)
    entry = Block(arg_types=op.body.blocks[0].arg_types)
    lower.start(entry)
    lower.map(op.body.blocks[0].args, entry.args)
    lower.lower_region(op.body, into_current=True, terminator=unexpected)
    lower.erase_dead_ops()
    return llvm.FuncOp.create(
        properties=dict(op.properties), attributes=dict(op.attributes), regions=[lower.region]
    )


def unexpected(terminator: Operation) -> None:
    raise ZigguratError(f"'{terminator.name}' outside the op it belongs to", terminator)


def descriptor_fields(
    lower: Lowering, value: SSAValue, where: Operation, bare: bool = False
) -> list[SSAValue]:
    """The llvm values a memref (or scalar) argument is passed as (to a function that takes
    bare pointers where `bare`)."""
    if not isinstance(value.type, MemRefType):
        return [lower.value(value)]
    struct = Descriptor(lower, value, where, lower.value(value)).struct
    if is_bare(value.type, bare):
        return [extract(lower, struct, [ALIGNED], PTR)]
    rank = value.type.get_num_dims()
    fields = [
        extract(lower, struct, [ALLOCATED], PTR),
        extract(lower, struct, [ALIGNED], PTR),
    ]
    fields.append(extract(lower, struct, [OFFSET], i64))
    fields += [extract(lower, struct, [SIZES, d], i64) for d in range(rank)]
    fields += [extract(lower, struct, [STRIDES, d], i64) for d in range(rank)]
    return fields


def pack(builder: Builder, values: Sequence[SSAValue]) -> SSAValue | None:
    """One return value for llvm `values`: none, itself, or a struct of them."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    struct = emit(builder, llvm.UndefOp(result_type([v.type for v in values])))
    for index, value in enumerate(values):
        struct = insert(builder, struct, [index], value)
    return struct


def lower_return(lower: Lowering, op: Operation) -> None:
    lower.insert(llvm.ReturnOp(pack(lower, lower.operands(op.operands))))


def lower_call(lower: Lowering, op: func.CallOp) -> None:
    bare = op.callee.root_reference.data in lower.declarations.bare_pointers
    args = [f for arg in op.arguments for f in descriptor_fields(lower, arg, op, bare)]
    types = [r.type for r in op.results]
    returned = None if not types else result_type(types)
    call = llvm.CallOp(op.callee, *args, return_type=returned)
    lower.insert(call)
    if len(types) <= 1:
        lower.map(op.results, call.results)
        return
    values = [extract(lower, call.results[0], [i], llvm_type(t)) for i, t in enumerate(types)]
    lower.map(op.results, values)


def lower_branch(lower: Lowering, op: cf.BranchOp) -> None:
    branch = llvm.BrOp(lower.blocks[op.successor], *lower.operands(op.arguments))
    if ANNOTATIONS in op.attributes:
        branch.attributes[ANNOTATIONS] = op.attributes[ANNOTATIONS]
    lower.insert(branch)


def lower_conditional_branch(lower: Lowering, op: cf.ConditionalBranchOp) -> None:
    lower.insert(
        llvm.CondBrOp(
            lower.value(op.cond),
            lower.blocks[op.then_block],
            lower.operands(op.then_arguments),
            lower.blocks[op.else_block],
            lower.operands(op.else_arguments),
        )
    )


FUNC_LOWERINGS: dict[type[Operation], Lower] = {
    func.ReturnOp: lower_return,
    func.CallOp: lower_call,
    cf.BranchOp: lower_branch,
    cf.ConditionalBranchOp: lower_conditional_branch,
}

FUNC_OPS: tuple[type[Operation], ...] = (func.FuncOp, *FUNC_LOWERINGS)
