"""Latency hiding on the accelerator: the same int8 layers compiled monolithic (one
virtual thread: each unit waits for the other) and decoupled (two virtual threads: one
tile's loads run while another's gemm does), on the cycle simulator. The layers are
ResNet-18's convolutions in int8 (C2-C12 of TVM's VTA paper; C1, with 3 input channels,
runs on the CPU there as here) with a bias, and matmuls of a transformer's sizes, each
requantized to int8 and checked against numpy exactly.

A layer is memory-bound where its monolithic run keeps the load unit busy at least 35% of
the time. The last line is the compute utilization gain of the decoupled runs over the
monolithic ones, over the memory-bound layers together (their gemm cycles over their total
cycles).

    python benchmarks/accel.py            # every layer
    python benchmarks/accel.py C11 M1     # some

On the default hardware description (`accel`: 16x16 gemm, 8 bytes per DMA cycle) the
memory-bound layers are C10, C11, C12 and M3: their gemm is busy 56.5% of the cycles
monolithic and 94.2% decoupled, `utilization gain 1.67x` (per layer 1.46x to 1.78x); every
layer is faster decoupled (1.10x to 1.78x). Cycles are simulated: they do not depend on
the host or its load.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from xdsl.dialects import func

import ziggurat
from ziggurat.reference import evaluate

MEMORY_BOUND = 0.35

# name: (kind, sizes): conv (size, channels, filters, kernel, stride), matmul (m, k, n)
LAYERS = {
    "C2": ("conv", (56, 64, 64, 3, 1)),
    "C3": ("conv", (56, 64, 64, 1, 1)),
    "C4": ("conv", (56, 64, 128, 3, 2)),
    "C5": ("conv", (56, 64, 128, 1, 2)),
    "C6": ("conv", (28, 128, 128, 3, 1)),
    "C7": ("conv", (28, 128, 256, 3, 2)),
    "C8": ("conv", (28, 128, 256, 1, 2)),
    "C9": ("conv", (14, 256, 256, 3, 1)),
    "C10": ("conv", (14, 256, 512, 3, 2)),
    "C11": ("conv", (14, 256, 512, 1, 2)),
    "C12": ("conv", (7, 512, 512, 3, 1)),
    "M1": ("matmul", (64, 512, 512)),
    "M2": ("matmul", (128, 768, 768)),
    "M3": ("matmul", (32, 1024, 1024)),
}


def layer_ir(kind: str, sizes: tuple[int, ...]) -> str:
    """The graph IR of an int8 layer with its bias and requantization (weights are inputs)."""
    if kind == "conv":
        size, channels, filters, kernel, stride = sizes
        pad = kernel // 2
        out = (size + 2 * pad - kernel) // stride + 1
        x, w = f"1x{channels}x{size}x{size}", f"{filters}x{channels}x{kernel}x{kernel}"
        y = f"1x{filters}x{out}x{out}"
        product = (
            f"%p = graph.conv_integer %x, %w, %b strides [{stride}, {stride}] padding "
            f"[{pad}, {pad}, {pad}, {pad}] : (tensor<{x}xi8>, tensor<{w}xi8>, "
            f"tensor<{filters}xi32>) -> tensor<{y}xi32>"
        )
        axis = 1
    else:
        m, k, n = sizes
        x, w, y, filters = f"{m}x{k}", f"{k}x{n}", f"{m}x{n}", n
        product = (
            f"%p = graph.matmul_integer %x, %w : (tensor<{x}xi8>, tensor<{w}xi8>) -> "
            f"tensor<{y}xi32>"
        )
        axis = 1
    bias = f", %b: tensor<{filters}xi32>" if kind == "conv" else ""
    return (
        f"func.func @main(%x: tensor<{x}xi8>, %w: tensor<{w}xi8>{bias}) "
        f"-> tensor<{y}xi8> {{\n  {product}\n"
        f"  %y = graph.requantize %p scale [1.953125e-03] zero_point 3 axis {axis} : "
        f"(tensor<{y}xi32>) -> tensor<{y}xi8>\n  func.return %y : tensor<{y}xi8>\n}}\n"
    )


def run(text: str, threads: int, arrays: list[np.ndarray]) -> tuple[np.ndarray, object, float]:
    start = time.perf_counter()
    compiled = ziggurat.compile(text, target=f"accel{{virtual-threads={threads}}}")
    (out,) = compiled(*arrays)
    results = compiled._functions.results
    if len(results) != 1:
        raise SystemExit(f"the accelerator did not run the layer: {compiled._functions.notes}")
    return out, results[0][1], time.perf_counter() - start


def main(names: list[str]) -> None:
    rng = np.random.default_rng(0)
    print(
        f"{'layer':6} {'mode':11} {'cycles':>9} {'load':>6} {'compute':>8} {'gemm':>6} "
        f"{'store':>6}  gain  (utilization: share of cycles busy)"
    )
    totals = {1: [0, 0], 2: [0, 0]}  # memory-bound layers: cycles, gemm cycles
    for name in names:
        kind, sizes = LAYERS[name]
        text = layer_ir(kind, sizes)
        module = ziggurat.load_module(text)
        main_function = next(o for o in module.ops if isinstance(o, func.FuncOp))
        shapes = [t.get_shape() for t in main_function.function_type.inputs]
        arrays = [rng.integers(-128, 128, s).astype(np.int8) for s in shapes[:2]]
        if kind == "conv":
            arrays.append(rng.integers(-5000, 5000, shapes[2]).astype(np.int32))
        expected = evaluate(module, "main", arrays)[0]
        results = {}
        for threads in (1, 2):
            out, result, seconds = run(text, threads, arrays)
            if not np.array_equal(out, expected):
                raise SystemExit(f"{name}: the accelerator's result differs from numpy's")
            results[threads] = result
        bound = results[1].utilization("load") >= MEMORY_BOUND
        for threads, mode in ((1, "monolithic"), (2, "decoupled")):
            r = results[threads]
            gain = results[1].cycles / results[2].cycles
            print(
                f"{name:6} {mode:11} {r.cycles:9d} {100 * r.utilization('load'):5.1f}% "  # type: ignore[attr-defined]
                f"{100 * r.utilization('compute'):7.1f}% {100 * r.utilization('gemm'):5.1f}% "  # type: ignore[attr-defined]
                f"{100 * r.utilization('store'):5.1f}%"  # type: ignore[attr-defined]
                + (f"  {gain:.2f}x{' memory-bound' if bound else ''}" if threads == 2 else "")
            )
            if bound:
                totals[threads][0] += r.cycles  # type: ignore[attr-defined]
                totals[threads][1] += r.gemm  # type: ignore[attr-defined]
    if not totals[1][0]:
        print("no memory-bound layer among these")
        return
    before = totals[1][1] / totals[1][0]
    after = totals[2][1] / totals[2][0]
    print(
        f"memory-bound layers' gemm utilization: monolithic {100 * before:.1f}%, decoupled {100 * after:.1f}%"
    )
    print(f"utilization gain {after / before:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:] or list(LAYERS))
