"""The builder: a task's function scheduled by a candidate and compiled by its target.

The function's nests are scheduled in order, as apply-default-schedules does: the task's nest
by the candidate's concrete schedule, the others by their default schedules. A schedule the
interpreter rejects is an error here (a failed trial), never a fallback; so is a local buffer
larger than the target's fast memory, caught before the target's (slow) lowering.

    module = schedule_function(task_module, "fused_conv2d", 0, schedule, target)
    run = build(task, schedule_text, target)        # a callable on numpy arrays
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import MemRefType, ModuleOp, StringAttr
from xdsl.ir import Operation

from ziggurat.analysis.payload import is_stage_root, stage_roots
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ScopeAttr
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.passes.scheduling.apply_default_schedules import NEST, nest_root, schedule_nest
from ziggurat.passes.scheduling.apply_schedule import apply_schedule
from ziggurat.targets.target import Target
from ziggurat.tuner.features import element_bytes


def schedule_function(
    module: ModuleOp, name: str, nest: int, schedule: Operation | None, target: Target
) -> ModuleOp:
    """Schedule function `name` of `module` in place: nest `nest` by `schedule` (the default
    where None), the others by their defaults."""
    function = find_function(module, name)
    roots = stage_roots(function.body.block)
    for number, root in enumerate(roots):
        root.attributes[NEST] = StringAttr(str(number))
    for number in range(len(roots)):
        if number == nest and schedule is not None:
            apply_schedule(module, schedule, root=nest_root(function, str(number)), target=target)
            function = find_function(module, name)
        else:
            function = schedule_nest(module, function, str(number), target)
    for op in function.walk():
        op.attributes.pop(NEST, None)
    return module


def find_function(module: ModuleOp, name: str) -> func.FuncOp:
    return next(o for o in module.ops if isinstance(o, func.FuncOp) and o.sym_name.data == name)


def check_local_buffers(module: ModuleOp, target: Target) -> None:
    """Reject a local buffer allocated inside a loop (a tile, a panel) larger than the
    target's fast memory per core, and the shared buffers of one nest (a kernel) together
    larger than the target's shared memory; a whole tensor packed once before the loops,
    or once per iteration of its nest's outermost loop (a convolution's padded image, per
    image), is no tile."""
    local, shared = target.local_memory(), target.shared_memory()
    for function in module.ops:
        if not isinstance(function, func.FuncOp) or function.is_declaration:
            continue
        for nest in function.body.block.ops:
            together = 0
            for op in nest.walk():
                type = op.memref.type if isinstance(op, memref.AllocOp | memref.AllocaOp) else None
                if not isinstance(type, MemRefType) or not isinstance(type.memory_space, ScopeAttr):
                    continue
                size = math.prod(type.get_shape()) * element_bytes(type)
                scope, parent = type.memory_space.scope.data, op.parent_op()
                together += size if scope == "shared" else 0
                if shared is not None and together > shared:
                    raise ZigguratError(
                        f"shared buffers of {together} bytes do not fit in {shared} bytes", op
                    )
                if (
                    scope == "local"
                    and local is not None
                    and size > local
                    and isinstance(parent, scf.ForOp)
                    and not is_stage_root(parent)
                ):
                    raise ZigguratError(
                        f"a local buffer of {size} bytes does not fit in {local} bytes", op
                    )


def scheduled_module(
    task: Any, schedule_text: str | Operation | None, target: Target, module: ModuleOp | None = None
) -> ModuleOp:
    """The task's module (or `module`, a parsed copy of it) with its function scheduled by
    `schedule_text` (a concrete schedule, as text or parsed; the default where None)."""
    module = module if module is not None else parse_module(task.module, f"task {task.name}")
    schedule = schedule_text
    if isinstance(schedule_text, str):  # (a parsed one, its caller has verified)
        schedule = parse_module(schedule_text, f"schedule of {task.name}")
        verify_module(schedule)
    schedule_function(module, task.function, task.nest, schedule, target)
    verify_module(module)
    check_local_buffers(module, target)
    return module


def build(task: Any, schedule_text: str | None, target: Target) -> Any:
    """The task's function compiled with the candidate schedule: callable on numpy arrays."""
    module = scheduled_module(task, schedule_text, target)
    with quiet(VECTORIZER_REMARK):
        return getattr(target.compile(module), task.function)


# LLVM says this on stderr for each loop a candidate asks to vectorize that it cannot (a
# vector width over a short loop, say): the candidate is slower, not wrong, and a tuning run
# builds hundreds of them.
VECTORIZER_REMARK = "loop not vectorized"


@contextmanager
def quiet(remark: str) -> Iterator[None]:
    """Drop the lines of file descriptor 2 (where LLVM writes) that contain `remark`; the
    others come out when the block ends."""
    sys.stderr.flush()
    with tempfile.TemporaryFile() as said:
        saved = os.dup(2)
        os.dup2(said.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            said.seek(0)
            lines = said.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if remark not in line)
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()
