"""`apply-default-schedules`: give each loop nest the CPU's default schedule for its kind.

The default pipeline runs it after `te-to-loop`, so a model compiled without tuning gets
tiled, packed, vectorized and parallel loops. Each nest te-to-loop tagged (each function's,
in order) is recognized by what it computes:

| kind | recognized by | schedule (targets/cpu/schedules/) |
|---|---|---|
| matmul | a dense or matmul nest (i, j, k), or one with the epilogue fusion gave it | matmul.mlir |
| batch_matmul | the same with a batch loop (b, i, j, k) | batch_matmul.mlir |
| conv2d | a conv2d nest (n, f, y, x, rc, ry, rx) whose input channel is not the filter's | conv2d.mlir |
| grouped_conv2d | a conv2d nest whose input channels depend on the filter (groups, depthwise) | grouped_conv2d.mlir |
| pool | a pool nest (n, c, y, x, ry, rx), windowed or global | pool.mlir |
| softmax | the last of softmax's nests (max, sum of exponentials, quotient) | softmax.mlir |
| reduction | any other nest whose one innermost loop reduces | reduction.mlir |
| elementwise | a nest without reduction (elementwise, broadcast, injective) | elementwise.mlir |

A nest of a fused function (`{ziggurat.fused}`) is tagged with its last op's name; the
function's `{ziggurat.anchor}` (from fuse-ops) names the op it is built around. The schedule's
argument is the nest's outermost loop; its knobs are fixed from the nest's extents (tiles
that divide them where possible, a split tail where not), the rest from the file's default
values. A nest a schedule cannot handle keeps its loops as they were: this pass never fails.

    ziggurat-opt model.mlir -p 'te-inline,te-to-loop,apply-default-schedules'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from xdsl.context import Context
from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

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
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import KnobValue, fix_knobs
from ziggurat.ir_io import parse_module
from ziggurat.passes.graph.fuse_ops import ANCHOR
from ziggurat.passes.scheduling.apply_schedule import apply_schedule
from ziggurat.targets.cpu.passes.vectorize_loops import classify
from ziggurat.targets.cpu.threads import default_num_threads

# Threads are worth starting for a nest of at least this many iterations of its body.
PARALLEL_WORK = 1 << 15
VECTOR = 16  # f32 lanes of an AVX-512 register
NEST = "ziggurat.nest"  # marks the nests still to schedule, while the pass runs

# What each anchor op is, by its te.compute name or graph op name.
MATMULS = {"dense", "matmul"}
CONVOLUTIONS = {"conv2d"}
SOFTMAX = {"softmax_max", "softmax_sum", "softmax"}
POOLS = {
    "max_pool2d",
    "avg_pool2d",
    "avg_pool2d_sum",
    "global_max_pool2d",
    "global_avg_pool2d",
    "global_avg_pool2d_sum",
}


@dataclass(frozen=True)
class ApplyDefaultSchedules(ModulePass):
    """Schedule each loop nest by the CPU's default schedule for its kind."""

    name = "apply-default-schedules"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        functions = [f for f in op.ops if isinstance(f, func.FuncOp) and not f.is_declaration]
        for function in functions:
            roots = [o for o in function.body.block.ops if is_stage_root(o)]
            for number, root in enumerate(roots):
                root.attributes[NEST] = StringAttr(str(number))
            for number in range(len(roots)):
                function = schedule_nest(op, function, str(number))
            for root in function.walk():
                root.attributes.pop(NEST, None)


def schedule_nest(module: ModuleOp, function: func.FuncOp, number: str) -> func.FuncOp:
    """Schedule nest `number` of `function`; the function, or a copy of it as it was if the
    schedule does not apply."""
    root = next(o for o in function.body.block.ops if o.attributes.get(NEST) == StringAttr(number))
    assert isinstance(root, scf.ForOp)
    plan = plan_for(root, function)
    if plan is None:
        return function
    schedule_file, values = plan
    backup = function.clone()
    try:
        apply_schedule(module, fix_knobs(schedule(schedule_file), values), root=root)
    except ZigguratError:
        Rewriter.replace_op(function, backup)
        return backup
    return function


@cache
def schedule_text(name: str) -> str:
    return (resources.files("ziggurat.targets.cpu") / "schedules" / name).read_text()


def schedule(name: str) -> Operation:
    return parse_module(schedule_text(name), f"targets/cpu/schedules/{name}")


# Recognizing nests -----------------------------------------------------------------------------


def plan_for(root: scf.ForOp, function: func.FuncOp) -> tuple[str, dict[str, KnobValue]] | None:
    """The schedule file for the nest at `root` and its knob values, or None."""
    loops = band(root)
    if any(optional_bounds(loop) is None for loop in loops):
        return None
    extents = [bounds(loop).trip_count for loop in loops]
    if 0 in extents:
        return None
    reducing = [bool(loop.iter_args) for loop in loops]
    anchor = function.attributes.get(ANCHOR)
    names = {stage_name(root), anchor.data if isinstance(anchor, StringAttr) else ""}
    stages = {stage_name(o) for o in function.body.block.ops if is_stage_root(o)}
    if SOFTMAX <= stages:
        if stage_name(root) != "softmax":
            return None  # the softmax schedule moves it into the last nest
        return "softmax.mlir", softmax_knobs(root, function, extents)
    # LLVM warns about a vector loop it cannot vectorize either: only where ours can.
    vectorize = {"vectorize": int(classify(loops[-1]) is not None)}
    if not any(reducing):
        if any(isinstance(o, scf.ForOp) and o.iter_args for o in root.walk()):
            return None  # a reduction outside the band
        return "elementwise.mlir", elementwise_knobs(extents) | vectorize
    if names & MATMULS and reducing == [False, False, True]:
        return "matmul.mlir", matmul_knobs(root, *extents)
    if names & MATMULS and reducing == [False, False, False, True]:
        return "batch_matmul.mlir", matmul_knobs(root, *extents[1:], batch=extents[0])
    if names & CONVOLUTIONS and reducing == [False] * 4 + [True] * 3:
        if grouped(loops):
            return "grouped_conv2d.mlir", grouped_conv2d_knobs(loops, extents)
        return "conv2d.mlir", conv2d_knobs(extents) | {"pack_weights": packed_weights(root)}
    if names & POOLS and reducing == [False] * 4 + [True] * 2:
        return "pool.mlir", pool_knobs(extents)
    if reducing[-1] and not any(reducing[:-1]):
        return "reduction.mlir", reduction_knobs(extents) | vectorize
    return None


def grouped(loops: list[scf.ForOp]) -> bool:
    """Whether a convolution reads input channels that depend on its filter (groups)."""
    filters = iv(loops[1])
    return any(
        isinstance(o, memref.LoadOp)
        and len(o.indices) == 4
        and filters in ivs_of(o.indices[1], loops[0])
        for o in loops[-1].walk()
    )


# Knob values from extents -------------------------------------------------------------------


def divisors(n: int, limit: int) -> list[int]:
    return [d for d in range(1, min(n, limit) + 1) if n % d == 0]


def tile_columns(n: int) -> int:
    """A divisor of `n` up to 64 that vector registers cover best, 32 where they all do."""
    return max(divisors(n, 64), key=lambda d: (d // VECTOR * VECTOR / d, -abs(d - 32)))


def tile_rows(m: int, columns: int) -> int:
    """The largest divisor of `m` that keeps a rows x columns tile in 12 to 16 registers."""
    vectors = -(-columns // VECTOR)
    return max(divisors(m, {1: 14, 2: 8, 3: 5, 4: 4}.get(vectors, 2)))


def matmul_knobs(root: scf.ForOp, m: int, n: int, k: int, batch: int = 1) -> dict[str, KnobValue]:
    columns = tile_columns(n)
    rows = tile_rows(m, columns)
    panels, tiles = batch * n // columns, m // rows
    # A panel read by one tile is worth packing only where B is read transposed (and then
    # the copy transposes: no vector lanes).
    transposed = transposed_b(root)
    pack = 2 if transposed else 1 if tiles > 1 else 0
    if batch * m * n * k < PARALLEL_WORK:
        parallel = 2
    else:
        parallel = 0 if panels >= 4 or panels >= tiles else 1
    return {"tile_rows": rows, "tile_columns": columns, "pack": pack, "parallel": parallel}


def second_input_reads(reduction: scf.ForOp) -> list[memref.LoadOp]:
    """The loads of the second buffer the loop `reduction` reads (a matmul's B, a
    convolution's weights), none where it reads one. Only the reduction's own reads count:
    the epilogue fusion gave the nest reads more, before it."""
    loads = [o for o in reduction.walk() if isinstance(o, memref.LoadOp)]
    buffers = list(dict.fromkeys(load.memref for load in loads))
    return [load for load in loads if len(buffers) > 1 and load.memref is buffers[1]]


def transposed_b(root: scf.ForOp) -> bool:
    """Whether the innermost loop (over output columns once scheduled) is not the one the
    last index of the second input runs along."""
    loops = band(root)
    columns = iv(loops[-2])
    reads = second_input_reads(loops[-1])
    return not any(columns in ivs_of(load.indices[-1], root) for load in reads)


def vector_ops(lanes: int) -> int:
    """The vector (and scalar) ops a row of `lanes` f32 takes: whole vectors, then the
    narrower ones loop-to-llvm runs a known rest in, then scalars."""
    return lanes // 16 + lanes % 16 // 8 + lanes % 8 // 4 + lanes % 4


def filter_block(filters: int) -> int:
    """The divisor of `filters` up to two vectors that does the most lanes per vector op
    (16 where it divides them; 24 for 24; 29 for 116, rather than 4)."""
    return max(divisors(filters, 2 * VECTOR), key=lambda d: (d / vector_ops(d), -abs(d - VECTOR)))


def row_tile(width: int, limit: int) -> int:
    """Pixels of a row for a register tile of up to `limit`: a divisor of the row, or where
    the row has no divisor above half the limit (109, a prime), the tile that wastes least
    of its last, guarded step (11: ten tiles of 110 for 109)."""
    best = max(divisors(width, limit))
    if 2 * best > min(limit, width):
        return best
    candidates = range(max(1, limit // 2), min(limit, width) + 1)
    return max(candidates, key=lambda c: (width / (-(-width // c) * c), c))


def convolution_threads(extents: list[int]) -> int:
    """The `parallel` region of the convolution schedules: none for little work (1), images
    over the threads where there are several for each thread (2), else rows or filters (0)."""
    if math.prod(extents) < PARALLEL_WORK:
        return 1
    return 2 if extents[0] >= 2 * default_num_threads() else 0


def conv2d_knobs(extents: list[int]) -> dict[str, KnobValue]:
    _, filters, _, width, *_ = extents
    block = filter_block(filters)
    # About 28 accumulators of the 32 vector registers.
    columns = row_tile(width, max(1, min(14, 28 // vector_ops(block))))
    return {
        "filter_block": block,
        "tile_columns": columns,
        "parallel": convolution_threads(extents),
        "vectorize_back": int(width % columns != 0),
    }


def grouped_conv2d_knobs(loops: list[scf.ForOp], extents: list[int]) -> dict[str, KnobValue]:
    width = extents[3]
    # Whole vectors where a divisor of the row makes them, else the row (up to 64 pixels:
    # whole vectors and a scalar rest), else its largest divisor up to 64.
    whole = [d for d in divisors(width, 64) if d % VECTOR == 0]
    columns = whole[-1] if whole else width if width <= 64 else max(divisors(width, 64))
    return {
        "tile_columns": columns,
        "vectorize": int(not unit_stride(loops[3], loops[6])),
        "parallel": convolution_threads(extents),
    }


def unit_stride(column: scf.ForOp, window: scf.ForOp) -> bool:
    """Whether a convolution's image is read along its rows one pixel for each output
    column (no stride, so a vector of output pixels reads a vector of input pixels)."""
    x = iv(column)
    for load in (o for o in window.walk() if isinstance(o, memref.LoadOp)):
        read = padded_read(load, window)
        last = read.raw[-1] if read is not None else load.indices[-1]
        terms, _ = linear(last)
        if x in terms:
            return terms[x] == 1
    return False


def packed_weights(root: scf.ForOp) -> int:
    """1 where a convolution reads its weights (its second input) with the filters
    innermost already (pack-weights' IHWO), else 0: they are to be packed so."""
    loops = band(root)
    reads = second_input_reads(loops[4])
    return int(bool(reads) and all(read.indices[-1] is iv(loops[1]) for read in reads))


def softmax_knobs(
    root: scf.ForOp, function: func.FuncOp, extents: list[int]
) -> dict[str, KnobValue]:
    maximum = next(o for o in function.body.block.ops if stage_name(o) == "softmax_max")
    vectorize = classify(band(maximum)[-1]) is not None  # type: ignore[arg-type]
    work = math.prod(extents)
    return {"vectorize": int(vectorize), "parallel": 0 if work >= PARALLEL_WORK else 1}


def pool_knobs(extents: list[int]) -> dict[str, KnobValue]:
    work = math.prod(extents)
    return {"parallel": 0 if work >= PARALLEL_WORK else 1}


def reduction_knobs(extents: list[int]) -> dict[str, KnobValue]:
    work = math.prod(extents)
    spatial = work // extents[-1]
    return {"parallel": 0 if work >= PARALLEL_WORK and spatial > 1 else 1}


def elementwise_knobs(extents: list[int]) -> dict[str, KnobValue]:
    work = math.prod(extents)
    values: dict[str, KnobValue] = {"split": 1, "parallel": 0 if work >= PARALLEL_WORK else 1}
    if len(extents) == 1 and work >= PARALLEL_WORK:
        # One loop: chunks of whole vectors for the threads, where one divides it.
        chunks = [c for c in (4096, 2048, 1024, 512, 256) if extents[0] % c == 0]
        if chunks:
            values.update(split=0, chunk=chunks[0])
    return values
