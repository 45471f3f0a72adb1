"""Matmul as loop IR on the CPU target, against numpy (BLAS): the naive three loops, and the
hand-scheduled kernel of kernels.py (tiled, packed, register tile, vectorized, parallel)
that shows what a schedule can reach. kernels.py compares more carefully, process by process.

    python benchmarks/matmul.py [size]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from kernels import gemm_ir

from ziggurat.ir_io import parse_module
from ziggurat.targets.cpu import compile_loop_module


def matmul_ir(n: int) -> str:
    """C = A @ B over n×n f32 matrices, i-j-k order with the sum in a register."""
    return f"""
func.func @matmul(%A: memref<{n}x{n}xf32>, %B: memref<{n}x{n}xf32>,
                  %C: memref<{n}x{n}xf32> {{ziggurat.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant {n} : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {{
    scf.for %j = %c0 to %n step %c1 {{
      %sum = scf.for %k = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {{
        %a = memref.load %A[%i, %k] : memref<{n}x{n}xf32>
        %b = memref.load %B[%k, %j] : memref<{n}x{n}xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %acc, %p : f32
        scf.yield %s : f32
      }}
      memref.store %sum, %C[%i, %j] : memref<{n}x{n}xf32>
    }}
  }}
  func.return
}}
"""


def median_seconds(run, repeats: int = 10) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(n: int = 256) -> None:
    naive = compile_loop_module(parse_module(matmul_ir(n))).matmul
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
