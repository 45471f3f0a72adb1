"""Operator fusion on the CPU: each workload compiled with the default pipeline (fused: one
function and, where it can be, one loop nest per group) and with `fuse=False` (every
operator its own loop nest writing its own buffer), timed in interleaved rounds.

    python benchmarks/fusion.py [rounds]

Both versions get the default schedules (targets/cpu/schedules), so the difference is what
fusion saves: the intermediate buffers and the passes over them, against an epilogue applied
in the reduction's write-back. It is small where the reduction dominates (a 3x3 conv2d, a
dense) and large where it does not (a depthwise conv2d).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np

import ziggurat
from ziggurat.reference import evaluate

WORKLOADS: dict[str, str] = {
    "conv2d 1x32x28x28, 32 3x3 filters + bias + relu": """
func.func @main(%x: tensor<1x32x28x28xf32>, %w: tensor<32x32x3x3xf32>, %b: tensor<32x1x1xf32>) -> tensor<1x32x28x28xf32> {
  %y = graph.conv2d %x, %w padding [1, 1, 1, 1] : (tensor<1x32x28x28xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x28x28xf32>
  %z = graph.add %y, %b : (tensor<1x32x28x28xf32>, tensor<32x1x1xf32>) -> tensor<1x32x28x28xf32>
  %r = graph.relu %z : tensor<1x32x28x28xf32>
  func.return %r : tensor<1x32x28x28xf32>
}""",
    "dense 64x512x512 + bias + relu": """
func.func @main(%x: tensor<64x512xf32>, %w: tensor<512x512xf32>, %b: tensor<512xf32>) -> tensor<64x512xf32> {
  %y = graph.dense %x, %w, %b trans_b : (tensor<64x512xf32>, tensor<512x512xf32>, tensor<512xf32>) -> tensor<64x512xf32>
  %r = graph.relu %y : tensor<64x512xf32>
  func.return %r : tensor<64x512xf32>
}""",
    "depthwise conv2d 1x64x56x56 3x3 + bias + relu": """
func.func @main(%x: tensor<1x64x56x56xf32>, %w: tensor<64x1x3x3xf32>, %b: tensor<64x1x1xf32>) -> tensor<1x64x56x56xf32> {
  %y = graph.conv2d %x, %w padding [1, 1, 1, 1] groups 64 : (tensor<1x64x56x56xf32>, tensor<64x1x3x3xf32>) -> tensor<1x64x56x56xf32>
  %z = graph.add %y, %b : (tensor<1x64x56x56xf32>, tensor<64x1x1xf32>) -> tensor<1x64x56x56xf32>
  %r = graph.relu %z : tensor<1x64x56x56xf32>
  func.return %r : tensor<1x64x56x56xf32>
}""",
}


def per_call_seconds(run: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        run()
    return (time.perf_counter() - start) / calls


def compare(name: str, text: str, rounds: int) -> None:
    module = ziggurat.load_module(text)
    fused = ziggurat.compile(module)
    unfused = ziggurat.compile(module, fuse=False)
    main = next(op for op in module.ops if op.name == "func.func")
    rng = np.random.default_rng(0)
    inputs = [
        rng.standard_normal(tuple(t.get_shape())).astype(np.float32)
        for t in main.function_type.inputs  # type: ignore[attr-defined]
    ]
    (expected,) = evaluate(module, "main", inputs)
    for compiled in (fused, unfused):
        np.testing.assert_allclose(compiled(*inputs)[0], expected, rtol=1e-3, atol=1e-3)
    out = np.empty_like(expected)
    runs = {
        "fused": lambda: fused(*inputs, out),
        "unfused": lambda: unfused(*inputs, out),
    }
    # About 50 ms a sample, each version's samples interleaved with the other's.
    once = per_call_seconds(runs["unfused"], 1)
    calls = max(1, int(0.05 / once))
    samples: dict[str, list[float]] = {key: [] for key in runs}
    for _ in range(rounds):
        for key, run in runs.items():
            samples[key].append(per_call_seconds(run, calls))
    fused_time, unfused_time = (float(np.median(samples[key])) for key in runs)
    print(name)
    print(f"  fused:   {fused_time * 1e3:9.3f} ms")
    print(f"  unfused: {unfused_time * 1e3:9.3f} ms")
    print(f"  unfused / fused: {unfused_time / fused_time:.3f}x")


def main(rounds: int = 15) -> None:
    print(f"median of {rounds} interleaved rounds, default pipeline (default schedules), this CPU")
    for name, text in WORKLOADS.items():
        compare(name, text, rounds)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
