"""The accelerator's default schedule for a loop nest and its knobs, from the nest's extents
and the hardware description (the AccelTarget's options).

An int8 matmul or conv2d whose gemm the accelerator can run (output and reduction channels
in whole tiles, no zero points, an epilogue its ALU computes) gets matmul.mlir or
conv2d.mlir; any other nest gets None (the fallback target schedules it). The tile sizes
are those, among the divisors of the extents that fit each buffer's share (one per virtual
thread), with the fewest estimated cycles: per step of the reduction the loads and the
gemm (overlapped where there are virtual threads), per tile its epilogue and store.

    plan(nest, target)   # ("conv2d.mlir", {"tile_filters": 64, ...}) or None
"""

from __future__ import annotations

import math
from typing import Any

from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import IntegerType, StringAttr

from ziggurat.analysis.nests import Nest, grouped
from ziggurat.analysis.payload import constant_int, iv, padded_read
from ziggurat.analysis.ranges import linear
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import KnobValue
from ziggurat.passes.graph.fuse_ops import ANCHOR
from ziggurat.targets.accel.passes.lower_to_accel import epilogue

INT32_MAX = (1 << 31) - 1
LARGEST_PRODUCT = 128 * 128  # of two int8 values


def plan(nest: Nest, target: Any) -> tuple[str, dict[str, KnobValue]] | None:
    """The schedule file for `nest` and its knobs, or None where the gemm cannot run it."""
    anchor = nest.function.attributes.get(ANCHOR)
    name = anchor.data if isinstance(anchor, StringAttr) else ""
    reducing = [bool(loop.iter_args) for loop in nest.loops]
    if name == "matmul_integer" and reducing == [False, False, True]:
        kind = "matmul"
    elif name == "conv_integer" and reducing == [False] * 4 + [True] * 3:
        kind = "conv2d"
    else:
        return None
    if not runs_on_gemm(nest, target.tile, kind):
        return None
    check_accumulator(nest)
    if kind == "matmul":
        return "matmul.mlir", matmul_knobs(nest.extents, target)
    return "conv2d.mlir", conv2d_knobs(nest, target)


def runs_on_gemm(nest: Nest, tile: int, kind: str) -> bool:
    """Whether the accelerator's gemm and ALU compute the nest: its output and reduction
    channels in whole tiles, int8 products without zero points (padding by 0), an
    epilogue of ALU steps."""
    extents = nest.extents
    channels = (extents[1], extents[2]) if kind == "matmul" else (extents[1], extents[4])
    if any(c % tile for c in channels) or (kind == "conv2d" and grouped(nest.loops)):
        return False
    reduction = nest.loops[-1]
    body = list(reduction.body.block.ops)
    if any(isinstance(op, arith.SubiOp) and isinstance(op.result.type, IntegerType) for op in body):
        return False  # zero points
    for load in (op for op in body if isinstance(op, memref.LoadOp)):
        if load.res.type != IntegerType(8):
            return False
        read = padded_read(load, nest.loops[0])
        if read is not None and constant_int(read.select.rhs) != 0:
            return False
    holder = reduction.parent_op()
    stores = [op for op in holder.body.block.ops if isinstance(op, memref.StoreOp)]  # type: ignore[union-attr]
    if len(stores) != 1:
        return False
    try:
        epilogue(stores[0].value, lambda value: value is reduction.res[0])
    except ZigguratError:
        return False
    return True


def check_accumulator(nest: Nest) -> None:
    """A located error where the int32 accumulator can overflow for the shapes."""
    terms = math.prod(e for e, loop in zip(nest.extents, nest.loops, strict=True) if loop.iter_args)
    if terms * LARGEST_PRODUCT > INT32_MAX:
        raise ZigguratError(
            f"the accelerator's int32 accumulator can overflow: {terms} products of int8 "
            f"values reach {terms * LARGEST_PRODUCT}, beyond {INT32_MAX}",
            nest.root,
        )


def divisors(n: int, step: int = 1, limit: int | None = None) -> list[int]:
    """The multiples of `step` dividing `n`, up to `limit`."""
    top = n if limit is None else min(n, limit)
    return [d for d in range(step, top + 1, step) if n % d == 0]


def cycles(
    target: Any, tiles: int, steps: int, loads: tuple[int, ...], gemm: int, out: int, threads: int
) -> float:
    """Estimated cycles of `tiles` output tiles of `out` elements, each `steps` steps of
    loads (elements per DMA) and `gemm` gemm iterations."""
    load = sum(target.dma_latency + e / target.dma_bytes_per_cycle for e in loads)
    compute = target.gemm_latency + gemm
    step = max(load, compute) if threads > 1 else load + compute
    back = 2 * target.dma_latency + out / target.dma_bytes_per_cycle + 4 * out / target.alu_lanes
    overlap = back if threads == 1 else back / 2
    return tiles * (steps * step + overlap)


def matmul_knobs(extents: list[int], target: Any) -> dict[str, KnobValue]:
    m, n, k = extents
    tile = target.tile
    best: tuple[float, dict[str, KnobValue]] | None = None
    for threads in sorted({1, min(target.virtual_threads, 2)}, reverse=True):
        for rows in divisors(m, 1, 256):
            if threads > 1 and m // rows < threads:
                continue
            for columns in divisors(n, tile, 512):
                for depth in divisors(k, tile, 1024):
                    if (
                        rows * columns * threads > target.accumulator_buffer
                        or rows * depth * threads > target.input_buffer
                        or depth * columns * threads > target.weight_buffer
                    ):
                        continue
                    estimate = cycles(
                        target,
                        (m // rows) * (n // columns),
                        k // depth,
                        (rows * depth, depth * columns),
                        rows * (columns // tile) * (depth // tile),
                        rows * columns,
                        threads,
                    )
                    knobs: dict[str, KnobValue] = {
                        "tile_rows": rows,
                        "tile_columns": columns,
                        "tile_k": depth,
                        "virtual_threads": threads,
                        "order": 0,
                    }
                    if best is None or estimate < best[0]:
                        best = (estimate, knobs)
        if best is not None:
            break
    if best is None:
        raise ZigguratError(f"no matmul tile of {m}x{n}x{k} fits the accelerator's buffers")
    return best[1]


def window(nest: Nest) -> tuple[int, int]:
    """A convolution's stride and dilation along its rows (1, 1 where they do not show)."""
    for load in (op for op in nest.loops[-1].walk() if isinstance(op, memref.LoadOp)):
        read = padded_read(load, nest.loops[0])
        index = read.raw[2] if read is not None else load.indices[2]
        terms, _ = linear(index)
        stride = terms.get(iv(nest.loops[2]))
        if stride:
            return stride, terms.get(iv(nest.loops[5]), 1)
    return 1, 1


def conv2d_knobs(nest: Nest, target: Any) -> dict[str, KnobValue]:
    _, filters, height, width, channels, kernel_h, kernel_w = nest.extents
    stride, dilation = window(nest)
    tile = target.tile
    columns_in = (width - 1) * stride + (kernel_w - 1) * dilation + 1
    best: tuple[float, dict[str, KnobValue]] | None = None
    rows_options = [r for r in range(1, 17)] + [28, 32, 56, 64, 112, 224]
    for threads in sorted({1, min(target.virtual_threads, 2)}, reverse=True):
        for rows in [r for r in rows_options if height % r == 0]:
            if threads > 1 and height // rows < threads:
                continue
            rows_in = (rows - 1) * stride + (kernel_h - 1) * dilation + 1
            for block in [f for f in (16, 32, 48, 64, 96, 128, 192, 256, 512) if filters % f == 0]:
                for depth in [
                    c for c in (16, 32, 48, 64, 96, 128, 192, 256, 512) if channels % c == 0
                ]:
                    out = block * rows * width
                    if (
                        (out + block) * threads > target.accumulator_buffer
                        or depth * rows_in * columns_in * threads > target.input_buffer
                        or block * depth * kernel_h * kernel_w * threads > target.weight_buffer
                    ):
                        continue
                    estimate = cycles(
                        target,
                        (height // rows) * (filters // block),
                        channels // depth,
                        (depth * rows_in * columns_in, block * depth * kernel_h * kernel_w),
                        (block // tile) * (depth // tile) * kernel_h * kernel_w * rows * width,
                        out,
                        threads,
                    )
                    knobs: dict[str, KnobValue] = {
                        "tile_filters": block,
                        "tile_rows": rows,
                        "tile_channels": depth,
                        "virtual_threads": threads,
                        "order": 0,
                    }
                    if best is None or estimate < best[0]:
                        best = (estimate, knobs)
        if best is not None:
            break
    if best is None:
        raise ZigguratError(
            f"no conv2d tile of {filters} filters, {height}x{width} pixels fits the "
            "accelerator's buffers"
        )
    return best[1]
