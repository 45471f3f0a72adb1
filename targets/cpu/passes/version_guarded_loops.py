"""Version a loop nest on its guards: where the guards a split's tail leaves inside it (`i <
m`, i = 6 * io + ii for a tile of 6 rows) hold in every iteration of the nest, a copy of the
nest without them runs instead. The CPU target runs it before `vectorize-loops`.

    ziggurat-opt kernel.mlir -p version-guarded-loops

A register tile's reduction loop with such guards inside keeps them in every iteration,
after LLVM unrolls the rows, and spills accumulators where the registers are few (AVX2: a
6 x 16 tile over 256 rows ran 0.7x the speed of 4 x 16); each tile but the last now runs
the copy, which is the loop of a tile that divides the rows:

    scf.if %all_rows {            // 6 * %io + 5 < 256
      %tile = memref.alloc        // the whole iteration of io: its tile, initialization,
      scf.for %k ... { guards replaced by true }            // reduction and write-back
      ...
    } else {
      the iteration as it was, for the last tile
    }

A nest is versioned on the guards (`scf.if` on a comparison of linear indices, without an
else) whose comparison is the same in every iteration of it but varies inside it, at the
outermost loop where that is so that is not annotated (parallel, vectorize) and holds a
loop itself. What is copied is the whole body around the nests (from the last definition
of what the guards' worst cases read): each version then has its own tile buffer. With one
buffer under both versions LLVM kept every accumulator's store inside the reduction loop
(SqueezeNet's 7x7 convolution, 11 x 32 tile: 1.9x slower than unversioned; its own body
each: 1.45x faster).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp, i1
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import IsTerminator

from ziggurat.analysis.payload import defined_in, iv
from ziggurat.analysis.ranges import Interval, form_interval, linear
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import ParallelAttr, annotations

# The signed comparisons a guard may make, as `lhs - rhs < 0` (sign 1) or `rhs - lhs < 0`
# (sign -1), strictly or not.
COMPARISONS = {"slt": (1, True), "sle": (1, False), "sgt": (-1, True), "sge": (-1, False)}


@dataclass(frozen=True)
class VersionGuardedLoops(ModulePass):
    """Run a copy of a guarded loop nest without its guards where they all hold."""

    name = "version-guarded-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        nests: dict[scf.ForOp, list[tuple[scf.IfOp, Guard]]] = {}
        for guard in [o for o in op.walk() if isinstance(o, scf.IfOp)]:
            found = versioned_nest(guard)
            if found is not None:
                nests.setdefault(found[0], []).append((guard, found[1]))
        bodies: dict[Block, list[tuple[scf.ForOp, list[tuple[scf.IfOp, Guard]]]]] = {}
        for nest, guards in nests.items():
            # A nest inside another one versioned keeps its guards (they are copied).
            if not any(other is not nest and other.is_ancestor(nest) for other in nests):
                bodies.setdefault(nest.parent_block(), []).append((nest, guards))
        spans = {block: span(block, members) for block, members in bodies.items()}
        for block, members in bodies.items():
            # Likewise a body inside the span of another.
            if any(
                other is not block and o.is_ancestor(block.parent_op())
                for other, ops in spans.items()
                for o in ops
            ):
                continue
            version(spans[block], [guard for _, guards in members for guard in guards])


@dataclass
class Guard:
    """A guard's comparison as `Σ coefficient * atom + high < 0` (or `<= 0`) at its worst
    over the nest: the atoms are fixed for one iteration of it."""

    bound: Interval
    strict: bool


def comparison(guard: scf.IfOp) -> tuple[dict[SSAValue, int], int, bool] | None:
    """The guard's condition as `Σ coefficient * atom + constant < 0` (strict) or `<= 0`."""
    condition = guard.cond.owner
    if not isinstance(condition, arith_extra.CmpiOp) or len(guard.false_region.blocks):
        return None
    if not isinstance(condition.lhs.type, IndexType):
        return None
    predicate = arith.CMPI_COMPARISON_OPERATIONS[condition.predicate.value.data]
    if predicate not in COMPARISONS:
        return None
    sign, strict = COMPARISONS[predicate]
    (left, a), (right, b) = linear(condition.lhs), linear(condition.rhs)
    terms = {atom: sign * c for atom, c in left.items()}
    for atom, coefficient in right.items():
        terms[atom] = terms.get(atom, 0) - sign * coefficient
    return {k: v for k, v in terms.items() if v}, sign * (a - b), strict


def versioned_nest(guard: scf.IfOp) -> tuple[scf.ForOp, Guard] | None:
    """The outermost loop around `guard` over one iteration of which its comparison varies
    but its worst case is known, with that worst case; None if there is none worth it."""
    found = comparison(guard)
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
        worst = Guard(Interval(bound.terms, bound.low, bound.high + constant), strict)
        known = iv(loop) not in bound.terms and not any(defined_in(a, loop) for a in bound.terms)
        nested = any(isinstance(o, scf.ForOp) for o in loop.body.walk())
        if known and nested and not annotations(loop) and bound.low != bound.high:
            if bound.terms or worst.bound.high < 0 or (not strict and worst.bound.high == 0):
                best = loop, worst
        loop = loop.parent_op()
    return best


def span(block: Block, members: list[tuple[scf.ForOp, list[tuple[scf.IfOp, Guard]]]]):
    """The ops of `block` to version with its nests: from the last that defines what their
    guards' worst cases read to the terminator; the nests alone where a value defined there
    is used after it."""
    ops = [o for o in block.ops if o is not block.last_op or not o.has_trait(IsTerminator)]
    start = 0
    for _, guards in members:
        for _, guard in guards:
            for atom in guard.bound.terms:
                owner = atom.owner
                if isinstance(owner, Operation):
                    at = block.find_ancestor_op_in_block(owner)
                    if at is not None:
                        start = max(start, ops.index(at) + 1)
    chosen = ops[start:]
    inside = set(chosen)
    for o in chosen:
        for result in o.results:
            for use in result.uses:
                at = block.find_ancestor_op_in_block(use.operation)
                if at not in inside:
                    return [nest for nest, _ in members]
    return chosen


def version(span: list[Operation], guards: list[tuple[scf.IfOp, Guard]]) -> None:
    """The ops of `span` under an `scf.if` of their guards' worst cases: a copy without the
    guards where all hold, themselves where not."""
    at = InsertPoint.before(span[0])
    condition: SSAValue | None = None
    for _, guard in guards:
        holds = emit_check(guard, at)
        condition = holds if condition is None else insert(arith.AndIOp(condition, holds), at)
    assert condition is not None
    values: dict[SSAValue, SSAValue] = {}
    copy = [o.clone(value_mapper=values) for o in span]
    true = arith.ConstantOp(IntegerAttr(1, i1))
    originals = [o for op in span for o in op.walk()]
    copies = [o for op in copy for o in op.walk()]
    for guard, _ in guards:
        copied = copies[originals.index(guard)]
        assert isinstance(copied, scf.IfOp)
        copied.operands[0] = true.result
    slow = Block()
    Rewriter.insert_op(
        scf.IfOp(condition, [], Region(Block([true, *copy, scf.YieldOp()])), Region(slow)), at
    )
    for op in span:
        op.detach()
    slow.add_ops([*span, scf.YieldOp()])


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
