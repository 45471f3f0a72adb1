"""Whole models through Ziggurat's default pipeline beside onnxruntime, as latency ratios.

    python benchmarks/models.py [--batch 8] [--rounds 7] [--runs 20] [--target 'cpu{mcpu=znver2}']

Each runtime lives in its own worker process, compiled once; the parent asks one worker at a
time for a batch of timed runs (the others sleep on their pipes, so two thread pools never
run at once) and interleaves the rounds. Printed: the median of the per-round medians, and
onnxruntime / ziggurat (above 1 means Ziggurat is faster). The last rows compare a
conv2d+bias+relu (and a depthwise one) compiled with and without operator fusion.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from workers import Worker, serve
from workers import measure as measure_workers

RUNTIMES = ("ziggurat", "onnxruntime")
# The small test models live beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def conv_bias_relu(
    batch: int | str = "N", seed: int = 0, channels: int = 32, size: int = 28, group: int = 1
) -> onnx.ModelProto:
    """One 3x3 convolution with bias, 32 -> 32 channels on 28x28 (or depthwise, 64 channels
    on 56x56, as in MobileNet), then ReLU."""
    rng = np.random.default_rng(seed)
    weight = numpy_helper.from_array(
        (rng.standard_normal((channels, channels // group, 3, 3)) / 17).astype(np.float32), "w"
    )
    bias = numpy_helper.from_array(rng.standard_normal(channels).astype(np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["input", "w", "b"], ["conv"], pads=[1, 1, 1, 1], group=group),
        helper.make_node("Relu", ["conv"], ["output"]),
    ]
    shape = [batch, channels, size, size]
    graph = helper.make_graph(
        nodes,
        "conv_bias_relu",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, shape)],
        [weight, bias],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def model_named(name: str) -> onnx.ModelProto:
    from testing_models import MODELS

    if name == "conv_bias_relu":
        return conv_bias_relu()
    if name == "depthwise_conv_bias_relu":
        return conv_bias_relu(channels=64, size=56, group=64)
    return MODELS[name]()


# The worker: compile once, then time batches on request --------------------------------------


def worker(runtime: str, name: str, batch: int, target: str) -> None:
    model = model_named(name)
    rng = np.random.default_rng(0)
    dims = [d.dim_value or batch for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = rng.standard_normal(dims).astype(np.float32)
    serve(prepare(runtime, model, batch, x, target))


def prepare(runtime: str, model: onnx.ModelProto, batch: int, x: np.ndarray, target: str) -> Any:
    if runtime == "onnxruntime":
        import onnxruntime

        session = onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return lambda: session.run(None, {"input": x})
    import ziggurat

    fuse = runtime != "ziggurat-unfused"
    compiled = ziggurat.compile(model, batch_size=batch, fuse=fuse, target=target)
    # Into the same output array each run, as onnxruntime's arena hands out the same memory:
    # a fresh array of megabytes is a fresh mapping to fault in.
    outputs = compiled(x)
    return lambda: compiled(x, *outputs)


# The parent ---------------------------------------------------------------------------------


def measure(name: str, runtimes: tuple[str, ...], batch: int, rounds: int, runs: int, target: str):
    argv = [__file__, "--model", name, "--batch", str(batch), "--target", target]
    workers = [Worker(runtime, [*argv, "--worker", runtime]) for runtime in runtimes]
    return measure_workers(workers, rounds, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--model", help="one model only")
    parser.add_argument("--target", default="cpu", help="the CPU Ziggurat compiles for")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model, args.batch, args.target)
        return

    from peak import describe

    print(describe(args.target)[0])

    from testing_models import MODELS

    fusion = ["conv_bias_relu", "depthwise_conv_bias_relu"]
    names = [args.model] if args.model else [*MODELS, *fusion]
    print(f"batch {args.batch}, median of {args.rounds} interleaved rounds of {args.runs} runs")
    print(f"{'model':28} {'ziggurat ms':>12} {'onnxruntime ms':>15} {'ort/ziggurat':>13}")
    for name in names:
        result = measure(name, RUNTIMES, args.batch, args.rounds, args.runs, args.target)
        ours, theirs = result["ziggurat"], result["onnxruntime"]
        print(f"{name:28} {ours * 1e3:12.3f} {theirs * 1e3:15.3f} {theirs / ours:13.2f}")
    # The gain of fusion is a few percent where the convolution dominates: three times the
    # samples for these rows.
    for name in fusion if args.model in (None, *fusion) else []:
        if args.model not in (None, name):
            continue
        result = measure(
            name,
            ("ziggurat", "ziggurat-unfused"),
            args.batch,
            3 * args.rounds,
            3 * args.runs,
            args.target,
        )
        fused, unfused = result["ziggurat"], result["ziggurat-unfused"]
        print(
            f"{name} fused {fused * 1e3:.3f} ms, unfused {unfused * 1e3:.3f} ms: "
            f"fusion speedup {unfused / fused:.3f}x"
        )


if __name__ == "__main__":
    main()
