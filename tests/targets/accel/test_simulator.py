"""The accelerator's simulator: instructions computed exactly, time from the hardware
description, overlap where tokens allow it, deadlock and hazards named, the trace."""

from __future__ import annotations

import json

import numpy as np
import pytest
from xdsl.dialects import func

from ziggurat.dialects.accel import ProgramOp
from ziggurat.ir_io import parse_module, verify_module
from ziggurat.targets.accel import AccelTarget
from ziggurat.targets.accel.simulator import SimulationError, shift_right, simulate

HARDWARE = AccelTarget(dma_latency=10, dma_bytes_per_cycle=8, gemm_latency=2, alu_latency=2)

BUFFERS = """
    %inp = accel.buffer : !accel.buffer<input, 1024, i8>
    %wgt = accel.buffer : !accel.buffer<weight, 1024, i8>
    %acc = accel.buffer : !accel.buffer<accumulator, 2048, i32>
"""
INP = "!accel.buffer<input, 1024, i8>"
W = "!accel.buffer<weight, 1024, i8>"
ACC = "!accel.buffer<accumulator, 2048, i32>"


def program_of(body: str, verify: bool = True) -> tuple[func.FuncOp, ProgramOp]:
    text = (
        "func.func @f(%A: memref<32x32xi8>, %B: memref<32x16xi8>, %bias: memref<16xi32>, "
        f"%C: memref<32x16xi8>) {{\n  accel.program tile 16 {{{BUFFERS}{body}\n  }}\n  func.return\n}}"
    )
    module = parse_module(text)
    if verify:
        verify_module(module)
    function = next(iter(module.ops))
    assert isinstance(function, func.FuncOp)
    program = next(o for o in function.walk() if isinstance(o, ProgramOp))
    return function, program


def arrays(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.integers(-128, 128, (32, 32)).astype(np.int8),
        rng.integers(-128, 128, (32, 16)).astype(np.int8),
        rng.integers(-3000, 3000, 16).astype(np.int32),
        np.zeros((32, 16), np.int8),
    ]


def run(body: str, verify: bool = True, trace: bool = False, hardware=HARDWARE):
    function, program = program_of(body, verify)
    data = arrays()
    result = simulate(
        program, dict(zip(function.body.block.args, data, strict=True)), hardware, trace
    )
    return result, data


# C = clip(round((A @ B + bias) / 2^7)) for 32 rows: A's rows in the input buffer, B as 2
# blocks of 16 (k) x 16 (j), bias in the accumulator beside the 32x16 tile.
MATMUL = f"""
    accel.gemm %acc[0 | 1] = 0 loops [32 x (16)] : {ACC}
    accel.load %A[0] sizes [1024] strides [1] into %inp[0] : memref<32x32xi8>, {INP}
    accel.load %B[0] sizes [32, 16] strides [16, 1] into %wgt[0] : memref<32x16xi8>, {W}
    accel.load %bias[0] sizes [16] strides [1] into %acc[512] : memref<16xi32>, {ACC}
    accel.push load to compute
    accel.pop compute from load
    accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 16, 1] loops [32 x (16, 32, 0), 2 x (0, 16, 256)] : {ACC}, {INP}, {W}
    accel.alu add %acc[0 | 1], %acc[512 | 1] loops [32 x (16, 0)] : {ACC}, {ACC}
    accel.alu shr %acc[0 | 1], 7 round loops [32 x (16)] : {ACC}
    accel.alu clip %acc[0 | 1], -128, 127 loops [32 x (16)] : {ACC}
    accel.push compute to store
    accel.pop store from compute
    accel.store %acc[0] sizes [512] into %C[0] strides [1] : {ACC}, memref<32x16xi8>
"""


def expected(a, b, bias) -> np.ndarray:
    total = a.astype(np.int64) @ b.astype(np.int64) + bias
    return np.clip(shift_right(total, np.int64(7), True), -128, 127).astype(np.int8)


def test_a_matmul_with_bias_and_requantization_is_exact():
    result, (a, b, bias, c) = run(MATMUL)
    np.testing.assert_array_equal(c, expected(a, b, bias))
    assert result.instructions == {"load": 4, "compute": 7, "store": 2}  # tokens included


def test_cycles_follow_the_hardware_description():
    result, _ = run(MATMUL)
    h = HARDWARE
    loads = [1024, 512, 16 * 4]  # bytes: A, B, the int32 bias
    load = sum(h.dma_latency + -(-n // h.dma_bytes_per_cycle) for n in loads)
    gemm = h.gemm_latency + 64
    alu = 3 * (h.alu_latency + 32)
    store = h.dma_latency + 512 // h.dma_bytes_per_cycle
    reset = h.gemm_latency + 32
    assert result.busy == {"load": load, "compute": reset + gemm + alu, "store": store}
    assert result.gemm == reset + gemm
    # Reset overlaps the loads; everything else waits for the one before it.
    assert result.cycles == load + gemm + alu + store
    assert result.utilization("store") == store / result.cycles


def test_two_tiles_in_flight_overlap_load_and_compute():
    def tile(thread: int) -> str:
        return f"""
    accel.load %A[{512 * thread}] sizes [512] strides [1] into %inp[{512 * thread}] : memref<32x32xi8>, {INP}
    accel.push load to compute
    accel.pop compute from load
    accel.gemm %acc[{256 * thread} | 1] += %inp[{512 * thread} | 1] * %wgt[0 | 16, 1] loops [16 x (16, 32, 0), 2 x (0, 16, 256)] : {ACC}, {INP}, {W}"""

    both, _ = run(tile(0) + tile(1))
    load, gemm = HARDWARE.dma_latency + 512 // 8, HARDWARE.gemm_latency + 32
    # The second load runs while the first gemm does: one gemm's time is hidden.
    assert both.busy == {"load": 2 * load, "compute": 2 * gemm, "store": 0}
    assert both.cycles == 2 * load + gemm


def test_a_trace_shows_each_unit():
    result, _ = run(MATMUL, trace=True)
    events = json.loads(result.trace())["traceEvents"]
    names = {e["args"]["name"] for e in events if e["ph"] == "M"}
    assert names == {"load", "compute", "store"}
    spans = [e for e in events if e["ph"] == "X"]
    assert len(spans) == 9 and all(e["dur"] > 0 for e in spans)  # the tokens take no time
    assert max(e["ts"] + e["dur"] for e in spans) == result.cycles


def test_a_read_before_its_load_is_done_is_a_hazard():
    body = MATMUL.replace("    accel.push load to compute\n    accel.pop compute from load\n", "")
    with pytest.raises(
        SimulationError,
        match=r"hazard: instruction 4 \('accel.gemm'\) reads elements 0 to 1023 while instruction 1 \('accel.load'\) still writes them",
    ):
        run(body)


def test_a_write_over_a_region_not_yet_read_is_a_hazard():
    body = f"""
    accel.load %A[0] sizes [512] strides [1] into %inp[0] : memref<32x32xi8>, {INP}
    accel.push load to compute
    accel.pop compute from load
    accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 16, 1] loops [16 x (16, 32, 0)] : {ACC}, {INP}, {W}
    accel.load %A[512] sizes [512] strides [1] into %inp[0] : memref<32x32xi8>, {INP}
"""
    with pytest.raises(
        SimulationError,
        match=r"instruction 4 \('accel.load'\) writes over elements 0 to 495 that instruction 3 \('accel.gemm'\) (still reads|has yet to read)",
    ):
        run(body)


def test_a_deadlock_names_each_unit_and_its_instruction():
    body = f"""
    accel.pop load from compute
    accel.load %A[0] sizes [512] strides [1] into %inp[0] : memref<32x32xi8>, {INP}
    accel.push load to compute
    accel.pop compute from load
    accel.push compute to load
"""
    with pytest.raises(
        SimulationError,
        match=r"deadlock: every unit waits \(load at its instruction 0 \('accel.pop'\), compute at its instruction 0 \('accel.pop'\)\)",
    ):
        run(body, verify=False)


def test_a_full_token_queue_blocks_its_pusher():
    body = f"""
    accel.load %A[0] sizes [512] strides [1] into %inp[0] : memref<32x32xi8>, {INP}
    accel.push load to compute
    accel.push load to compute
    accel.pop compute from load
    accel.gemm %acc[0 | 1] = 0 loops [64 x (16)] : {ACC}
    accel.pop compute from load
"""
    deep, _ = run(body)
    shallow, _ = run(body, hardware=AccelTarget(token_depth=1))
    assert deep.cycles > 0 and shallow.cycles > 0  # runs to the end either way


def test_rounding_shift_is_half_to_even():
    values = np.arange(-100, 101, dtype=np.int64)
    for amount in (1, 3, 5):
        expected = np.rint(values / 2.0**amount).astype(np.int64)
        np.testing.assert_array_equal(shift_right(values, np.int64(amount), True), expected)
    np.testing.assert_array_equal(shift_right(values, np.int64(3), False), values >> 3)
