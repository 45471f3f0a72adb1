"""tuner/pool.py and tuner/measure.py: results and every failure class, workers replaced."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from tuning_models import TARGET

from ziggurat.tuner.measure import Bench
from ziggurat.tuner.pool import FAULTS, LocalPool, make_pool
from ziggurat.tuner.space import Space


def test_a_pool_measures_and_classifies_every_failure(matmul_task, target, monkeypatch):
    space = Space.of(matmul_task, target)
    good = space.schedule_text(space.default())
    other = space.schedule_text({**space.default(), "tile_rows": 3})
    broken = good.replace("transform.schedule.split %i", "transform.schedule.split %k")
    monkeypatch.setenv(FAULTS, "build:3=die,measure:4=die,build:5=hang")
    with LocalPool(TARGET, workers=2, build_timeout=4, min_seconds=0.01) as pool:
        candidates = [(0, good), (1, other), (2, "not ir"), (3, good), (4, good), (5, good)]
        results = pool.run(matmul_task, candidates)
        assert [r.id for r in results] == [0, 1, 2, 3, 4, 5]
        assert results[0].ok and results[0].seconds > 0 and results[0].costs
        assert 0 < results[0].build_seconds < 30
        assert results[1].ok
        assert results[2].error == "compile error"
        assert results[3].error == "runtime error" and "died" in results[3].message
        assert results[4].error == "runtime error"
        assert results[5].error == "timeout"
        # The pool goes on with fresh workers.
        again = pool.run(matmul_task, [(0, good), (1, broken)])
        assert again[0].ok and again[1].error == "compile error"


def test_a_wrong_result_is_classified(matmul_task, target):
    space = Space.of(matmul_task, target)
    bench = Bench.named(TARGET)
    bench.prepare(matmul_task)
    bench.reference[0] += 1.0  # as if the candidate computed something else
    result = bench.trial(0, space.schedule_text(space.default()), None, 0.01)
    assert result.error == "wrong result" and "differs" in result.message


def test_an_unknown_pool_is_an_error():
    from ziggurat.diagnostics import ZigguratError

    with pytest.raises(ZigguratError, match="unknown pool 'mpi'"):
        make_pool("mpi", TARGET)


def test_a_write_outside_the_output_is_a_wrong_result(matmul_task, target):
    space = Space.of(matmul_task, target)
    bench = Bench.named(TARGET)
    bench.prepare(matmul_task)
    bench.build(0, space.schedule_text(space.default()))
    right = bench.built[0]

    def overflowing(*arrays):  # as a schedule whose write-back runs past the output would
        right(*arrays)
        output = arrays[-1]
        past = np.frombuffer(
            (ctypes.c_char * 4).from_address(output.ctypes.data + output.nbytes), np.uint8
        )
        past[:] = 0

    bench.built[0] = overflowing
    result = bench.measure(0, None, 0.01)
    assert result.error == "wrong result" and "outside" in result.message
    # The guards are restored: the next candidate is judged on its own.
    bench.build(1, space.schedule_text(space.default()))
    assert bench.measure(1, None, 0.01).ok
