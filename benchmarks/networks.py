"""Whole ONNX networks (benchmarks/export_torchvision.py makes the classic image ones)
through Ziggurat's default pipeline beside onnxruntime: the outputs compared, then latency
at batch 1, in interleaved rounds, each runtime in its own worker process.

    python benchmarks/networks.py networks/*.onnx [--rounds 5] [--runs 10]

Printed per network: compile time, the largest error relative to the output's scale,
both latencies (median of the per-round medians) and onnxruntime / ziggurat.
"""

from __future__ import annotations

import argparse
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


def prepare(runtime: str, path: str) -> Any:
    inputs = inputs_of(path)
    if runtime == "onnxruntime":
        import onnxruntime

        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        return lambda: session.run(None, dict(zip(names, inputs, strict=True)))
    import ziggurat

    compiled = ziggurat.compile(path, batch_size=1)
    outputs = compiled(*inputs)
    return lambda: compiled(*inputs, *outputs)


def worker(runtime: str, path: str) -> None:
    serve(prepare(runtime, path))


def check(path: str) -> tuple[float, float]:
    """Compile time and the largest error of Ziggurat's outputs against onnxruntime's,
    relative to each output's largest magnitude."""
    import onnxruntime

    import ziggurat

    inputs = inputs_of(path)
    start = time.perf_counter()
    compiled = ziggurat.compile(path, batch_size=1)
    seconds = time.perf_counter() - start
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    expected = session.run(None, dict(zip(names, inputs, strict=True)))
    worst = 0.0
    for got, want in zip(compiled(*inputs), expected, strict=True):
        scale = float(np.max(np.abs(want))) or 1.0
        worst = max(worst, float(np.max(np.abs(got - want))) / scale)
    return seconds, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model)
        return
    print(f"batch 1, median of {args.rounds} interleaved rounds of {args.runs} runs")
    print(
        f"{'network':22} {'compile s':>9} {'rel error':>9} {'ziggurat ms':>12} "
        f"{'onnxruntime ms':>15} {'ort/ziggurat':>13}"
    )
    for path in args.models:
        seconds, error = check(path)
        workers = [
            Worker(runtime, [__file__, "--worker", runtime, "--model", path])
            for runtime in ("ziggurat", "onnxruntime")
        ]
        result = measure_workers(workers, args.rounds, args.runs)
        ours, theirs = result["ziggurat"], result["onnxruntime"]
        print(
            f"{Path(path).stem:22} {seconds:9.1f} {error:9.1e} {ours * 1e3:12.2f} "
            f"{theirs * 1e3:15.2f} {theirs / ours:13.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
