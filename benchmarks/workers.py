"""Timing runtimes each in its own process, one at a time, in interleaved rounds.

A benchmark script runs itself again as a worker per runtime (`Worker(argv, env)`); the
worker prepares its runtime once and `serve`s: it answers each line `RUNS` on stdin with the
JSON list of that many run times, after a few untimed runs. The parent asks one worker at a time, so two thread pools
never run at once, pauses between batches so spinning threads go idle, and rotates which
runtime goes first (`measure`).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence

WARMUP = 3  # untimed runs before each timed batch


def serve(run: Callable[[], object]) -> None:
    """The worker's side: warm up, say ready, then time batches of `run` on request."""
    run()
    print("ready", flush=True)
    for line in sys.stdin:
        # Untimed runs first: after the pause between batches the worker threads (and on a
        # virtual machine, the idle virtual CPUs) take a while to come back, and until the
        # scheduler spreads them again a run can take twice as long.
        for _ in range(WARMUP):
            run()
        times = []
        for _ in range(int(line)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        print(json.dumps(times), flush=True)


class Worker:
    """A worker process `python argv...` timing one runtime."""

    def __init__(self, label: str, argv: Sequence[str], env: Mapping[str, str] | None = None):
        self.label = label
        self.process = subprocess.Popen(
            [sys.executable, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=None if env is None else dict(env),
        )
        if self.read() != "ready":
            raise RuntimeError(f"the {label} worker failed to start")

    def read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.label} worker died")
        return line.strip()

    def time(self, runs: int) -> float:
        """The median of `runs` timed runs, in seconds."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{runs}\n")
        self.process.stdin.flush()
        return statistics.median(json.loads(self.read()))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def measure(workers: Sequence[Worker], rounds: int, runs: int) -> dict[str, float]:
    """Each worker's median over `rounds` of its median run time, in seconds; closes them."""
    medians: dict[str, list[float]] = {w.label: [] for w in workers}
    try:
        for round_ in range(rounds):
            # Rotate which runtime goes first so none always runs right after another.
            shift = round_ % len(workers)
            for w in [*workers[shift:], *workers[:shift]]:
                medians[w.label].append(w.time(runs))
                time.sleep(0.1)  # let the last runtime's threads stop spinning
    finally:
        for w in workers:
            w.close()
    return {label: statistics.median(values) for label, values in medians.items()}
