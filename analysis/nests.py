"""What a loop nest computes, recognized from te-to-loop's payload: the kind of work a default
schedule is chosen by, and facts about its reads the schedules' knobs depend on. Every
target reads the same kinds; which schedule and knobs each gets is the target's choice.

| kind | recognized by |
|---|---|
| matmul | a dense or matmul nest (i, j, k), or one with the epilogue fusion gave it |
| batch_matmul | the same with a batch loop (b, i, j, k) |
| conv2d | a conv2d nest (n, f, y, x, rc, ry, rx) whose input channel is not the filter's |
| integer_matmul, integer_conv2d | the same of int8 tensors summed in int32 (matmul_integer, conv_integer) |
| grouped_conv2d | a conv2d nest whose input channels depend on the filter (groups, depthwise) |
| conv2d_nchwc | a blocked conv2d nest (n, c, y, x, cb, rc, ry, rx, rcb), alter-conv-layout's |
| pool | a pool nest (n, c, y, x, ry, rx), windowed or global |
| softmax | the last of softmax's nests (max, sum of exponentials, quotient) |
| reduction | any other nest whose one innermost loop reduces |
| elementwise | a nest without reduction (elementwise, broadcast, injective) |

A nest of a fused function is named by its last op; the function's `{ziggurat.anchor}`
(from fuse-ops) names the op it is built around.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import Float16Type, Float32Type, StringAttr

from ziggurat.analysis.payload import (
    band,
    bounds,
    is_stage_root,
    iv,
    ivs_of,
    optional_bounds,
    padded_read,
    stage_name,
)
from ziggurat.analysis.ranges import linear
from ziggurat.passes.graph.fuse_ops import ANCHOR

# What each anchor op is, by its te.compute name or graph op name.
MATMULS = {"dense", "matmul"}
CONVOLUTIONS = {"conv2d"}
BLOCKED_CONVOLUTIONS = {"conv2d_nchwc"}
INTEGER_MATMULS = {"matmul_integer"}
INTEGER_CONVOLUTIONS = {"conv_integer"}
SOFTMAX = {"softmax_max", "softmax_sum", "softmax"}
POOLS = {
    "max_pool2d",
    "avg_pool2d",
    "avg_pool2d_sum",
    "global_max_pool2d",
    "global_avg_pool2d",
    "global_avg_pool2d_sum",
}


@dataclass
class Nest:
    """One loop nest of a function: its kind, its band of loops and their trip counts."""

    kind: str
    root: scf.ForOp
    loops: list[scf.ForOp]
    extents: list[int]
    function: func.FuncOp


def recognize(root: scf.ForOp, function: func.FuncOp) -> Nest | None:
    """The nest at `root` with its kind, or None where no kind fits (or softmax's nests
    before its last, which the softmax schedule moves into the last)."""
    loops = band(root)
    if any(optional_bounds(loop) is None for loop in loops):
        return None
    extents = [bounds(loop).trip_count for loop in loops]
    if 0 in extents:
        return None
    kind = kind_of(root, function, loops)
    return Nest(kind, root, loops, extents, function) if kind else None


def kind_of(root: scf.ForOp, function: func.FuncOp, loops: list[scf.ForOp]) -> str | None:
    reducing = [bool(loop.iter_args) for loop in loops]
    anchor = function.attributes.get(ANCHOR)
    names = {stage_name(root), anchor.data if isinstance(anchor, StringAttr) else ""}
    stages = {stage_name(o) for o in function.body.block.ops if is_stage_root(o)}
    if SOFTMAX <= stages:
        return "softmax" if stage_name(root) == "softmax" else None
    if not any(reducing):
        if any(isinstance(o, scf.ForOp) and o.iter_args for o in root.walk()):
            return None  # a reduction outside the band
        return "elementwise"
    if names & INTEGER_MATMULS and reducing == [False, False, True]:
        return "integer_matmul"
    if names & INTEGER_CONVOLUTIONS and reducing == [False] * 4 + [True] * 3:
        return "integer_conv2d"
    if names & MATMULS and reducing == [False, False, True]:
        return "matmul"
    if names & MATMULS and reducing == [False, False, False, True]:
        return "batch_matmul"
    if names & CONVOLUTIONS and reducing == [False] * 4 + [True] * 3:
        return "grouped_conv2d" if grouped(loops) else "conv2d"
    if names & BLOCKED_CONVOLUTIONS and reducing == [False] * 5 + [True] * 4:
        return "conv2d_nchwc"
    if names & POOLS and reducing == [False] * 4 + [True] * 2:
        return "pool"
    if reducing[-1] and not any(reducing[:-1]):
        return "reduction"
    return None


def grouped(loops: list[scf.ForOp]) -> bool:
    """Whether a convolution reads input channels that depend on its filter (groups): of
    its image, the first buffer it reads (a transposed convolution reads its weight's
    channels by filter too)."""
    filters = iv(loops[1])
    loads = [o for o in loops[-1].walk() if isinstance(o, memref.LoadOp)]
    return any(
        load.memref is loads[0].memref
        and len(load.indices) == 4
        and filters in ivs_of(load.indices[1], loops[0])
        for load in loads
    )


def second_input_reads(reduction: scf.ForOp) -> list[memref.LoadOp]:
    """The loads of the second buffer the loop `reduction` reads (a matmul's B, a
    convolution's weights), none where it reads one. Only the reduction's own reads count:
    the epilogue fusion gave the nest reads more, before it."""
    loads = [o for o in reduction.walk() if isinstance(o, memref.LoadOp)]
    buffers = list(dict.fromkeys(load.memref for load in loads))
    return [load for load in loads if len(buffers) > 1 and load.memref is buffers[1]]


def transposed_b(nest: Nest) -> bool:
    """Whether a matmul's innermost loop (over output columns once scheduled) is not the one
    the last index of its second input runs along."""
    columns = iv(nest.loops[-2])
    reads = second_input_reads(nest.loops[-1])
    return not any(columns in ivs_of(load.indices[-1], nest.root) for load in reads)


def half_products(nest: Nest) -> bool:
    """Whether a matmul multiplies f16 inputs widened to f32 and sums them in f32 (what
    tensor cores compute)."""
    reduction = nest.loops[-1]
    loads = [o for o in reduction.walk() if isinstance(o, memref.LoadOp)]
    widened = [
        load
        for load in loads
        if load.res.type == Float16Type()
        and all(
            isinstance(use.operation, arith.ExtFOp) and use.operation.result.type == Float32Type()
            for use in load.res.uses
        )
    ]
    sums = [
        o
        for o in reduction.walk()
        if isinstance(o, arith.AddfOp) and o.result.type == Float32Type()
    ]
    return len(widened) == 2 and bool(sums)


def packed_weights(nest: Nest) -> bool:
    """Whether a convolution reads its weights (its second input) with the filters innermost
    already (pack-weights' IHWO)."""
    reads = second_input_reads(nest.loops[4])
    return bool(reads) and all(read.indices[-1] is iv(nest.loops[1]) for read in reads)


def unit_stride(nest: Nest) -> bool:
    """Whether a convolution's (or a windowed pool's) image is read along its rows one pixel
    for each output column (no stride, so a vector of output pixels reads a vector of input
    pixels)."""
    return column_stride(nest) == 1


def depthwise(nest: Nest) -> bool:
    """Whether each filter of a grouped convolution reads one input channel, its own (one
    filter for each channel: the channels of a block are the filters of the block)."""
    filters, channel, window = iv(nest.loops[1]), iv(nest.loops[4]), nest.loops[-1]
    if nest.extents[4] != 1:
        return False
    for load in (o for o in window.walk() if isinstance(o, memref.LoadOp)):
        read = padded_read(load, window)
        indices = read.raw if read is not None else load.indices
        if len(indices) == 4 and filters in ivs_of(indices[1], nest.loops[0]):
            # The filter plus the window's one channel (0).
            terms, constant = linear(indices[1])
            return constant == 0 and terms.pop(filters, 0) == 1 and set(terms) <= {channel}
    return False


def column_stride(nest: Nest) -> int | None:
    """The pixels of a row a convolution's (or a windowed pool's) image is read at from one
    output column to the next, or None where its rows are not read along the columns."""
    column, window = nest.loops[3], nest.loops[-1]
    x = iv(column)
    for load in (o for o in window.walk() if isinstance(o, memref.LoadOp)):
        read = padded_read(load, window)
        last = read.raw[-1] if read is not None else load.indices[-1]
        terms, _ = linear(last)
        if x in terms:
            return terms[x]
    return None
