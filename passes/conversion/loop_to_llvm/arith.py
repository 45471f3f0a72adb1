"""Lower `arith` to the `llvm` dialect: one LLVM instruction or intrinsic per op, with
fast-math flags carried over, and `contract` added to float add, sub and mul so LLVM fuses
multiply-adds into FMAs; the few ops LLVM lacks (floor/ceil division) expand to a handful of
instructions. Used by `loop-to-llvm`.

    %s = arith.addf %a, %b fastmath<fast> : f32   ->   %s = llvm.fadd %a, %b {fastmathFlags = #llvm.fastmath<fast>} : f32
"""

from __future__ import annotations

from xdsl.dialects import arith, llvm
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    VectorType,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import arith_extra, llvm_extra
from ziggurat.elements import array_to_dense, dense_to_array
from ziggurat.passes.conversion.loop_to_llvm.common import (
    emit,
    intrinsic_suffix,
    llvm_type,
    replace,
)

INTEGER_BINARY: dict[type[Operation], type[Operation]] = {
    arith.AddiOp: llvm.AddOp,
    arith.SubiOp: llvm.SubOp,
    arith.MuliOp: llvm.MulOp,
    arith.DivSIOp: llvm.SDivOp,
    arith.DivUIOp: llvm.UDivOp,
    arith.RemSIOp: llvm.SRemOp,
    arith.RemUIOp: llvm.URemOp,
    arith.AndIOp: llvm.AndOp,
    arith.OrIOp: llvm.OrOp,
    arith.XOrIOp: llvm.XOrOp,
    arith.ShLIOp: llvm.ShlOp,
    arith.ShRSIOp: llvm.AShrOp,
    arith.ShRUIOp: llvm.LShrOp,
}

FLOAT_BINARY: dict[type[Operation], type[llvm.AbstractFloatArithOp]] = {
    arith.AddfOp: llvm.FAddOp,
    arith.SubfOp: llvm.FSubOp,
    arith.MulfOp: llvm.FMulOp,
    arith.DivfOp: llvm.FDivOp,
    arith_extra.RemFOp: llvm.FRemOp,
}

# Binary ops that are overloaded LLVM intrinsics, named without their type suffix.
BINARY_INTRINSICS: dict[type[Operation], str] = {
    arith.MaximumfOp: "llvm.maximum",
    arith.MinimumfOp: "llvm.minimum",
    arith.MaxnumfOp: "llvm.maxnum",
    arith.MinnumfOp: "llvm.minnum",
    arith.MaxSIOp: "llvm.smax",
    arith.MinSIOp: "llvm.smin",
    arith.MaxUIOp: "llvm.umax",
    arith.MinUIOp: "llvm.umin",
}

CASTS: dict[type[Operation], type[Operation]] = {
    arith.ExtFOp: llvm.FPExtOp,
    arith.TruncFOp: llvm.FPTruncOp,
    arith_extra.ExtSIOp: llvm.SExtOp,
    arith_extra.ExtUIOp: llvm.ZExtOp,
    arith_extra.TruncIOp: llvm.TruncOp,
    arith_extra.SIToFPOp: llvm.SIToFPOp,
    arith_extra.UIToFPOp: llvm_extra.UIToFPOp,
    arith_extra.FPToSIOp: llvm_extra.FPToSIOp,
    arith_extra.FPToUIOp: llvm_extra.FPToUIOp,
    arith.BitcastOp: llvm.BitcastOp,
}
CASTS |= {xdsl: CASTS[ours] for xdsl, ours in arith_extra.XDSL.items() if ours in CASTS}


def fastmath(op: Operation) -> llvm.FastMathAttr:
    flags = op.properties.get("fastmath")
    return llvm.FastMathAttr(flags.data if flags is not None else None)  # type: ignore[attr-defined]


def contractible(op: Operation) -> llvm.FastMathAttr:
    """The op's flags plus `contract`: a multiply and an add may fuse into an FMA, rounded
    once instead of twice, as TVM's and GCC's defaults allow."""
    flags = fastmath(op).data | {llvm.FastMathFlag.ALLOW_CONTRACT}
    return llvm.FastMathAttr(flags)


def call_intrinsic(
    rewriter: PatternRewriter, name: str, args: list[SSAValue], type: Attribute
) -> SSAValue:
    """`llvm.call_intrinsic` of an overloaded intrinsic mangled for `type`."""
    suffix = intrinsic_suffix(type)
    call = llvm.CallIntrinsicOp(f"{name}.{suffix}", args, [llvm_type(type)])
    return emit(rewriter, call)


def bit_width(type: Attribute) -> int:
    if isinstance(type, VectorType):
        type = type.element_type
    if isinstance(type, IndexType):
        return 64
    assert isinstance(type, IntegerType)
    return type.width.data


def splat_constant(rewriter: PatternRewriter, value: int, like: SSAValue) -> SSAValue:
    """An integer constant of the type of `like`, splat across lanes for vectors."""
    type = llvm_type(like.type)
    if isinstance(type, VectorType):
        attr: Attribute = DenseIntOrFPElementsAttr.from_list(type, [value])
    else:
        attr = IntegerAttr(value, type)  # type: ignore[arg-type]
    return emit(rewriter, llvm.ConstantOp(attr, type))


class ConstantLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.ConstantOp, rewriter: PatternRewriter):
        type = llvm_type(op.result.type)
        value = op.value
        match value:
            case IntegerAttr():
                value = IntegerAttr(value.value.data, type)  # type: ignore[arg-type]
            case DenseIntOrFPElementsAttr():
                value = array_to_dense(dense_to_array(value), type)  # type: ignore[arg-type]
            case FloatAttr():
                pass
            case _:
                raise ZigguratError(f"cannot lower constant {value} to llvm", op)
        replace(rewriter, op, [emit(rewriter, llvm.ConstantOp(value, type))])


class BinaryLowering(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        kind = type(op)
        if kind in INTEGER_BINARY:
            new = INTEGER_BINARY[kind](op.operands[0], op.operands[1])
        elif kind in FLOAT_BINARY:
            contracts = kind not in (arith.DivfOp, arith_extra.RemFOp)
            flags = contractible(op) if contracts else fastmath(op)
            new = FLOAT_BINARY[kind](op.operands[0], op.operands[1], flags)
        elif kind in BINARY_INTRINSICS:
            result = call_intrinsic(
                rewriter, BINARY_INTRINSICS[kind], list(op.operands), op.results[0].type
            )
            replace(rewriter, op, [result])
            return
        else:
            return
        replace(rewriter, op, [emit(rewriter, new)])


class NegfLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith.NegfOp, rewriter: PatternRewriter):
        replace(rewriter, op, [emit(rewriter, llvm.FNegOp(op.operand, fastmath(op)))])


class CastLowering(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if type(op) not in CASTS:
            return
        result_type = llvm_type(op.results[0].type)
        replace(rewriter, op, [emit(rewriter, CASTS[type(op)](op.operands[0], result_type))])


class IndexCastLowering(RewritePattern):
    """index_cast sign-extends or truncates."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: arith_extra.IndexCastOp | arith.IndexCastOp, rewriter: PatternRewriter
    ):
        source, target = op.operands[0], op.results[0].type
        source_width, target_width = bit_width(source.type), bit_width(target)
        if source_width == target_width:
            replace(rewriter, op, [source])
            return
        if source_width > target_width:
            cast: Operation = llvm.TruncOp(source, llvm_type(target))
        else:
            cast = llvm.SExtOp(source, llvm_type(target))
        replace(rewriter, op, [emit(rewriter, cast)])


class CmpiLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith_extra.CmpiOp | arith.CmpiOp, rewriter: PatternRewriter):
        # arith and llvm number the predicates the same way.
        predicate = IntegerAttr(op.predicate.value.data, 64)
        replace(rewriter, op, [emit(rewriter, llvm.ICmpOp(op.lhs, op.rhs, predicate))])


class CmpfLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: arith_extra.CmpfOp | arith.CmpfOp, rewriter: PatternRewriter):
        predicate = arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]
        if predicate in ("false", "true"):
            value = splat_constant(rewriter, int(predicate == "true"), op.result)
            replace(rewriter, op, [value])
            return
        compare = llvm_extra.FCmpOp(op.lhs, op.rhs, predicate)
        compare.properties["fastmathFlags"] = fastmath(op)
        replace(rewriter, op, [emit(rewriter, compare)])


class SelectLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: arith_extra.SelectOp | arith.SelectOp, rewriter: PatternRewriter
    ):
        select = llvm_extra.SelectOp(op.cond, op.lhs, op.rhs)
        replace(rewriter, op, [emit(rewriter, select)])


class DivisionLowering(RewritePattern):
    """floordivsi, ceildivsi and ceildivui round the quotient, which LLVM's division does
    not: correct the truncated quotient by one where the remainder says so."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if not isinstance(op, arith.FloorDivSIOp | arith.CeilDivSIOp | arith.CeilDivUIOp):
            return
        lhs, rhs = op.operands
        zero, one = splat_constant(rewriter, 0, lhs), splat_constant(rewriter, 1, lhs)
        if isinstance(op, arith.CeilDivUIOp):
            quotient = emit(rewriter, llvm.UDivOp(lhs, rhs))
            remainder = emit(rewriter, llvm.URemOp(lhs, rhs))
            inexact = emit(rewriter, llvm.ICmpOp(remainder, zero, IntegerAttr(1, 64)))
            bumped = emit(rewriter, llvm.AddOp(quotient, one))
            replace(rewriter, op, [emit(rewriter, llvm_extra.SelectOp(inexact, bumped, quotient))])
            return
        quotient = emit(rewriter, llvm.SDivOp(lhs, rhs))
        remainder = emit(rewriter, llvm.SRemOp(lhs, rhs))
        inexact = emit(rewriter, llvm.ICmpOp(remainder, zero, IntegerAttr(1, 64)))  # ne
        remainder_negative = emit(rewriter, llvm.ICmpOp(remainder, zero, IntegerAttr(2, 64)))
        divisor_negative = emit(rewriter, llvm.ICmpOp(rhs, zero, IntegerAttr(2, 64)))  # slt
        signs_differ = emit(rewriter, llvm.XOrOp(remainder_negative, divisor_negative))
        if isinstance(op, arith.FloorDivSIOp):
            adjust = emit(rewriter, llvm.AndOp(inexact, signs_differ))
            corrected = emit(rewriter, llvm.SubOp(quotient, one))
        else:
            signs_agree = emit(
                rewriter, llvm.XOrOp(signs_differ, splat_constant(rewriter, 1, inexact))
            )
            adjust = emit(rewriter, llvm.AndOp(inexact, signs_agree))
            corrected = emit(rewriter, llvm.AddOp(quotient, one))
        replace(rewriter, op, [emit(rewriter, llvm_extra.SelectOp(adjust, corrected, quotient))])


ARITH_PATTERNS: list[RewritePattern] = [
    ConstantLowering(),
    BinaryLowering(),
    NegfLowering(),
    CastLowering(),
    IndexCastLowering(),
    CmpiLowering(),
    CmpfLowering(),
    SelectLowering(),
    DivisionLowering(),
]

ARITH_OPS: tuple[type[Operation], ...] = (
    *INTEGER_BINARY,
    *FLOAT_BINARY,
    *BINARY_INTRINSICS,
    *CASTS,
    arith.ConstantOp,
    arith.NegfOp,
    arith_extra.IndexCastOp,
    arith_extra.CmpiOp,
    arith_extra.CmpfOp,
    arith_extra.SelectOp,
    *arith_extra.XDSL,
    arith.FloorDivSIOp,
    arith.CeilDivSIOp,
    arith.CeilDivUIOp,
)
