"""What a compile is doing while it runs: nested phases with their wall and CPU time (what
`--timings` prints, as MLIR's `-mlir-timing` does) and counts of work done (what the progress
bar shows). Code that compiles marks its phases; a caller that wants them records:

    with recording() as timings:
        with phase("translate"):
            ...
        count("functions", done=3, total=29)
    print(report(timings))

Nothing is recorded, and a phase costs one context-variable lookup, when nobody records.
Work done in other processes comes back as measured times (`add`), summed per name.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Phase:
    """A named span of the compile and the phases inside it. `wall` is its elapsed time;
    `cpu` the processor time it used, in this process and in workers."""

    name: str
    wall: float = 0.0
    cpu: float = 0.0
    children: dict[str, Phase] = field(default_factory=dict)

    def child(self, name: str) -> Phase:
        if name not in self.children:
            self.children[name] = Phase(name)
        return self.children[name]


# Told what the compile is doing, and how much of it is done: (phase name, 0, 0) as a phase
# begins, (what, done, total) as pieces of work are counted.
Listener = Callable[[str, int, int], None]


@dataclass
class Recorder:
    root: Phase = field(default_factory=lambda: Phase("total"))
    listener: Listener | None = None
    stack: list[Phase] = field(default_factory=list)


CURRENT: ContextVar[Recorder | None] = ContextVar("ziggurat_progress", default=None)


@contextmanager
def recording(listener: Listener | None = None) -> Iterator[Phase]:
    """Record the phases of what runs inside; yields the root phase, complete on exit."""
    recorder = Recorder(listener=listener)
    recorder.stack.append(recorder.root)
    token = CURRENT.set(recorder)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield recorder.root
    finally:
        recorder.root.wall += time.perf_counter() - wall
        recorder.root.cpu += time.process_time() - cpu
        CURRENT.reset(token)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Mark what runs inside as phase `name` of the current one (repeats add up)."""
    recorder = CURRENT.get()
    if recorder is None:
        yield
        return
    current = recorder.stack[-1].child(name)
    recorder.stack.append(current)
    if recorder.listener is not None:
        recorder.listener(name, 0, 0)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        current.wall += time.perf_counter() - wall
        current.cpu += time.process_time() - cpu
        recorder.stack.pop()


def add(name: str, wall: float, cpu: float) -> None:
    """Add time measured in a worker process to phase `name` of the current one; its CPU
    time counts in every phase around it too."""
    recorder = CURRENT.get()
    if recorder is not None:
        current = recorder.stack[-1].child(name)
        current.wall += wall
        current.cpu += cpu
        for around in recorder.stack:
            around.cpu += cpu


def count(what: str, done: int, total: int) -> None:
    """Say that `done` of `total` pieces of work (`what`: "functions") are done."""
    recorder = CURRENT.get()
    if recorder is not None and recorder.listener is not None:
        recorder.listener(what, done, total)


def report(root: Phase) -> str:
    """MLIR's `-mlir-timing` report of the phases: wall and CPU time, each with its share of
    the whole, nested by indentation. Work in worker processes makes CPU time exceed wall
    time; a phase done in workers shows their wall times summed."""
    rule = "===" + "-" * 73 + "==="
    lines = [
        rule,
        "Execution time report".center(79).rstrip(),
        rule,
        f"  Total Execution Time: {root.wall:.4f} seconds",
        "",
        "  ----User Time----  ----Wall Time----  ----Name----",
    ]

    def share(seconds: float, whole: float) -> str:
        return f"{seconds:8.4f} ({100 * seconds / whole if whole else 0.0:5.1f}%)"

    def emit(node: Phase, depth: int) -> None:
        for child in node.children.values():
            lines.append(
                f"  {share(child.cpu, root.cpu)}  {share(child.wall, root.wall)}  "
                f"{'  ' * depth}{child.name}"
            )
            emit(child, depth + 1)

    emit(root, 0)
    lines.append(f"  {share(root.cpu, root.cpu)}  {share(root.wall, root.wall)}  total")
    return "\n".join(lines)
