"""Device pools: submit a task's candidates, get back one classified result each.

    with LocalPool("cpu", workers=2) as pool:
        results = pool.run(task, [(id, schedule_text), ...], best=1.2e-3)

`LocalPool` (the default) keeps worker processes on this machine. Builds run in parallel,
one candidate per worker at a time; then the built candidates are measured one after the
other, every other worker idle, so no build or measurement runs beside a measurement (two
thread pools on two cores distort each other). `RayPool` (the `distributed` extra) keeps one
Ray actor per device; an actor builds and measures its trials one at a time, so a machine
with one actor never measures beside anything of ours, and several tuning jobs that join one
cluster share its actors by name. In both, a worker that dies fails its trial as a runtime
error and one that hangs past the time allowed fails it as a timeout; either is replaced
and the pool goes on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from ziggurat.diagnostics import ZigguratError
from ziggurat.tuner.measure import Bench, Result

Candidate = tuple[int, str]  # an id and a concrete schedule's text


# For the tests: `build:3=die,measure:1=hang` makes this worker die or hang at that
# candidate's build or measurement, as a crashing or looping candidate would.
FAULTS = "ZIGGURAT_TUNER_FAULTS"


def serve(connection: Connection, target: str) -> None:
    """A local worker: answer (verb, args) messages with a Bench's results."""
    bench = Bench.named(target)
    faults = dict(f.split("=") for f in os.environ.get(FAULTS, "").split(",") if "=" in f)
    while True:
        try:
            verb, args = connection.recv()
        except EOFError:
            return
        fault = faults.get(f"{verb}:{args[0]}") if verb in ("build", "measure") else None
        if fault == "die":
            os._exit(1)
        if fault == "hang":
            time.sleep(3600)
        if verb == "prepare":
            try:
                bench.prepare(*args)
                connection.send(None)
            except Exception as error:  # the task itself does not build: the pool says so
                connection.send(f"{type(error).__name__}: {error}")
        elif verb == "build":
            connection.send(bench.build(*args))
        elif verb == "measure":
            connection.send(bench.measure(*args))


def worker_main(reading: int, writing: int, target: str) -> None:
    """The entry point of a worker process, talking over two inherited pipe ends."""
    connection = Connection(reading, writable=False)
    serve(DuplexConnection(connection, Connection(writing, readable=False)), target)


class DuplexConnection:
    """Two one-way connections as one (a worker's pipes to its parent)."""

    def __init__(self, incoming: Connection, outgoing: Connection):
        self.incoming, self.outgoing = incoming, outgoing

    def recv(self) -> Any:
        return self.incoming.recv()

    def send(self, message: Any) -> None:
        self.outgoing.send(message)


class LocalWorker:
    """A worker process (a fresh interpreter, so no state of the parent leaks in)."""

    def __init__(self, target: str):
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        code = (
            "import sys; from ziggurat.tuner.pool import worker_main; "
            "worker_main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(to_child), str(from_child), target],
            pass_fds=(to_child, from_child),
            stdin=subprocess.DEVNULL,
        )
        os.close(to_child)
        os.close(from_child)
        self.outgoing = Connection(from_parent, readable=False)
        self.connection = Connection(to_parent, writable=False)
        self.task: Any = None

    def send(self, verb: str, *args: Any) -> None:
        try:
            self.outgoing.send((verb, args))
        except OSError:
            pass  # it died: its answer never comes, and the pool replaces it

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.outgoing.close()
        self.connection.close()


class LocalPool:
    """Worker processes on this machine: parallel builds, measurements alone."""

    def __init__(
        self,
        target: str,
        workers: int = 0,
        build_timeout: float = 60.0,
        run_timeout: float = 60.0,
        min_seconds: float = 0.1,
    ):
        self.target = target
        self.size = workers or max(1, min(os.cpu_count() or 1, 4))
        self.build_timeout, self.run_timeout = build_timeout, run_timeout
        self.min_seconds = min_seconds
        self.workers = [LocalWorker(target) for _ in range(self.size)]
        self.build_seconds: dict[int, float] = {}

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def replace(self, worker: LocalWorker) -> LocalWorker:
        worker.stop()
        fresh = LocalWorker(self.target)
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def ask(self, worker: LocalWorker, timeout: float, verb: str, *args: Any) -> tuple[str, Any]:
        """Send one message and wait for its answer: ("ok", answer), ("died", None) or
        ("timeout", None); a worker that died or hung is replaced."""
        worker.send(verb, *args)
        return self.answer(worker, timeout)

    def answer(self, worker: LocalWorker, timeout: float) -> tuple[str, Any]:
        if worker.connection.poll(timeout):
            try:
                return "ok", worker.connection.recv()
            except (EOFError, OSError):
                pass
            self.replace(worker)
            return "died", None
        self.replace(worker)
        return "timeout", None

    def prepare(self, worker: LocalWorker, task: Any) -> LocalWorker:
        """Give `worker` the task (its reference built once), replacing it if it fails."""
        if worker.task is task:
            return worker
        status, answer = self.ask(worker, self.build_timeout * 3, "prepare", task)
        if status != "ok" or answer is not None:
            raise ZigguratError(
                f"task {task.name}: its default schedule does not build ({answer or status})"
            )
        worker.task = task
        return worker

    def run(
        self, task: Any, candidates: Sequence[Candidate], best: float | None = None
    ) -> list[Result]:
        """Build every candidate in parallel, then measure the built ones one at a time."""
        results: dict[int, Result] = {}
        queue = list(candidates)
        built: list[tuple[int, LocalWorker]] = []
        for _attempt in range(3):
            self.build_all(task, queue, results, built)
            queue = []
            for id, worker in built:
                if worker not in self.workers:  # it died holding this build: build it again
                    queue.append(next(c for c in candidates if c[0] == id))
                    continue
                status, answer = self.ask(
                    worker, self.run_timeout, "measure", id, best, self.min_seconds
                )
                results[id] = self.result(id, status, answer, "run")
                results[id].build_seconds = self.build_seconds.pop(id, 0.0)
                if results[id].ok:
                    best = min(best or float("inf"), results[id].seconds or float("inf"))
            built = []
            if not queue:
                break
        for id, _ in queue:
            results.setdefault(id, Result(id, error="runtime error", message="its worker died"))
        return [results[id] for id, _ in candidates]

    def build_all(
        self,
        task: Any,
        queue: list[Candidate],
        results: dict[int, Result],
        built: list[tuple[int, LocalWorker]],
    ) -> None:
        """Build the queued candidates, one per worker at a time."""
        idle = [self.prepare(w, task) for w in list(self.workers)]
        busy: dict[Connection, tuple[LocalWorker, int, float]] = {}
        queue = list(queue)
        while queue or busy:
            while queue and idle:
                worker, (id, text) = idle.pop(), queue.pop(0)
                worker.send("build", id, text)
                busy[worker.connection] = (worker, id, time.monotonic())
            waiting = min(start for _, _, start in busy.values()) + self.build_timeout
            ready = wait(list(busy), timeout=max(0.0, waiting - time.monotonic()))
            now = time.monotonic()
            for connection in list(busy):
                worker, id, start = busy[connection]
                index = self.workers.index(worker)
                if connection in ready:
                    status, answer = self.answer(worker, 0)
                elif now - start >= self.build_timeout:
                    self.replace(worker)
                    status, answer = "timeout", None
                else:
                    continue
                del busy[connection]
                result = self.result(id, status, answer, "build")
                if result.ok:
                    built.append((id, worker))
                    self.build_seconds[id] = result.build_seconds
                else:
                    results[id] = result
                idle.append(self.prepare(self.workers[index], task))

    @staticmethod
    def result(id: int, status: str, answer: Any, stage: str) -> Result:
        if status == "ok":
            return answer
        if status == "died":
            return Result(id, error="runtime error", message=f"its worker died during its {stage}")
        return Result(id, error="timeout", message=f"its {stage} took too long")


def make_pool(spec: str, target: str, **options: Any) -> Any:
    """The pool `--pool` names: local, ray (a local Ray) or ray://HOST:PORT (a cluster)."""
    if spec == "local":
        return LocalPool(target, **options)
    if spec == "ray" or spec.startswith("ray://"):
        from ziggurat.tuner.ray_pool import RayPool

        return RayPool(target, address=None if spec == "ray" else spec, **options)
    raise ZigguratError(f"unknown pool '{spec}', expected local, ray or ray://HOST:PORT")
