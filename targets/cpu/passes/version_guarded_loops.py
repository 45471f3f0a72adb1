"""Version a loop nest on its guards: where the guards a split's tail leaves inside it (`i <
m`, i = 6 * io + ii for a tile of 6 rows) hold in every iteration of the nest, a copy of the
nest without them runs instead; the last tile's version runs at its index alone, each guard
a bound of the loop it cuts short. The CPU target runs it before `vectorize-loops`.

    ziggurat-opt kernel.mlir -p version-guarded-loops

A register tile's reduction loop with such guards inside keeps them in every iteration,
after LLVM unrolls the rows, and spills accumulators where the registers are few (AVX2: a
6 x 16 tile over 256 rows ran 0.7x the speed of 4 x 16); a guard on the vector lanes (`j <
512`, j = 48 * jo + ji) keeps the loop from vector ops at all (tiles of 48 columns over 512
ran 20x slower than 32). Each tile but the last runs the copy, the tile of a split that
divides the extent; the last runs a tile of the rows (columns) left, as if it divided them:

    scf.if %all_rows {               // 6 * %io + 5 < 256
      %tile = memref.alloc           // the whole iteration of io: its tile, initialization,
      scf.for %k ... { guards replaced by true }              // reduction and write-back
    } else {                         // io = 42, the last tile
      %tile = memref.alloc
      scf.for %k ... { scf.for %ii = 0 to 4 ... { guards replaced by true } }
    }

A guard (`scf.if` without an else on a comparison of linear indices, or on a conjunction
of them) is versioned on each comparison that is the same in every iteration of a loop
around it but varies inside it, at the outermost such loop that is not annotated
(parallel, vectorize) and holds a loop itself. What is copied is the whole body around that
loop (from the last definition of what the comparisons' worst cases read): each version has
its own tile buffer. With one buffer under both versions LLVM kept every accumulator's store
inside the reduction loop (SqueezeNet's 7x7 convolution, 11 x 32 tile: 1.9x slower than
unversioned; its own body each: 1.45x faster). The outermost bodies go first; those inside
them are versioned in each version after.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import ArrayAttr, IndexType, IntAttr, IntegerAttr, ModuleOp, i1
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import IsTerminator

from ziggurat.analysis.payload import defined_in, iv
from ziggurat.analysis.ranges import Interval, form_interval, linear
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import ANNOTATIONS, ParallelAttr, UnrollAttr, annotations
from ziggurat.passes.conversion.loop_to_llvm.memref import constant_index

# The signed comparisons a guard may make, as `lhs - rhs < 0` (sign 1) or `rhs - lhs < 0`
# (sign -1), strictly or not.
COMPARISONS = {"slt": (1, True), "sle": (1, False), "sgt": (-1, True), "sge": (-1, False)}
# The most iterations of a tile loop whose last one is looked for.
MOST_TRIPS = 1 << 16


@dataclass(frozen=True)
class VersionGuardedLoops(ModulePass):
    """Run a copy of a guarded loop nest without its guards where they all hold."""

    name = "version-guarded-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        kept: set[Operation] = set()  # the comparisons left to the versions where they fail
        while True:
            nests = guarded_nests(op, kept)
            bodies = outermost_bodies(nests)
            if not bodies:
                return
            spans = {block: span(block, found) for block, found in bodies.items()}
            for block, found in bodies.items():
                # A body inside another's span is versioned in each version, next round.
                if not any(
                    other is not block and o.is_ancestor(block.parent_op())
                    for other, ops in spans.items()
                    for o in ops
                ):
                    version(spans[block], [guard for _, guard in found])
                    kept.update(guard.comparison for _, guard in found)


@dataclass
class Guard:
    """A guard's comparison, and its worst case over the nest as `Σ coefficient * atom +
    high < 0` (or `<= 0`): the atoms are fixed for one iteration of it."""

    comparison: Operation
    bound: Interval
    strict: bool


def guarded_nests(module: ModuleOp, kept: set[Operation]) -> dict[scf.ForOp, list[Guard]]:
    """Each nest to version, with the guards it is versioned on."""
    nests: dict[scf.ForOp, list[Guard]] = {}
    for guard in [o for o in module.walk() if isinstance(o, scf.IfOp)]:
        for leaf in comparisons(guard):
            found = versioned_nest(guard, leaf) if leaf not in kept else None
            if found is not None:
                nests.setdefault(found[0], []).append(found[1])
    return nests


def outermost_bodies(nests: dict[scf.ForOp, list[Guard]]):
    """The blocks holding the nests not inside another, each with its nests and guards."""
    bodies: dict[Block, list[tuple[scf.ForOp, Guard]]] = {}
    for nest, guards in nests.items():
        # A nest inside another one keeps its guards this round (they are copied).
        if not any(other is not nest and other.is_ancestor(nest) for other in nests):
            block = nest.parent_block()
            assert block is not None
            bodies.setdefault(block, []).extend((nest, guard) for guard in guards)
    return bodies


def comparisons(guard: scf.IfOp) -> list[Operation]:
    """The comparisons whose conjunction is the condition of `guard` (an `scf.if` without an
    else or results); the comparisons only."""
    if guard.false_region.blocks or guard.results:
        return []
    found, pending = [], [guard.cond]
    while pending:
        owner = pending.pop().owner
        if isinstance(owner, arith.AndIOp):
            pending += [owner.lhs, owner.rhs]
        elif isinstance(owner, arith_extra.CmpiOp):
            found.append(owner)
    return found


def comparison(leaf: Operation) -> tuple[dict[SSAValue, int], int, bool] | None:
    """A comparison of indices as `Σ coefficient * atom + constant < 0` (strict) or `<= 0`."""
    assert isinstance(leaf, arith_extra.CmpiOp)
    if not isinstance(leaf.lhs.type, IndexType):
        return None
    predicate = arith.CMPI_COMPARISON_OPERATIONS[leaf.predicate.value.data]
    if predicate not in COMPARISONS:
        return None
    sign, strict = COMPARISONS[predicate]
    (left, a), (right, b) = linear(leaf.lhs), linear(leaf.rhs)
    terms = {atom: sign * c for atom, c in left.items()}
    for atom, coefficient in right.items():
        terms[atom] = terms.get(atom, 0) - sign * coefficient
    return {k: v for k, v in terms.items() if v}, sign * (a - b), strict


def versioned_nest(guard: scf.IfOp, leaf: Operation) -> tuple[scf.ForOp, Guard] | None:
    """The outermost loop around `guard` over one iteration of which its comparison `leaf`
    varies but its worst case is known, with that worst case; None if none is worth it."""
    found = comparison(leaf)
    if found is None:
        return None
    terms, constant, strict = found
    best: tuple[scf.ForOp, Guard] | None = None
    loop = guard.parent_op()
    while isinstance(loop, scf.ForOp) and not any(
        isinstance(a, ParallelAttr) for a in annotations(loop)
    ):
        bound = form_interval(terms, loop)
        if bound is None:
            break
        # Worth it around a loop, not an annotated one (rows unrolled, lanes), over which
        # the comparison varies but is known before it, and may hold in every iteration.
        worst = Guard(leaf, Interval(bound.terms, bound.low, bound.high + constant), strict)
        known = iv(loop) not in bound.terms and not any(defined_in(a, loop) for a in bound.terms)
        nested = any(isinstance(o, scf.ForOp) for o in loop.body.walk())
        if known and nested and not annotations(loop) and bound.low != bound.high:
            if bound.terms or worst.bound.high < 0 or (not strict and worst.bound.high == 0):
                best = loop, worst
        loop = loop.parent_op()
    return best


def span(block: Block, found: list[tuple[scf.ForOp, Guard]]) -> list[Operation]:
    """The ops of `block` to version with its nests: from the last that defines what their
    guards' worst cases read to the terminator; the nests alone where a value defined there
    is used after it."""
    ops = [o for o in block.ops if o is not block.last_op or not o.has_trait(IsTerminator)]
    start = 0
    for _, guard in found:
        for atom in guard.bound.terms:
            owner = atom.owner
            at = block.find_ancestor_op_in_block(owner) if isinstance(owner, Operation) else None
            if at is not None:
                start = max(start, ops.index(at) + 1)
    chosen = ops[start:]
    inside = set(chosen)
    for op in chosen:
        for result in op.results:
            if any(block.find_ancestor_op_in_block(u.operation) not in inside for u in result.uses):
                return list(dict.fromkeys(nest for nest, _ in found))
    return chosen


def version(span: list[Operation], guards: list[Guard]) -> None:
    """The ops of `span` under an `scf.if` of their guards' worst cases: a copy without the
    comparisons they imply, where all hold; themselves where not (at the last tile's index,
    where there is one)."""
    at = InsertPoint.before(span[0])
    condition: SSAValue | None = None
    for guard in guards:
        holds = emit_check(guard, at)
        condition = holds if condition is None else insert(arith.AndIOp(condition, holds), at)
    assert condition is not None
    values: dict[SSAValue, SSAValue] = {}
    copy = [o.clone(value_mapper=values) for o in span]
    true = arith.ConstantOp(IntegerAttr(1, i1))
    originals = [o for op in span for o in op.walk()]
    copies = [o for op in copy for o in op.walk()]
    position = {op: number for number, op in enumerate(originals)}
    implied = [o.comparison for o in worst_cases(span) if any(implies(g, o) for g in guards)]
    for leaf in dict.fromkeys([*(guard.comparison for guard in guards), *implied]):
        hold(copies[position[leaf]], true.result)
    slow = Block()
    Rewriter.insert_op(
        scf.IfOp(condition, [], Region(Block([true, *copy, scf.YieldOp()])), Region(slow)), at
    )
    for op in span:
        op.detach()
    slow.add_ops([*span, scf.YieldOp()])
    last = last_iteration(guards)
    if last is not None:
        specialize(slow, *last)


def worst_cases(span: list[Operation]) -> list[Guard]:
    """The comparisons of the guards in `span`, each with its worst case over an iteration
    of the loop around `span`, where that is known before it."""
    loop = span[0].parent_op()
    if not isinstance(loop, scf.ForOp):
        return []
    found = []
    for guard in [o for op in span for o in op.walk() if isinstance(o, scf.IfOp)]:
        for leaf in comparisons(guard):
            form = comparison(leaf)
            bound = form_interval(form[0], loop) if form is not None else None
            if form is None or bound is None:
                continue
            if any(
                isinstance(a.owner, Operation) and defined_by(a.owner, span) for a in bound.terms
            ):
                continue
            if any(
                isinstance(a.owner, Block) and defined_by(a.owner.parent_op(), span)
                for a in bound.terms
            ):
                continue
            worst = Interval(bound.terms, bound.low, bound.high + form[1])
            found.append(Guard(leaf, worst, form[2]))
    return found


def defined_by(op: Operation | None, span: list[Operation]) -> bool:
    return op is not None and any(o is op or o.is_ancestor(op) for o in span)


def implies(guard: Guard, other: Guard) -> bool:
    """Whether `other` holds wherever `guard` does (the same form, a bound no lower)."""
    if guard.bound.terms != other.bound.terms:
        return False
    return other.bound.high + other.strict <= guard.bound.high + guard.strict


def last_iteration(guards: list[Guard]) -> tuple[SSAValue, int] | None:
    """The loop index and its one value for which not all `guards` hold (a split's last
    tile), if their worst cases read that index alone."""
    atoms = {atom for guard in guards for atom in guard.bound.terms}
    if len(atoms) != 1:
        return None
    (atom,) = atoms
    loop = atom.owner.parent_op() if isinstance(atom.owner, Block) else None
    if not isinstance(loop, scf.ForOp) or iv(loop) is not atom:
        return None
    lower, upper, step = (constant_index(v) for v in (loop.lb, loop.ub, loop.step))
    if lower is None or upper is None or step is None or step < 1:
        return None
    if upper > lower + step * MOST_TRIPS:
        return None
    failing = [
        value
        for value in range(lower, upper, step)
        if not all(holds(guard, atom, value) for guard in guards)
    ]
    return (atom, failing[0]) if len(failing) == 1 else None


def holds(guard: Guard, atom: SSAValue, value: int) -> bool:
    total = guard.bound.terms[atom] * value + guard.bound.high
    return total < 0 or (not guard.strict and total == 0)


def specialize(slow: Block, index: SSAValue, value: int) -> None:
    """The last tile's version at its index `value`: each comparison it leaves on a loop
    inside it (`ii < 4` in a tile of 6 rows) becomes that loop's bound, so the tile is one of
    fewer rows (columns) that divides them, with constant indices."""
    first = slow.first_op
    assert first is not None
    constant = arith.ConstantOp(IntegerAttr(value, IndexType()))
    true = arith.ConstantOp(IntegerAttr(1, i1))
    Rewriter.insert_op([constant, true], InsertPoint.before(first))
    for op in slow.walk():
        for number, operand in enumerate(op.operands):
            if operand is index:
                op.operands[number] = constant.result
    for guard in [o for o in slow.walk() if isinstance(o, scf.IfOp)]:
        for leaf in comparisons(guard):
            found = comparison(leaf)
            if found is not None and len(found[0]) == 1:
                cut_short(guard, leaf, *found, true.result)


def cut_short(
    guard: scf.IfOp,
    leaf: Operation,
    terms: dict[SSAValue, int],
    constant: int,
    strict: bool,
    true: SSAValue,
) -> None:
    """Where `leaf` compares the index of a loop around `guard` alone, all that loop does is
    under `guard` and its bounds are known: end the loop where `leaf` stops holding."""
    ((atom, coefficient),) = terms.items()
    loop = atom.owner.parent_op() if isinstance(atom.owner, Block) else None
    if not isinstance(loop, scf.ForOp) or iv(loop) is not atom or coefficient < 1:
        return
    lower, upper = constant_index(loop.lb), constant_index(loop.ub)
    if lower is None or upper is None or constant_index(loop.step) != 1 or loop.iter_args:
        return
    if not only_guarded(loop, guard):
        return
    # coefficient * i + constant < 0 (<= 0) holds below `limit`.
    limit = -(constant // coefficient) if strict else -constant // coefficient + 1
    end = max(lower, min(upper, limit))
    bound = arith.ConstantOp(IntegerAttr(end, IndexType()))
    Rewriter.insert_op(bound, InsertPoint.before(loop))
    loop.operands[1] = bound.result
    hold(leaf, true)
    if end > lower:
        factors = [
            UnrollAttr(IntAttr(min(a.factor.data, end - lower))) if isinstance(a, UnrollAttr) else a
            for a in annotations(loop)
        ]
        if factors:
            loop.attributes[ANNOTATIONS] = ArrayAttr(factors)


def only_guarded(loop: scf.ForOp, guard: scf.IfOp) -> bool:
    """Whether all `loop` does, but index arithmetic and the loops around `guard`, is under
    `guard`: an iteration where it does not hold does nothing."""
    for op in loop.body.walk():
        if op is guard or guard.is_ancestor(op) or isinstance(op, scf.YieldOp):
            continue
        if isinstance(op, scf.ForOp) and op.is_ancestor(guard) and not op.iter_args:
            continue
        if not (op.name.startswith("arith.") and not op.regions):
            return False
    return True


def hold(leaf: Operation, true: SSAValue) -> None:
    """Make the comparison `leaf` true where it is read, and drop it (the vectorizer does not
    take a comparison of the lane index)."""
    name = true.name_hint
    leaf.results[0].replace_all_uses_with(true)
    true.name_hint = name  # not the comparison's
    Rewriter.erase_op(leaf)


def emit_check(guard: Guard, at: InsertPoint) -> SSAValue:
    """`Σ coefficient * atom + high < 0` (or `<= 0`) as index arithmetic at `at`."""
    index = IndexType()
    total: SSAValue | None = None
    for atom, coefficient in guard.bound.terms.items():
        term = atom
        if coefficient != 1:
            factor = insert(arith.ConstantOp(IntegerAttr(coefficient, index)), at)
            term = insert(arith.MuliOp(atom, factor), at)
        total = term if total is None else insert(arith.AddiOp(total, term), at)
    limit = insert(arith.ConstantOp(IntegerAttr(-guard.bound.high, index)), at)
    if total is None:
        total = insert(arith.ConstantOp(IntegerAttr(0, index)), at)
    predicate = "slt" if guard.strict else "sle"
    return insert(arith_extra.CmpiOp(total, limit, predicate), at)


def insert(op: Operation, at: InsertPoint) -> SSAValue:
    Rewriter.insert_op(op, at)
    return op.results[0]
