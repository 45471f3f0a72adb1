"""The loop-level IR surgery behind each schedule primitive, one module per kind of change.

The payload is what `te-to-loop` emits (see `ziggurat.analysis.payload`): per te.compute one
nest of `scf.for` loops, a *stage*, whose loops nested one directly in another form its
*band*. Every primitive keeps the results exact: `loops` splits, fuses and reorders band
loops (a reorder only where no dependence changes direction, `ziggurat.analysis.dependences`);
`reductions` first turns a reduction's `iter_args` accumulator into accumulation in memory,
so its loops can move like any other; `regions` bounds the box of a buffer one iteration of
a loop touches, which `compute_at` computes there and `caches` copies into a local buffer;
`tensorize` replaces a nest by a call of an intrinsic; `build` makes the IR they all emit.
This module offers `ScheduleError` (a primitive that does not apply, which the interpreter
reports at the transform op) and `Changes` (what a primitive replaced or erased).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.ir import Operation
from xdsl.rewriter import Rewriter


class ScheduleError(Exception):
    """A schedule primitive that does not apply to its payload, and why."""


@dataclass
class Changes:
    """The payload ops a primitive replaced or erased, for the handles pointing at them."""

    replaced: dict[Operation, Operation] = field(default_factory=dict)
    erased: list[Operation] = field(default_factory=list)

    def erase(self, op: Operation) -> None:
        self.erased.extend(op.walk())
        Rewriter.erase_op(op, safe_erase=False)

    def replace(self, old: Operation, new: Operation) -> None:
        self.replaced[old] = new
        for key, value in self.replaced.items():
            if value is old:
                self.replaced[key] = new
