"""Affine forms and value ranges of index arithmetic: one range analysis for every question.

`linear` writes an index as `Σ coefficient * atom + constant`, the atoms being the values
arithmetic does not explain (ivs, quotients, clamps, loads, ...). `interval` bounds the
values an index takes, as `Σ coefficient * atom + [low, high]`: over all iterations (no
atoms left), or over one iteration of a given loop, where what that iteration fixes (the
values defined outside the loop, its iv, and pure ops on those, like the quotient of a
fused loop's iv) stays symbolic and only the loops inside it vary. An atom's range comes
from its loop's bounds, or from the ranges of its operands through quotient, remainder,
minimum, maximum and select; the guards around an access (`scf.if x < n`) tighten the
ranges over all iterations. The dependence test, the boxes of buffers and fuse's quotients
and remainders all ask this one analysis. It offers `Linear`, `linear`, `Guards`,
`Interval`, `interval` and `form_interval`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, scf
from xdsl.ir import Block, Operation, SSAValue

from ziggurat.analysis.payload import constant_int, defined_in, is_pure, iv, optional_bounds
from ziggurat.dialects import arith_extra

Linear = tuple[dict[SSAValue, int], int]
"""Σ coefficient * atom + constant, the atoms being SSA values arithmetic does not explain."""


def linear(value: SSAValue) -> Linear:
    """`value` as a linear form over the atoms additions, subtractions, multiplications by
    constants and index casts are made of."""
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


Guards = Sequence[tuple[dict[SSAValue, int], int]]
"""Linear forms the guards around an access keep below a bound: `Σ coefficient * atom < bound`."""


@dataclass
class Interval:
    """`Σ coefficient * atom + [low, high]`, the atoms fixed for one iteration of a loop."""

    terms: dict[SSAValue, int]
    low: int
    high: int

    def scaled(self, factor: int) -> Interval:
        low, high = sorted((self.low * factor, self.high * factor))
        terms = {a: c * factor for a, c in self.terms.items() if c * factor}
        return Interval(terms, low, high)

    def plus(self, other: Interval) -> Interval:
        terms = dict(self.terms)
        for atom, coefficient in other.terms.items():
            terms[atom] = terms.get(atom, 0) + coefficient
        terms = {a: c for a, c in terms.items() if c}
        return Interval(terms, self.low + other.low, self.high + other.high)


def interval(
    value: SSAValue, loop: scf.ForOp | None = None, guards: Guards = ()
) -> Interval | None:
    """The values `value` takes in one iteration of `loop` (in all iterations if None,
    within `guards`), or None if unknown."""
    terms, constant = linear(value)
    found = form_interval(terms, loop, guards)
    return None if found is None else found.plus(Interval({}, constant, constant))


def form_interval(
    terms: dict[SSAValue, int], loop: scf.ForOp | None = None, guards: Guards = ()
) -> Interval | None:
    """The values of `Σ coefficient * atom` in one iteration of `loop` (in all iterations
    if None, within `guards`), or None if unknown."""
    total = Interval({}, 0, 0)
    for atom, coefficient in terms.items():
        part = atom_interval(atom, loop, guards)
        if part is None:
            return None
        total = total.plus(part.scaled(coefficient))
    for guarded, bound in guards:
        # A multiple of a guarded form is bounded by that multiple of the bound.
        first = next(iter(guarded), None)
        if first not in terms or terms[first] % guarded[first]:
            continue
        scale = terms[first] // guarded[first]
        if scale <= 0 or any(terms.get(a) != scale * c for a, c in guarded.items()):
            continue
        part = form_interval(guarded, loop)
        rest = form_interval({a: c for a, c in terms.items() if a not in guarded}, loop, guards)
        if part is not None and rest is not None:
            total.high = min(total.high, scale * min(part.high, bound - 1) + rest.high)
    return total


def atom_interval(atom: SSAValue, loop: scf.ForOp | None, guards: Guards) -> Interval | None:
    """An atom fixed in one iteration of `loop` (itself), an iv (its loop's bounds), or a
    pure op on indices of known ranges."""
    if loop is not None and (not defined_in(atom, loop) or atom is iv(loop)):
        return Interval({atom: 1}, 0, 0)
    op = atom.owner
    if isinstance(op, Block):
        holder = op.parent_op()
        if not isinstance(holder, scf.ForOp) or atom is not iv(holder):
            return None
        b = optional_bounds(holder)
        return None if b is None else Interval({}, b.lower, b.last)
    if not is_pure(op):
        return None
    operands = [interval(v, loop, guards) for v in op.operands]
    if None in operands:
        return None
    if loop is not None and all(o.low == o.high for o in operands):  # type: ignore[union-attr]
        # Fixed in one iteration, like the quotient of a fused loop's iv: itself an atom,
        # rebuilt where a box is computed.
        return Interval({atom: 1}, 0, 0)
    return combined(op, operands)  # type: ignore[arg-type]


def combined(op: Operation, operands: list[Interval]) -> Interval | None:
    """The values of a quotient, remainder, minimum, maximum or select of `operands`."""
    if isinstance(op, arith_extra.SelectOp):
        _, a, b = operands
        if a.terms != b.terms:
            return None
        return Interval(dict(a.terms), min(a.low, b.low), max(a.high, b.high))
    if isinstance(op, arith.MinSIOp | arith.MaxSIOp | arith.MinUIOp | arith.MaxUIOp):
        a, b = operands
        unsigned = isinstance(op, arith.MinUIOp | arith.MaxUIOp)
        if a.terms != b.terms or (unsigned and (a.terms or min(a.low, b.low) < 0)):
            return None
        pick = min if isinstance(op, arith.MinSIOp | arith.MinUIOp) else max
        return Interval(dict(a.terms), pick(a.low, b.low), pick(a.high, b.high))
    divisor = constant_int(op.operands[1]) if len(op.operands) == 2 else None
    if divisor is None or divisor <= 0:
        return None
    a = operands[0]
    known = not a.terms and a.low >= 0
    if isinstance(op, arith.DivUIOp | arith.DivSIOp | arith.FloorDivSIOp):
        return Interval({}, a.low // divisor, a.high // divisor) if known else None
    if isinstance(op, arith.RemUIOp | arith.RemSIOp):
        if known and a.high < divisor:
            return a
        if known or isinstance(op, arith.RemUIOp):
            return Interval({}, 0, divisor - 1)
        return Interval({}, 1 - divisor, divisor - 1)  # a signed remainder has the dividend's sign
    return None
