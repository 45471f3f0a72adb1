"""Tuning for the CUDA target: the knobs of its schedules as a task's space, a nest's local
and shared buffers checked against the GPU before building, `ziggurat tune --target cuda`
end to end on the emulated GPU (tests/gpu_emulator.py, which the pool's worker processes
load as their CUDA driver) with its log applied by `ziggurat.compile`; one clear line
where there is no GPU."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from tuning_models import matmul_model

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cuda import runtime
from ziggurat.targets.target import target_named
from ziggurat.tools.ziggurat import main
from ziggurat.tuner.build import scheduled_module
from ziggurat.tuner.log import load_best
from ziggurat.tuner.space import Space
from ziggurat.tuner.tasks import extract_tasks

TESTS = str(Path(__file__).resolve().parents[2])


@pytest.fixture
def emulated_driver(monkeypatch):
    """The emulator as the CUDA driver of this process and of the processes it starts."""
    monkeypatch.setenv(runtime.BACKEND_VARIABLE, "gpu_emulator:EmulatedGpu")
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", TESTS + (os.pathsep + path if path else ""))
    runtime.backend.cache_clear()
    yield
    runtime.backend.cache_clear()


def test_a_matmul_tasks_space_is_the_schedules_knobs_narrowed_to_its_extents():
    target = target_named("cuda{arch=sm_80}")
    (task,) = extract_tasks([matmul_model(12, 20, 24)], target)
    space = Space.of(task, target)
    options = {d.name: d.options for d in space.dimensions}
    assert task.schedule_file == "matmul.mlir"
    assert options["thread_rows"] == [1, 2, 4, 8]  # rows: 12 (a tile of 16 is larger)
    assert options["threads_y"] == [1, 2, 4, 8]  # threads over a part of the 12 rows
    assert options["threads_x"] == [1, 2, 4, 8, 16]  # ... of the 24 columns
    assert options["shared"] == [0, 1] and space.default() == {
        **space.default(),
        **task.default,
    }


def test_local_and_shared_buffers_are_checked_against_the_gpu(monkeypatch):
    target = target_named("cuda{arch=sm_80}")
    assert target.local_memory() == 512  # 128 of a thread's 255 registers
    assert target.shared_memory() == 163 * 1024
    (task,) = extract_tasks([matmul_model(64, 64, 64)], target)
    space = Space.of(task, target)
    # A 64 x 64 block tile, 8 x 4 a thread, k in steps of 16: A's and B's tiles in shared
    # memory, 4 KiB each; the register tile 128 bytes.
    config = {
        **space.default(),
        **dict(thread_rows=8, thread_columns=4, threads_y=8, threads_x=16, k_tile=16, shared=1),
    }
    text = space.schedule_text(space.canonical(config))
    scheduled_module(task, text, target)
    monkeypatch.setattr(type(target), "shared_memory", lambda self: 6 << 10)
    with pytest.raises(ZigguratError, match="shared buffers of 8192 bytes do not fit in 6144"):
        scheduled_module(task, text, target)
    monkeypatch.setattr(type(target), "local_memory", lambda self: 64)
    with pytest.raises(ZigguratError, match="a local buffer of 128 bytes does not fit in 64"):
        scheduled_module(
            task, space.schedule_text(space.canonical({**config, "shared": 0})), target
        )


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="ptxas is not on the PATH")
def test_a_candidate_ptxas_rejects_is_a_compile_error(monkeypatch):
    from ziggurat.targets.cuda import nvptx
    from ziggurat.tuner.measure import Bench

    target = target_named("cuda{arch=sm_80}")
    (task,) = extract_tasks([matmul_model()], target)
    space = Space.of(task, target)
    bench = Bench(target, task=task)
    assert bench.build(0, space.schedule_text(space.default())).ok
    emitted = nvptx.ptx
    monkeypatch.setattr(nvptx, "ptx", lambda kernels, arch: emitted(kernels, arch) + "bogus;\n")
    result = bench.build(1, space.schedule_text(space.default()))
    assert result.error == "compile error" and "ptxas rejects the PTX" in result.message


def test_tune_tunes_a_matmul_on_the_emulated_gpu_and_compile_applies_its_log(
    tmp_path, capsys, emulated_driver
):
    model = tmp_path / "mm.onnx"
    onnx.save(matmul_model(12, 20, 24), model)
    log = tmp_path / "log.jsonl"
    argv = ["--trials", "5", "--batch", "2", "--workers", "1", "--min-seconds", "0.002"]
    code = main(
        ["tune", str(model), "--target", "cuda", "--log", str(log), "--search", "random", *argv]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    records = [json.loads(line) for line in log.read_text().splitlines()]
    trials = [r for r in records if not r["confirm"]]  # and the best ones measured again
    assert len(trials) == 5 and {r["target"] for r in records} == {"cuda"}
    timed = [r for r in trials if r["error"] is None]
    assert len(timed) >= 2 and all(r["seconds"] > 0 for r in timed)
    assert "model latency: default" in out and "tuned" in out
    (best,) = load_best(log, "cuda").values()

    compiled = ziggurat.compile(str(model), target="cuda", tuning_log=str(log))
    (launch,) = compiled._functions.main.program.launches
    target = target_named("cuda")
    (task,) = extract_tasks([str(model)], target)
    best_kernel = target.compile(scheduled_module(task, best["transform"], target))
    (want,) = getattr(best_kernel, task.function).program.launches
    assert (launch.grid, launch.block, launch.shared) == (want.grid, want.block, want.shared)
    # The emulated default (a thread an output, 64 a block) is slower than what was found.
    (default,) = ziggurat.compile(str(model), target="cuda")._functions.main.program.launches
    assert (default.grid, default.block) != (want.grid, want.block)
    x = np.random.default_rng(1).standard_normal((12, 20)).astype(np.float32)
    weight = onnx.numpy_helper.to_array(onnx.load(model).graph.initializer[0])
    np.testing.assert_allclose(compiled(x)[0], np.maximum(x @ weight, 0), rtol=1e-5, atol=1e-5)


def test_tune_without_a_gpu_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    def no_gpu():
        raise ZigguratError("cannot run on the GPU: the CUDA driver sees no GPU")

    monkeypatch.setattr(runtime, "backend", no_gpu)
    model = tmp_path / "mm.onnx"
    onnx.save(matmul_model(), model)
    code = main(["tune", str(model), "--target", "cuda", "--log", str(tmp_path / "log.jsonl")])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err
    assert "nothing to measure cuda candidates on here" in lines[0]
    assert "the CUDA driver sees no GPU" in lines[0]
    assert not (tmp_path / "log.jsonl").exists()
