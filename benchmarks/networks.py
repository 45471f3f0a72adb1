"""Whole ONNX networks (benchmarks/export_torchvision.py makes the classic image ones)
through Ziggurat's default pipeline beside onnxruntime: the outputs compared, then latency
at batch 1, in interleaved rounds, each runtime in its own worker process.

    python benchmarks/networks.py networks/*.onnx [--rounds 5] [--runs 10]
    python benchmarks/networks.py networks/resnet18.onnx --tuning-log resnet18.jsonl
    python benchmarks/networks.py networks/resnet18.onnx --threads 1
    python benchmarks/networks.py networks/resnet18.onnx --baseline /tmp/before

Printed per network: compile time, the largest error relative to the output's scale
(of the tuned schedules' outputs too), both latencies (median of the per-round medians) and onnxruntime / ziggurat. With
`--tuning-log` (`ziggurat tune`'s), Ziggurat with the log's schedules runs as a third
runtime, "tuned", beside the default schedules. With `--baseline DIR` (a folder holding
another checkout as `ziggurat/`: `git archive COMMIT --prefix ziggurat/ | tar -x -C DIR`),
that checkout's default compile runs as "baseline", so a change is measured against what
came before in the same interleaved rounds. `--threads N` runs the runtimes on N
threads (default: each on all the CPUs). The header gives the load average: onnxruntime's
threads spin while they wait for work, and on a machine other jobs keep busy it slows down
far more than Ziggurat (ResNet-18 on 2 cores: 11 ms quiet, 100 ms at a load of 7), so
compare figures measured on a quiet machine, or with `--threads 1`.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from workers import Worker, serve
from workers import measure as measure_workers


def inputs_of(path: str) -> list[np.ndarray]:
    """Random inputs of the model's shapes (a dynamic dimension 1): floats, or for integer
    inputs (token ids, indices) 0s and 1s, which index any table."""
    import onnx

    model = onnx.load(path, load_external_data=False)
    initializers = {i.name for i in model.graph.initializer}
    rng = np.random.default_rng(0)
    arrays = []
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor_type = value.type.tensor_type
        shape = [d.dim_value or 1 for d in tensor_type.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
        if np.issubdtype(dtype, np.integer):
            arrays.append(rng.integers(0, 2, shape).astype(dtype))
        else:
            arrays.append(rng.standard_normal(shape).astype(dtype))
    return arrays


def prepare(runtime: str, path: str, tuning_log: str | None = None, threads: int = 0) -> Any:
    inputs = inputs_of(path)
    if runtime == "onnxruntime":
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        return lambda: session.run(None, dict(zip(names, inputs, strict=True)))
    import ziggurat

    log = tuning_log if runtime == "tuned" else None
    target = f"cpu{{threads={threads}}}" if threads else "cpu"
    compiled = ziggurat.compile(path, target=target, batch_size=1, tuning_log=log)
    outputs = compiled(*inputs)
    return lambda: compiled(*inputs, *outputs)


def worker(runtime: str, path: str, tuning_log: str | None, threads: int) -> None:
    serve(prepare(runtime, path, tuning_log, threads))


def check(path: str, tuning_log: str | None = None) -> tuple[float, list[float]]:
    """Compile time and the largest error of Ziggurat's outputs against onnxruntime's,
    relative to each output's largest magnitude: with the default schedules, and with the
    tuning log's where one is given (a tuned schedule must not buy its speed with wrong
    results)."""
    import onnxruntime

    import ziggurat

    inputs = inputs_of(path)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    expected = session.run(None, dict(zip(names, inputs, strict=True)))
    seconds, errors = 0.0, []
    for log in [None, tuning_log] if tuning_log else [None]:
        start = time.perf_counter()
        compiled = ziggurat.compile(path, batch_size=1, tuning_log=log)
        seconds = seconds or time.perf_counter() - start
        worst = 0.0
        for got, want in zip(compiled(*inputs), expected, strict=True):
            scale = float(np.max(np.abs(want))) or 1.0
            worst = max(worst, float(np.max(np.abs(got - want))) / scale)
        errors.append(worst)
    return seconds, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tuning-log", help="also run with this tuning log's schedules")
    parser.add_argument("--threads", type=int, default=0, help="threads of both runtimes")
    parser.add_argument("--baseline", help="also run the checkout DIR/ziggurat, as baseline")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model, args.tuning_log, args.threads)
        return
    threads = f"{args.threads} threads" if args.threads else "all CPUs"
    print(
        f"batch 1, {threads}, median of {args.rounds} interleaved rounds of {args.runs} runs, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    tuned = ["tuned"] if args.tuning_log else []
    print(
        f"{'network':22} {'compile s':>9} {'rel error':>9} {'ziggurat ms':>12} "
        f"{'onnxruntime ms':>15} {'ort/ziggurat':>13}"
        + (f" {'tuned ms':>9} {'ort/tuned':>10} {'tuned error':>11}" if tuned else "")
        + (f" {'baseline ms':>11} {'ort/baseline':>12} {'speed-up':>8}" if args.baseline else "")
    )
    for path in args.models:
        seconds, errors = check(path, args.tuning_log)
        error = errors[0]
        log = ["--tuning-log", args.tuning_log] if tuned else []
        log += ["--threads", str(args.threads)]
        workers = [
            Worker(runtime, [__file__, "--worker", runtime, "--model", path, *log])
            for runtime in ("ziggurat", "onnxruntime", *tuned)
        ]
        if args.baseline:
            path_before = os.pathsep.join(
                filter(None, [args.baseline, os.environ.get("PYTHONPATH")])
            )
            argv = [__file__, "--worker", "ziggurat", "--model", path, *log]
            workers.append(Worker("baseline", argv, {**os.environ, "PYTHONPATH": path_before}))
        result = measure_workers(workers, args.rounds, args.runs)
        ours, theirs = result["ziggurat"], result["onnxruntime"]
        line = (
            f"{Path(path).stem:22} {seconds:9.1f} {error:9.1e} {ours * 1e3:12.2f} "
            f"{theirs * 1e3:15.2f} {theirs / ours:13.2f}"
        )
        if tuned:
            line += f" {result['tuned'] * 1e3:9.2f} {theirs / result['tuned']:10.2f}"
            line += f" {errors[1]:11.1e}"
        if args.baseline:
            before = result["baseline"]
            line += f" {before * 1e3:11.2f} {theirs / before:12.2f} {before / ours:8.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
