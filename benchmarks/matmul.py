"""Matmul as loop IR on the CPU target, against numpy (BLAS): the naive three loops and the
hand-scheduled kernel of kernels.py (tiled, packed, register tile, vectorized, parallel)
that shows what a schedule can reach. kernels.py compares more carefully, process by process.

    python benchmarks/matmul.py [size]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from kernels import gemm_ir, matmul_ir

from ziggurat.ir_io import parse_module
from ziggurat.targets.cpu import compile_loop_module


def median_seconds(run, repeats: int = 10) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(n: int = 256) -> None:
    naive = compile_loop_module(parse_module(matmul_ir(n, n, n))).matmul
    scheduled = compile_loop_module(parse_module(gemm_ir(n, n, n))).gemm
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n), dtype=np.float32)
    B = rng.standard_normal((n, n), dtype=np.float32)
    C = np.empty((n, n), np.float32)
    flops = 2 * n**3
    print(f"matmul {n}x{n}x{n} f32")
    theirs = median_seconds(lambda: np.matmul(A, B, out=C))
    for name, function in (("naive loops", naive), ("scheduled loops", scheduled)):
        function(A, B, C)
        np.testing.assert_allclose(C, A @ B, rtol=1e-3, atol=1e-3)
        ours = median_seconds(lambda f=function: f(A, B, C))
        print(
            f"  ziggurat ({name + '):':17} {ours * 1e3:8.3f} ms  {flops / ours / 1e9:7.2f} GFLOP/s"
            f"  {ours / theirs:6.2f}x numpy's time"
        )
    print(
        f"  numpy (BLAS):               {theirs * 1e3:8.3f} ms  {flops / theirs / 1e9:7.2f} GFLOP/s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 256)
