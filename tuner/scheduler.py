"""The task scheduler: which task gets the next batch of trials, by expected gain on the
whole model's latency (Ansor's gradient), not round-robin.

The model's latency is about sum(weight_i x best_i). The next batch goes to the task whose
latency is expected to fall most per trial:

    gain_i = weight_i x (ALPHA x recent_i + (1 - ALPHA) x best_i / trials_i)

`recent_i` is how fast the task's best fell over its last `WINDOW` trials (the backward
difference); best_i / trials_i the optimistic forward guess that it keeps falling at its
average rate so far. A task that has measured only its default thus starts with its whole
share of the latency as its gain, so the heaviest are tuned first and a tiny task may never
be; a task whose space is exhausted gets nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

ALPHA = 0.2
WINDOW = 16


def gain(weight: float, history: Sequence[float]) -> float:
    """Expected fall of weight x best latency per trial, from the best after each trial."""
    finite = [h for h in history if h != float("inf")]
    if not finite:
        return float("inf")  # nothing works yet: every trial may be the first that does
    trials = len(history)
    best = finite[-1]
    window = min(WINDOW, trials - 1)
    recent = (history[-1 - window] - history[-1]) / window if window > 0 else 0.0
    if recent == float("inf") or recent != recent:
        recent = 0.0
    return weight * (ALPHA * recent + (1 - ALPHA) * best / trials)


def next_task(states: Sequence[Any]) -> Any | None:
    """The state of the task to tune next (fields weight, history, exhausted)."""
    open_ = [s for s in states if not s.exhausted]
    if not open_:
        return None
    return max(open_, key=lambda s: gain(s.task.weight, s.history))
