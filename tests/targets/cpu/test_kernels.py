"""The hand-scheduled kernels of benchmarks/kernels.py, at small shapes, against numpy."""

from __future__ import annotations

import re

import numpy as np
import pytest
from testing_cpu import compile_text, random

from ziggurat.targets.cpu import threads


@pytest.mark.parametrize("count", [1, 2, 3])
def test_tiled_matmul_and_dense_match_numpy(kernels, restore_threads, count: int):
    threads.set_num_threads(count)
    A, B, bias = random(24, 37), random(37, 96, seed=1), random(96, seed=2)
    (C,) = compile_text(kernels.gemm_ir(24, 96, 37)).gemm(A, B)
    np.testing.assert_allclose(C, A @ B, rtol=1e-4, atol=1e-4)
    (D,) = compile_text(kernels.gemm_ir(24, 96, 37, bias_relu=True)).gemm(A, B, bias)
    np.testing.assert_allclose(D, np.maximum(A @ B + bias, 0), rtol=1e-4, atol=1e-4)


def test_tiled_matmul_keeps_its_register_tile_in_registers(kernels):
    optimized = compile_text(kernels.gemm_ir(8, 32, 64)).optimized_ir
    # Local buffers are on the stack, and the 8x32 tile is not even there: only the 64x32
    # panel of B is.
    assert "aligned_alloc" not in optimized
    assert re.findall(r"alloca \[(\d+) x float\]", optimized) == ["2048"]
    assert "<16 x float>" in optimized


def test_packed_conv2d_matches_numpy(kernels, restore_threads):
    threads.set_num_threads(2)
    image, weights = random(1, 16, 5, 7), random(32, 16, 3, 3, seed=1)
    (out,) = compile_text(kernels.conv2d_ir(16, 5, 7, 32, columns=7)).conv2d(image, weights)
    padded = np.pad(image[0], ((0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
    expected = np.einsum("chwij,fcij->fhw", windows, weights)
    np.testing.assert_allclose(out[0], expected, rtol=1e-4, atol=1e-4)
