"""`apply-default-schedules`: give each loop nest its target's default schedule for its kind.

The default pipeline runs it after `te-to-loop`, so a model compiled without tuning gets
tiled, packed, vectorized and parallel loops. Each nest te-to-loop tagged (each function's,
in order, those in a loop over time or a branch included) is recognized by what it computes (analysis/nests.py: matmul, conv2d, pool,
softmax, reduction, elementwise, ...); the target (`target=...`, the host's CPU by default)
picks the schedule file for that kind and fixes its knobs from the nest's extents and the
hardware (for the CPU: targets/cpu/knobs.py, schedules in targets/cpu/schedules/). The
schedule's argument is the nest's outermost loop. A nest a schedule cannot handle keeps its
loops as they were: this pass never fails on a nest.

    ziggurat-opt model.mlir -p 'te-inline,te-to-loop,apply-default-schedules'
    ziggurat-opt model.mlir -p 'apply-default-schedules{target="cpu{mcpu=znver2 threads=4}"}'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from xdsl.context import Context
from xdsl.dialects import func, scf
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Block, Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ziggurat.analysis.nests import recognize
from ziggurat.analysis.payload import is_stage_root
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import fix_knobs
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.passes.scheduling.apply_schedule import apply_schedule
from ziggurat.targets.target import Target, target_named

NEST = "ziggurat.nest"  # marks the nests still to schedule, while the pass runs


@dataclass(frozen=True)
class ApplyDefaultSchedules(ModulePass):
    """Schedule each loop nest by its target's default schedule for its kind."""

    name = "apply-default-schedules"

    target: str = "cpu"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = target_named(self.target)
        functions = [f for f in op.ops if isinstance(f, func.FuncOp) and not f.is_declaration]
        schedules: dict[str, Operation] = {}  # each file parsed once
        for function in functions:
            roots = stage_roots(function.body.block)
            for number, root in enumerate(roots):
                root.attributes[NEST] = StringAttr(str(number))
            for number in range(len(roots)):
                function = schedule_nest(op, function, str(number), target, schedules)
            for root in function.walk():
                root.attributes.pop(NEST, None)


def stage_roots(block: Block) -> list[scf.ForOp]:
    """The nests of `block`, and of the loops and branches around nests in it (the time
    loop of a recurrent network, a branch of an if), in order."""
    roots: list[scf.ForOp] = []
    for op in block.ops:
        if is_stage_root(op):
            roots.append(op)  # type: ignore[arg-type]
        elif isinstance(op, scf.ForOp | scf.IfOp):
            for region in op.regions:
                for inner in region.blocks:
                    roots += stage_roots(inner)
    return roots


def schedule_nest(
    module: ModuleOp,
    function: func.FuncOp,
    number: str,
    target: Target,
    schedules: dict[str, Operation] | None = None,
) -> func.FuncOp:
    """Schedule nest `number` of `function`; the function, or a copy of it as it was if the
    schedule does not apply. `schedules` keeps the schedule files parsed so far."""
    root = next(
        o for o in stage_roots(function.body.block) if o.attributes.get(NEST) == StringAttr(number)
    )
    assert isinstance(root, scf.ForOp)
    nest = recognize(root, function)
    plan = target.default_schedule(nest) if nest is not None else None
    if plan is None:
        return function
    schedule_file, values = plan
    # Outside the try: knobs a target's heuristic sets outside their options are its bug.
    if schedules is None:
        schedules = {}
    if schedule_file not in schedules:
        schedules[schedule_file] = schedule(target, schedule_file)
    fixed = fix_knobs(schedules[schedule_file], values)  # a copy: the parsed one stays
    backup = function.clone()
    try:
        apply_schedule(module, fixed, root=root, target=target, verify=False)
    except ZigguratError:
        Rewriter.replace_op(function, backup)
        return backup
    return function


@cache
def schedule_text(target: Target, file: str) -> str:
    return target.schedule_text(file)


def schedule(target: Target, file: str) -> Operation:
    """A schedule file of `target`, parsed and verified."""
    parsed = parse_module(schedule_text(target, file), f"targets/{target.name}/schedules/{file}")
    verify_module(parsed)
    return parsed
