"""The tuner tunes the accelerator's schedules (tile sizes, virtual threads, the threads'
loop order) through its device pool, the simulator's cycles as the measurement: every time
it records is a whole number of cycles, a candidate the accelerator cannot run is a failed
trial, and the log applies. Needs the tuner (issue 9's tuner/tune.py): skipped without it."""

from __future__ import annotations

import numpy as np
import pytest
from testing_accel import matmul_ir, random_arrays

import ziggurat
from ziggurat.reference import evaluate
from ziggurat.targets.target import target_named

tune_module = pytest.importorskip("ziggurat.tuner.tune")


def test_the_tuner_tunes_accel_schedules_on_simulated_cycles(tmp_path):
    from ziggurat.tuner.log import Log, read_log
    from ziggurat.tuner.pool import LocalPool
    from ziggurat.tuner.tasks import extract_tasks

    target = target_named("accel")
    text = matmul_ir(64, 256, 128)
    (task,) = extract_tasks([ziggurat.load_module(text)], target)
    states = tune_module.make_states([task], target, search="random", seed=1)
    names = {dimension.name for dimension in states[0].space.dimensions}
    assert {"tile_rows", "tile_columns", "tile_k", "virtual_threads", "threads_over"} <= names
    path = tmp_path / "log.jsonl"
    with LocalPool("accel", workers=1, min_seconds=0.001) as pool:
        tune_module.tune(states, pool, Log.open(path), trials=16, batch=8)
    records = read_log(path)
    measured = [r for r in records if r["seconds"] is not None]
    failed = [r for r in records if r["seconds"] is None]
    assert measured and failed  # tiles that do not divide are rejected or declined
    for record in measured:  # simulated: whole cycles at the target's clock, every run alike
        cycles = record["seconds"] * target.clock_mhz * 1e6
        assert cycles == pytest.approx(round(cycles), abs=1e-6), record
        assert len(set(record["costs"])) == 1
    assert all(r["error"] in ("compile error", "runtime error") for r in failed)
    state = states[0]
    assert state.best_seconds <= state.default_seconds
    arrays = random_arrays(text)
    (out,) = ziggurat.compile(text, target="accel", tuning_log=path)(*arrays)
    np.testing.assert_array_equal(out, evaluate(ziggurat.load_module(text), "main", arrays)[0])
