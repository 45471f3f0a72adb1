"""A task's search space: the knobs and alternatives of its schedule file, narrowed to its nest.

The space is read from the transform IR, never written in Python: every
`transform.tune.knob` and `transform.tune.alternatives` of the schedule is a dimension. What
a knob does narrows its options to the task: a knob that splits a loop of the nest keeps the
options that divide the loop's extent and the few non-divisors that waste least of their
last, guarded step (a tile larger than the loop is never offered), one that splits a part
of a loop (the threads over a GPU thread's tiles) keeps the options no larger than the loop; a knob that sets a vector
width keeps the widths up to the target's (its default value). A knob no option of which
fits makes the region of alternatives that declares it unusable; outside alternatives it is
an error. Knobs declared only in a region that is not selected do not matter: a
configuration is canonical with them at their defaults, so two configurations that make the
same schedule are one.

    space = Space.of(task, target)
    config = space.sample(rng)              # {"tile_rows": 4, "tile_columns": 48, ...}
    print(space.schedule_text(config))      # the concrete transform IR it makes
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects import transform
from xdsl.ir import Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import schedule as ops
from ziggurat.dialects.schedule import KnobValue, choices, fix_knobs
from ziggurat.ir_io import parse_module, print_module, verify_module
from ziggurat.targets.target import Target

Config = dict[str, KnobValue]

# Non-divisors offered beside the divisors of a loop's extent (each leaves a guarded tail).
TAILS = 3


@dataclass
class Dimension:
    """One knob or alternatives op: its options and where it is declared."""

    name: str
    options: list[KnobValue]
    default: KnobValue
    # The (alternatives name, region) each enclosing region needs selected, outermost first.
    regions: tuple[tuple[str, int], ...] = ()
    splits: int | None = None  # the extent of the nest loop it splits, if it splits one
    width: bool = False  # whether it sets a vector width
    alternatives: bool = False  # whether it selects a region of alternatives
    within: int | None = None  # the extent of the nest loop it splits a part of, if one


def read_dimensions(sequence: Operation, extents: list[int]) -> list[Dimension]:
    """The knobs and alternatives of a schedule with what each does to the nest's loops."""
    loops: dict[SSAValue, int] = {}  # handles of the nest's loops, by loop number
    parts: dict[SSAValue, int] = {}  # handles of loops split from them, by the extent split
    root = sequence.body.block.args[0] if isinstance(sequence, transform.NamedSequenceOp) else None
    found: dict[str, Dimension] = {}
    defaults = {k.name: k for k in choices(sequence)}

    def visit(block: Any, regions: tuple[tuple[str, int], ...]) -> None:
        for op in block.ops:
            if isinstance(op, ops.GetLoopsOp) and op.target is root:
                results = list(op.loops)
                overflow = op.attributes.get("overflow_result")
                spare = overflow.value.data if overflow is not None else None  # type: ignore[attr-defined]
                for index, result in enumerate(results):
                    if spare is None:
                        loops[result] = index
                    elif index < spare:
                        loops[result] = index
                    elif index > spare:
                        loops[result] = len(extents) - (len(results) - index)
            elif isinstance(op, ops.KnobOp):
                name = op.knob_name.data
                knob = defaults[name]
                found.setdefault(
                    name, Dimension(name, list(knob.options), knob_default(knob), regions)
                )
            elif isinstance(op, ops.AlternativesOp) and op.selected_region_param is None:
                name = op.alternatives_name.data
                knob = defaults[name]
                found.setdefault(
                    name,
                    Dimension(
                        name, list(knob.options), knob_default(knob), regions, None, False, True
                    ),
                )
                for index, region in enumerate(op.alternatives):
                    visit(region.block, (*regions, (name, index)))
                continue
            if isinstance(op, ops.SplitOp | ops.VectorizeOp):
                param = op.factor if isinstance(op, ops.SplitOp) else op.width
                owner = param.owner if param is not None else None
                split = None
                if isinstance(op, ops.SplitOp) and op.loop in loops:
                    split = extents[loops[op.loop]]
                elif isinstance(op, ops.SplitOp):
                    split = parts.get(op.loop)
                if isinstance(op, ops.SplitOp) and split is not None:
                    parts[op.outer] = parts[op.inner] = split
                if isinstance(owner, ops.KnobOp):
                    dimension = found[owner.knob_name.data]
                    if isinstance(op, ops.VectorizeOp):
                        dimension.width = True
                    elif op.loop in loops:
                        assert split is not None
                        dimension.splits = min(dimension.splits or split, split)
                    elif split is not None:
                        dimension.within = min(dimension.within or split, split)

    visit(sequence.body.block, ())
    return list(found.values())


def knob_default(knob: ops.Knob) -> KnobValue:
    return knob.value if knob.value is not None else knob.options[0]


def narrow_split(options: list[KnobValue], extent: int) -> list[KnobValue]:
    """The options that divide `extent`, and the TAILS non-divisors that waste least."""
    fitting = [o for o in options if isinstance(o, int) and 1 <= o <= extent]
    divisors = [o for o in fitting if extent % o == 0]
    others = sorted(
        (o for o in fitting if extent % o),
        key=lambda o: (-extent / (math.ceil(extent / o) * o), -o),
    )
    kept = set(divisors) | set(others[:TAILS])
    return [o for o in options if o in kept]


@dataclass
class Space:
    """The configurations of one task's schedule."""

    file: str
    text: str  # the schedule file's text, knobs open or at the target's defaults
    dimensions: list[Dimension]

    @staticmethod
    def of(task: Any, target: Target, text: str | None = None) -> Space:
        """The space of `task`, from its target's schedule file (or `text`, another one)."""
        text = text if text is not None else target.schedule_text(task.schedule_file)
        where = f"task {task.name} ({task.schedule_file})"
        module = parse_module(text, task.schedule_file)
        verify_module(module)
        sequence = next(
            (o for o in module.walk() if isinstance(o, transform.NamedSequenceOp)), None
        )
        if sequence is None:
            raise ZigguratError("the schedule has no transform.named_sequence", where)
        dimensions = read_dimensions(sequence, task.extents)
        if not dimensions:
            raise ZigguratError("the schedule has no knob or alternatives to tune", where)
        for dimension in dimensions:
            original = dimension.options
            if dimension.name in task.default:
                dimension.default = task.default[dimension.name]
            if dimension.splits is not None:
                dimension.options = narrow_split(original, dimension.splits)
            elif dimension.within is not None:
                # A part of a loop (threads over a thread's tiles) is no larger than it.
                dimension.options = [
                    o for o in original if not isinstance(o, int) or o <= dimension.within
                ]
            elif dimension.width:
                dimension.options = [
                    o for o in original if not isinstance(o, int) or o <= dimension.default
                ]
            chosen = dimension.name in task.default
            if (
                chosen
                and dimension.default in original
                and dimension.default not in dimension.options
            ):
                # The target's own choice stays in the space, so tuning starts from it.
                dimension.options = [
                    o for o in original if o in dimension.options or o == dimension.default
                ]
        space = Space(task.schedule_file, text, dimensions)
        space.drop_unusable_regions(where)
        return space

    def drop_unusable_regions(self, where: str) -> None:
        """Remove regions that declare a knob with no option left; a knob outside any
        region with no option left is an error."""
        by_name = {d.name: d for d in self.dimensions}
        for dimension in self.dimensions:
            if dimension.options:
                continue
            if not dimension.regions:
                raise ZigguratError(
                    f"knob '{dimension.name}' has no option that fits the nest "
                    f"(it splits a loop of {dimension.splits})",
                    where,
                )
            name, region = dimension.regions[-1]
            owner = by_name[name]
            owner.options = [o for o in owner.options if o != region]
            if not owner.options:
                raise ZigguratError(
                    f"no region of alternatives '{name}' can be used: knob "
                    f"'{dimension.name}' has no option that fits",
                    where,
                )
        for dimension in self.dimensions:
            if dimension.options and dimension.default not in dimension.options:
                dimension.default = dimension.options[0]
            if not dimension.options:
                dimension.options = [dimension.default]  # never selected; kept for fix_knobs

    # Configurations ------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    @property
    def sizes(self) -> np.ndarray:
        return np.array([len(d.options) for d in self.dimensions])

    def size(self) -> int:
        return int(np.prod(self.sizes.astype(np.float64)))

    def default(self) -> Config:
        return self.canonical({d.name: d.default for d in self.dimensions})

    def active(self, dimension: Dimension, config: Config) -> bool:
        """Whether `dimension` matters under `config`: every region declaring it selected."""
        return all(config.get(name) == region for name, region in dimension.regions)

    def canonical(self, config: Config) -> Config:
        """`config` with the knobs that do not matter at their defaults."""
        return {
            d.name: config[d.name] if self.active(d, config) else d.default for d in self.dimensions
        }

    def key(self, config: Config) -> tuple[KnobValue, ...]:
        canonical = self.canonical(config)
        return tuple(canonical[d.name] for d in self.dimensions)

    def encode(self, config: Config) -> np.ndarray:
        """The configuration as option indices, one per dimension."""
        return np.array([d.options.index(config[d.name]) for d in self.dimensions], dtype=np.int64)

    def decode(self, indices: np.ndarray) -> Config:
        return self.canonical(
            {d.name: d.options[int(i)] for d, i in zip(self.dimensions, indices, strict=True)}
        )

    def contains(self, config: Config) -> bool:
        return set(config) == set(self.names) and all(
            config[d.name] in d.options for d in self.dimensions
        )

    def valid(self, config: Config) -> bool:
        """Cheap checks before building: every option one of the narrowed ones (no tile
        larger than its loop, no region made unusable)."""
        return self.contains(config) and all(
            config[d.name] in d.options for d in self.dimensions if self.active(d, config)
        )

    def sample(self, rng: np.random.Generator) -> Config:
        return self.decode(rng.integers(0, self.sizes))

    def neighbour(self, config: Config, rng: np.random.Generator) -> Config:
        """`config` with one knob or alternatives changed (one that matters)."""
        active = [d for d in self.dimensions if self.active(d, config) and len(d.options) > 1]
        if not active:
            return dict(config)
        dimension = active[rng.integers(len(active))]
        others = [o for o in dimension.options if o != config[dimension.name]]
        return self.canonical({**config, dimension.name: others[rng.integers(len(others))]})

    def enumerate(self, limit: int | None = None) -> list[Config]:
        """Distinct canonical configurations in grid order (at most `limit`)."""
        seen: dict[tuple[KnobValue, ...], Config] = {}
        for values in itertools.product(*(d.options for d in self.dimensions)):
            config = self.canonical(dict(zip(self.names, values, strict=True)))
            seen.setdefault(self.key(config), config)
            if limit is not None and len(seen) >= limit:
                break
        return list(seen.values())

    # As transform IR -------------------------------------------------------------------------

    def schedule(self, config: Config) -> Operation:
        module = parse_module(self.text, self.file)
        return fix_knobs(module, dict(config))

    def schedule_text(self, config: Config) -> str:
        """The concrete transform IR `config` makes, as `apply-schedule{file=...}` reads it."""
        return print_module(self.schedule(config))
