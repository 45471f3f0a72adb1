"""tuner/tune.py end to end: tuning a small model, resuming after SIGKILL, applying the log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from tuning_models import TARGET, matmul_model

import ziggurat
from ziggurat.tuner.log import Log, read_log
from ziggurat.tuner.pool import LocalPool
from ziggurat.tuner.tasks import extract_tasks
from ziggurat.tuner.tune import make_states, resume, tune


def trials_in(path):
    return [r for r in read_log(path) if not r["confirm"]]


def test_tune_logs_every_trial_resumes_without_remeasuring_and_the_log_applies(target, tmp_path):
    model = matmul_model()
    path = tmp_path / "log.jsonl"
    tasks = extract_tasks([model], target)
    states = make_states(tasks, target, search="random", seed=1)  # annealing: test_search
    with LocalPool(TARGET, workers=1, min_seconds=0.005) as pool:
        tune(states, pool, Log.open(path), trials=10, batch=5)
        records = trials_in(path)
        assert len(records) == 10 and states[0].trials == 10
        # The fastest measured again at the end, each counting as its slower time, until
        # the fastest is one measured twice.
        confirmed = [r for r in read_log(path) if r["confirm"]]
        assert 3 <= len(confirmed) <= 12
        best = json.dumps(states[0].best_config, sort_keys=True)
        assert best in {json.dumps(r["config"], sort_keys=True) for r in confirmed}
        assert states[0].best_seconds >= min(r["seconds"] for r in records if r["seconds"])
        assert np.isfinite(states[0].default_seconds)
        assert states[0].best_seconds <= states[0].default_seconds
        # Resumed: the 10 count, the next 5 are new configurations.
        again = make_states(tasks, target, search="random", seed=1)
        assert resume(again, str(path), TARGET) == 10
        tune(again, pool, Log.open(path), trials=15, batch=5)
    records = trials_in(path)
    assert len(records) == 15
    keys = [json.dumps(r["config"], sort_keys=True) for r in records]
    assert len(set(keys)) == 15
    x = np.random.default_rng(0).standard_normal((12, 20)).astype(np.float32)
    default = ziggurat.compile(model, target=TARGET)(x)[0]
    tuned = ziggurat.compile(model, target=TARGET, tuning_log=path)(x)[0]
    np.testing.assert_allclose(tuned, default, rtol=1e-5, atol=1e-5)


def test_the_pass_applies_the_best_record(target, tmp_path):
    from ziggurat.frontends.onnx import import_model
    from ziggurat.ir_io import pass_pipeline, print_module
    from ziggurat.pipeline import lower
    from ziggurat.registry import make_context
    from ziggurat.tuner.measure import Result
    from ziggurat.tuner.space import Space
    from ziggurat.tuner.tune import TaskState, record_for

    task = extract_tasks([matmul_model()], target)[0]
    space = Space.of(task, target)
    config = {**space.default(), "tile_rows": 5, "tile_columns": 3}
    path = tmp_path / "log.jsonl"
    state = TaskState(task, space, None, None, None)
    Log.open(path).append(record_for(state, config, Result(0, seconds=1e-6, costs=[1e-6])))
    module = lower(import_model(matmul_model()), "te", target)
    pass_pipeline(
        f'te-inline,cse,dce,te-to-loop,apply-default-schedules{{target="{TARGET}" tuning-log="{path}"}}'
    ).apply(make_context(), module)
    text = print_module(module)
    assert "#loop.unroll<5>" in text  # tile_rows 5: the default has no 5-row tiles


@pytest.mark.slow
def test_a_tuning_run_killed_by_sigkill_resumes_and_loses_no_trial(model_path, tmp_path):
    log = tmp_path / "log.jsonl"
    command = [
        sys.executable,
        "-m",
        "ziggurat.tools.ziggurat",
        "tune",
        str(model_path),
        "--trials",
        "24",
        "--batch",
        "4",
        "--log",
        str(log),
        "--target",
        TARGET,
        "--workers",
        "1",
        "--search",
        "random",
        "--min-seconds",
        "0.005",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not log.exists() or log.read_text().count("\n") < 6):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the tuner and its workers, mid-run
    process.wait()
    before = read_log(log)
    assert 6 <= len(before) < 24 and not any(r["confirm"] for r in before)
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert read_log(log)[: len(before)] == before  # nothing lost or rewritten
    after = trials_in(log)
    assert len(after) == 24
    keys = [json.dumps(r["config"], sort_keys=True) for r in after]
    assert len(set(keys)) == 24  # no trial measured twice
    assert "speed-up" in finished.stdout


class TimedByTiles:
    """A pool that times a candidate by its tile sizes, without building it."""

    def run(self, task, candidates, best=None):
        from ziggurat.tuner.measure import Result

        results = []
        for id, text in candidates:
            rows = int(text.split('knob<"tile_rows"> = ')[1].split()[0])
            results.append(Result(id, seconds=1e-3 * (1 + abs(rows - 4)), costs=[1e-3]))
        return results


def small_annealing(states):
    """Annealing with few chains and steps: the tests below are about what the model learns
    from, not about the search."""
    from ziggurat.tuner.search import AnnealingSearch

    for index, state in enumerate(states):
        rng = np.random.default_rng(index)
        state.search = AnnealingSearch(
            state.space, rng, featurizer=state.featurizer, model=state.model, chains=8, steps=4
        )
    return states


def test_a_tasks_first_batch_learns_from_the_other_tasks_trials(target):
    tasks = extract_tasks([matmul_model(), matmul_model(16, 24, 20)], target)
    assert len(tasks) == 2
    states = small_annealing(make_states(tasks, target, seed=0))
    trained_at_first_batch = {}
    for state in states:
        propose = state.search.propose

        def spy(count, measured, state=state, propose=propose):
            trained_at_first_batch.setdefault(state.task.key, state.model.trained)
            return propose(count, measured)

        state.search.propose = spy
    # The two defaults, a batch of the first task, then the second task's first batch.
    tune(states, TimedByTiles(), None, trials=18, batch=8)
    assert len(trained_at_first_batch) == 2
    # The task tuned second had a model before its first batch: the first task's trials.
    assert sorted(trained_at_first_batch.values()) == [False, True]
    no_transfer = small_annealing(make_states(tasks, target, seed=0))
    for state in no_transfer:
        propose = state.search.propose

        def untrained(count, measured, state=state, propose=propose):
            assert state.trials > 4 or not state.model.trained
            return propose(count, measured)

        state.search.propose = untrained
    tune(no_transfer, TimedByTiles(), None, trials=26, batch=8, transfer=False)
    assert any(state.model.trained for state in no_transfer)  # its own trials, later


def test_a_log_applies_to_a_model_compiled_in_several_units(target, tmp_path):
    """The CPU target compiles a model's functions a few at a time, its large weights in a
    unit of their own; the log applies (and is checked against) the whole model."""
    from ziggurat.tuner.measure import Result
    from ziggurat.tuner.space import Space
    from ziggurat.tuner.tune import TaskState, record_for

    model = matmul_model(12, 40, 40, twice=True)  # 6400-byte weights: a unit of globals
    task = extract_tasks([model], target)[0]
    space = Space.of(task, target)
    config = {**space.default(), "tile_rows": 5, "tile_columns": 3}
    path = tmp_path / "log.jsonl"
    state = TaskState(task, space, None, None, None)
    Log.open(path).append(record_for(state, config, Result(0, seconds=1e-6, costs=[1e-6])))
    x = np.random.default_rng(0).standard_normal((12, 40)).astype(np.float32)
    default = ziggurat.compile(model, target=TARGET)(x)[0]
    tuned = ziggurat.compile(model, target=TARGET, tuning_log=path)(x)[0]
    np.testing.assert_allclose(tuned, default, rtol=1e-5, atol=1e-5)
    other = tmp_path / "other.jsonl"
    Log.open(other).append(
        record_for(
            TaskState(extract_tasks([matmul_model()], target)[0], space, None, None, None),
            config,
            Result(0, seconds=1e-6, costs=[1e-6]),
        )
    )
    with pytest.raises(ziggurat.ZigguratError, match="no record for any loop nest"):
        ziggurat.compile(model, target=TARGET, tuning_log=other)
