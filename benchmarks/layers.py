"""Where a network's time goes: each fused function of Ziggurat's default compile timed on
its own (random inputs of its shapes, the median of several runs, times the calls main makes
of it), beside the onnxruntime nodes of the same shapes (its own profiler's kernel times).

    python benchmarks/layers.py networks/mobilenet_v2.onnx [--threads 1] [--runs 30]

One line per workload, largest difference first: Ziggurat's milliseconds per inference, the
functions that compute it, onnxruntime's milliseconds for its nodes of that workload, and
the difference. A workload is a convolution's (input channels, input rows, output channels,
output rows, window), channels rounded up to 16 (onnxruntime pads them to its NCHWc blocks
of 16 on AVX-512 hosts); anything else is keyed by its name (fused function or operator), so
a workload fused differently shows on two lines. Each function runs on inputs that stay in
the cache from run to run, as onnxruntime's nodes do under its profiler: a sum near the whole
network's latency says how much of it the functions explain.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

Key = tuple[int, ...] | str


def blocks(channels: int) -> int:
    return -(-channels // 16) * 16


def convolution_key(shapes: Sequence[Sequence[int]], window: int) -> Key | None:
    """A convolution's workload from its image, weight and output shapes (NCHW, or the
    blocked NCHW[x]c of alter-conv-layout: channels are blocks times the block)."""
    if len(shapes) < 3 or any(len(s) not in (4, 5) for s in (shapes[0], shapes[-1])):
        return None
    image, output = shapes[0], shapes[-1]
    in_channels, out_channels = (s[1] * (s[4] if len(s) == 5 else 1) for s in (image, output))
    return (blocks(in_channels), image[2], blocks(out_channels), output[2], window)


def ziggurat_profile(path: str, threads: int, runs: int) -> tuple[dict[Key, float], dict]:
    """Milliseconds per inference of each workload's fused functions, and their names."""
    from xdsl.dialects import func
    from xdsl.dialects.builtin import MemRefType

    import ziggurat
    from ziggurat.pipeline import lower
    from ziggurat.targets.cpu import compile_loop_module

    target = f"cpu{{threads={threads}}}" if threads else "cpu"
    module = lower(ziggurat.load_module(path, batch_size=1), "loop", target)
    calls = Counter(
        op.callee.root_reference.data for op in module.walk() if isinstance(op, func.CallOp)
    )
    functions = [
        f
        for f in module.ops
        if isinstance(f, func.FuncOp) and not f.is_declaration and calls[f.sym_name.data]
    ]
    for function in functions:
        function.sym_visibility = None  # callable by name
    compiled = compile_loop_module(module, threads_=threads)
    rng = np.random.default_rng(0)
    times: dict[Key, float] = defaultdict(float)
    names: dict[Key, list[str]] = defaultdict(list)
    for function in functions:
        types = function.function_type.inputs.data
        if not all(isinstance(t, MemRefType) for t in types):
            continue
        shapes = [list(t.get_shape()) for t in types]  # type: ignore[attr-defined]
        arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        run = getattr(compiled, function.sym_name.data)
        run(*arrays)
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            run(*arrays)
            seconds.append(time.perf_counter() - start)
        name = function.sym_name.data
        key = convolution_key(shapes, window_of(shapes)) if "conv2d" in name else None
        key = key or name
        times[key] += statistics.median(seconds) * calls[name] * 1e3
        names[key].append(name)
    return times, names


def window_of(shapes: Sequence[Sequence[int]]) -> int:
    """The window of a convolution's weight: IHWO (pack-weights'), OIHW (grouped) or
    OIHW[x]i[y]o (alter-conv-layout's)."""
    weight = shapes[1]
    if len(weight) == 6:
        return weight[2]
    return weight[1] if weight[1] == weight[2] else weight[2]


def onnxruntime_profile(path: str, threads: int, runs: int) -> dict[Key, float]:
    """Milliseconds per inference of each workload's onnxruntime nodes (its profiler's)."""
    import onnxruntime
    from networks import inputs_of

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.enable_profiling = True
    options.profile_file_prefix = str(Path(tempfile.gettempdir()) / f"ort-profile-{os.getpid()}")
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feeds = dict(zip([i.name for i in session.get_inputs()], inputs_of(path), strict=True))
    for _ in range(runs):
        session.run(None, feeds)
    trace = Path(session.end_profiling())
    events = json.loads(trace.read_text())
    trace.unlink()
    per_node: dict[tuple[str, Key], list[float]] = defaultdict(list)
    for event in events:
        if event.get("cat") != "Node" or not event["name"].endswith("_kernel_time"):
            continue
        args = event["args"]
        shapes = [next(iter(s.values())) for s in args.get("input_type_shape", [])]
        shapes += [next(iter(s.values())) for s in args.get("output_type_shape", [])]
        key = None
        if args.get("op_name") == "Conv" and len(shapes) >= 3 and len(shapes[1]) == 4:
            key = convolution_key([shapes[0], shapes[1], shapes[-1]], shapes[1][2])
        per_node[(event["name"], key or args.get("op_name", "?"))].append(event["dur"] / 1e3)
    times: dict[Key, float] = defaultdict(float)
    for (_, key), durations in per_node.items():
        times[key] += statistics.median(durations)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1, help="threads of both runtimes")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ours, names = ziggurat_profile(args.model, args.threads, args.runs)
    theirs = onnxruntime_profile(args.model, args.threads, args.runs)
    print(
        f"{Path(args.model).stem}, {args.threads} thread(s), load average "
        f"{os.getloadavg()[0]:.1f}: ziggurat {sum(ours.values()):.2f} ms in its functions, "
        f"onnxruntime {sum(theirs.values()):.2f} ms in its nodes"
    )
    print(f"{'workload':28} {'ziggurat ms':>11} {'ort ms':>8} {'difference':>10}  functions")
    keys = sorted(set(ours) | set(theirs), key=lambda k: theirs.get(k, 0) - ours.get(k, 0))
    for key in keys:
        label = key if isinstance(key, str) else "conv " + "x".join(map(str, key))
        mine, other = ours.get(key, 0.0), theirs.get(key, 0.0)
        functions = ", ".join(names.get(key, []))
        print(f"{label:28} {mine:11.3f} {other:8.3f} {mine - other:+10.3f}  {functions[:70]}")


if __name__ == "__main__":
    main()
