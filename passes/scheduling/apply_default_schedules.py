"""`apply-default-schedules`: give each loop nest its target's default schedule for its kind.

The default pipeline runs it after `te-to-loop`, so a model compiled without tuning gets
tiled, packed, vectorized and parallel loops. Each nest te-to-loop tagged (each function's,
in order, those in a loop over time or a branch included) is recognized by what it computes (analysis/nests.py: matmul, conv2d, pool,
softmax, reduction, elementwise, ...); the target (`target=...`, the host's CPU by default)
picks the schedule file for that kind and fixes its knobs from the nest's extents and the
hardware (for the CPU: targets/cpu/knobs.py, schedules in targets/cpu/schedules/). The
schedule's argument is the nest's outermost loop. A nest a schedule cannot handle keeps its
loops as they were: this pass never fails on a nest.

With `tuning-log=PATH` (a log `ziggurat tune` wrote), a nest the log has a record for is
scheduled by the best record's schedule instead (the tuner keys a nest by its function's
normalized text and its number, tuner/tasks.py); the others get their defaults. A log with
records for this target of which none is a nest here was written for another model: an error.

    ziggurat-opt model.mlir -p 'te-inline,te-to-loop,apply-default-schedules'
    ziggurat-opt model.mlir -p 'apply-default-schedules{tuning-log=tuning.jsonl}'
    ziggurat-opt model.mlir -p 'apply-default-schedules{target="cpu{mcpu=znver2 threads=4}"}'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from xdsl.context import Context
from xdsl.dialects import func, scf
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ziggurat.analysis.nests import recognize
from ziggurat.analysis.payload import stage_roots
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import KnobValue, fix_knobs
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.passes.scheduling.apply_schedule import apply_schedule
from ziggurat.targets.target import Target, target_named
from ziggurat.tuner.tasks import function_key

NEST = "ziggurat.nest"  # marks the nests still to schedule, while the pass runs


@dataclass(frozen=True)
class ApplyDefaultSchedules(ModulePass):
    """Schedule each loop nest by its target's default schedule for its kind."""

    name = "apply-default-schedules"

    target: str = "cpu"
    tuning_log: str | None = None

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = target_named(self.target)
        tuned = tuned_schedules(self.tuning_log, target) if self.tuning_log else {}
        used = 0
        functions = [f for f in op.ops if isinstance(f, func.FuncOp) and not f.is_declaration]
        for function in functions:
            key = function_key(function) if tuned else ""
            roots = stage_roots(function.body.block)
            for number, root in enumerate(roots):
                root.attributes[NEST] = StringAttr(str(number))
            for number in range(len(roots)):
                best = tuned.get(f"{key}/{number}")
                used += best is not None
                function = schedule_nest(op, function, str(number), target, best)
            for root in function.walk():
                root.attributes.pop(NEST, None)
        if tuned and not used:
            raise ZigguratError(
                f"the tuning log '{self.tuning_log}' has no record for any loop nest here "
                "(it was written for another model)"
            )


def schedule_nest(
    module: ModuleOp,
    function: func.FuncOp,
    number: str,
    target: Target,
    tuned: Operation | None = None,
) -> func.FuncOp:
    """Schedule nest `number` of `function` by `tuned` (a concrete schedule), or where there
    is none or it does not apply, by its default; the function, or a copy of it as it was if
    no schedule applies."""
    root = nest_root(function, number)
    nest = recognize(root, function)
    plan = target.default_schedule(nest) if nest is not None else None
    candidates = [tuned] if tuned is not None else []
    if plan is not None:
        schedule_file, values = plan
        # Outside the try: knobs a target's heuristic sets outside their options are its bug.
        candidates.append(fixed_schedule(target, schedule_file, knob_key(values)))
    for chosen in candidates:
        backup = function.clone()
        try:
            # The schedule files are verified as parsed; a tuning log's schedule here.
            apply_schedule(module, chosen, root=root, target=target, verify=chosen is tuned)
            return function
        except ZigguratError:
            Rewriter.replace_op(function, backup)
            function = backup
            root = nest_root(function, number)
    return function


def nest_root(function: func.FuncOp, number: str) -> scf.ForOp:
    """The loop nest `number` of `function` (as this pass tagged it, wherever it lies)."""
    root = next(o for o in function.walk() if o.attributes.get(NEST) == StringAttr(number))
    assert isinstance(root, scf.ForOp)
    return root


def tuned_schedules(path: str, target: Target) -> dict[str, Operation]:
    """The best record's schedule for each nest the tuning log at `path` has, by key."""
    from ziggurat.tuner.log import load_best

    return {
        key: parse_module(record["transform"], f"{path} (task {key})")
        for key, record in load_best(path, str(target)).items()
        if record.get("transform")
    }


@cache
def schedule_text(target: Target, file: str) -> str:
    return target.schedule_text(file)


def knob_key(values: dict[str, KnobValue]) -> tuple[tuple[str, str, KnobValue], ...]:
    """`values` as a key, each value with its type (True == 1, but a bool knob is not an
    int knob)."""
    return tuple(sorted((name, type(v).__name__, v) for name, v in values.items()))


@lru_cache(maxsize=512)
def fixed_schedule(
    target: Target, file: str, key: tuple[tuple[str, str, KnobValue], ...]
) -> Operation:
    """A schedule file of `target` with its knobs fixed to the values of `key`, made once per
    process: networks repeat their nests (DenseNet-121's 188 nests take 10 distinct ones),
    and copying and fixing a schedule was a fifth of this pass. Applying a schedule never
    changes it (apply_schedule's interpreter only reads it), so the copy is shared."""
    return fix_knobs(schedule(target, file), {name: value for name, _, value in key})


@cache
def schedule(target: Target, file: str) -> Operation:
    """A schedule file of `target`, parsed and verified, once per process (a compile's
    units would parse each file again: 0.6 s of DenseNet-121's); never changed, as its users
    fix its knobs in a copy (fix_knobs)."""
    parsed = parse_module(schedule_text(target, file), f"targets/{target.name}/schedules/{file}")
    verify_module(parsed)
    return parsed
