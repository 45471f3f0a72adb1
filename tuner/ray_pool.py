"""The distributed device pool on Ray (the `distributed` extra): one actor per device.

`--pool ray` starts a local Ray; `--pool ray://HOST:PORT` joins a cluster. Each device is a
named actor (`ziggurat-device-<target>-<n>` in the `ziggurat` namespace) holding a `Bench`
(for a target measured on GPUs, the CUDA target, an actor asks Ray for one, `num_gpus=1`,
and there is one per GPU of the cluster);
a tuning job finds the actors a running job started, so several jobs share one pool, and an
actor runs one trial at a time (build, then measure), so nothing of ours runs beside a
measurement on its device. An actor that dies mid-trial fails that trial as a runtime
error, one that runs past the time allowed is killed and fails it as a timeout; either is
replaced and the pool goes on.

    with RayPool("cpu", devices=2) as pool:
        results = pool.run(task, candidates, best)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ziggurat.diagnostics import ZigguratError
from ziggurat.tuner.measure import Bench, Result


class Device:
    """A Ray actor: one device's bench."""

    def __init__(self, target: str):
        self.bench = Bench.named(target)

    def trial(
        self, task: Any, id: int, schedule_text: str, best: float | None, min_seconds: float
    ) -> Result:
        try:
            self.bench.prepare(task)
        except Exception as error:
            return Result(id, error="compile error", message=f"the task does not build: {error}")
        return self.bench.trial(id, schedule_text, best, min_seconds)

    def pid(self) -> int:
        import os

        return os.getpid()


def device_resources(target: str) -> dict[str, float]:
    from ziggurat.targets.target import target_named

    return target_named(target).device_resources()


def device_class(target: str) -> Any:
    """The actor class of a device of `target`, asking Ray for what one device is (a GPU
    for the CUDA target: one actor per GPU, and Ray sets CUDA_VISIBLE_DEVICES to it)."""
    import ray

    return ray.remote(**device_resources(target))(Device)


class RayPool:
    """Trials on Ray actors, one per device, each trial's build and measurement together."""

    def __init__(
        self,
        target: str,
        address: str | None = None,
        devices: int | None = None,
        run_timeout: float = 120.0,
        min_seconds: float = 0.1,
        workers: int = 0,
    ):
        try:
            import ray
        except ImportError:
            raise ZigguratError(
                "--pool ray needs Ray: pip install 'ziggurat[distributed]'"
            ) from None
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            # A local Ray listens on loopback only.
            local = {} if address else {"_node_ip_address": "127.0.0.1"}
            try:
                ray.init(
                    address=address,
                    namespace="ziggurat",
                    **local,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except Exception as error:
                where = address or "a new local instance"
                raise ZigguratError(f"cannot reach Ray at {where}: {error}") from None
        self.target = target
        self.run_timeout, self.min_seconds = run_timeout, min_seconds
        self.remote = device_class(target)
        self.actors: list[Any] = []
        if devices is None:
            devices = self.device_count()
        name = re.sub(r"[^\w]+", "-", target)
        self.names = [f"ziggurat-device-{name}-{n}" for n in range(max(devices, workers, 1))]
        self.actors = [self.actor(n) for n in self.names]

    def device_count(self) -> int:
        """One device per GPU of the cluster for a target measured on GPUs (an error where
        it has none: its actors would wait for one forever), else one."""
        if not device_resources(self.target).get("num_gpus"):
            return 1
        gpus = int(self.ray.cluster_resources().get("GPU", 0))
        if gpus == 0:
            self.close()
            raise ZigguratError(f"the Ray cluster has no GPU to measure {self.target} on")
        return gpus

    def actor(self, name: str) -> Any:
        return self.remote.options(
            name=name, namespace="ziggurat", get_if_exists=True, max_restarts=0
        ).remote(self.target)

    def __enter__(self) -> RayPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self.started and self.ray.is_initialized():
            for actor in self.actors:
                self.ray.kill(actor)
            self.ray.shutdown()

    def replace(self, index: int) -> None:
        try:
            self.ray.kill(self.actors[index])
        except Exception:
            pass
        self.actors[index] = self.actor(self.names[index])

    def run(
        self, task: Any, candidates: Sequence[tuple[int, str]], best: float | None = None
    ) -> list[Result]:
        """Each candidate on the next free device, one trial per device at a time."""
        ray = self.ray
        queue = list(candidates)
        results: dict[int, Result] = {}
        running: dict[Any, tuple[int, int]] = {}  # reference -> (device, candidate id)
        free = list(range(len(self.actors)))
        while queue or running:
            while queue and free:
                device, (id, text) = free.pop(0), queue.pop(0)
                reference = self.actors[device].trial.remote(task, id, text, best, self.min_seconds)
                running[reference] = (device, id)
            done, _ = ray.wait(list(running), num_returns=1, timeout=self.run_timeout)
            if not done:  # every running trial is past its time: kill their devices
                for device, id in list(running.values()):
                    results[id] = Result(id, error="timeout", message="its trial took too long")
                    self.replace(device)
                    free.append(device)
                running.clear()
                continue
            for reference in done:
                device, id = running.pop(reference)
                try:
                    results[id] = ray.get(reference)
                except ray.exceptions.RayActorError:
                    results[id] = Result(id, error="runtime error", message="its device died")
                    self.replace(device)
                except Exception as error:
                    results[id] = Result(id, error="runtime error", message=str(error)[:400])
                if results[id].ok and results[id].seconds is not None:
                    best = min(best or float("inf"), results[id].seconds)
                free.append(device)
        return [results[id] for id, _ in candidates]
