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

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import arith_extra, llvm_extra
from ziggurat.elements import array_to_dense, dense_to_array
from ziggurat.passes.conversion.loop_to_llvm.common import (
    Builder,
    emit,
    integer,
    intrinsic_suffix,
    llvm_type,
)
from ziggurat.passes.conversion.loop_to_llvm.lowering import Lower, Lowering

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


def call_intrinsic(builder: Builder, name: str, args: list[SSAValue], type: Attribute) -> SSAValue:
    """`llvm.call_intrinsic` of an overloaded intrinsic mangled for `type`."""
    suffix = intrinsic_suffix(type)
    call = llvm.CallIntrinsicOp(f"{name}.{suffix}", args, [llvm_type(type)])
    return emit(builder, call)


def bit_width(type: Attribute) -> int:
    if isinstance(type, VectorType):
        type = type.element_type
    if isinstance(type, IndexType):
        return 64
    assert isinstance(type, IntegerType)
    return type.width.data


def splat_constant(builder: Builder, value: int, like: SSAValue) -> SSAValue:
    """An integer constant of the (llvm) type of `like`, splat across lanes for vectors."""
    type = llvm_type(like.type)
    if isinstance(type, VectorType):
        attr: Attribute = DenseIntOrFPElementsAttr.from_list(type, [value])
    else:
        attr = IntegerAttr(value, type)  # type: ignore[arg-type]
    return emit(builder, llvm.ConstantOp(attr, type))


def lower_constant(lower: Lowering, op: arith.ConstantOp) -> None:
    type = llvm_type(op.result.type)
    value = op.value
    match value:
        case IntegerAttr():
            if value.type != type:
                value = integer(value.value.data, type)
        case DenseIntOrFPElementsAttr():
            if value.type != type:
                value = array_to_dense(dense_to_array(value), type)  # type: ignore[arg-type]
        case FloatAttr():
            pass
        case _:
            raise ZigguratError(f"cannot lower constant {value} to llvm", op)
    constant = llvm.ConstantOp.create(properties={"value": value}, result_types=[type])
    lower.result(op, emit(lower, constant))


def lower_integer_binary(lower: Lowering, op: Operation) -> None:
    lhs, rhs = lower.operands(op.operands)
    lower.result(op, emit(lower, INTEGER_BINARY[type(op)](lhs, rhs)))


def lower_float_binary(lower: Lowering, op: Operation) -> None:
    lhs, rhs = lower.operands(op.operands)
    kind = type(op)
    contracts = kind not in (arith.DivfOp, arith_extra.RemFOp)
    flags = contractible(op) if contracts else fastmath(op)
    lower.result(op, emit(lower, FLOAT_BINARY[kind](lhs, rhs, flags)))


def lower_binary_intrinsic(lower: Lowering, op: Operation) -> None:
    name = BINARY_INTRINSICS[type(op)]
    args = lower.operands(op.operands)
    lower.result(op, call_intrinsic(lower, name, args, op.results[0].type))


def lower_negf(lower: Lowering, op: arith.NegfOp) -> None:
    lower.result(op, emit(lower, llvm.FNegOp(lower.value(op.operand), fastmath(op))))


def lower_cast(lower: Lowering, op: Operation) -> None:
    result_type = llvm_type(op.results[0].type)
    lower.result(op, emit(lower, CASTS[type(op)](lower.value(op.operands[0]), result_type)))


def lower_index_cast(lower: Lowering, op: Operation) -> None:
    """index_cast sign-extends or truncates."""
    source, target = op.operands[0], op.results[0].type
    source_width, target_width = bit_width(source.type), bit_width(target)
    value = lower.value(source)
    if source_width > target_width:
        value = emit(lower, llvm.TruncOp(value, llvm_type(target)))
    elif source_width < target_width:
        value = emit(lower, llvm.SExtOp(value, llvm_type(target)))
    lower.result(op, value)


def lower_cmpi(lower: Lowering, op: arith_extra.CmpiOp | arith.CmpiOp) -> None:
    # arith and llvm number the predicates the same way.
    predicate = IntegerAttr(op.predicate.value.data, 64)
    compare = llvm.ICmpOp(lower.value(op.lhs), lower.value(op.rhs), predicate)
    lower.result(op, emit(lower, compare))


def lower_cmpf(lower: Lowering, op: arith_extra.CmpfOp | arith.CmpfOp) -> None:
    predicate = arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]
    if predicate in ("false", "true"):
        lower.result(op, splat_constant(lower, int(predicate == "true"), op.result))
        return
    compare = llvm_extra.FCmpOp(lower.value(op.lhs), lower.value(op.rhs), predicate)
    compare.properties["fastmathFlags"] = fastmath(op)
    lower.result(op, emit(lower, compare))


def lower_select(lower: Lowering, op: arith_extra.SelectOp | arith.SelectOp) -> None:
    condition, lhs, rhs = lower.operands(op.operands)
    lower.result(op, emit(lower, llvm_extra.SelectOp(condition, lhs, rhs)))


def lower_division(lower: Lowering, op: Operation) -> None:
    """floordivsi, ceildivsi and ceildivui round the quotient, which LLVM's division does
    not: correct the truncated quotient by one where the remainder says so."""
    lhs, rhs = lower.operands(op.operands)
    zero, one = splat_constant(lower, 0, lhs), splat_constant(lower, 1, lhs)
    if isinstance(op, arith.CeilDivUIOp):
        quotient = emit(lower, llvm.UDivOp(lhs, rhs))
        remainder = emit(lower, llvm.URemOp(lhs, rhs))
        inexact = emit(lower, llvm.ICmpOp(remainder, zero, IntegerAttr(1, 64)))
        bumped = emit(lower, llvm.AddOp(quotient, one))
        lower.result(op, emit(lower, llvm_extra.SelectOp(inexact, bumped, quotient)))
        return
    quotient = emit(lower, llvm.SDivOp(lhs, rhs))
    remainder = emit(lower, llvm.SRemOp(lhs, rhs))
    inexact = emit(lower, llvm.ICmpOp(remainder, zero, IntegerAttr(1, 64)))  # ne
    remainder_negative = emit(lower, llvm.ICmpOp(remainder, zero, IntegerAttr(2, 64)))
    divisor_negative = emit(lower, llvm.ICmpOp(rhs, zero, IntegerAttr(2, 64)))  # slt
    signs_differ = emit(lower, llvm.XOrOp(remainder_negative, divisor_negative))
    if isinstance(op, arith.FloorDivSIOp):
        adjust = emit(lower, llvm.AndOp(inexact, signs_differ))
        corrected = emit(lower, llvm.SubOp(quotient, one))
    else:
        signs_agree = emit(lower, llvm.XOrOp(signs_differ, splat_constant(lower, 1, inexact)))
        adjust = emit(lower, llvm.AndOp(inexact, signs_agree))
        corrected = emit(lower, llvm.AddOp(quotient, one))
    lower.result(op, emit(lower, llvm_extra.SelectOp(adjust, corrected, quotient)))


ARITH_LOWERINGS: dict[type[Operation], Lower] = {
    **dict.fromkeys(INTEGER_BINARY, lower_integer_binary),
    **dict.fromkeys(FLOAT_BINARY, lower_float_binary),
    **dict.fromkeys(BINARY_INTRINSICS, lower_binary_intrinsic),
    **dict.fromkeys(CASTS, lower_cast),
    arith.ConstantOp: lower_constant,
    arith.NegfOp: lower_negf,
    **dict.fromkeys((arith_extra.IndexCastOp, arith.IndexCastOp), lower_index_cast),
    **dict.fromkeys((arith_extra.CmpiOp, arith.CmpiOp), lower_cmpi),
    **dict.fromkeys((arith_extra.CmpfOp, arith.CmpfOp), lower_cmpf),
    **dict.fromkeys((arith_extra.SelectOp, arith.SelectOp), lower_select),
    **dict.fromkeys((arith.FloorDivSIOp, arith.CeilDivSIOp, arith.CeilDivUIOp), lower_division),
}

ARITH_OPS: tuple[type[Operation], ...] = tuple(ARITH_LOWERINGS)
