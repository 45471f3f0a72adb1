"""Dependences between iterations of a run of loops, and the checks built on them.

An access is a load or store with its indices as affine forms over canonical atoms (copies
of index arithmetic count as one) and the bounds guards around it put on them. Two accesses
of one buffer, one writing, depend when one index of theirs may be equal in two different
iterations: a direction vector at a time (`<`, `=`, `>` per loop), Banerjee's bounds decide,
quotients and remainders of a fused loop's iv counted in the directions they may take; an
index that tells the ivs (undoing split and fuse) touches an element in one iteration only,
and an accumulation `C[e] = C[e] op v` is a reduction, which any order computes. It offers
`dependences`, `check_order` (for reorder), `check_independent` (for parallel and bind) and
`check_still_independent` (for the primitives that change what a parallel loop runs).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product

from xdsl.dialects import arith, memref, scf
from xdsl.ir import Operation, SSAValue

from ziggurat.analysis.combiners import COMBINERS
from ziggurat.analysis.payload import (
    axis_name,
    bounds,
    buffer_name,
    conjuncts,
    constant_int,
    defined_in,
    describe,
    is_pure,
    iv,
    optional_bounds,
)
from ziggurat.analysis.ranges import Interval, Linear, form_interval, interval, linear
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import BindAttr, ParallelAttr, annotations
from ziggurat.transforms import ScheduleError


@dataclass
class Access:
    """A load or store; its indices and the bounds the guards around it put on linear
    forms (`Σ coefficient * atom < bound`), over canonical atoms."""

    op: memref.LoadOp | memref.StoreOp
    buffer: SSAValue
    indices: list[Linear]
    guards: list[tuple[dict[SSAValue, int], int]]

    @property
    def writes(self) -> bool:
        return isinstance(self.op, memref.StoreOp)


def accesses(root: scf.ForOp) -> list[Access]:
    """The loads and stores in `root`, but of buffers allocated inside it; an error for
    any other op that touches memory."""
    found: list[Access] = []
    copies: dict[tuple, SSAValue] = {}
    for op in root.walk():
        if isinstance(op, memref.LoadOp | memref.StoreOp):
            if defined_in(op.memref, root):
                continue
            indices = [canonical(linear(v), copies) for v in op.indices]
            guards = []
            for value, bound in guard_bounds(op, root):
                terms, constant = canonical(linear(value), copies)
                guards.append((terms, bound - constant))
            found.append(Access(op, op.memref, indices, guards))
        elif not (
            is_pure(op)
            or isinstance(op, scf.ForOp | scf.IfOp | scf.YieldOp)
            or isinstance(op, memref.AllocOp | memref.AllocaOp | memref.DeallocOp)
        ):
            raise ScheduleError(f"cannot tell what '{op.name}' reads and writes")
    return found


def canonical(form: Linear, copies: dict[tuple, SSAValue]) -> Linear:
    """`form` over the representatives of its atoms (see `representative`)."""
    terms: dict[SSAValue, int] = {}
    for atom, coefficient in form[0].items():
        atom = representative(atom, copies)
        terms[atom] = terms.get(atom, 0) + coefficient
    return {a: c for a, c in terms.items() if c}, form[1]


def guard_bounds(op: Operation, root: Operation) -> Iterator[tuple[SSAValue, int]]:
    """`(value, bound)` for each `value < bound` that a guard around `op` in `root` tests."""
    current = op
    while (parent := current.parent_op()) is not None and parent is not root:
        if isinstance(parent, scf.IfOp) and current.parent_region() is parent.true_region:
            for condition in conjuncts(parent.cond):
                test = condition.owner
                if isinstance(test, arith_extra.CmpiOp) and test.predicate.value.data in (2, 6):
                    bound = constant_int(test.rhs)
                    if bound is not None:
                        yield test.lhs, bound
        current = parent


def representative(value: SSAValue, copies: dict[tuple, SSAValue]) -> SSAValue:
    """One value for all that pure ops compute alike (copies of index arithmetic)."""
    op = value.owner
    if not isinstance(op, Operation) or not is_pure(op) or len(op.results) != 1:
        return value
    operands = tuple(representative(v, copies) for v in op.operands)
    key = (op.name, operands, tuple(op.properties.items()), tuple(op.attributes.items()))
    return copies.setdefault(key, value)


def reduction_buffers(found: list[Access]) -> set[SSAValue]:
    """Buffers only accumulated into: one load and one store of the same element, the
    stored value combining the loaded one with something else."""
    by_buffer: dict[SSAValue, list[Access]] = {}
    for access in found:
        by_buffer.setdefault(access.buffer, []).append(access)
    reductions: set[SSAValue] = set()
    for buffer, group in by_buffer.items():
        loads = [a for a in group if not a.writes]
        stores = [a for a in group if a.writes]
        if len(loads) != 1 or len(stores) != 1:
            continue
        load, store = loads[0].op, stores[0].op
        assert isinstance(load, memref.LoadOp) and isinstance(store, memref.StoreOp)
        combiner = store.value.owner
        # The same element: the same indices, or copies of their arithmetic.
        if (
            loads[0].indices == stores[0].indices
            and type(combiner) in COMBINERS
            and load.res in combiner.operands
            and len(list(load.res.uses)) == 1
        ):
            reductions.add(buffer)
    return reductions


def term_range(a: int, b: int, low: int, high: int, direction: str) -> tuple[int, int] | None:
    """Min and max of a*x - b*y for x, y in [low, high] with x `direction` y."""
    if direction == "=":
        points = [(low, low), (high, high)]
    elif direction == "<":
        if high <= low:
            return None
        points = [(low, low + 1), (low, high), (high - 1, high)]
    elif direction == ">":
        if high <= low:
            return None
        points = [(low + 1, low), (high, low), (high, high - 1)]
    else:
        points = [(low, low), (low, high), (high, low), (high, high)]
    values = [a * x - b * y for x, y in points]
    return min(values), max(values)


def may_meet(
    first: Linear,
    second: Linear,
    directions: dict[SSAValue, str],
    varying: dict[SSAValue, Interval],
    root: scf.ForOp,
) -> bool:
    """Whether one index of two accesses can be equal in two iterations whose loops in
    `directions` relate as given (Banerjee's bounds over the `varying` atoms; unknown parts
    can always meet, no part can where the directions are impossible)."""
    (terms_a, constant_a), (terms_b, constant_b) = first, second
    low = high = constant_a - constant_b
    unknown = False
    for atom in dict.fromkeys([*terms_a, *terms_b]):
        a, b = terms_a.get(atom, 0), terms_b.get(atom, 0)
        if atom in varying:
            r = varying[atom]
            extent = term_range(a, b, r.low, r.high, directions.get(atom, "*"))
            if extent is None:
                return False
            low, high = low + extent[0], high + extent[1]
        elif defined_in(atom, root) or a != b:
            unknown = True
    return unknown or low <= 0 <= high


def varying_atoms(root: scf.ForOp, divisions: Divisions) -> dict[SSAValue, Interval]:
    """The atoms whose values two iterations of `root`'s loops compare, with their ranges:
    the ivs of the loops in it, and the quotients and remainders of `divisions`."""
    atoms = [iv(loop) for loop in root.walk() if isinstance(loop, scf.ForOp)]
    for groups in divisions.values():
        for quotients, remainders in groups:
            atoms += quotients + remainders
    return {atom: r for atom in atoms if (r := interval(atom)) is not None}


def dependences(
    loops: Sequence[scf.ForOp], include_reductions: bool
) -> Iterator[tuple[tuple[str, ...], Access]]:
    """The direction vectors over `loops` (a perfectly nested run) of pairs of accesses
    that may touch one element in two different iterations, one of them writing."""
    root = loops[0]
    found = accesses(root)
    skip = set() if include_reductions else reduction_buffers(found)
    ivs = [iv(loop) for loop in loops]
    for loop in loops:
        bounds(loop)
    divisions = divisions_of(ivs, found)
    varying = varying_atoms(root, divisions)
    for first in found:
        for second in found:
            if first.buffer is not second.buffer or first.buffer in skip:
                continue
            if not (first.writes or second.writes):
                continue
            if first.indices == second.indices and determines(first, ivs, root):
                continue  # one element is touched in one iteration only
            pairs = list(zip(first.indices, second.indices, strict=True))
            for vector in product("<=>", repeat=len(ivs)):
                if all(d == "=" for d in vector):
                    continue
                directions = dict(zip(ivs, vector, strict=True))
                if any(
                    all(may_meet(a, b, {**directions, **refined}, varying, root) for a, b in pairs)
                    for refined in refinements(directions, divisions)
                ):
                    yield vector, first


def determines(access: Access, ivs: Sequence[SSAValue], root: scf.ForOp) -> bool:
    """Whether an index tells the values of `ivs`, undoing what split and fuse did:
    `c * x + r` with r in [0, c) tells x and r, `n / d` and `n % d` tell n."""
    known: set[SSAValue] = set()
    forms = [dict(terms) for terms, _ in access.indices]
    quotients: dict[tuple[SSAValue, int], SSAValue] = {}
    remainders: dict[tuple[SSAValue, int], SSAValue] = {}

    def learn(atom: SSAValue) -> None:
        known.add(atom)
        op = atom.owner
        if isinstance(op, arith.DivUIOp | arith.RemUIOp) and (d := constant_int(op.rhs)):
            table = quotients if isinstance(op, arith.DivUIOp) else remainders
            table[(op.lhs, d)] = atom
            if (op.lhs, d) in quotients and (op.lhs, d) in remainders:
                forms.append(dict(linear(op.lhs)[0]))

    progress = True
    while progress:
        progress = False
        for form in list(forms):
            terms = {a: c for a, c in form.items() if a not in known and defined_in(a, root)}
            if not terms:
                forms.remove(form)
                continue
            top = max(terms, key=lambda a: abs(terms[a]))
            rest = {a: c for a, c in terms.items() if a is not top}
            spread = form_interval(rest, guards=access.guards)
            if spread is None or spread.high - spread.low >= abs(terms[top]):
                continue
            forms.remove(form)
            learn(top)
            if rest:
                forms.append(rest)
            progress = True
    return all(value in known for value in ivs)


Divisions = dict[SSAValue, list[tuple[list[SSAValue], list[SSAValue]]]]
"""Per loop iv x, the atoms x / n and x % n (as `fuse` makes them): one pair of lists, the
quotients and the remainders, per divisor n."""


def divisions_of(ivs: Sequence[SSAValue], found: list[Access]) -> Divisions:
    """For each of `ivs`, the quotient and remainder atoms by a constant that indices use."""
    divisions: Divisions = {}
    by_divisor: dict[tuple[SSAValue, int], tuple[list[SSAValue], list[SSAValue]]] = {}
    for access in found:
        for terms, _ in access.indices:
            for atom in terms:
                op = atom.owner
                if not isinstance(op, arith.DivUIOp | arith.RemUIOp) or op.lhs not in ivs:
                    continue
                divisor = constant_int(op.rhs)
                if divisor is None or divisor <= 0:
                    continue
                quotients, remainders = by_divisor.setdefault((op.lhs, divisor), ([], []))
                (quotients if isinstance(op, arith.DivUIOp) else remainders).append(atom)
    for (value, _), atoms in by_divisor.items():
        divisions.setdefault(value, []).append(atoms)
    return divisions


def refinements(
    directions: dict[SSAValue, str], divisions: Divisions
) -> Iterator[dict[SSAValue, str]]:
    """The directions of quotients and remainders that agree with those of their ivs:
    x < y when the quotient is smaller, or equal with a smaller remainder."""
    choices: list[list[dict[SSAValue, str]]] = []
    for value, groups in divisions.items():
        direction = directions[value]
        for quotients, remainders in groups:
            options = [("=", "=")] if direction == "=" else [(direction, "*"), ("=", direction)]
            choices.append(
                [
                    {**dict.fromkeys(quotients, q), **dict.fromkeys(remainders, r)}
                    for q, r in options
                ]
            )
    for combination in product(*choices):
        merged: dict[SSAValue, str] = {}
        for choice in combination:
            merged.update(choice)
        yield merged


def leading_direction(vector: Sequence[str]) -> str:
    """The first direction of `vector` that is not `=`: which iteration comes first."""
    return next((d for d in vector if d != "="), "=")


def check_order(segment: Sequence[scf.ForOp], order: Sequence[scf.ForOp]) -> None:
    """An error if running `segment` in `order` reverses a dependence."""
    if list(order) == list(segment):
        return
    position = [segment.index(loop) for loop in order]
    for vector, access in dependences(segment, include_reductions=False):
        permuted = [vector[p] for p in position]
        if leading_direction(permuted) != leading_direction(vector):
            if leading_direction(vector) == ">":
                vector = tuple({"<": ">", ">": "<"}.get(d, d) for d in vector)
            names = ", ".join(axis_name(loop) for loop in order)
            raise ScheduleError(
                f"the order ({names}) breaks a dependence on {buffer_name(access.buffer)}: "
                f"iterations {direction_text(segment, vector)} touch the same element"
            )


def direction_text(loops: Sequence[scf.ForOp], vector: Sequence[str]) -> str:
    """`vector` for a message: `(i <, j =)`."""
    pairs = zip(loops, vector, strict=True)
    return "(" + ", ".join(f"{axis_name(loop)} {d}" for loop, d in pairs) + ")"


def check_still_independent(loop: scf.ForOp, primitive: str) -> None:
    """An error if a loop around `loop`, `loop` or a loop in it runs its iterations in
    parallel (or on a hardware axis) and, after `primitive` changed what `loop` runs, two of
    them touch one element: a parallel loop is checked when annotated, and a later cache or
    computation moved into it must not make it wrong."""
    loops = [op for op in loop.walk() if isinstance(op, scf.ForOp)]
    parent = loop.parent_op()
    while parent is not None:
        if isinstance(parent, scf.ForOp):
            loops.append(parent)
        parent = parent.parent_op()
    for candidate in loops:
        for annotation in annotations(candidate):
            if isinstance(annotation, ParallelAttr):
                check_independent(candidate, f"{primitive} in the parallel")
            elif isinstance(annotation, BindAttr):
                check_independent(candidate, f"{primitive} in the {annotation.axis.data}-bound")


def check_independent(loop: scf.ForOp, what: str) -> None:
    """An error if two iterations of `loop` touch one element, one of them writing, or
    if it passes values from one iteration to the next."""
    if loop.iter_args:
        raise ScheduleError(
            f"cannot {what} {describe(loop)}: it carries values from one iteration to the next"
        )
    if (b := optional_bounds(loop)) is not None and b.trip_count <= 1:
        return
    for _vector, access in dependences([loop], include_reductions=True):
        raise ScheduleError(
            f"cannot {what} {describe(loop)}: its iterations write "
            f"{buffer_name(access.buffer)} where other iterations read or write it"
        )
