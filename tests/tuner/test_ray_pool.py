"""tuner/ray_pool.py against a local Ray on loopback: an actor killed mid-trial fails that
trial and the pool goes on. Skipped where Ray is not installed."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from tuning_models import TARGET

pytest.importorskip("ray")


@pytest.mark.slow
def test_a_device_killed_mid_trial_is_a_failed_trial_and_the_pool_goes_on(matmul_task, target):
    from ziggurat.tuner.ray_pool import RayPool
    from ziggurat.tuner.space import Space

    space = Space.of(matmul_task, target)
    good = space.schedule_text(space.default())
    with RayPool(TARGET, devices=1, min_seconds=0.01) as pool:
        first = pool.run(matmul_task, [(0, good)])
        assert first[0].ok
        pid = pool.ray.get(pool.actors[0].pid.remote())
        # Killed while it builds (a build takes a tenth of a second or more).
        killer = threading.Timer(0.02, lambda: os.kill(pid, signal.SIGKILL))
        killer.start()
        killed = pool.run(matmul_task, [(1, good)])
        killer.join()
        assert killed[0].error == "runtime error" and "died" in killed[0].message
        after = pool.run(matmul_task, [(2, good), (3, "not ir")])
        assert after[0].ok and after[1].error == "compile error"
