"""Affine forms and value ranges of index arithmetic.

`linear` writes an index as `Σ coefficient * atom + constant`, the atoms being the values
arithmetic does not explain (loop ivs, quotients, loads, ...). The range analysis bounds
what a value takes, over all iterations or over one iteration of a given loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, scf
from xdsl.ir import Block, SSAValue

from ziggurat.analysis.payload import Bounds, constant_int, defined_in, is_pure, iv, optional_bounds
from ziggurat.dialects import arith_extra

Ranges = dict[SSAValue, Bounds]


Linear = tuple[dict[SSAValue, int], int]
"""Σ coefficient * atom + constant, the atoms being SSA values arithmetic does not explain."""


def linear(value: SSAValue) -> Linear:
    constant = constant_int(value)
    if constant is not None:
        return {}, constant
    op = value.owner
    if isinstance(op, arith.AddiOp | arith.SubiOp):
        (left, a), (right, b) = linear(op.lhs), linear(op.rhs)
        sign = 1 if isinstance(op, arith.AddiOp) else -1
        terms = dict(left)
        for atom, coefficient in right.items():
            terms[atom] = terms.get(atom, 0) + sign * coefficient
        return {k: v for k, v in terms.items() if v}, a + sign * b
    if isinstance(op, arith.MuliOp):
        for factor, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            scale = constant_int(factor)
            if scale is not None:
                terms, constant = linear(other)
                return {k: v * scale for k, v in terms.items() if v * scale}, constant * scale
    if isinstance(op, arith_extra.IndexCastOp):
        return linear(op.input)
    return {value: 1}, 0


Below = Sequence[tuple[dict[SSAValue, int], int]]
"""Linear forms known to stay below a bound (`Σ coefficient * atom < bound`), from guards."""


def range_of(
    terms: dict[SSAValue, int], ranges: Ranges | None = None, below: Below = ()
) -> tuple[int, int] | None:
    """The least and greatest value of `Σ coefficient * atom` over the loops around."""
    low = high = 0
    for atom, coefficient in terms.items():
        atom_range = range_of_atom(atom, ranges or {}, below)
        if atom_range is None:
            return None
        values = (coefficient * atom_range[0], coefficient * atom_range[1])
        low, high = low + min(values), high + max(values)
    for guarded, bound in below:
        # A multiple of a guarded form is bounded by that multiple of the bound.
        first = next(iter(guarded), None)
        if first not in terms or terms[first] % guarded[first]:
            continue
        scale = terms[first] // guarded[first]
        if scale <= 0 or any(terms.get(a) != scale * c for a, c in guarded.items()):
            continue
        part = range_of(guarded, ranges)
        rest = range_of({a: c for a, c in terms.items() if a not in guarded}, ranges, below)
        if part is not None and rest is not None:
            high = min(high, scale * min(part[1], bound - 1) + rest[1])
    return low, high


def range_of_value(
    value: SSAValue, ranges: Ranges | None = None, below: Below = ()
) -> tuple[int, int] | None:
    terms, constant = linear(value)
    if list(terms) == [value]:
        found = range_of_atom(value, ranges or {}, below)
    else:
        found = range_of(terms, ranges, below)
    return None if found is None else (found[0] + constant, found[1] + constant)


def range_of_atom(atom: SSAValue, ranges: Ranges, below: Below) -> tuple[int, int] | None:
    """An iv's range, or that of a quotient or remainder of an index by a constant."""
    if atom in ranges:
        return ranges[atom].lower, ranges[atom].last
    owner = atom.owner
    if isinstance(owner, Block):
        loop = owner.parent_op()
        b = optional_bounds(loop) if isinstance(loop, scf.ForOp) else None
        return None if b is None or atom is not iv(loop) else (b.lower, b.last)  # type: ignore[arg-type]
    if isinstance(owner, arith.DivUIOp | arith.RemUIOp):
        divisor = constant_int(owner.rhs)
        dividend = range_of_value(owner.lhs, ranges, below)
        if divisor is None or divisor <= 0 or dividend is None or dividend[0] < 0:
            return None
        if isinstance(owner, arith.DivUIOp):
            return dividend[0] // divisor, dividend[1] // divisor
        return 0, min(divisor - 1, dividend[1])
    return None


@dataclass(frozen=True)
class Interval:
    """`Σ coefficient * atom + [low, high]`, the atoms fixed for one iteration of a loop."""

    terms: frozenset[tuple[SSAValue, int]]
    low: int
    high: int


def interval(value: SSAValue, loop: scf.ForOp) -> Interval | None:
    """The values `value` takes in one iteration of `loop`, or None if unknown."""
    if not defined_in(value, loop) or value is iv(loop):
        terms, constant = linear(value)
        return Interval(frozenset(terms.items()), constant, constant)
    constant = constant_int(value)
    if constant is not None:
        return Interval(frozenset(), constant, constant)
    op = value.owner
    if isinstance(op, Block):
        owner = op.parent_op()
        if isinstance(owner, scf.ForOp) and value is iv(owner):
            b = optional_bounds(owner)
            return None if b is None else Interval(frozenset(), b.lower, b.last)
        return None
    operands = [interval(v, loop) for v in op.operands]
    if isinstance(op, arith_extra.IndexCastOp):
        return operands[0]
    if None in operands:
        return None
    linear_op = isinstance(op, arith.AddiOp | arith.SubiOp | arith.MuliOp)
    if not linear_op and is_pure(op) and all(o.low == o.high for o in operands):  # type: ignore[union-attr]
        # Fixed in one iteration, like the quotient of a fused loop's iv: itself an atom,
        # rebuilt where the box is computed.
        return Interval(frozenset({(value, 1)}), 0, 0)
    if isinstance(op, arith.AddiOp | arith.SubiOp):
        a, b = operands
        assert a is not None and b is not None
        sign = 1 if isinstance(op, arith.AddiOp) else -1
        terms = dict(a.terms)
        for atom, coefficient in b.terms:
            terms[atom] = terms.get(atom, 0) + sign * coefficient
        low, high = (
            (a.low + b.low, a.high + b.high) if sign > 0 else (a.low - b.high, a.high - b.low)
        )
        return Interval(frozenset((k, v) for k, v in terms.items() if v), low, high)
    if isinstance(op, arith.MuliOp):
        for factor, other in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            scale = constant_int(factor)
            part = interval(other, loop)
            if scale is not None and part is not None:
                low, high = sorted((part.low * scale, part.high * scale))
                terms = frozenset((k, v * scale) for k, v in part.terms if v * scale)
                return Interval(terms, low, high)
        return None
    a = operands[0]
    divisor = constant_int(op.operands[1]) if len(op.operands) == 2 else None
    if isinstance(op, arith.DivUIOp | arith.DivSIOp | arith.FloorDivSIOp):
        if a is None or a.terms or divisor is None or divisor <= 0 or a.low < 0:
            return None
        return Interval(frozenset(), a.low // divisor, a.high // divisor)
    if isinstance(op, arith.RemUIOp | arith.RemSIOp):
        if divisor is None or divisor <= 0:
            return None
        if a is not None and not a.terms and 0 <= a.low and a.high < divisor:
            return a
        return Interval(frozenset(), 0, divisor - 1)
    if isinstance(op, arith.MinSIOp | arith.MinUIOp | arith.MaxSIOp | arith.MaxUIOp):
        a, b = operands
        assert a is not None and b is not None
        if a.terms != b.terms:
            return None
        pick = min if isinstance(op, arith.MinSIOp | arith.MinUIOp) else max
        return Interval(a.terms, pick(a.low, b.low), pick(a.high, b.high))
    if isinstance(op, arith_extra.SelectOp):
        _, a, b = operands
        assert a is not None and b is not None
        if a.terms != b.terms:
            return None
        return Interval(a.terms, min(a.low, b.low), max(a.high, b.high))
    return None
