"""Parallel loops on the CPU's thread pool (targets/cpu/threads.py): every iteration runs
once, iterations run at the same time, kernels release the GIL, several Python threads and
forked children, the thread count, and a local buffer per thread."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from testing_cpu import compile_text, random

from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cpu import threads

STRIDED_SCALE = """
func.func @scale(%X: memref<?xf32>, %Y: memref<?xf32>, %lb: index, %ub: index, %step: index) {
  %two = arith.constant 2.0 : f32
  scf.for %i = %lb to %ub step %step {
    %x = memref.load %X[%i] : memref<?xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %Y[%i] : memref<?xf32>
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""


@pytest.fixture(scope="module")
def strided_scale():
    return compile_text(STRIDED_SCALE)


@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize(
    "lb,ub,step", [(0, 0, 1), (0, 1, 1), (0, 2, 1), (1, 4, 1), (0, 13, 1), (3, 1001, 4), (5, 4, 1)]
)
def test_parallel_loop_runs_every_iteration_once(
    strided_scale, restore_threads, count, lb, ub, step
):
    threads.set_num_threads(count)
    X = random(1001)
    Y = np.full_like(X, -1.0)
    strided_scale.scale(X, Y, lb, ub, step)
    expected = np.full_like(X, -1.0)
    expected[lb:ub:step] = 2 * X[lb:ub:step]
    np.testing.assert_array_equal(Y, expected)


# Iteration i raises flag i, then waits (a bounded number of sched_yield calls) for the other
# iteration's flag and records whether it came: both can see it only if the two iterations
# run at the same time, on two threads.
HANDSHAKE = """
func.func private @sched_yield() -> i32

func.func @handshake(%flags: memref<2xi32>, %seen: memref<2xi32>, %limit: i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %start = arith.constant 0 : i64
  %step = arith.constant 1 : i64
  scf.for %i = %c0 to %c2 step %c1 {
    memref.store %one, %flags[%i] : memref<2xi32>
    %other = arith.subi %c1, %i : index
    %waited = scf.while (%n = %start) : (i64) -> i64 {
      %y = func.call @sched_yield() : () -> i32
      %f = memref.load %flags[%other] : memref<2xi32>
      %unset = arith.cmpi eq, %f, %zero : i32
      %more = arith.cmpi slt, %n, %limit : i64
      %go = arith.andi %unset, %more : i1
      scf.condition(%go) %n : i64
    } do {
    ^bb0(%m: i64):
      %next = arith.addi %m, %step : i64
      scf.yield %next : i64
    }
    %came = arith.cmpi slt, %waited, %limit : i64
    %came_i32 = arith.extui %came : i1 to i32
    memref.store %came_i32, %seen[%i] : memref<2xi32>
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""


def test_parallel_iterations_run_at_the_same_time(restore_threads):
    compiled = compile_text(HANDSHAKE)
    threads.set_num_threads(2)
    for _ in range(3):
        flags, seen = np.zeros(2, np.int32), np.zeros(2, np.int32)
        compiled.handshake(flags, seen, 10_000_000)
        assert list(seen) == [1, 1]
    # On one thread the first iteration gives up waiting.
    threads.set_num_threads(1)
    flags, seen = np.zeros(2, np.int32), np.zeros(2, np.int32)
    compiled.handshake(flags, seen, 1000)
    assert list(seen) == [0, 1]


WAIT_FOR_PYTHON = """
func.func private @sched_yield() -> i32

func.func @wait(%flag: memref<1xi32>, %started: memref<1xi32>, %limit: i64) -> i1 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %start = arith.constant 0 : i64
  %step = arith.constant 1 : i64
  memref.store %one, %started[%c0] : memref<1xi32>
  %waited = scf.while (%n = %start) : (i64) -> i64 {
    %y = func.call @sched_yield() : () -> i32
    %f = memref.load %flag[%c0] : memref<1xi32>
    %unset = arith.cmpi eq, %f, %zero : i32
    %more = arith.cmpi slt, %n, %limit : i64
    %go = arith.andi %unset, %more : i1
    scf.condition(%go) %n : i64
  } do {
  ^bb0(%m: i64):
    %next = arith.addi %m, %step : i64
    scf.yield %next : i64
  }
  %came = arith.cmpi slt, %waited, %limit : i64
  func.return %came : i1
}
"""


def test_a_running_kernel_releases_the_gil():
    compiled = compile_text(WAIT_FOR_PYTHON)
    flag, started = np.zeros(1, np.int32), np.zeros(1, np.int32)
    result: list[bool] = []
    worker = threading.Thread(target=lambda: result.append(compiled.wait(flag, started, 10**8)))
    worker.start()
    # Python runs here while the kernel waits: it sets the flag the kernel waits for.
    deadline = time.monotonic() + 30
    while not started[0] and time.monotonic() < deadline:
        time.sleep(0.001)
    flag[0] = 1
    worker.join()
    assert result == [True]


def test_parallel_kernels_called_from_several_python_threads(strided_scale, restore_threads):
    threads.set_num_threads(2)
    failures: list[int] = []

    def run(seed: int) -> None:
        X = random(777, seed=seed)
        for _ in range(50):
            Y = np.zeros_like(X)
            strided_scale.scale(X, Y, 0, 777, 1)
            if not np.array_equal(Y, 2 * X):
                failures.append(seed)

    callers = [threading.Thread(target=run, args=(seed,)) for seed in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert failures == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_its_own_workers(strided_scale, restore_threads):
    threads.set_num_threads(2)
    X = random(1000)
    Y = np.zeros_like(X)
    strided_scale.scale(X, Y, 0, 1000, 1)  # the parent's workers run
    child = os.fork()
    if child == 0:
        Y[:] = 0
        strided_scale.scale(X, Y, 0, 1000, 1)
        os._exit(0 if np.array_equal(Y, 2 * X) else 1)
    deadline = time.monotonic() + 60
    while (status := os.waitpid(child, os.WNOHANG)) == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    if status == (0, 0):
        os.kill(child, 9)
        os.waitpid(child, 0)
        pytest.fail("the forked child hung in a parallel loop")
    assert os.waitstatus_to_exitcode(status[1]) == 0


def test_number_of_threads_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ZIGGURAT_NUM_THREADS", "3")
    assert threads.default_num_threads() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("ZIGGURAT_NUM_THREADS", bad)
        with pytest.raises(ZigguratError, match="ZIGGURAT_NUM_THREADS must be a positive"):
            threads.default_num_threads()
    with pytest.raises(ZigguratError, match="must be positive"):
        threads.set_num_threads(0)


def test_each_thread_has_its_own_local_buffers(restore_threads):
    # Every iteration fills a 200 KB local buffer with its own number and reads it back: a
    # buffer shared between threads would mix numbers.
    text = """
func.func @fill(%out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %size = arith.constant 50000 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %buffer = memref.alloc() : memref<50000xf32, #loop.scope<local>>
    %i32 = arith.index_cast %i : index to i32
    %value = arith.sitofp %i32 : i32 to f32
    scf.for %j = %c0 to %size step %c1 {
      memref.store %value, %buffer[%j] : memref<50000xf32, #loop.scope<local>>
    }
    %total = scf.for %j = %c0 to %size step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %buffer[%j] : memref<50000xf32, #loop.scope<local>>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %total, %out[%i] : memref<64xf32>
    memref.dealloc %buffer : memref<50000xf32, #loop.scope<local>>
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""
    compiled = compile_text(text)
    threads.set_num_threads(3)
    for _ in range(3):
        out = np.zeros(64, np.float32)
        compiled.fill(out)
        np.testing.assert_array_equal(out, np.arange(64, dtype=np.float32) * 50000)
