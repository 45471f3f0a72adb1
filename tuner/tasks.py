"""Tuning tasks: one per distinct fused workload of one or several models.

A model is lowered as the default pipeline lowers it, up to the loop level but before
`apply-default-schedules`; each function fuse-ops outlined (and any other function with loop
nests) is then looked at nest by nest, as that pass does. A nest the target gives a default
schedule is a task: the schedule file is its search space (tuner/space.py), the function is
what the builder compiles. A task is keyed by what it computes and its shapes, not by names:
the function's loop-level text with its name and SSA names normalized, hashed, and the
nest's number in it. The same conv in two models, or twice in one, is one task whose weight
(runs per inference) is the sum of its calls.

    tasks = extract_tasks(["resnet18.onnx"], target_named("cpu"))
    tasks[0].key, tasks[0].weight, tasks[0].kind    # 'a3f0…/0', 2, 'conv2d'
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, StringAttr

from ziggurat.analysis.nests import recognize
from ziggurat.analysis.payload import stage_roots
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import KnobValue
from ziggurat.ir_io import pass_pipeline, print_module
from ziggurat.registry import make_context
from ziggurat.targets.target import Target


@dataclass
class Task:
    """One nest of one distinct function: what the tuner schedules and measures."""

    key: str  # the function's hash and the nest's number: "3f9a0c2e1b7d4a65/0"
    name: str  # a readable name: the function's and the nest's kind
    kind: str
    extents: list[int]
    nest: int
    weight: int
    module: str  # loop-level text of a module holding the function alone, public
    function: str  # its name in that module
    schedule_file: str
    default: dict[str, KnobValue]  # the target's heuristic values for the file's knobs
    target: str
    flops: int = 0
    models: list[str] = field(default_factory=list)

    def describe(self) -> str:
        shape = "x".join(map(str, self.extents))
        return f"{self.name} [{shape}]"


def loop_level_passes(target: Target) -> str:
    """The default pipeline from the te level to the loop level, schedules left out."""
    from ziggurat.pipeline import steps

    passes = steps(target)["te"].split(",")
    return ",".join(p for p in passes if not p.startswith("apply-default-schedules"))


def function_key(function: func.FuncOp) -> str:
    """A hash of what `function` computes: its text with its own name and SSA names
    normalized, so that equal workloads outlined under two names are one."""
    copy = function.clone()
    copy.sym_name = StringAttr("task")
    copy.sym_visibility = None
    for op in copy.walk():
        for name in [a for a in op.attributes if a.startswith("ziggurat.nest")]:
            del op.attributes[name]
        for result in op.results:
            result.name_hint = None
        for region in op.regions:
            for block in region.blocks:
                for arg in block.args:
                    arg.name_hint = None
    for arg in copy.body.block.args:
        arg.name_hint = None
    return hashlib.sha256(print_module(copy).encode()).hexdigest()[:16]


def calls(module: ModuleOp) -> Counter[str]:
    """How many times each function is called in `module`."""
    return Counter(
        op.callee.root_reference.data for op in module.walk() if isinstance(op, func.CallOp)
    )


def loop_module(source: Any, target: Target, batch_size: int | None = 1) -> ModuleOp:
    """A model (ONNX, path, IR text or module at the graph or te level) lowered to the loop
    level without schedules."""
    import ziggurat
    from ziggurat.pipeline import level_of, lower

    if isinstance(source, str | Path) and not Path(source).is_file() and "\n" not in str(source):
        raise ZigguratError(f"no such model: {source}")
    module = ziggurat.load_module(source, batch_size=batch_size)
    if isinstance(source, ModuleOp):
        module = module.clone()
    level = level_of(module)
    if level not in ("graph", "te"):
        raise ZigguratError(f"a model to tune must be at the graph or te level, not {level}")
    lower(module, "te", target)
    pass_pipeline(loop_level_passes(target)).apply(make_context(), module)
    return module


def function_tasks(
    module: ModuleOp, function: func.FuncOp, weight: int, target: Target
) -> list[Task]:
    """The tasks of one loop-level function: each nest its target gives a schedule."""
    key = function_key(function)
    single = function.clone()
    single.sym_visibility = None
    text = print_module(ModuleOp([single]))
    found = []
    for number, root in enumerate(stage_roots(function.body.block)):
        nest = recognize(root, function)
        plan = target.default_schedule(nest) if nest is not None else None
        if nest is None or plan is None:
            continue
        file, values = plan
        name = function.sym_name.data
        found.append(
            Task(
                key=f"{key}/{number}",
                name=name if number == 0 else f"{name}#{number}",
                kind=nest.kind,
                extents=list(nest.extents),
                nest=number,
                weight=weight,
                module=text,
                function=name,
                schedule_file=file,
                default=dict(values),
                target=str(target),
                flops=2 * math.prod(nest.extents),
            )
        )
    return found


def extract_tasks(models: list[Any], target: Target, batch_size: int | None = 1) -> list[Task]:
    """The tasks of `models`, deduplicated by key, heaviest (weight x work) first."""
    tasks: dict[str, Task] = {}
    for source in models:
        label = Path(source).name if isinstance(source, str | Path) else "<module>"
        module = loop_module(source, target, batch_size)
        called = calls(module)
        for function in module.ops:
            if not isinstance(function, func.FuncOp) or function.is_declaration:
                continue
            weight = called[function.sym_name.data] or (0 if function.sym_visibility else 1)
            if weight == 0:
                continue
            for task in function_tasks(module, function, weight, target):
                known = tasks.setdefault(task.key, task)
                if known is not task:
                    known.weight += task.weight
                if label not in known.models:
                    known.models.append(label)
    if not tasks:
        names = ", ".join(str(m) if isinstance(m, str | Path) else "<module>" for m in models)
        raise ZigguratError(f"{names}: no loop nest to tune (the model has no scheduled work)")
    return sorted(tasks.values(), key=lambda t: -t.weight * t.flops)
