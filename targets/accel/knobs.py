"""The accelerator's default schedule for a loop nest and its knobs, from the nest's extents
and the hardware description (the AccelTarget's options).

An int8 matmul or conv2d whose gemm the accelerator can run (output and reduction channels
in whole tiles, no zero points, an epilogue its ALU computes) gets matmul.mlir or
conv2d.mlir; any other nest gets None (the fallback target schedules it). The tile sizes
are those, among the divisors of the extents that fit each buffer's share (one per virtual
thread), with the fewest estimated cycles: per step of the reduction the loads and the
gemm (overlapped where there are virtual threads), per tile its epilogue and store, and
where they overlap, the first step's loads and the last tile's gemm that do not.

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
from ziggurat.dialects.schedule import KnobValue, knobs
from ziggurat.ir_io import parse_module
from ziggurat.targets.accel.passes.lower_to_accel import epilogue
from ziggurat.targets.offload import FALLBACK

INT32_MAX = (1 << 31) - 1
LARGEST_PRODUCT = 128 * 128  # of two int8 values


def plan(nest: Nest, target: Any) -> tuple[str, dict[str, KnobValue]] | None:
    """The schedule file for `nest` and its knobs, or None where the gemm cannot run it
    (then why is noted on its function, `accel.fallback`)."""
    kinds = {"integer_matmul": "matmul", "integer_conv2d": "conv2d"}
    if nest.kind not in kinds:
        return None
    kind = kinds[nest.kind]
    reason = why_not(nest, target.tile, kind)
    if reason is not None:
        nest.function.attributes[FALLBACK] = StringAttr(reason)
        return None
    check_accumulator(nest)
    if kind == "matmul":
        return "matmul.mlir", matmul_knobs(nest.extents, target)
    return "conv2d.mlir", conv2d_knobs(nest, target)


def why_not(nest: Nest, tile: int, kind: str) -> str | None:
    """Why the accelerator's gemm and ALU do not compute the nest, None where they do:
    its output and reduction channels in whole tiles, int8 products without zero points
    (padding by 0), an epilogue of ALU steps."""
    extents = nest.extents
    channels = (extents[1], extents[2]) if kind == "matmul" else (extents[1], extents[4])
    if any(c % tile for c in channels):
        return f"its channels {list(channels)} are not whole tiles of {tile}"
    if kind == "conv2d" and grouped(nest.loops):
        return "a grouped convolution"
    reduction = nest.loops[-1]
    body = list(reduction.body.block.ops)
    if any(isinstance(op, arith.SubiOp) and isinstance(op.result.type, IntegerType) for op in body):
        return "its operands have zero points"
    if any(op.name == "arith.extui" for op in body):
        return "it widens its operands as unsigned (the gemm multiplies signed int8)"
    for load in (op for op in body if isinstance(op, memref.LoadOp)):
        if load.res.type != IntegerType(8):
            return f"it multiplies {load.res.type} values, not int8"
        read = padded_read(load, nest.loops[0])
        if read is not None and constant_int(read.select.rhs) != 0:
            return "its input pads with its zero point"
    outermost = next(loop for loop in nest.loops if loop.iter_args)
    holder = outermost.parent_op()
    stores = [op for op in holder.body.block.ops if isinstance(op, memref.StoreOp)]  # type: ignore[union-attr]
    if len(stores) != 1:
        return "it stores more than its result"
    try:
        epilogue(stores[0].value, lambda value: value is outermost.res[0])
    except ZigguratError as error:
        return (
            f"its epilogue: {error.message} (a requantization by another scale than a power of two)"
        )
    return None


def check_accumulator(nest: Nest) -> None:
    """A located error where the int32 accumulator can overflow for the shapes."""
    terms = math.prod(e for e, loop in zip(nest.extents, nest.loops, strict=True) if loop.iter_args)
    if terms * LARGEST_PRODUCT > INT32_MAX:
        raise ZigguratError(
            f"the accelerator's int32 accumulator can overflow: {terms} products of int8 "
            f"values reach {terms * LARGEST_PRODUCT}, beyond {INT32_MAX}",
            nest.root,
        )


def cycles(
    target: Any, tiles: int, steps: int, loads: tuple[int, ...], gemm: int, out: int, threads: int
) -> float:
    """Estimated cycles of `tiles` output tiles of `out` elements, each `steps` steps of
    loads (elements per DMA) and `gemm` gemm iterations."""
    load = sum(target.dma_latency + e / target.dma_bytes_per_cycle for e in loads)
    compute = target.gemm_latency + gemm
    step = max(load, compute) if threads > 1 else load + compute
    back = 2 * target.dma_latency + out / target.dma_bytes_per_cycle + 4 * out / target.alu_lanes
    if threads == 1:
        return tiles * (steps * (load + compute) + back)
    # Overlapped, but the first step's loads and the last tile's gemm, epilogue and store
    # run alone (filling and draining the pipeline).
    return tiles * (steps * step + back / 2) + min(load, compute) + back / 2


def options(target: Any, file: str) -> dict[str, list[int]]:
    """The options of the knobs of one of the target's schedule files."""
    schedule = parse_module(target.schedule_text(file), f"targets/accel/schedules/{file}")
    return {name: [int(v) for v in values] for name, values in knobs(schedule)}


def dividing(n: int, candidates: list[int], step: int = 1) -> list[int]:
    """The candidates that divide `n` and are multiples of `step`."""
    return [c for c in candidates if n % c == 0 and c % step == 0]


def matmul_knobs(extents: list[int], target: Any) -> dict[str, KnobValue]:
    m, n, k = extents
    tile = target.tile
    space = options(target, "matmul.mlir")
    best: tuple[float, dict[str, KnobValue]] | None = None
    for threads in sorted({1, target.virtual_threads}, reverse=True):
        for rows in dividing(m, space["tile_rows"]):
            for columns in dividing(n, space["tile_columns"], tile):
                # The threads take row tiles (0) or column tiles (1), as many each.
                counts = ((0, m // rows), (1, n // columns))
                over = [axis for axis, count in counts if count % threads == 0]
                for depth in dividing(k, space["tile_k"], tile):
                    if not over or (
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
                        "threads_over": over[0],
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
    space = options(target, "conv2d.mlir")
    best: tuple[float, dict[str, KnobValue]] | None = None
    for threads in sorted({1, target.virtual_threads}, reverse=True):
        for rows in dividing(height, space["tile_rows"]):
            rows_in = (rows - 1) * stride + (kernel_h - 1) * dilation + 1
            for block in dividing(filters, space["tile_filters"], tile):
                # The threads take row tiles (0) or filter tiles (1), as many each.
                counts = ((0, height // rows), (1, filters // block))
                over = [axis for axis, count in counts if count % threads == 0]
                for depth in dividing(channels, space["tile_channels"], tile):
                    out = block * rows * width
                    if not over or (
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
                        "threads_over": over[0],
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
