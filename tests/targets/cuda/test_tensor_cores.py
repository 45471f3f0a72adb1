"""Tensor cores on the CUDA target: f16 matmuls summed in f32 tensorized with
@mma_m16n8k16 (schedules/matmul_f16.mlir), each warp's mma.sync emulated lane by lane
(gpu_emulator.py) and checked against numpy, and their PTX assembled by ptxas."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from gpu_emulator import emulated_gpu

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cuda import CudaTarget
from ziggurat.targets.cuda.nvptx import ptxas

ROOT = Path(__file__).resolve().parents[3]
needs_ptxas = pytest.mark.skipif(shutil.which("ptxas") is None, reason="ptxas is not on the PATH")


def half_matmul(m: int, n: int, k: int, element: str = "f16") -> str:
    """An m x n x k matmul at the te level whose `element` operands are summed in f32."""
    a, b = f"tensor<{m}x{k}x{element}>", f"tensor<{k}x{n}x{element}>"
    widen = element != "f32"
    body = (
        f"    %a32 = arith.extf %a : {element} to f32\n    %b32 = arith.extf %b : {element} to f32\n"
        "    %p = arith.mulf %a32, %b32 : f32\n"
        if widen
        else "    %p = arith.mulf %a, %b : f32\n"
    )
    return f"""
func.func @main(%A: {a}, %B: {b}) -> tensor<{m}x{n}xf32> {{
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = {k}]
         init 0.000000e+00 : f32 : ({a}, {b}) -> tensor<{m}x{n}xf32> {{
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : {a}
    %b = te.read %B[%k, %j] : {b}
{body}    te.yield %p : f32
  }}
  func.return %C : tensor<{m}x{n}xf32>
}}
"""


def scheduled(m: int, n: int, k: int, knobs: dict[str, int], element: str = "f16"):
    """The matmul at the loop level under matmul_f16.mlir at `knobs`."""
    from ziggurat.dialects.schedule import fix_knobs
    from ziggurat.ir_io import parse_module, pass_pipeline
    from ziggurat.passes.scheduling.apply_default_schedules import schedule
    from ziggurat.passes.scheduling.apply_schedule import apply_schedule
    from ziggurat.registry import make_context

    target = CudaTarget("sm_80")
    module = parse_module(half_matmul(m, n, k, element), "matmul")
    pass_pipeline("te-to-loop").apply(make_context(), module)
    root = next(op for op in module.walk() if op.name == "scf.for")
    text = fix_knobs(schedule(target, "matmul_f16.mlir"), knobs)
    apply_schedule(module, text, root=root, target=target)
    return module


def operands(m: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(m * n + k)
    a = rng.standard_normal((m, k)).astype(np.float16)
    b = rng.standard_normal((k, n)).astype(np.float16)
    return a, b, a.astype(np.float32) @ b.astype(np.float32)


@pytest.mark.parametrize(
    "m, n, k, knobs",
    [
        (64, 64, 64, {"warp_rows": 2, "warp_columns": 4, "warps_y": 2, "warps_x": 2, "k_steps": 2}),
        # Tails of blocks and warps (not of mma tiles): 80 = 5 x 16, 72 = 9 x 8, 48 = 3 x 16.
        (80, 72, 48, {"warp_rows": 4, "warp_columns": 4, "warps_y": 2, "warps_x": 2, "k_steps": 2}),
        (48, 40, 32, {"warp_rows": 1, "warp_columns": 1, "warps_y": 1, "warps_x": 2, "k_steps": 2}),
    ],
)
def test_warps_of_mma_tiles_compute_the_product(m, n, k, knobs):
    program = CudaTarget("sm_80").compile(scheduled(m, n, k, knobs))
    assert "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32" in program.ptx
    a, b, expected = operands(m, n, k)
    with emulated_gpu(program):
        (c,) = program(a, b)
    assert c.dtype == np.float32
    np.testing.assert_allclose(c, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("m, n, k", [(64, 48, 32), (96, 80, 64)])
def test_the_default_schedule_of_an_f16_matmul_uses_the_tensor_cores(m, n, k):
    program = ziggurat.compile(half_matmul(m, n, k), target="cuda{arch=sm_80}")
    assert "mma.sync" in program._functions.ptx
    a, b, expected = operands(m, n, k)
    with emulated_gpu(program._functions):
        (c,) = program(a, b)
    np.testing.assert_allclose(c, expected, rtol=1e-4, atol=1e-4)


def test_shapes_that_are_not_whole_mma_tiles_are_summed_on_the_fma_units():
    # M = 50 is no multiple of 16: the f32 schedule (matmul.mlir) serves it.
    program = ziggurat.compile(half_matmul(50, 40, 24), target="cuda{arch=sm_80}")
    assert "mma.sync" not in program._functions.ptx
    a, b, expected = operands(50, 40, 24)
    with emulated_gpu(program._functions):
        (c,) = program(a, b)
    np.testing.assert_allclose(c, expected, rtol=1e-4, atol=1e-4)


def test_before_sm_80_there_are_no_tensor_cores_to_use():
    program = ziggurat.compile(half_matmul(64, 64, 64), target="cuda{arch=sm_75}")
    assert "mma.sync" not in program._functions.ptx


@pytest.mark.parametrize(
    "m, n, k, element, message",
    [
        (64, 64, 64, "f32", "a read of another element type"),
        (50, 64, 64, "f16", "a guard inside it runs part of a tile only"),
    ],
)
def test_a_tensorize_the_intrinsic_does_not_match_is_a_located_error(m, n, k, element, message):
    knobs = {"warp_rows": 1, "warp_columns": 1, "warps_y": 1, "warps_x": 1, "k_steps": 1}
    with pytest.raises(ZigguratError) as error:
        scheduled(m, n, k, knobs, element)
    assert "does not compute the pattern of intrinsic @mma_m16n8k16" in error.value.message
    assert message in error.value.message
    assert error.value.where


@needs_ptxas
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_the_benchmarks_f16_matmul_assembles_with_its_sums_in_registers(arch):
    # benchmarks/gpu.py's f16 matmul 4096, at the knobs knobs.py gives it.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from gpu import matmul_text
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    program = ziggurat.compile(matmul_text(4096, "f16"), target=f"cuda{{arch={arch}}}")
    text = program._functions.ptx
    assert text.count("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32") >= 16
    for used in ptxas(text, arch).values():
        assert used.spill_stores == used.spill_loads == used.stack_bytes == 0
        # 64 sums and the fragments of A and B a lane: 122 registers on sm_90, 128 on sm_80.
        assert used.registers <= 160


def test_compile_emits_the_ptx_of_the_mma(tmp_path, capsys):
    from ziggurat.tools.ziggurat import main

    source = tmp_path / "matmul.mlir"
    source.write_text(half_matmul(64, 64, 64))
    assert main(["compile", str(source), "--target", "cuda{arch=sm_90}", "--emit", "ptx"]) == 0
    out = capsys.readouterr().out
    assert "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32" in out and ".target sm_90" in out


@pytest.mark.slow
def test_random_knobs_are_rejected_in_one_line_or_right():
    # The tuner's space: any knob values matmul_f16.mlir allows, at a shape with tails of
    # blocks and warps. A choice the GPU cannot run (a copy with fewer vectors than the
    # block has threads) is one line naming the kernel; any other computes the product.
    from ziggurat.dialects.schedule import knobs
    from ziggurat.passes.scheduling.apply_default_schedules import schedule

    rng = np.random.default_rng(11)
    space = knobs(schedule(CudaTarget("sm_80"), "matmul_f16.mlir"))
    a, b, expected = operands(80, 72, 64)
    outcomes = []
    for _ in range(int(os.environ.get("ZIGGURAT_SCHEDULE_EXAMPLES", "3"))):
        values = {name: int(rng.choice(options)) for name, options in space}
        try:
            program = CudaTarget("sm_80").compile(scheduled(80, 72, 64, values))
        except ZigguratError as error:
            assert "\n" not in str(error) and "kernel '" in str(error), (values, str(error))
            outcomes.append("rejected")
            continue
        with emulated_gpu(program):
            (c,) = program(a, b)
        np.testing.assert_allclose(c, expected, rtol=1e-4, atol=1e-4, err_msg=str(values))
        outcomes.append("right")
    assert outcomes, outcomes
