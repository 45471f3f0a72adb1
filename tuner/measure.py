"""The runner's side of a trial, in the process that measures: build, check, time.

A `Bench` holds one task at a time: its seeded random inputs and the reference output (the
task's function with its default schedules, built once), and the candidates built so far.
Measuring a candidate runs it once and compares its outputs with the reference (relative to
the output's scale, as `ziggurat run` does) and checks that the guard zones before and after
each output and input (guard_zones.py) and the inputs are untouched, then times it through the target: untimed runs
for a fifth of `min_seconds` (threads that slept come back slowly), then repeats until
`min_seconds` have passed (at least 3), the median counted. A result
much faster than the best so far is timed again, and the slower of the two counts. Every
failure is a `Result` with its class, never an exception:

| error | when |
|---|---|
| compile error | the schedule is rejected (interpreter, verifier, a local or shared buffer too large) or the target fails to compile or to check what it compiled (ptxas) |
| runtime error | the compiled function raises, or its worker dies (the pool says so) |
| wrong result | its outputs differ from the reference's, or it wrote into the guard zones around them |
| timeout | its build or its run takes longer than the pool allows (the pool says so) |
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ziggurat.diagnostics import ZigguratError
from ziggurat.guard_zones import Guarded
from ziggurat.targets.target import Target, target_named
from ziggurat.tuner.build import build

ERRORS = ("compile error", "runtime error", "wrong result", "timeout")
# A result this much faster than the best so far is measured again before it counts.
SUSPICIOUS = 0.7


@dataclass
class Result:
    """The outcome of one trial: its times (seconds) or its error class and message."""

    id: int
    seconds: float | None = None
    costs: list[float] = field(default_factory=list)
    error: str | None = None
    message: str = ""
    build_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def inputs_for(task: Any) -> list[np.ndarray]:
    from ziggurat.ir_io import parse_module
    from ziggurat.tools.ziggurat import random_inputs

    return random_inputs(parse_module(task.module), task.function, seed=0)


def agrees(got: list[np.ndarray], want: list[np.ndarray]) -> str:
    """Why `got` differs from `want` ("" where it agrees), relative to each output's scale."""
    for index, (ours, theirs) in enumerate(zip(got, want, strict=True)):
        ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
        same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
        with np.errstate(invalid="ignore"):
            difference = np.where(same, 0.0, np.abs(ours - theirs))
        error = float(np.max(difference)) if ours.size else 0.0
        finite = np.abs(theirs[np.isfinite(theirs)])
        scale = float(np.max(finite)) if finite.size else 0.0
        if not error <= 1e-5 + 1e-4 * scale:
            return f"output {index} differs from the default schedule's by {error:.3g}"
    return ""


def short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:400]


@dataclass
class Bench:
    """One task's inputs, reference and built candidates, in the measuring process."""

    target: Target
    task: Any = None
    inputs: list[Guarded] = field(default_factory=list)
    outputs: list[Guarded] = field(default_factory=list)
    reference: list[np.ndarray] = field(default_factory=list)
    pristine: list[np.ndarray] = field(default_factory=list)  # the inputs, unguarded
    built: dict[int, Any] = field(default_factory=dict)

    @staticmethod
    def named(target: str) -> Bench:
        return Bench(target_named(target))

    def prepare(self, task: Any) -> None:
        """Hold `task`: its inputs, and its default schedules' outputs as the reference."""
        if self.task is not None and self.task.key == task.key:
            return
        self.task, self.built = task, {}
        default = build(task, None, self.target)
        plain = self.pristine = inputs_for(task)
        self.reference = [np.array(o) for o in default(*plain)]
        self.inputs = [Guarded.of(a.shape, a.dtype, a) for a in plain]
        self.outputs = [Guarded.of(r.shape, r.dtype) for r in self.reference]

    def build(self, id: int, schedule_text: str) -> Result:
        """Build one candidate and keep it; the result carries only a build error, if any."""
        start = time.perf_counter()
        try:
            run = build(self.task, schedule_text, self.target)
            self.target.check_compiled(run)
            self.built[id] = run
        except ZigguratError as error:
            return Result(id, error="compile error", message=short(error))
        except Exception as error:  # a schedule nobody wrote: any failure is a data point
            detail = traceback.extract_tb(error.__traceback__)[-1]
            where = f" ({detail.filename.rsplit('/', 1)[-1]}:{detail.lineno})"
            return Result(id, error="compile error", message=short(error) + where)
        return Result(id, build_seconds=time.perf_counter() - start)

    def measure(self, id: int, best: float | None, min_seconds: float) -> Result:
        """Check and time a built candidate."""
        run = self.built.pop(id)
        arrays = [g.view for g in (*self.inputs, *self.outputs)]
        try:
            for output in self.outputs:
                output.reset()  # the sentinel, a NaN: an element it does not write shows
            run(*arrays)
            if not all(g.guards_intact() for g in (*self.inputs, *self.outputs)):
                self.restore()
                return Result(id, error="wrong result", message="it wrote outside its arrays")
            if not all(
                np.array_equal(g.view, a, equal_nan=True)
                for g, a in zip(self.inputs, self.pristine, strict=True)
            ):
                self.restore()
                return Result(id, error="wrong result", message="it wrote into its inputs")
            wrong = agrees([g.view for g in self.outputs], self.reference)
            if wrong:
                return Result(id, error="wrong result", message=wrong)
            costs = self.time(run, arrays, min_seconds)
            seconds = float(np.median(costs))
            if best is not None and seconds < SUSPICIOUS * best:
                again = self.time(run, arrays, min_seconds)
                seconds = max(seconds, float(np.median(again)))
                costs += again
        except Exception as error:
            return Result(id, error="runtime error", message=short(error))
        finally:
            self.target.release(run)
        return Result(id, seconds=seconds, costs=costs)

    def restore(self) -> None:
        """Guards and inputs as they were before a candidate wrote over them."""
        for guarded, original in zip(self.inputs, self.pristine, strict=True):
            guarded.reset(original)
        for guarded in self.outputs:
            guarded.reset()

    def time(self, run: Any, arrays: list[np.ndarray], min_seconds: float) -> list[float]:
        """Run times: untimed runs for a fifth of `min_seconds` (3 at least: threads that
        slept come back slowly), then repeats for `min_seconds` (3 at least)."""
        first = self.target.time(run, arrays, 1)[0]
        warm = int(min(1000, max(3, 0.2 * min_seconds / max(first, 1e-7))))
        self.target.time(run, arrays, warm)
        runs = int(min(1000, max(3, min_seconds / max(first, 1e-7))))
        return self.target.time(run, arrays, runs)

    def trial(self, id: int, schedule_text: str, best: float | None, min_seconds: float) -> Result:
        """Build, then measure (the Ray device's trial: one at a time on its machine)."""
        built = self.build(id, schedule_text)
        if not built.ok:
            return built
        result = self.measure(id, best, min_seconds)
        result.build_seconds = built.build_seconds
        return result
