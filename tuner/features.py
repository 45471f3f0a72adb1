"""Features of a candidate: numbers read from its scheduled loop IR, as AutoTVM's itervar
features, one fixed-length vector per candidate for the cost model.

Every store of the scheduled task function is a *statement*; its loops are the `scf.for`s
around it. The `STATEMENTS` statements that run most often (most iterations first) each give
`PER_STATEMENT` numbers, laid out as follows, then `TOTALS` numbers for the whole function.
Counts go through log2(x + 1). Levels count from the innermost loop (level 0) outwards;
a statement with fewer than `LEVELS` loops has zeros for the missing levels, one with more
keeps its innermost `LEVELS`.

| field | per | meaning |
|---|---|---|
| extent | level | the loop's trip count |
| serial, parallel, vectorize, unroll, bind | level | one-hot of the loop's annotation (its first) |
| outer product | level | product of the trip counts of this loop and all loops around it |
| access count | buffer slot x level | product of the trip counts of the loops at or inside this level whose induction variable the access's indices use: the elements it touches from there |
| reuse | buffer slot x level | product of the trip counts of the loops at or inside this level the indices do not use: how often each of those elements is touched again |
| bytes | buffer slot | elements the access touches in the whole nest times the element size |
| unit stride | buffer slot | 1 where the innermost loop's variable is the last index (contiguous), else 0 |
| add, mul, div, other | statement | arithmetic ops of the statement's loop body (its own block), times its iterations |
| lanes | statement | the vector width of the innermost vectorized loop around it (0: none) |
| vectors | statement | that loop's trip count over its width: vector registers per row of a tile |
| register tile | statement | product of the trip counts of its unrolled and vectorized loops (elements) |
| register vectors | statement | the register tile over the lanes: vector registers it keeps live |
| unrolled | statement | product of the unroll factors around it |
| parallel, per thread | statement | product of its parallel loops' trip counts, and its iterations over that |
| footprint | level | bytes its accesses touch in the loops at or inside this level (all buffers) |
| intensity | level | arithmetic ops in the loops at or inside this level per byte of footprint (not logged) |
| register share | statement | register vectors over the target's vector registers (over 1: the tile spills) |
| vector share | statement | lanes times the stored element's bytes over the target's vector bytes |
| vector tail | statement | lanes the vectorized loop's last vector wastes, over the lanes of all its vectors |
| thread balance | statement | parallel over parallel rounded up to a multiple of the target's threads (1 / threads without a parallel loop): the share of the threads' time spent working |
| fits L1, fits L2 | statement | how many levels, from the innermost, have a footprint within the target's L1 (L2) cache |
| lane guard | statement | 1 where a guard inside its innermost loop differs between the loop's iterations (a split's tail on the vectorized axis) |
| vector code | statement | 1 where vectorize-loops writes its innermost loop as vectors: vectorized, no lane guard, the store contiguous |
| contiguous, broadcast, gathered | statement | its accesses by how they vary along the innermost loop: along the last index, not at all, across other indices |
| instructions | statement | instructions its loops issue on the busiest thread, roughly (`instructions`): the work the rest of the vector describes in one number |

Buffer slots: the stored buffer first, then up to `BUFFERS - 1` buffers the statement's block
loads, in order. The per-statement summary after the arithmetic (lanes .. fits L2) says
in fields of fixed meaning what the per-level fields spread over positions that differ
between structures: how wide its vectors are, how many registers its tile holds, how its
work splits between threads, and how much data each level's loops touch per operation;
six fields compare these with the target (`Target.resources`: vector registers and
bytes, threads, caches; 0 where the target does not say), so that one tree split means
"spills" or "leaves a thread idle" whatever the structure; the last six say whether its
innermost loop becomes vector code and what that costs (a tail guarded inside the vector
loop, or a gathered load, turns a fast candidate into one 10-60x slower: the per-level
fields do not tell such candidates apart).
Totals: the number of statements, of loops, of parallel, vectorized and unrolled loops, the
iterations of all statements together, the bytes of the buffers the function allocates, and
the instructions of all statements on the busiest thread.

`Featurizer` appends the configuration itself (AutoTVM's "knob" features), `KNOB_SLOTS`
slots in the order of the schedule's knobs: log2(value + 1) of an integer knob, the region
number of alternatives, and 1 where a knob that splits a loop leaves a guarded tail.

Reading the IR needs the schedule applied (tens of ms in the interpreter). The search asks
for thousands of candidates, so `Featurizer` applies the schedule once per *structure* (the
alternatives chosen, which splits leave a tail, and which leave a loop of one trip) and fits
each loop's trip count as a formula of the knobs (a constant, a knob, or an extent of the
nest divided by a knob, rounded up) from a second candidate of that structure; other candidates of that structure
get their features from the formulas, without the interpreter. Where no formula fits, that
structure is read candidate by candidate.

The search scores thousands of candidates per batch and meets new structures for a long time
(conv2d has hundreds): it asks for *provisional* features, which take a structure not read
yet from the formulas of the nearest one read (same alternatives, fewest tails and loops of
one trip different), and formulas that disagree at their majority, without the interpreter
(conv2d: 0.25 ms of CPU a candidate instead of 4-8 ms); the knob features tell the tails apart.
Provisional vectors are not kept: the candidates measured, which the model learns from,
are read as above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, BlockArgument, Operation, SSAValue

from ziggurat.analysis.payload import optional_bounds
from ziggurat.dialects.loop import ANNOTATIONS
from ziggurat.dialects.schedule import fix_knobs
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.targets.target import Target

LEVELS = 8
BUFFERS = 4
STATEMENTS = 3
# Candidates of one structure read at most to tell its trip-count formulas apart.
DISAMBIGUATIONS = 5
KINDS = ("serial", "parallel", "vectorize", "unroll", "bind")
PER_LEVEL = 1 + len(KINDS) + 1
PER_BUFFER = 2 * LEVELS + 2
SUMMARY = 7 + 2 * LEVELS + 6 + 6
PER_STATEMENT = PER_LEVEL * LEVELS + PER_BUFFER * BUFFERS + 4 + SUMMARY
TOTALS = 8
LENGTH = PER_STATEMENT * STATEMENTS + TOTALS
# Instructions per lane of a gathered load: a scalar load and an insert, each lane's
# element on a cache line of its own.
GATHER = 2
KNOB_SLOTS = 16  # at least the knobs of any schedule file (conv2d.mlir has 12)
WIDTH = LENGTH + 2 * KNOB_SLOTS  # what a Featurizer gives: the IR's features, then the knobs'


@dataclass
class Access:
    loops: frozenset[int]  # loop numbers whose variables the indices use
    unit_stride: bool
    element_bytes: int
    # The innermost loop's variable in an index other than the last: vector code gathers.
    gathered: bool = False


@dataclass
class Statement:
    loops: list[int]  # loop numbers, outermost first
    accesses: list[Access]
    arithmetic: tuple[int, int, int, int]  # add, mul, div, other
    # A guard (scf.if, a split's tail) inside its innermost loop that differs from one of
    # the loop's iterations to the next: vectorize-loops leaves such a loop to LLVM, which
    # mostly keeps it scalar (a guard the same for all of them runs all lanes or none).
    guarded: bool = False


@dataclass
class Skeleton:
    """The shape of a scheduled function, apart from its loops' trip counts."""

    kinds: list[str]  # each loop's annotation kind, by loop number
    extents: list[int]  # each loop's trip count, by loop number
    statements: list[Statement]
    widths: list[int] = field(default_factory=list)  # its vector width or unroll factor, or 0
    allocations: list[tuple[int, ...]] = field(default_factory=list)  # shapes, in elements
    allocation_bytes: list[int] = field(default_factory=list)  # their element sizes

    def shape(self) -> tuple[Any, ...]:
        return (
            tuple(self.kinds),
            tuple(
                (
                    tuple(s.loops),
                    tuple((a.loops, a.unit_stride, a.gathered) for a in s.accesses),
                    s.arithmetic,
                    s.guarded,
                )
                for s in self.statements
            ),
            len(self.allocations),
            tuple(a.element_bytes for s in self.statements for a in s.accesses),
            tuple(self.allocation_bytes),
        )

    def counts(self) -> list[int]:
        """The numbers that vary within a structure: trip counts, widths, buffer sizes."""
        return [*self.extents, *self.widths, *(n for a in self.allocations for n in a)]

    def with_counts(self, counts: list[int]) -> Skeleton:
        loops = len(self.kinds)
        sizes, allocations = iter(counts[2 * loops :]), []
        for shape in self.allocations:
            allocations.append(tuple(next(sizes) for _ in shape))
        return Skeleton(
            self.kinds,
            counts[:loops],
            self.statements,
            counts[loops : 2 * loops],
            allocations,
            self.allocation_bytes,
        )


def annotation_kind(loop: scf.ForOp) -> tuple[str, int]:
    """The loop's (first) annotation kind, and its vector width or unroll factor (else 0)."""
    attr = loop.attributes.get(ANNOTATIONS)
    for annotation in getattr(attr, "data", ()):
        name = annotation.name.removeprefix("loop.")
        if name in KINDS:
            width = getattr(annotation, "width", getattr(annotation, "factor", None))
            return name, width.data if width is not None else 0
    return "serial", 0


def element_bytes(type: Any) -> int:
    width = getattr(getattr(type, "element_type", None), "bitwidth", 32)
    return max(1, width // 8)


def skeleton(function: func.FuncOp) -> Skeleton:
    """Loops, statements and accesses of a scheduled loop-level function."""
    numbers: dict[Operation, int] = {}
    kinds: list[str] = []
    extents: list[int] = []
    widths: list[int] = []
    allocations: list[tuple[int, ...]] = []
    allocation_bytes: list[int] = []
    for op in function.walk():
        if isinstance(op, scf.ForOp):
            numbers[op] = len(kinds)
            kind, width = annotation_kind(op)
            kinds.append(kind)
            widths.append(width)
            found = optional_bounds(op)
            extents.append(found.trip_count if found is not None else 1)
        elif isinstance(op, memref.AllocOp | memref.AllocaOp):
            allocations.append(tuple(max(n, 1) for n in op.memref.type.get_shape()))
            allocation_bytes.append(element_bytes(op.memref.type))
    statements = []
    for op in function.walk():
        if not isinstance(op, memref.StoreOp):
            continue
        loops = enclosing_loops(op)
        numbered = [numbers[loop] for loop in loops]
        block = op.parent_block()
        accesses = [access(op, numbers, loops)]
        for other in block.ops if block is not None else ():
            if isinstance(other, memref.LoadOp) and len(accesses) < BUFFERS:
                accesses.append(access(other, numbers, loops))
        guarded = bool(loops) and lane_guarded(op, loops[-1])
        statements.append(Statement(numbered, accesses, arithmetic_counts(block), guarded))
    return Skeleton(kinds, extents, statements, widths, allocations, allocation_bytes)


def enclosing_loops(op: Operation) -> list[scf.ForOp]:
    loops = []
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, func.FuncOp):
        if isinstance(parent, scf.ForOp):
            loops.append(parent)
        parent = parent.parent_op()
    return loops[::-1]


def lane_guarded(op: Operation, loop: scf.ForOp) -> bool:
    """Whether a guard between `loop` and `op` has a condition computed from its variable."""
    seen: dict[SSAValue, frozenset[Operation]] = {}
    parent = op.parent_op()
    while parent is not None and parent is not loop:
        if isinstance(parent, scf.IfOp) and loop in loop_variables(parent.cond, seen):
            return True
        parent = parent.parent_op()
    return False


def loop_variables(
    value: SSAValue, seen: dict[SSAValue, frozenset[Operation]]
) -> frozenset[Operation]:
    """The loops whose induction variables `value` is computed from."""
    if value in seen:
        return seen[value]
    found: frozenset[Operation] = frozenset()
    if isinstance(value, BlockArgument):
        holder = value.owner.parent_op() if isinstance(value.owner, Block) else None
        if isinstance(holder, scf.ForOp) and value is holder.body.block.args[0]:
            found = frozenset([holder])
    elif isinstance(value.owner, Operation) and not isinstance(value.owner, memref.LoadOp):
        for operand in value.owner.operands:
            found |= loop_variables(operand, seen)
    seen[value] = found
    return found


def access(
    op: memref.LoadOp | memref.StoreOp, numbers: dict[Operation, int], loops: list[scf.ForOp]
) -> Access:
    seen: dict[SSAValue, frozenset[Operation]] = {}
    used: frozenset[Operation] = frozenset()
    for index in op.indices:
        used |= loop_variables(index, seen)
    last = loop_variables(op.indices[-1], seen) if op.indices else frozenset()
    unit = bool(loops) and loops[-1] in last
    gathered = bool(loops) and any(loops[-1] in loop_variables(i, seen) for i in op.indices[:-1])
    return Access(
        frozenset(numbers[loop] for loop in used if loop in numbers),
        unit,
        element_bytes(op.memref.type),
        gathered,
    )


def arithmetic_counts(block: Block | None) -> tuple[int, int, int, int]:
    add = mul = div = other = 0
    for op in block.ops if block is not None else ():
        if isinstance(op, arith.AddfOp | arith.SubfOp):
            add += 1
        elif isinstance(op, arith.MulfOp):
            mul += 1
        elif isinstance(op, arith.DivfOp):
            div += 1
        elif op.name.startswith(("arith.maximumf", "arith.minimumf", "math.", "arith.select")):
            other += 1
    return add, mul, div, other


def log2p(x: float) -> float:
    return math.log2(x + 1.0)


def features(shape: Skeleton, resources: dict[str, int] | None = None) -> np.ndarray:
    """The feature vector of a skeleton on a target with `resources` (`Target.resources`)."""
    extents = shape.extents
    vector = np.zeros(LENGTH, np.float32)
    iterations = [math.prod(extents[n] for n in s.loops) for s in shape.statements]
    order = sorted(range(len(shape.statements)), key=lambda i: -iterations[i])
    for slot, index in enumerate(order[:STATEMENTS]):
        statement = shape.statements[index]
        base = slot * PER_STATEMENT
        loops = statement.loops[::-1][:LEVELS]  # innermost first
        outer = iterations[index]
        for level, number in enumerate(loops):
            at = base + level * PER_LEVEL
            vector[at] = log2p(extents[number])
            vector[at + 1 + KINDS.index(shape.kinds[number])] = 1.0
            vector[at + 1 + len(KINDS)] = log2p(outer)
            outer //= max(extents[number], 1)
        for slot_b, buffer in enumerate(statement.accesses[:BUFFERS]):
            at = base + PER_LEVEL * LEVELS + slot_b * PER_BUFFER
            count = reuse = 1
            for level, number in enumerate(loops):
                if number in buffer.loops:
                    count *= extents[number]
                else:
                    reuse *= extents[number]
                vector[at + 2 * level] = log2p(count)
                vector[at + 2 * level + 1] = log2p(reuse)
            touched = math.prod(extents[n] for n in statement.loops if n in buffer.loops)
            vector[at + 2 * LEVELS] = log2p(touched * buffer.element_bytes)
            vector[at + 2 * LEVELS + 1] = float(buffer.unit_stride)
        at = base + PER_LEVEL * LEVELS + PER_BUFFER * BUFFERS
        for offset, count in enumerate(statement.arithmetic):
            vector[at + offset] = log2p(count * iterations[index])
        at += 4
        vector[at : at + SUMMARY] = summary(shape, statement, iterations[index], resources or {})
    kinds = shape.kinds
    threads = max((resources or {}).get("threads", 1), 1)
    vector[-TOTALS:] = [
        log2p(len(shape.statements)),
        log2p(len(kinds)),
        kinds.count("parallel"),
        kinds.count("vectorize"),
        kinds.count("unroll"),
        log2p(sum(iterations)),
        log2p(
            sum(
                size * math.prod(a)
                for a, size in zip(shape.allocations, shape.allocation_bytes, strict=True)
            )
        ),
        log2p(sum(instructions(shape, s, threads) for s in shape.statements)),
    ]
    return vector


def summary(
    shape: Skeleton, statement: Statement, iterations: int, resources: dict[str, int]
) -> np.ndarray:
    """A statement's lanes .. fits L2 fields (see the module docstring)."""
    extents, kinds, widths = shape.extents, shape.kinds, shape.widths
    vectorized = [n for n in statement.loops if kinds[n] == "vectorize"]
    lanes = min(widths[vectorized[-1]], extents[vectorized[-1]]) if vectorized else 0
    vectors = -(-extents[vectorized[-1]] // max(lanes, 1)) if vectorized else 0
    tile = math.prod(extents[n] for n in statement.loops if kinds[n] in ("vectorize", "unroll"))
    unrolled = math.prod(widths[n] for n in statement.loops if kinds[n] == "unroll")
    parallel = math.prod(extents[n] for n in statement.loops if kinds[n] == "parallel")
    found = [
        log2p(lanes),
        log2p(vectors),
        log2p(tile),
        log2p(tile / max(lanes, 1)),
        log2p(unrolled),
        log2p(parallel),
        log2p(iterations / max(parallel, 1)),
    ]
    operations = max(sum(statement.arithmetic), 1)
    loops = statement.loops[::-1][:LEVELS]  # innermost first
    footprints, intensities = [0] * LEVELS, [0.0] * LEVELS
    for level in range(len(loops)):
        inside = set(loops[: level + 1])
        footprints[level] = sum(
            a.element_bytes * math.prod(extents[n] for n in a.loops & inside)
            for a in statement.accesses
        )
        intensities[level] = operations * math.prod(extents[n] for n in inside) / footprints[level]
    # Against the target (0 where it does not say).
    registers = resources.get("registers", 0)
    vector_bytes = resources.get("vector_bytes", 0)
    threads = max(resources.get("threads", 1), 1)
    element = statement.accesses[0].element_bytes if statement.accesses else 4
    wasted = vectors * lanes - extents[vectorized[-1]] if vectorized else 0
    busy = max(parallel, 1)
    compared = [
        tile / max(lanes, 1) / registers if registers else 0.0,
        lanes * element / vector_bytes if vector_bytes else 0.0,
        wasted / (vectors * lanes) if vectorized else 0.0,
        busy / (math.ceil(busy / threads) * threads),
        *(
            float(sum(0 < f <= limit for f in footprints)) if limit else 0.0
            for limit in (resources.get("l1", 0), resources.get("l2", 0))
        ),
    ]
    # How its innermost loop becomes code (vectorize-loops' rules), and what that costs.
    inner = statement.loops[-1] if statement.loops else None
    contiguous = broadcast = gathered = 0
    for a in statement.accesses:
        if inner not in a.loops:
            broadcast += 1
        elif a.unit_stride and not a.gathered:
            contiguous += 1
        else:
            gathered += 1
    code = [
        float(statement.guarded),
        float(vector_code(shape, statement)),
        float(contiguous),
        float(broadcast),
        float(gathered),
        log2p(instructions(shape, statement, threads)),
    ]
    return np.array(
        found + [log2p(f) for f in footprints] + intensities + compared + code, np.float32
    )


def vector_code(shape: Skeleton, statement: Statement) -> bool:
    """Whether vectorize-loops writes the statement's innermost loop as vector code: a
    vectorized loop with no guard inside whose store is contiguous."""
    if not statement.loops or shape.kinds[statement.loops[-1]] != "vectorize":
        return False
    store = statement.accesses[0]
    return not statement.guarded and store.unit_stride and not store.gathered


def instructions(shape: Skeleton, statement: Statement, threads: int) -> float:
    """Instructions the statement's loops issue on the busiest thread, roughly: per
    innermost iteration one per access and arithmetic op; in vector code one per vector
    for each contiguous or broadcast access and op, lanes for a gathered one, a tail in
    halving vectors down to 4 lanes, then scalars; parallel loops split over threads."""
    if not statement.loops:
        return 0.0
    extents, inner = shape.extents, statement.loops[-1]
    per_element = sum(statement.arithmetic) + len(statement.accesses)
    if vector_code(shape, statement):
        width, left, per_vector = max(shape.widths[inner], 1), extents[inner], 0.0
        gathers = sum(
            inner in a.loops and (a.gathered or not a.unit_stride) for a in statement.accesses
        )
        cost = per_element - gathers  # the rest: one instruction per vector
        while left > 0 and (width >= 4 or width == shape.widths[inner]):
            vectors, left = divmod(left, width)
            per_vector += vectors * (cost + GATHER * gathers * width)
            width //= 2
        inner_cost = per_vector + left * per_element
    else:
        inner_cost = extents[inner] * per_element
    outer = math.prod(extents[n] for n in statement.loops[:-1])
    parallel = math.prod(extents[n] for n in statement.loops if shape.kinds[n] == "parallel")
    share = math.ceil(parallel / threads) / parallel if parallel > 1 else 1.0
    return outer * inner_cost * share


# Candidates without the interpreter ---------------------------------------------------------


# ("constant", n, _, _), ("knob", k, _, _), ("ceil", E, k, _): ceil(E / k), or
# ("padded", E, k, d): ceil(E / k) * k + d (a tiled loop's buffer with a border).
Rule = tuple[str, Any, Any, int]
BORDERS = range(0, 9)


def evaluate(rule: Rule, config: dict[str, Any]) -> int:
    kind, a, b, d = rule
    if kind == "constant":
        return a
    if kind == "knob":
        return int(config[a])
    if kind == "ceil":
        return -(-a // int(config[b]))
    return -(-a // int(config[b])) * int(config[b]) + d


@dataclass
class Formulas:
    """A structure's skeleton and, for each loop, the trip-count formulas (of the knobs)
    that every candidate of the structure read so far agrees with."""

    skeleton: Skeleton
    rules: list[list[Rule]]

    def counts(self, config: dict[str, Any], guess: bool = False) -> list[int] | None:
        """The skeleton's counts under `config`, None where their formulas disagree (or,
        with `guess`, the value most of a loop's formulas of the knobs give)."""
        found = []
        for rules in self.rules:
            values = {evaluate(rule, config) for rule in rules}
            if len(values) != 1 and not guess:
                return None
            if len(values) != 1:
                varying = [r for r in rules if r[0] != "constant"] or rules
                given = [evaluate(rule, config) for rule in varying]
                values = {max(given, key=given.count)}
            found.append(values.pop())
        return found

    def refine(self, shape: Skeleton, config: dict[str, Any]) -> bool:
        """Keep the formulas that also give `shape`'s counts under `config`; False where
        the shape differs or a loop is left without one."""
        if shape.shape() != self.skeleton.shape():
            return False
        self.rules = [
            [rule for rule in rules if evaluate(rule, config) == count]
            for rules, count in zip(self.rules, shape.counts(), strict=True)
        ]
        return all(self.rules)


def candidate_rules(
    extent: int, config: dict[str, Any], nest: list[int], numbers: list[str]
) -> list[Rule]:
    """Every formula that gives `extent` under `config`."""
    rules: list[Rule] = [("constant", extent, None, 0)]
    rules += [("knob", k, None, 0) for k in numbers if config[k] == extent]
    for e in sorted(set(nest)):
        for k in numbers:
            tiles = -(-e // config[k])
            if tiles == extent:
                rules.append(("ceil", e, k, 0))
            if extent - tiles * config[k] in BORDERS:
                rules.append(("padded", e, k, extent - tiles * config[k]))
    return rules


@dataclass
class Featurizer:
    """Features of a task's candidates, each structure read from the IR once or twice."""

    task: Any
    space: Any
    target: Target
    formulas: dict[Any, Formulas | None] = field(default_factory=dict)
    # Formulas by skeleton shape: structures whose IR is the same (tails that leave the
    # nest as it is, say) start from each other's rules after one reading, not six.
    shapes: dict[Any, Formulas] = field(default_factory=dict)
    borrowed: set[Any] = field(default_factory=set)
    read: dict[tuple[Any, ...], Skeleton] = field(default_factory=dict)
    cache: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict)
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    @cached_property
    def resources(self) -> dict[str, int]:
        """The target's resources, asked once: every candidate's features compare with them."""
        return self.target.resources()

    def structure(self, config: dict[str, Any]) -> tuple[Any, ...]:
        parts = []
        for dimension in self.space.dimensions:
            value = config[dimension.name]
            if dimension.splits is not None:
                # A loop of one trip (one tile, or tiles of one) loses its annotation, or
                # its variable from the indices.
                whole, single = value >= dimension.splits, value == 1
                parts.append(("tail", dimension.splits % value != 0, whole, single))
            elif dimension.alternatives:
                parts.append(("alternative", value))
            else:
                parts.append(("knob", value == 1))
        return tuple(parts)

    @cached_property
    def parsed(self) -> tuple[ModuleOp, Operation]:
        """The task's module and the schedule file, parsed once: each reading schedules a
        copy (parsing them, and printing and parsing the concrete schedule again, took
        two thirds of a reading)."""
        module = parse_module(self.task.module, f"task {self.task.name}")
        schedule = parse_module(self.space.text, self.space.file)
        verify_module(schedule)
        return module, schedule

    def skeleton_of(self, config: dict[str, Any]) -> Skeleton | None:
        from ziggurat.tuner.build import find_function, scheduled_module

        key = self.space.key(config)
        if key not in self.read:
            module, schedule = self.parsed
            try:
                concrete = fix_knobs(schedule, dict(config))
                module = scheduled_module(self.task, concrete, self.target, module.clone())
            except Exception:  # a candidate the interpreter rejects has no features
                return None
            self.read[key] = skeleton(find_function(module, self.task.function))
        return self.read[key]

    def __call__(self, config: dict[str, Any], provisional: bool = False) -> np.ndarray:
        """The candidate's features; `provisional`: a candidate of a structure not read yet
        takes its features from the nearest structure read (see `stand_in`), if any."""
        key = self.space.key(config)
        if key in self.cache:
            return self.cache[key]
        structure = self.structure(config)
        if provisional and structure not in self.formulas:
            found = self.stand_in(config, structure)
            if found is not None:
                return found
        if structure not in self.formulas:
            self.formulas[structure] = self.learn(config)
        formulas = self.formulas[structure]
        counts = formulas.counts(config, guess=provisional) if formulas is not None else None
        if formulas is not None and counts is not None:
            vector = features(formulas.skeleton.with_counts(counts), self.resources)
            if provisional and formulas.counts(config) is None:
                return np.concatenate([vector, self.knob_features(config)])  # a guess: not kept
        else:
            # Formulas that disagree here learn from this candidate's IR.
            shape = self.skeleton_of(config)
            vector = (
                features(shape, self.resources)
                if shape is not None
                else np.zeros(LENGTH, np.float32)
            )
            if formulas is not None and (shape is None or not formulas.refine(shape, config)):
                # Rules borrowed from another structure of the same shape are no evidence
                # against this one: learn its own.
                borrowed = structure in self.borrowed and shape is not None
                self.borrowed.discard(structure)
                self.formulas[structure] = self.learn(config, borrow=False) if borrowed else None
        vector = np.concatenate([vector, self.knob_features(config)])
        self.cache[key] = vector
        return vector

    def stand_in(self, config: dict[str, Any], structure: tuple[Any, ...]) -> np.ndarray | None:
        """Features of `config` from the formulas of a structure read already, of the same
        alternatives and the fewest other parts (tails, loops of one trip) different, or
        None: the search scores thousands of candidates, and the interpreter reads a new
        structure in 0.1-0.6 s; the knob features still say which splits leave tails.
        Not cached: a candidate that is measured gets its own structure's features."""
        chosen = [i for i, part in enumerate(structure) if part[0] == "alternative"]
        nearest = sorted(
            (sum(a != b for a, b in zip(known, structure, strict=True)), order, formulas)
            for order, (known, formulas) in enumerate(self.formulas.items())
            if formulas is not None and all(known[i] == structure[i] for i in chosen)
        )
        if not nearest:
            return None
        formulas = nearest[0][2]
        counts = formulas.counts(config, guess=True)
        vector = features(formulas.skeleton.with_counts(counts), self.resources)
        return np.concatenate([vector, self.knob_features(config)])

    def knob_features(self, config: dict[str, Any]) -> np.ndarray:
        found = np.zeros(2 * KNOB_SLOTS, np.float32)
        for slot, dimension in enumerate(self.space.dimensions[:KNOB_SLOTS]):
            value = config[dimension.name]
            if dimension.alternatives:
                found[2 * slot] = value
            elif isinstance(value, int | float):
                found[2 * slot] = log2p(max(float(value), 0.0))
            if dimension.splits is not None:
                found[2 * slot + 1] = float(dimension.splits % int(value) != 0)
        return found

    def numbers(self) -> list[str]:
        """The knobs that are positive integers (split factors, widths, unroll factors)."""
        return [
            d.name
            for d in self.space.dimensions
            if not d.alternatives and all(isinstance(o, int) and o > 0 for o in d.options)
        ]

    def relatives(self, config: dict[str, Any], count: int) -> list[dict[str, Any]]:
        """Random configurations of the same structure as `config`."""
        structure = self.structure(config)
        found = []
        for _ in range(count):
            other = dict(config)
            for name, value in self.space.sample(self.rng).items():
                if self.structure({**other, name: value}) == structure:
                    other[name] = value
            found.append(self.space.canonical(other))
        return found

    def learn(self, config: dict[str, Any], borrow: bool = True) -> Formulas | None:
        """Formulas for the structure of `config`: from its IR, those of a structure of the
        same shape that it agrees with, else a second candidate's of the structure that
        differs in as many knobs as one of a few samples does, then from candidates on
        which the formulas left still disagree (a few at most)."""
        first = self.skeleton_of(config)
        if first is None:
            return None
        known = self.shapes.get(first.shape()) if borrow else None
        if known is not None:
            formulas = Formulas(first, [list(rules) for rules in known.rules])
            if formulas.refine(first, config):
                self.borrowed.add(self.structure(config))
                return formulas
        numbers = self.numbers()
        formulas = Formulas(
            first, [candidate_rules(x, config, self.task.extents, numbers) for x in first.counts()]
        )
        relatives = self.relatives(config, 48)
        second = max(relatives, key=lambda c: sum(c[k] != config[k] for k in numbers))
        for _ in range(DISAMBIGUATIONS):
            if second is None:
                break
            shape = self.skeleton_of(second)
            if shape is None or not formulas.refine(shape, second):
                return None
            second = next((c for c in relatives if formulas.counts(c) is None), None)
        self.shapes.setdefault(first.shape(), formulas)
        return formulas

    def matrix(self, configs: list[dict[str, Any]], provisional: bool = False) -> np.ndarray:
        if not configs:
            return np.zeros((0, WIDTH), np.float32)
        return np.stack([self(c, provisional) for c in configs])
