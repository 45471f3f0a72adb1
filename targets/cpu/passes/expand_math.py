"""Expand `math.exp` on f32 into arithmetic (Cephes' expf: a range reduction by powers of two
and a polynomial), so that a vector loop computes it in vector lanes instead of calling libm's
expf once per lane, as LLVM's `llvm.exp` on a vector does. The CPU target runs it before
`vectorize-loops`; the error is within 2 ulp of the exact value.

    ziggurat-opt kernel.mlir -p expand-math

    exp(x) = 2^n * p(r),  n = floor(x * log2(e) + 1/2),  r = x - n * ln(2) (in two parts)

x is clamped to [-103.97, 88.72] first, where exp(x) goes from 0 to the largest f32; above it
the result is +inf, and a NaN stays NaN. 2^n is two powers of two, each a normal f32, so that
the result can be subnormal.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, math
from xdsl.dialects.builtin import Float32Type, FloatAttr, IntegerAttr, ModuleOp, f32, i32
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.dialects import arith_extra

LOG2E = 1.44269504088896341
LN2_HIGH = 0.693359375  # ln(2) = LN2_HIGH + LN2_LOW, the first exact in few bits
LN2_LOW = -2.12194440e-4
OVERFLOW = 88.72283935546875  # above this exp(x) is +inf in f32
UNDERFLOW = 103.97208  # below -UNDERFLOW exp(x) is 0 in f32
# p(r) = 1 + r + r^2 * (c0 + c1 r + ... + c5 r^5)
POLYNOMIAL = (
    5.0000001201e-1,
    1.6666665459e-1,
    4.1665795894e-2,
    8.3334519073e-3,
    1.3981999507e-3,
    1.9875691500e-4,
)


@dataclass(frozen=True)
class ExpandMath(ModulePass):
    """Expand f32 `math.exp` into arithmetic that vector lanes compute."""

    name = "expand-math"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for exp in [o for o in op.walk() if isinstance(o, math.ExpOp)]:
            if isinstance(exp.result.type, Float32Type):
                expand_exp(exp)


def expand_exp(op: math.ExpOp) -> None:
    new: list[Operation] = []

    def add(operation: Operation) -> SSAValue:
        new.append(operation)
        return operation.results[0]

    def constant(value: float) -> SSAValue:
        return add(arith.ConstantOp(FloatAttr(value, f32)))

    def integer(value: int) -> SSAValue:
        return add(arith.ConstantOp(IntegerAttr(value, i32)))

    def mul(a: SSAValue, b: SSAValue) -> SSAValue:
        return add(arith.MulfOp(a, b))

    def plus(a: SSAValue, b: SSAValue) -> SSAValue:
        return add(arith.AddfOp(a, b))

    x = op.operand
    clamped = add(
        arith.MinimumfOp(add(arith.MaximumfOp(x, constant(-UNDERFLOW))), constant(OVERFLOW))
    )
    n = add(math.FloorOp(plus(mul(clamped, constant(LOG2E)), constant(0.5))))
    r = plus(plus(clamped, mul(n, constant(-LN2_HIGH))), mul(n, constant(-LN2_LOW)))
    p = constant(POLYNOMIAL[-1])
    for coefficient in reversed(POLYNOMIAL[:-1]):
        p = plus(mul(p, r), constant(coefficient))
    p = plus(plus(mul(p, mul(r, r)), r), constant(1.0))
    # 2^n as 2^(n >> 1) * 2^(n - (n >> 1)): each a normal f32 (n + 127 in the exponent
    # bits), their product down to the subnormals and up to the largest f32.
    whole = add(arith_extra.FPToSIOp(n, i32))
    half = add(arith.ShRSIOp(whole, integer(1)))
    rest = add(arith.SubiOp(whole, half))
    result = p
    for power in (half, rest):
        bits = add(arith.ShLIOp(add(arith.AddiOp(power, integer(127))), integer(23)))
        result = mul(result, add(arith.BitcastOp(bits, f32)))
    too_small = add(arith_extra.CmpfOp(x, constant(-UNDERFLOW), "olt"))
    result = add(arith_extra.SelectOp(too_small, constant(0.0), result))
    too_large = add(arith_extra.CmpfOp(x, constant(OVERFLOW), "ogt"))
    result = add(arith_extra.SelectOp(too_large, constant(float("inf")), result))
    not_a_number = add(arith_extra.CmpfOp(x, x, "uno"))
    result = add(arith_extra.SelectOp(not_a_number, x, result))
    Rewriter.insert_op(new, InsertPoint.before(op))
    op.result.replace_all_uses_with(result)
    Rewriter.erase_op(op)
