"""Lower `func` and `cf` to the `llvm` dialect. Used by `loop-to-llvm`.

A memref argument is passed as MLIR does, as its descriptor's fields one by one
(allocated pointer, aligned pointer, offset, sizes..., strides...), so a caller in C or
Python passes plain pointers and integers; the function rebuilds the descriptor on entry.
A memref result is returned as the descriptor struct; several results as a struct of them.
`cf.br` keeps its `loop.annotations`.

    func.func @f(%A: memref<?xf32>, %n: index)
    ->
    llvm.func @f(%allocated: !llvm.ptr, %aligned: !llvm.ptr, %offset: i64, %size: i64,
                 %stride: i64, %n: i64)
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import cf, func, llvm
from xdsl.dialects.builtin import (
    DenseArrayBase,
    MemRefType,
    StringAttr,
    UnrealizedConversionCastOp,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern
from xdsl.rewriter import InsertPoint

from ziggurat.dialects.loop import ANNOTATIONS
from ziggurat.passes.conversion.loop_to_llvm.common import (
    ALIGNED,
    ALLOCATED,
    OFFSET,
    PTR,
    SIZES,
    STRIDES,
    Descriptor,
    as_type,
    descriptor_type,
    emit,
    extract,
    insert,
    llvm_type,
    replace,
)


def expanded_types(type: Attribute) -> list[Attribute]:
    """The llvm argument types one argument of `type` is passed as."""
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


def descriptor_fields(
    rewriter: PatternRewriter, value: SSAValue, where: Operation
) -> list[SSAValue]:
    """The llvm values a memref (or scalar) argument is passed as."""
    if not isinstance(value.type, MemRefType):
        return [value]
    struct = Descriptor(rewriter, value, where).struct
    rank = value.type.get_num_dims()
    fields = [
        extract(rewriter, struct, [ALLOCATED], PTR),
        extract(rewriter, struct, [ALIGNED], PTR),
    ]
    fields.append(extract(rewriter, struct, [OFFSET], i64))
    fields += [extract(rewriter, struct, [SIZES, d], i64) for d in range(rank)]
    fields += [extract(rewriter, struct, [STRIDES, d], i64) for d in range(rank)]
    return fields


def pack(rewriter: PatternRewriter, values: Sequence[SSAValue]) -> SSAValue | None:
    """One return value for `values`: none, itself, or a struct of them."""
    if not values:
        return None
    converted = [as_type(rewriter, v, llvm_type(v.type)) for v in values]
    if len(values) == 1:
        return converted[0]
    struct = emit(rewriter, llvm.UndefOp(result_type([v.type for v in values])))
    for index, value in enumerate(converted):
        struct = insert(rewriter, struct, [index], value)
    return struct


class FuncLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: func.FuncOp, rewriter: PatternRewriter):
        inputs = op.function_type.inputs.data
        function_type = llvm.LLVMFunctionType(
            [t for type in inputs for t in expanded_types(type)],
            result_type(op.function_type.outputs.data),
        )
        private = op.sym_visibility == StringAttr("private")
        linkage = llvm.LinkageAttr("internal" if private and op.body.blocks else "external")
        if op.body.blocks:
            self.expand_arguments(op.body.blocks[0], rewriter)
        lowered = llvm.FuncOp(
            op.sym_name,
            function_type,
            linkage=linkage,
            body=rewriter.move_region_contents_to_new_regions(op.body),
        )
        rewriter.replace(op, lowered)

    @staticmethod
    def expand_arguments(entry: Block, rewriter: PatternRewriter) -> None:
        """Give the entry block the llvm arguments and rebuild each old one from them."""
        first_op = entry.first_op
        for old in list(entry.args):
            new = [
                rewriter.insert_block_argument(entry, len(entry.args), t)
                for t in expanded_types(old.type)
            ]
            at = InsertPoint.before(first_op) if first_op else InsertPoint.at_end(entry)
            if isinstance(old.type, MemRefType):
                value = build_from_fields(rewriter, old.type, new, at)
            else:
                value = new[0]
            if value.type != old.type:
                value = as_type_at(rewriter, value, old.type, at)
            old.replace_all_uses_with(value)
            rewriter.erase_block_argument(old)


def build_from_fields(
    rewriter: PatternRewriter, type: MemRefType, fields: list[SSAValue], at: InsertPoint
) -> SSAValue:
    rank = type.get_num_dims()
    undef = llvm.UndefOp(descriptor_type(type))
    rewriter.insert(undef, at)
    struct: SSAValue = undef.res
    positions = [[ALLOCATED], [ALIGNED], [OFFSET]]
    positions += [[SIZES, d] for d in range(rank)] + [[STRIDES, d] for d in range(rank)]
    for position, field in zip(positions, fields, strict=True):
        op = llvm.InsertValueOp(DenseArrayBase.from_list(i64, position), struct, field)
        rewriter.insert(op, at)
        struct = op.results[0]
    return struct


def as_type_at(
    rewriter: PatternRewriter, value: SSAValue, type: Attribute, at: InsertPoint
) -> SSAValue:
    cast = UnrealizedConversionCastOp.get([value], [type])
    rewriter.insert(cast, at)
    return cast.results[0]


class ReturnLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: func.ReturnOp, rewriter: PatternRewriter):
        rewriter.replace(op, llvm.ReturnOp(pack(rewriter, op.arguments)))


class CallLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: func.CallOp, rewriter: PatternRewriter):
        args = [f for arg in op.arguments for f in descriptor_fields(rewriter, arg, op)]
        args = [as_type(rewriter, a, llvm_type(a.type)) for a in args]
        types = [r.type for r in op.results]
        returned = None if not types else result_type(types)
        call = llvm.CallOp(op.callee, *args, return_type=returned)
        rewriter.insert(call)
        if len(types) <= 1:
            replace(rewriter, op, list(call.results))
            return
        values = [
            extract(rewriter, call.results[0], [i], llvm_type(t)) for i, t in enumerate(types)
        ]
        replace(rewriter, op, values)


class BranchLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: cf.BranchOp, rewriter: PatternRewriter):
        branch = llvm.BrOp(op.successor, *op.arguments)
        if ANNOTATIONS in op.attributes:
            branch.attributes[ANNOTATIONS] = op.attributes[ANNOTATIONS]
        rewriter.replace(op, branch)


class ConditionalBranchLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: cf.ConditionalBranchOp, rewriter: PatternRewriter):
        branch = llvm.CondBrOp(
            op.cond, op.then_block, op.then_arguments, op.else_block, op.else_arguments
        )
        rewriter.replace(op, branch)


FUNC_PATTERNS: list[RewritePattern] = [
    FuncLowering(),
    ReturnLowering(),
    CallLowering(),
    BranchLowering(),
    ConditionalBranchLowering(),
]

FUNC_OPS: tuple[type[Operation], ...] = (
    func.FuncOp,
    func.ReturnOp,
    func.CallOp,
    cf.BranchOp,
    cf.ConditionalBranchOp,
)
