"""Arithmetic on one element of any graph element type. At the te level integers are
signless, as in MLIR: only the op says how it reads them (divsi or divui, cmpi slt or ult,
extsi or extui). Each function here picks the `arith` op from the graph-level type of its
operands (f16 to f64, i1, signed i8 to i64, unsigned ui8 to ui64), which the values built
in a body still carry until graph-to-te makes every type signless (`signless.py`).

    quotient = divide(b, x, y)   # divf, divsi or divui, never a division by zero
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import (
    Float16Type,
    Float64Type,
    IntegerAttr,
    IntegerType,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, SSAValue

from ziggurat.dialects import arith_extra, graph
from ziggurat.passes.conversion.graph_to_te.body import Body, element_attr


def kind(value: SSAValue | Attribute) -> str | None:
    """FLOAT, BOOL, SIGNED or UNSIGNED (graph.element_kind) of a value or a type."""
    return graph.element_kind(value.type if isinstance(value, SSAValue) else value)


def is_float(value: SSAValue | Attribute) -> bool:
    return kind(value) == graph.FLOAT


def unsigned(value: SSAValue | Attribute) -> bool:
    """Whether integers of this type compare and extend as unsigned (i1 too: true is 1)."""
    return kind(value) in (graph.UNSIGNED, graph.BOOL)


def constant(b: Body, value: float, like: SSAValue | Attribute) -> SSAValue:
    """`value` as an element of the type of `like`."""
    element = like.type if isinstance(like, SSAValue) else like
    return b.emit(arith.ConstantOp(element_attr(value, element)))


def all_ones(b: Body, like: SSAValue) -> SSAValue:
    """The integer of the type of `like` whose bits are all set (true for i1)."""
    width = like.type.width.data  # type: ignore[attr-defined]
    return constant(b, 2**width - 1 if unsigned(like) else -1, like)


def add(b: Body, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.AddfOp(x, y) if is_float(x) else arith.AddiOp(x, y))


def subtract(b: Body, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.SubfOp(x, y) if is_float(x) else arith.SubiOp(x, y))


def multiply(b: Body, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.MulfOp(x, y) if is_float(x) else arith.MuliOp(x, y))


def maximum(b: Body, x: SSAValue, y: SSAValue) -> SSAValue:
    """The larger; NaN if either is NaN."""
    if is_float(x):
        return b.emit(arith.MaximumfOp(x, y))
    return b.emit(arith.MaxUIOp(x, y) if unsigned(x) else arith.MaxSIOp(x, y))


def minimum(b: Body, x: SSAValue, y: SSAValue) -> SSAValue:
    """The smaller; NaN if either is NaN."""
    if is_float(x):
        return b.emit(arith.MinimumfOp(x, y))
    return b.emit(arith.MinUIOp(x, y) if unsigned(x) else arith.MinSIOp(x, y))


FLOAT_PREDICATES = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}


def compare(b: Body, predicate: str, x: SSAValue, y: SSAValue) -> SSAValue:
    """x (eq, ne, lt, le, gt or ge) y as an i1; floats as numpy compares them (only ne
    holds for NaN), integers as their signedness says."""
    if is_float(x):
        return b.emit(arith_extra.CmpfOp(x, y, FLOAT_PREDICATES[predicate]))
    if predicate not in ("eq", "ne"):
        predicate = ("u" if unsigned(x) else "s") + predicate
    return b.emit(arith_extra.CmpiOp(x, y, predicate))


def negate(b: Body, x: SSAValue) -> SSAValue:
    if is_float(x):
        return b.emit(arith.NegfOp(x))
    return b.emit(arith.SubiOp(constant(b, 0, x), x))


def absolute(b: Body, x: SSAValue) -> SSAValue:
    """|x|; an unsigned integer is its own, the most negative signed one wraps to itself."""
    if is_float(x):
        return b.emit(math_dialect.AbsFOp(x))
    return x if unsigned(x) else b.emit(math_dialect.AbsIOp(x))


def safe_divisor(b: Body, y: SSAValue) -> tuple[SSAValue, SSAValue, SSAValue | None]:
    """The divisor with 0 (and for signed integers -1) replaced by 1, whether it was 0, and
    whether it was -1 (None for unsigned): a CPU traps dividing by 0 and the most negative
    integer by -1, which numpy answers with 0 and a wrapped negation."""
    zero = compare(b, "eq", y, constant(b, 0, y))
    one = constant(b, 1, y)
    if unsigned(y):
        return b.select(zero, one, y), zero, None
    minus_one = compare(b, "eq", y, constant(b, -1, y))
    either = b.emit(arith.OrIOp(zero, minus_one))
    return b.select(either, one, y), zero, minus_one


def divide(b: Body, x: SSAValue, y: SSAValue) -> SSAValue:
    """x / y; integers truncate toward zero (C's and ONNX's), and x / 0 is 0 (numpy's)."""
    if is_float(x):
        return b.emit(arith.DivfOp(x, y))
    divisor, zero, minus_one = safe_divisor(b, y)
    if minus_one is None:
        quotient = b.emit(arith.DivUIOp(x, divisor))
    else:
        quotient = b.emit(arith.DivSIOp(x, divisor))
        quotient = b.select(minus_one, negate(b, x), quotient)
    return b.select(zero, constant(b, 0, x), quotient)


def remainder(b: Body, x: SSAValue, y: SSAValue, floor: bool) -> SSAValue:
    """x mod y with the sign of y (`floor`: numpy.mod, Python's %) or of x (C's fmod);
    an integer mod 0 is 0 (numpy's)."""
    if is_float(x):
        rest = b.emit(arith_extra.RemFOp(x, y))
    elif unsigned(x):
        return b.emit(arith.RemUIOp(x, safe_divisor(b, y)[0]))
    else:
        rest = b.emit(arith.RemSIOp(x, safe_divisor(b, y)[0]))
    if not floor:
        return rest
    zero = constant(b, 0, x)
    signs_differ = b.emit(arith.XOrIOp(compare(b, "lt", rest, zero), compare(b, "lt", y, zero)))
    adjust = b.all([compare(b, "ne", rest, zero), signs_differ])
    return b.select(adjust, add(b, rest, y), rest)


def convert(b: Body, value: SSAValue, target: Attribute) -> SSAValue:
    """`value` converted to the element type `target` as numpy's astype converts: i1 is
    `x != 0`, integers wrap, floats become integers by truncation toward zero (wrapping
    into types narrower than 64 bits, through i32 or i64, as x86's conversions do)."""
    source = value.type
    if source == target:
        return value
    if target == IntegerType(1):
        return compare(b, "ne", value, constant(b, 0, value))  # NaN is true, as in numpy
    if isinstance(source, IntegerType) and isinstance(target, IntegerType):
        if source.width.data == target.width.data:
            return b.emit(arith.BitcastOp(value, target))  # signedness only: the same bits
        if source.width.data > target.width.data:
            return b.emit(arith_extra.TruncIOp(value, target))
        if unsigned(source):
            return b.emit(arith_extra.ExtUIOp(value, target))
        return b.emit(arith_extra.ExtSIOp(value, target))
    if isinstance(source, IntegerType):
        if unsigned(source):
            return b.emit(arith_extra.UIToFPOp(value, target))  # type: ignore[arg-type]
        return b.emit(arith_extra.SIToFPOp(value, target))  # type: ignore[arg-type]
    if isinstance(target, IntegerType):
        width = target.width.data
        if unsigned(target) and width == 64:
            return b.emit(arith_extra.FPToUIOp(value, target))
        if width == 64 or (width == 32 and not unsigned(target)):
            return b.emit(arith_extra.FPToSIOp(value, target))
        wide = b.emit(arith_extra.FPToSIOp(value, i64 if unsigned(target) else i32))
        return b.emit(arith_extra.TruncIOp(wide, target))
    return convert_float(b, value, target)


def convert_float(b: Body, value: SSAValue, target: Attribute) -> SSAValue:
    """Between float types: widen exactly, or round to nearest (once, from f64 to f16)."""
    source = value.type
    if source.bitwidth < target.bitwidth:  # type: ignore[attr-defined]
        return b.emit(arith.ExtFOp(value, target))
    if isinstance(source, Float64Type) and isinstance(target, Float16Type):
        value = round_to_odd_f32(b, value)
    return b.emit(arith.TruncFOp(value, target))


def round_to_odd_f32(b: Body, value: SSAValue) -> SSAValue:
    """An f64 as the f32 nearest it toward zero with its last bit set when inexact, so
    that rounding it to f16 rounds the f64 once. CPUs have no f64 -> f16 instruction and
    the JIT has no `__truncdfhf2`; through a plain f32 a value just past an f16 tie would
    round twice, onto the tie and then to even."""
    nearest = b.emit(arith.TruncFOp(value, f32))
    back = b.emit(arith.ExtFOp(nearest, value.type))
    inexact = b.emit(arith_extra.CmpfOp(back, value, "one"))
    magnitudes = (b.emit(math_dialect.AbsFOp(v)) for v in (back, value))
    away = b.all([inexact, b.emit(arith_extra.CmpfOp(*magnitudes, "ogt"))])
    bits = b.emit(arith.BitcastOp(nearest, i32))
    one = b.emit(arith.ConstantOp(IntegerAttr(1, i32)))
    bits = b.select(away, b.emit(arith.SubiOp(bits, one)), bits)
    bits = b.select(inexact, b.emit(arith.OrIOp(bits, one)), bits)
    return b.emit(arith.BitcastOp(bits, f32))
