"""The tuning loop: tasks, a pool, a log and a trial budget in; the best found per task out.

Each task first measures its default configuration (the target's heuristic), so the speed-up
is against what a user gets untuned. Then, batch by batch, the task scheduler picks a task,
its search proposes configurations it has not measured, the pool measures them, each result
is appended to the log as it comes, and the task's cost model is refit on its measurements
and, for transfer, on the other tasks' (as other groups). At the end each task's fastest
configurations are measured again (logged as `confirm`), each counting as the slower of its
two times, until the fastest is one measured twice. A run resumed with the same log
counts the trials already there and measures none of them again.

    states = tune(tasks, target, pool, Log.open("tuning.jsonl"), trials=200)
    states[0].best_seconds, states[0].best_config
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.target import Target
from ziggurat.tuner.cost_model import make_model
from ziggurat.tuner.features import Featurizer
from ziggurat.tuner.log import Log, read_log, records_for
from ziggurat.tuner.measure import Result
from ziggurat.tuner.scheduler import next_task
from ziggurat.tuner.search import SEARCHES
from ziggurat.tuner.space import Config, Space
from ziggurat.tuner.tasks import Task

INF = float("inf")


@dataclass
class TaskState:
    """What the tuner knows of one task."""

    task: Task
    space: Space
    featurizer: Featurizer
    search: Any
    model: Any
    measured: dict[Any, tuple[Config, float]] = field(default_factory=dict)
    history: list[float] = field(default_factory=list)  # the best after each trial
    errors: int = 0
    default_seconds: float = INF
    best_seconds: float = INF
    best_config: Config | None = None
    exhausted: bool = False

    @property
    def trials(self) -> int:
        return len(self.history)

    def record(self, config: Config, seconds: float, confirming: bool = False) -> None:
        """A trial's time; a confirming one (a second measurement of a configuration)
        counts as the slower of the two and is no new trial."""
        key = self.space.key(config)
        if confirming and key in self.measured:
            seconds = max(seconds, self.measured[key][1])
        self.measured[key] = (config, seconds)
        if key == self.space.key(self.space.default()):
            self.default_seconds = seconds
        if confirming:
            self.best_config, self.best_seconds = min(
                self.measured.values(), key=lambda pair: pair[1]
            )
            return
        if seconds < self.best_seconds:
            self.best_seconds, self.best_config = seconds, config
        self.history.append(self.best_seconds)


def make_states(
    tasks: list[Task],
    target: Target,
    search: str = "anneal",
    model: str = "rank",
    seed: int = 0,
    spaces: dict[str, str] | None = None,
) -> list[TaskState]:
    """One state per task; `spaces` maps a kind to another schedule file's text."""
    states = []
    for index, task in enumerate(tasks):
        text = (spaces or {}).get(task.kind)
        space = Space.of(task, target, text)
        rng = np.random.default_rng(seed + index)
        featurizer = Featurizer(task, space, target)
        cost_model = make_model(model, seed)
        searcher = SEARCHES[search](space, rng, featurizer=featurizer, model=cost_model)
        states.append(TaskState(task, space, featurizer, searcher, cost_model))
    return states


def resume(states: list[TaskState], path: str, target: str) -> int:
    """Take the log's finished trials into the states; how many there were. A log whose
    records belong to no task here was written for another model: an error."""
    records = records_for(read_log(path), target, path)
    by_key = {s.task.key: s for s in states}
    mine = [r for r in records if r["task"] in by_key]
    if records and not mine:
        models = sorted({m for r in records for m in r.get("model", [])})
        raise ZigguratError(
            f"the tuning log '{path}' holds no task of this model"
            + (f" (it was written for {', '.join(models)})" if models else "")
        )
    for record in mine:
        state = by_key[record["task"]]
        config = (
            state.space.canonical(record["config"])
            if state.space.contains(record["config"])
            else None
        )
        if config is None:
            continue
        seconds = record["seconds"] if record.get("seconds") is not None else INF
        state.errors += record.get("error") is not None and not record.get("confirm")
        state.record(config, seconds, confirming=bool(record.get("confirm")))
    return sum(not r.get("confirm") for r in mine)


def record_for(
    state: TaskState, config: Config, result: Result, confirm: bool = False
) -> dict[str, Any]:
    task = state.task
    return {
        "task": task.key,
        "name": task.name,
        "kind": task.kind,
        "extents": task.extents,
        "target": task.target,
        "schedule": task.schedule_file,
        "config": config,
        "transform": state.space.schedule_text(config) if result.ok else None,
        "seconds": result.seconds,
        "costs": [round(c, 9) for c in result.costs[:50]],
        "error": result.error,
        "message": result.message,
        "build_seconds": round(result.build_seconds, 4),
        "model": task.models,
        "confirm": confirm,
    }


def refit(state: TaskState, states: list[TaskState], transfer: bool) -> None:
    """Fit the task's model on its measurements, and the other tasks' for transfer."""
    groups, rows, times = [], [], []
    for index, other in enumerate(states):
        if other is not state and not transfer:
            continue
        configs = [c for c, _ in other.measured.values()]
        if not configs:
            continue
        rows.append(other.featurizer.matrix(configs))
        times.append(np.array([s for _, s in other.measured.values()]))
        groups.append(np.full(len(configs), index))
    if rows:
        state.model.fit(np.concatenate(rows), np.concatenate(times), np.concatenate(groups))


def tune(
    states: list[TaskState],
    pool: Any,
    log: Log | None,
    trials: int,
    batch: int = 32,
    transfer: bool = True,
    progress: Callable[[TaskState, list[Result]], None] | None = None,
) -> list[TaskState]:
    """Spend up to `trials` trials (those in the log count) over the tasks' states."""
    done = sum(s.trials for s in states)
    before = {id(s): s.trials for s in states}
    for state in states:  # every task starts from its default configuration
        if done >= trials:
            break
        default = state.space.default()
        if state.space.key(default) not in state.measured:
            done += measure(state, [default], pool, log, progress)
    while done < trials:
        state = next_task(states)
        if state is None:
            break
        count = min(batch, trials - done)
        # Fit before proposing: a task's first batch learns from the other tasks' trials.
        refit(state, states, transfer)
        configs = state.search.propose(count, set(state.measured))
        if not configs:
            state.exhausted = True
            continue
        done += measure(state, configs, pool, log, progress)
    for state in states:
        if state.trials > before[id(state)]:  # a run that measured nothing new confirms nothing
            confirm(state, pool, log)
    return states


CONFIRMED = 3  # configurations measured a second time at once at the end
CONFIRM_ROUNDS = 4


def confirm(state: TaskState, pool: Any, log: Log | None) -> None:
    """Measure the task's fastest configurations again, each counting as the slower of its
    two times, until the fastest is one measured twice (so that neither a lucky
    measurement nor an unlucky second one makes the best)."""
    confirmed: set[Any] = set()
    for _ in range(CONFIRM_ROUNDS):
        ranked = sorted(state.measured.items(), key=lambda item: item[1][1])
        if not ranked or ranked[0][0] in confirmed or not math.isfinite(ranked[0][1][1]):
            return
        chosen = [
            (key, config)
            for key, (config, seconds) in ranked
            if key not in confirmed and math.isfinite(seconds)
        ][:CONFIRMED]
        candidates = [(i, state.space.schedule_text(c)) for i, (_, c) in enumerate(chosen)]
        results = pool.run(state.task, candidates)
        for (key, config), result in zip(chosen, results, strict=True):
            confirmed.add(key)
            if log is not None:
                log.append(record_for(state, config, result, confirm=True))
            state.record(config, result.seconds if result.ok and result.seconds else INF, True)


def measure(
    state: TaskState,
    configs: list[Config],
    pool: Any,
    log: Log | None,
    progress: Callable[[TaskState, list[Result]], None] | None,
) -> int:
    """Measure `configs` of a task, log and record each result; how many were measured."""
    candidates = [(i, state.space.schedule_text(c)) for i, c in enumerate(configs)]
    best = state.best_seconds if math.isfinite(state.best_seconds) else None
    results = pool.run(state.task, candidates, best)
    for config, result in zip(configs, results, strict=True):
        if log is not None:
            log.append(record_for(state, config, result))
        state.errors += not result.ok
        state.record(config, result.seconds if result.ok and result.seconds else INF)
    if progress is not None:
        progress(state, results)
    return len(configs)
