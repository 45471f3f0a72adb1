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
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.arith import fastmath
from ziggurat.passes.conversion.loop_to_llvm.common import (
    emit,
    intrinsic_suffix,
    replace,
)

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


def intrinsic_call(
    rewriter: PatternRewriter, op: Operation, name: str, args: list[SSAValue]
) -> SSAValue:
    call = llvm.CallIntrinsicOp(name, args, [op.results[0].type])
    if "fastmath" in op.properties:
        call.properties["fastmathFlags"] = fastmath(op)
    return emit(rewriter, call)


class IntrinsicLowering(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if type(op) in INTRINSICS:
            name = f"{INTRINSICS[type(op)]}.{intrinsic_suffix(op.results[0].type)}"
            result = intrinsic_call(rewriter, op, name, list(op.operands))
        elif type(op) in POISON_FLAG_INTRINSICS:
            name = f"{POISON_FLAG_INTRINSICS[type(op)]}.{intrinsic_suffix(op.results[0].type)}"
            not_poison = emit(rewriter, llvm.ConstantOp(IntegerAttr(0, i1), i1))
            result = intrinsic_call(rewriter, op, name, [op.operands[0], not_poison])
        else:
            return
        replace(rewriter, op, [result])


class FPowILowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: math.FPowIOp, rewriter: PatternRewriter):
        suffix = f"{intrinsic_suffix(op.lhs.type)}.{intrinsic_suffix(op.rhs.type)}"
        result = intrinsic_call(rewriter, op, f"llvm.powi.{suffix}", [op.lhs, op.rhs])
        replace(rewriter, op, [result])


class RsqrtLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: math.RsqrtOp, rewriter: PatternRewriter):
        type = op.result.type
        if not isinstance(type, Float32Type | Float64Type):
            raise ZigguratError("math.rsqrt is lowered for scalar f32 and f64 only", op)
        root = intrinsic_call(rewriter, op, f"llvm.sqrt.{intrinsic_suffix(type)}", [op.operand])
        one = emit(rewriter, llvm.ConstantOp(FloatAttr(1.0, type), type))
        replace(rewriter, op, [emit(rewriter, llvm.FDivOp(one, root, fastmath(op)))])


MATH_PATTERNS: list[RewritePattern] = [
    IntrinsicLowering(),
    FPowILowering(),
    RsqrtLowering(),
]

MATH_OPS: tuple[type[Operation], ...] = (
    *INTRINSICS,
    *POISON_FLAG_INTRINSICS,
    math.FPowIOp,
    math.RsqrtOp,
)
