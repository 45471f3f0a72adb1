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


def test_a_cuda_device_asks_ray_for_a_gpu_and_there_is_one_per_gpu():
    from types import SimpleNamespace

    from ziggurat.diagnostics import ZigguratError
    from ziggurat.tuner.ray_pool import RayPool, device_class

    assert device_class("cuda{arch=sm_90}")._default_options == {"num_cpus": 0, "num_gpus": 1}
    assert "num_gpus" not in device_class(TARGET)._default_options
    # The number of devices, from the cluster's resources (no Ray started here).
    pool = RayPool.__new__(RayPool)
    pool.started, pool.actors = False, []
    pool.ray = SimpleNamespace(cluster_resources=lambda: {"CPU": 16.0, "GPU": 4.0})
    pool.target = "cuda"
    assert pool.device_count() == 4
    pool.target = TARGET
    assert pool.device_count() == 1
    pool.target, pool.ray = "cuda", SimpleNamespace(cluster_resources=lambda: {"CPU": 16.0})
    with pytest.raises(ZigguratError, match="the Ray cluster has no GPU to measure cuda on"):
        pool.device_count()
