"""Lower `math` to the `llvm` dialect where LLVM has an intrinsic for the op (a CPU backend
turns the transcendental ones into libm calls). Ops LLVM has no intrinsic for (`math.erf`,
`math.log1p`, ...) are the target's to lower first: the CPU calls libm
(targets/cpu/passes/convert_math_to_libm.py). Used by `loop-to-llvm`.

    %y = math.tanh %x : f32   ->   %y = llvm.call_intrinsic "llvm.tanh.f32"(%x) : (f32) -> f32
"""

from __future__ import annotations

from xdsl.dialects import llvm, math
from xdsl.dialects.builtin import Float32Type, Float64Type, FloatAttr, IntegerAttr, i1
from xdsl.ir import Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.arith import fastmath
from ziggurat.passes.conversion.loop_to_llvm.common import emit, intrinsic_suffix
from ziggurat.passes.conversion.loop_to_llvm.lowering import Lower, Lowering

# Ops that are one overloaded LLVM intrinsic over all their operands.
INTRINSICS: dict[type[Operation], str] = {
    math.AbsFOp: "llvm.fabs",
    math.CeilOp: "llvm.ceil",
    math.FloorOp: "llvm.floor",
    math.TruncOp: "llvm.trunc",
    math.RoundOp: "llvm.round",
    math.RoundEvenOp: "llvm.roundeven",
    math.SqrtOp: "llvm.sqrt",
    math.ExpOp: "llvm.exp",
    math.Exp2Op: "llvm.exp2",
    math.LogOp: "llvm.log",
    math.Log2Op: "llvm.log2",
    math.Log10Op: "llvm.log10",
    math.SinOp: "llvm.sin",
    math.CosOp: "llvm.cos",
    math.TanOp: "llvm.tan",
    math.SinhOp: "llvm.sinh",
    math.CoshOp: "llvm.cosh",
    math.TanhOp: "llvm.tanh",
    math.AsinOp: "llvm.asin",
    math.AcosOp: "llvm.acos",
    math.AtanOp: "llvm.atan",
    math.Atan2Op: "llvm.atan2",
    math.PowFOp: "llvm.pow",
    math.CopySignOp: "llvm.copysign",
    math.FmaOp: "llvm.fma",
    math.CtPopOp: "llvm.ctpop",
}

# Integer intrinsics whose last argument says whether a zero (or INT_MIN) input is poison.
POISON_FLAG_INTRINSICS: dict[type[Operation], str] = {
    math.AbsIOp: "llvm.abs",
    math.CountLeadingZerosOp: "llvm.ctlz",
    math.CountTrailingZerosOp: "llvm.cttz",
}


def intrinsic_call(lower: Lowering, op: Operation, name: str, args: list[SSAValue]) -> SSAValue:
    call = llvm.CallIntrinsicOp(name, args, [op.results[0].type])
    if "fastmath" in op.properties:
        call.properties["fastmathFlags"] = fastmath(op)
    return emit(lower, call)


def lower_intrinsic(lower: Lowering, op: Operation) -> None:
    name = f"{INTRINSICS[type(op)]}.{intrinsic_suffix(op.results[0].type)}"
    lower.result(op, intrinsic_call(lower, op, name, lower.operands(op.operands)))


def lower_poison_flag_intrinsic(lower: Lowering, op: Operation) -> None:
    name = f"{POISON_FLAG_INTRINSICS[type(op)]}.{intrinsic_suffix(op.results[0].type)}"
    not_poison = emit(lower, llvm.ConstantOp(IntegerAttr(0, i1), i1))
    args = [lower.value(op.operands[0]), not_poison]
    lower.result(op, intrinsic_call(lower, op, name, args))


def lower_fpowi(lower: Lowering, op: math.FPowIOp) -> None:
    suffix = f"{intrinsic_suffix(op.lhs.type)}.{intrinsic_suffix(op.rhs.type)}"
    args = [lower.value(op.lhs), lower.value(op.rhs)]
    lower.result(op, intrinsic_call(lower, op, f"llvm.powi.{suffix}", args))


def lower_rsqrt(lower: Lowering, op: math.RsqrtOp) -> None:
    type = op.result.type
    if not isinstance(type, Float32Type | Float64Type):
        raise ZigguratError("math.rsqrt is lowered for scalar f32 and f64 only", op)
    name = f"llvm.sqrt.{intrinsic_suffix(type)}"
    root = intrinsic_call(lower, op, name, [lower.value(op.operand)])
    one = emit(lower, llvm.ConstantOp(FloatAttr(1.0, type), type))
    lower.result(op, emit(lower, llvm.FDivOp(one, root, fastmath(op))))


MATH_LOWERINGS: dict[type[Operation], Lower] = {
    **dict.fromkeys(INTRINSICS, lower_intrinsic),
    **dict.fromkeys(POISON_FLAG_INTRINSICS, lower_poison_flag_intrinsic),
    math.FPowIOp: lower_fpowi,
    math.RsqrtOp: lower_rsqrt,
}

MATH_OPS: tuple[type[Operation], ...] = tuple(MATH_LOWERINGS)
