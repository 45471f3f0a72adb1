"""`expand-gpu-math`: the math ops NVPTX has no instruction for, expanded into arithmetic
(the CUDA target's, before `expand-math`, which expands the `math.exp` these leave). A GPU
has no libm, and CUDA's libdevice is not on every machine that compiles; these need nothing.
f16 is computed in f32; f64 exp, log, log2, log10 and pow are expanded in f64 (Cephes' exp
and log, within an ulp of numpy's); other f64 math is left to fail in gpu-to-nvvm, naming
the op.

| op | how | error (f32, against numpy, tests/targets/cuda/test_expand_gpu_math.py) |
|---|---|---|
| log | Cephes' logf: x = m 2^e, m in [sqrt(1/2), sqrt(2)), a polynomial of m - 1 | 2 ulp |
| log2, log10 | log times a constant | 3 ulp |
| tanh | Cephes' tanhf: an odd polynomial below 0.625, 1 - 2 / (exp(2x) + 1) above | 3 ulp |
| erf | Eigen's rational x P(x^2) / Q(x^2) on [-4, 4], ±1 beyond | 5e-7 absolute and relative |
| exp2 | exp(x ln 2) | 2 ulp near 0, 5e-6 relative at 100 |
| powf | products by repeated squaring for integral y, |y| < 128 (exact where the result is); else exp(y log x); 1 where y = 0 or x = 1 | 3e-6 relative for |y log x| < 10 (f64: 2e-15) |
| sin, cos | Cephes' sinf, cosf: reduced by pi/4 in three parts, a polynomial per octant | 2 ulp for |x| < 4, 1e-7 absolute below 8192 |
| log1p | Goldberg's log(1 + x) x / ((1 + x) - 1) | 3 ulp |
| expm1 | Kahan's (e^x - 1) x / log(e^x) below 1/2, e^x - 1 above | 3 ulp |

Each special value keeps its IEEE result (log of 0, a negative, inf and NaN; tanh, erf, sin,
cos, log1p and expm1 of ±0, ±inf and NaN).

    %y = math.log %x : f32   ->   ... arith.bitcast, arith.shrui, a polynomial, arith.select ...
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, math
from xdsl.dialects.builtin import (
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    f32,
    f64,
    i32,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.dialects import arith_extra

LN2 = 0.693147180559945309
LOG2E = 1.44269504088896341
LOG10E = 0.434294481903251828
SQRT_HALF = 0.707106781186547524
SMALLEST_NORMAL = 1.17549435e-38
# Cephes' logf: log(1 + x) = x - x^2/2 + x^3 P(x) for x in [sqrt(1/2) - 1, sqrt(2) - 1].
LOG_POLYNOMIAL = (
    7.0376836292e-2,
    -1.1514610310e-1,
    1.1676998740e-1,
    -1.2420140846e-1,
    1.4249322787e-1,
    -1.6668057665e-1,
    2.0000714765e-1,
    -2.4999993993e-1,
    3.3333331174e-1,
)
# Cephes' tanhf below 0.625: x + x^3 P(x^2).
TANH_POLYNOMIAL = (
    -5.70498872745e-3,
    2.06390887954e-2,
    -5.37397155531e-2,
    1.33314422036e-1,
    -3.33332819422e-1,
)
# Eigen's erf: x P(x^2) / Q(x^2), coefficients highest power first.
ERF_NUMERATOR = (
    -2.72614225801306e-10,
    2.77068142495902e-08,
    -2.10102402082508e-06,
    -5.69250639462346e-05,
    -7.34990630326855e-04,
    -2.95459980854025e-03,
    -1.60960333262415e-02,
)
ERF_DENOMINATOR = (
    -1.45660718464996e-05,
    -2.13374055278905e-04,
    -1.68282697438203e-03,
    -7.37332916720468e-03,
    -1.42647390514189e-02,
)

# Cephes' sinf and cosf on [-pi/4, pi/4]: z + z^3 P(z^2) and 1 - z^2/2 + z^4 Q(z^2); pi/4
# in three parts, each product with a multiple of pi/4 below 8192 exact or nearly so.
FOUR_OVER_PI = 1.27323954473516268615
PI_OVER_FOUR_PARTS = (0.78515625, 2.4187564849853515625e-4, 3.77489497744594108e-8)
SINE_POLYNOMIAL = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)
COSINE_POLYNOMIAL = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)

# Powers with an integral exponent below 2^SQUARINGS in magnitude are products.
SQUARINGS = 7
# Cephes' exp and log in f64.
SMALLEST_NORMAL_DOUBLE = 2.2250738585072014e-308
EXP_DOUBLE_LIMITS = (-745.1332191019412, 709.782712893384)
LN2_DOUBLE_PARTS = (6.93145751953125e-1, 1.42860682030941723212e-6)
EXP_DOUBLE_NUMERATOR = (
    1.26177193074810590878e-4,
    3.02994407707441961300e-2,
    9.99999999999999999910e-1,
)
EXP_DOUBLE_DENOMINATOR = (
    3.00198505138664455042e-6,
    2.52448340349684104192e-3,
    2.27265548208155028766e-1,
    2.00000000000000000009e0,
)
LOG_DOUBLE_NUMERATOR = (
    1.01875663804580931796e-4,
    4.97494994976747001425e-1,
    4.70579119878881725854e0,
    1.44989225341610930846e1,
    1.79368678507819816313e1,
    7.70838733755885391666e0,
)
LOG_DOUBLE_DENOMINATOR = (  # after a leading 1
    1.12873587189167450590e1,
    4.52279145837532221105e1,
    8.29875266912776603211e1,
    7.11544750618563894466e1,
    2.31251620126765340583e1,
)
DOUBLE = (math.ExpOp, math.LogOp, math.Log2Op, math.Log10Op, math.PowFOp)

EXPANDED = (
    math.LogOp,
    math.Log2Op,
    math.Log10Op,
    math.TanhOp,
    math.ErfOp,
    math.Exp2Op,
    math.SinOp,
    math.CosOp,
    math.Log1pOp,
    math.ExpM1Op,
)


@dataclass(frozen=True)
class ExpandGpuMath(ModulePass):
    """Expand log, tanh, erf, exp2, pow, sin, cos, log1p and expm1 into arithmetic (and
    math.exp) for the GPU."""

    name = "expand-gpu-math"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for found in [o for o in op.walk() if isinstance(o, (*EXPANDED, math.PowFOp, math.ExpOp))]:
            type = found.results[0].type
            if isinstance(type, Float16Type):
                in_f32(found)
            elif isinstance(type, Float32Type) and not isinstance(found, math.ExpOp):
                expand(found)
            elif isinstance(type, Float64Type) and isinstance(found, DOUBLE):
                expand_double(found)


class Builder:
    """Inserts arithmetic before one op."""

    def __init__(self, op: Operation, type: Float32Type | Float64Type = f32):
        self.at = InsertPoint.before(op)
        self.type = type  # of the floats it makes, and integers as wide (their bits)
        self.bits = i32 if isinstance(type, Float32Type) else i64

    def add(self, op: Operation) -> SSAValue:
        Rewriter.insert_op(op, self.at)
        return op.results[0]

    def float(self, value: float) -> SSAValue:
        return self.add(arith.ConstantOp(FloatAttr(value, self.type)))

    def integer(self, value: int) -> SSAValue:
        return self.add(arith.ConstantOp(IntegerAttr(value, self.bits)))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.MulfOp(a, b))

    def plus(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.AddfOp(a, b))

    def compare(self, a: SSAValue, b: SSAValue, predicate: str) -> SSAValue:
        return self.add(arith_extra.CmpfOp(a, b, predicate))

    def select(self, condition: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith_extra.SelectOp(condition, a, b))

    def polynomial(self, x: SSAValue, coefficients: tuple[float, ...]) -> SSAValue:
        """Horner's rule, the coefficients highest power first."""
        result = self.float(coefficients[0])
        for coefficient in coefficients[1:]:
            result = self.plus(self.mul(result, x), self.float(coefficient))
        return result


def in_f32(op: Operation) -> None:
    """An f16 op computed in f32 (then expanded, where it is not an exp)."""
    at = InsertPoint.before(op)
    wide = [arith.ExtFOp(operand, f32) for operand in op.operands]
    Rewriter.insert_op(wide, at)
    computed = type(op).create(
        operands=[w.result for w in wide], result_types=[f32], properties=dict(op.properties)
    )
    narrow = arith.TruncFOp(computed.results[0], op.results[0].type)
    Rewriter.insert_op([computed, narrow], at)
    op.results[0].replace_all_uses_with(narrow.result)
    Rewriter.erase_op(op)
    if not isinstance(computed, math.ExpOp):
        expand(computed)


def expand(op: Operation) -> None:
    b = Builder(op)
    x = op.operands[0]
    if isinstance(op, math.LogOp):
        result = log(b, x)
    elif isinstance(op, math.Log2Op):
        result = b.mul(log(b, x), b.float(LOG2E))
    elif isinstance(op, math.Log10Op):
        result = b.mul(log(b, x), b.float(LOG10E))
    elif isinstance(op, math.TanhOp):
        result = tanh(b, x)
    elif isinstance(op, math.ErfOp):
        result = erf(b, x)
    elif isinstance(op, math.Exp2Op):
        result = b.add(math.ExpOp(b.mul(x, b.float(LN2))))
    elif isinstance(op, math.SinOp | math.CosOp):
        result = sine_or_cosine(b, x, cosine=isinstance(op, math.CosOp))
    elif isinstance(op, math.Log1pOp):
        result = log1p(b, x)
    elif isinstance(op, math.ExpM1Op):
        result = expm1(b, x)
    else:
        assert isinstance(op, math.PowFOp)
        result = power(b, x, op.operands[1])
    op.results[0].replace_all_uses_with(result)
    Rewriter.erase_op(op)


def log(b: Builder, x: SSAValue) -> SSAValue:
    # Subnormals scaled into the normals first: x 2^23, and 23 off the exponent.
    subnormal = b.compare(x, b.float(SMALLEST_NORMAL), "olt")
    scaled = b.select(subnormal, b.mul(x, b.float(2.0**23)), x)
    bits = b.add(arith.BitcastOp(scaled, i32))
    biased = b.add(arith.ShRUIOp(bits, b.integer(23)))
    exponent = b.add(arith.SubiOp(biased, b.integer(126)))
    exponent = b.add(arith.SubiOp(exponent, b.select(subnormal, b.integer(23), b.integer(0))))
    # The mantissa as a number in [0.5, 1).
    fraction = b.add(arith.AndIOp(bits, b.integer(0x007FFFFF)))
    m = b.add(arith.BitcastOp(b.add(arith.OrIOp(fraction, b.integer(0x3F000000))), f32))
    small = b.compare(m, b.float(SQRT_HALF), "olt")
    e = b.add(arith_extra.SIToFPOp(exponent, f32))
    e = b.select(small, b.plus(e, b.float(-1.0)), e)
    m = b.select(small, b.plus(m, m), m)
    t = b.plus(m, b.float(-1.0))
    z = b.mul(t, t)
    y = b.mul(b.mul(t, z), b.polynomial(t, LOG_POLYNOMIAL))
    y = b.plus(y, b.mul(e, b.float(-2.12194440e-4)))
    y = b.plus(y, b.mul(z, b.float(-0.5)))
    result = b.plus(b.plus(t, y), b.mul(e, b.float(0.693359375)))
    # log(0) = -inf, log(inf) = inf, log of a negative or NaN = NaN.
    result = b.select(b.compare(x, b.float(0.0), "oeq"), b.float(float("-inf")), result)
    result = b.select(b.compare(x, b.float(float("inf")), "oeq"), x, result)
    return b.select(b.compare(x, b.float(0.0), "oge"), result, b.float(float("nan")))


def tanh(b: Builder, x: SSAValue) -> SSAValue:
    z = b.add(math.AbsFOp(x))
    # Above 0.625: 1 - 2 / (exp(2z) + 1), which goes to 1 (exp overflows to inf), not NaN.
    e = b.add(math.ExpOp(b.plus(z, z)))
    large = b.plus(b.float(1.0), b.add(arith.DivfOp(b.float(-2.0), b.plus(e, b.float(1.0)))))
    large = b.add(math.CopySignOp(large, x))
    s = b.mul(x, x)
    small = b.plus(b.mul(b.mul(b.polynomial(s, TANH_POLYNOMIAL), s), x), x)
    small = b.select(b.compare(x, b.float(0.0), "oeq"), x, small)  # tanh(-0) = -0
    return b.select(b.compare(z, b.float(0.625), "oge"), large, small)


def erf(b: Builder, x: SSAValue) -> SSAValue:
    clamped = b.add(arith.MinimumfOp(b.add(arith.MaximumfOp(x, b.float(-4.0))), b.float(4.0)))
    square = b.mul(clamped, clamped)
    numerator = b.mul(b.polynomial(square, ERF_NUMERATOR), clamped)
    return b.add(arith.DivfOp(numerator, b.polynomial(square, ERF_DENOMINATOR)))


def power(b: Builder, x: SSAValue, y: SSAValue) -> SSAValue:
    """x^y: by repeated squaring for integral y below 128 in magnitude (exact where the
    result is: ONNX Pow of integers, computed in f64), else exp(y log x)."""
    double = isinstance(b.type, Float64Type)
    logarithm = (log_double if double else log)(b, x)
    general = (
        exp_double(b, b.mul(y, logarithm)) if double else b.add(math.ExpOp(b.mul(y, logarithm)))
    )
    magnitude = b.add(math.AbsFOp(y))
    integral = b.add(
        arith.AndIOp(
            b.compare(b.add(math.TruncOp(y)), y, "oeq"),
            b.compare(magnitude, b.float(2.0**SQUARINGS), "olt"),
        )
    )
    count = b.add(arith_extra.FPToSIOp(b.select(integral, magnitude, b.float(0.0)), b.bits))
    product, square = b.float(1.0), x
    for k in range(SQUARINGS):
        bit = b.add(arith.AndIOp(b.add(arith.ShRUIOp(count, b.integer(k))), b.integer(1)))
        taken = b.add(arith_extra.CmpiOp(bit, b.integer(0), "ne"))
        product = b.select(taken, b.mul(product, square), product)
        square = b.mul(square, square)
    inverse = b.add(arith.DivfOp(b.float(1.0), product))
    exact = b.select(b.compare(y, b.float(0.0), "olt"), inverse, product)
    result = b.select(integral, exact, general)
    one = b.float(1.0)
    trivial = b.add(arith.OrIOp(b.compare(y, b.float(0.0), "oeq"), b.compare(x, one, "oeq")))
    return b.select(trivial, one, result)


def expand_double(op: Operation) -> None:
    """An f64 exp, log, log2, log10 or pow as arithmetic in f64."""
    b = Builder(op, f64)
    x = op.operands[0]
    if isinstance(op, math.ExpOp):
        result = exp_double(b, x)
    elif isinstance(op, math.LogOp):
        result = log_double(b, x)
    elif isinstance(op, math.Log2Op):
        result = b.mul(log_double(b, x), b.float(LOG2E))
    elif isinstance(op, math.Log10Op):
        result = b.mul(log_double(b, x), b.float(LOG10E))
    else:
        assert isinstance(op, math.PowFOp)
        result = power(b, x, op.operands[1])
    op.results[0].replace_all_uses_with(result)
    Rewriter.erase_op(op)


def exp_double(b: Builder, x: SSAValue) -> SSAValue:
    """Cephes' exp: x = n ln 2 + r (ln 2 in two parts), e^r = 1 + 2 r P(r^2) / (Q(r^2) -
    r P(r^2)), times 2^n in two halves (so that subnormal results come out)."""
    inside = b.add(
        arith.AndIOp(
            b.compare(x, b.float(EXP_DOUBLE_LIMITS[0]), "oge"),
            b.compare(x, b.float(EXP_DOUBLE_LIMITS[1]), "ole"),
        )
    )
    t = b.select(inside, x, b.float(0.0))  # NaN and the infinities would make n poison
    n = b.add(math.FloorOp(b.plus(b.mul(t, b.float(LOG2E)), b.float(0.5))))
    r = b.plus(
        b.plus(t, b.mul(n, b.float(-LN2_DOUBLE_PARTS[0]))), b.mul(n, b.float(-LN2_DOUBLE_PARTS[1]))
    )
    square = b.mul(r, r)
    p = b.mul(r, b.polynomial(square, EXP_DOUBLE_NUMERATOR))
    q = b.polynomial(square, EXP_DOUBLE_DENOMINATOR)
    quotient = b.add(arith.DivfOp(p, b.add(arith.SubfOp(q, p))))
    e = b.plus(b.float(1.0), b.plus(quotient, quotient))
    exponent = b.add(arith_extra.FPToSIOp(n, i64))
    half = b.add(arith.ShRSIOp(exponent, b.integer(1)))
    for part in (half, b.add(arith.SubiOp(exponent, half))):
        biased = b.add(arith.ShLIOp(b.add(arith.AddiOp(part, b.integer(1023))), b.integer(52)))
        e = b.mul(e, b.add(arith.BitcastOp(biased, f64)))
    # Beyond the limits: inf above, 0 below; NaN stays NaN.
    outside = b.select(b.compare(x, b.float(0.0), "ogt"), b.float(float("inf")), b.float(0.0))
    outside = b.select(b.compare(x, x, "uno"), x, outside)
    return b.select(inside, e, outside)


def log_double(b: Builder, x: SSAValue) -> SSAValue:
    """Cephes' log: x = m 2^e, m in [sqrt(1/2), sqrt(2)), log(m) = t - t^2/2 + t^3 P(t) / Q(t)
    for t = m - 1, plus e ln 2 in two parts."""
    subnormal = b.compare(x, b.float(SMALLEST_NORMAL_DOUBLE), "olt")
    scaled = b.select(subnormal, b.mul(x, b.float(2.0**54)), x)
    bits = b.add(arith.BitcastOp(scaled, i64))
    exponent = b.add(arith.SubiOp(b.add(arith.ShRUIOp(bits, b.integer(52))), b.integer(1022)))
    exponent = b.add(arith.SubiOp(exponent, b.select(subnormal, b.integer(54), b.integer(0))))
    fraction = b.add(arith.AndIOp(bits, b.integer(0x000FFFFFFFFFFFFF)))
    m = b.add(arith.BitcastOp(b.add(arith.OrIOp(fraction, b.integer(0x3FE0000000000000))), f64))
    small = b.compare(m, b.float(SQRT_HALF), "olt")
    e = b.add(arith_extra.SIToFPOp(exponent, f64))
    e = b.select(small, b.plus(e, b.float(-1.0)), e)
    t = b.plus(b.select(small, b.plus(m, m), m), b.float(-1.0))
    z = b.mul(t, t)
    ratio = b.add(
        arith.DivfOp(
            b.polynomial(t, LOG_DOUBLE_NUMERATOR), b.polynomial(t, (1.0, *LOG_DOUBLE_DENOMINATOR))
        )
    )
    y = b.mul(t, b.mul(z, ratio))
    y = b.plus(y, b.mul(e, b.float(-2.121944400546905827679e-4)))
    y = b.plus(y, b.mul(z, b.float(-0.5)))
    result = b.plus(b.plus(t, y), b.mul(e, b.float(0.693359375)))
    # log(0) = -inf, log(inf) = inf, log of a negative or NaN = NaN.
    result = b.select(b.compare(x, b.float(0.0), "oeq"), b.float(float("-inf")), result)
    result = b.select(b.compare(x, b.float(float("inf")), "oeq"), x, result)
    return b.select(b.compare(x, b.float(0.0), "oge"), result, b.float(float("nan")))


def sine_or_cosine(b: Builder, x: SSAValue, cosine: bool) -> SSAValue:
    """Cephes' sinf and cosf: |x| reduced by the multiple j of pi/4 nearest below (made even)
    in three parts, then a polynomial of sin or cos by j's octant; accurate for |x| < 8192."""
    z = b.add(math.AbsFOp(x))
    finite = b.compare(z, b.float(8388608.0), "olt")  # false for inf and NaN, ...
    octants = b.select(finite, b.add(math.FloorOp(b.mul(z, b.float(FOUR_OVER_PI)))), b.float(0.0))
    j = b.add(arith_extra.FPToSIOp(octants, i32))  # ... whose fptosi would be poison
    odd = b.add(arith.AndIOp(j, b.integer(1)))
    j = b.add(arith.AndIOp(b.add(arith.AddiOp(j, odd)), b.integer(7)))
    y = b.plus(octants, b.add(arith_extra.SIToFPOp(odd, f32)))
    for part in PI_OVER_FOUR_PARTS:
        z = b.plus(z, b.mul(y, b.float(-part)))
    square = b.mul(z, z)
    sine = b.plus(b.mul(b.mul(b.polynomial(square, SINE_POLYNOMIAL), square), z), z)
    cosine_ = b.plus(
        b.mul(b.mul(b.polynomial(square, COSINE_POLYNOMIAL), square), square),
        b.plus(b.mul(square, b.float(-0.5)), b.float(1.0)),
    )
    upper = b.add(arith_extra.CmpiOp(j, b.integer(3), "sgt"))  # octants 4 to 7: the negatives
    j = b.select(upper, b.add(arith.SubiOp(j, b.integer(4))), j)
    swapped = b.add(
        arith.OrIOp(  # octants 1 and 2: the other function's polynomial
            b.add(arith_extra.CmpiOp(j, b.integer(1), "eq")),
            b.add(arith_extra.CmpiOp(j, b.integer(2), "eq")),
        )
    )
    if cosine:
        result = b.select(swapped, sine, cosine_)
        negative = b.add(arith.XOrIOp(upper, b.add(arith_extra.CmpiOp(j, b.integer(1), "sgt"))))
    else:
        result = b.select(swapped, cosine_, sine)
        negative = b.add(arith.XOrIOp(upper, b.compare(x, b.float(0.0), "olt")))
    result = b.select(negative, b.add(arith.NegfOp(result)), result)
    if not cosine:  # sin keeps the sign of a zero
        result = b.select(b.compare(x, b.float(0.0), "oeq"), x, result)
    # sin and cos of inf and NaN are NaN.
    return b.select(finite, result, b.float(float("nan")))


def log1p(b: Builder, x: SSAValue) -> SSAValue:
    """Goldberg's log(u) x / (u - 1), u = 1 + x: exact where u rounds to 1, and the rounding
    of u cancels out otherwise."""
    u = b.plus(x, b.float(1.0))
    one = b.float(1.0)
    quotient = b.add(arith.DivfOp(x, b.plus(u, b.float(-1.0))))
    result = b.mul(log(b, u), quotient)
    result = b.select(b.compare(u, b.float(float("inf")), "oeq"), u, result)
    return b.select(b.compare(u, one, "oeq"), x, result)


def expm1(b: Builder, x: SSAValue) -> SSAValue:
    """Kahan's (u - 1) x / log(u), u = exp(x), below 1/2 in magnitude (x where u rounds to
    1); above, u - 1 loses nothing to the rounding of u."""
    u = b.add(math.ExpOp(x))
    less = b.plus(u, b.float(-1.0))
    kahan = b.add(arith.DivfOp(b.mul(less, x), log(b, u)))
    kahan = b.select(b.compare(u, b.float(1.0), "oeq"), x, kahan)
    small = b.compare(b.add(math.AbsFOp(x)), b.float(0.5), "olt")
    return b.select(small, kahan, less)
