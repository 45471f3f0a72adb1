"""The CPU's default schedule for each kind of loop nest, and its knobs fixed from the nest's
extents and the CPU (host.py): vector lanes from the vector width and the nest's element
type, register tiles from the number of vector registers, threads from the thread count.

The register tiles keep about half the vector registers as accumulators where there are 32
(AVX-512: a tile of 8 rows by two vectors), three quarters where there are 16 (AVX2: 6 rows
by two vectors, the shape of BLIS's and OpenBLAS's kernels): with fewer the FMA units wait
for results, with more the loads of the other operand and the tile spill. Rows that such
tiles do not divide end in a shorter tile (version-guarded-loops keeps the split's guards
out of the others, and makes the last a tile of the rows left). A shape that these rules
serve badly is the tuner's to improve.

    plan(nest, cpu)   # ("matmul.mlir", {"tile_rows": 8, "tile_columns": 32, ...}) or None
"""

from __future__ import annotations

import math

from xdsl.dialects import memref
from xdsl.dialects.builtin import FixedBitwidthType

from ziggurat.analysis.nests import (
    Nest,
    column_stride,
    depthwise,
    packed_weights,
    transposed_b,
    unit_stride,
)
from ziggurat.analysis.payload import band, stage_name
from ziggurat.dialects.schedule import KnobValue
from ziggurat.targets.cpu.host import Cpu
from ziggurat.targets.cpu.passes.vectorize_loops import classify
from ziggurat.targets.cpu.threads import CHUNKS_PER_THREAD

# Threads are worth starting for a nest of at least this many iterations of its body.
PARALLEL_WORK = 1 << 15
MOST_TILE_ROWS = 14


def plan(nest: Nest, cpu: Cpu) -> tuple[str, dict[str, KnobValue]] | None:
    """The schedule file for `nest` and its knob values, or None to leave it as it is."""
    # The schedules' vector_width knobs go up to 32 lanes (an int8 nest fills 64 of AVX-512).
    lanes = min(cpu.lanes(element_bytes(nest)), 32)
    width: dict[str, KnobValue] = {"vector_width": lanes}
    # LLVM warns about a vector loop it cannot vectorize either: only where ours can.
    vectorize = {"vectorize": int(classify(nest.loops[-1]) is not None)}
    extents = nest.extents
    match nest.kind:
        case "softmax":
            return "softmax.mlir", softmax_knobs(nest) | width
        case "elementwise":
            return "elementwise.mlir", elementwise_knobs(extents) | vectorize | width
        case "matmul":
            return "matmul.mlir", matmul_knobs(nest, cpu, lanes, *extents) | width
        case "batch_matmul":
            knobs = matmul_knobs(nest, cpu, lanes, *extents[1:], batch=extents[0])
            return "batch_matmul.mlir", knobs | width
        case "conv2d":
            packed, pointwise = packed_weights(nest), unit_stride(nest) and extents[5:] == [1, 1]
            knobs = conv2d_knobs(extents, cpu, lanes, packed, element_bytes(nest), pointwise)
            return "conv2d.mlir", knobs | width
        case "conv2d_nchwc":
            return "conv2d_nchwc.mlir", conv2d_nchwc_knobs(extents, cpu, lanes) | width
        case "grouped_conv2d":
            return "grouped_conv2d.mlir", grouped_conv2d_knobs(nest, cpu, lanes) | width
        case "pool":
            return "pool.mlir", pool_knobs(nest, cpu, lanes) | width
        case "reduction":
            return "reduction.mlir", reduction_knobs(extents) | vectorize | width
    return None


def element_bytes(nest: Nest) -> int:
    """Bytes of the elements the nest stores (4 where it stores none it says)."""
    for store in nest.root.walk():
        if isinstance(store, memref.StoreOp):
            type = store.value.type
            if isinstance(type, FixedBitwidthType):
                return max(1, type.bitwidth // 8)
            return 8  # index
    return 4


def divisors(n: int, limit: int) -> list[int]:
    return [d for d in range(1, min(n, limit) + 1) if n % d == 0]


def accumulators(cpu: Cpu) -> int:
    """Vector registers a register tile may hold (16 of 32, 12 of 16): the rest hold the
    other operand's vectors and a broadcast."""
    return min(16, cpu.registers - 4)


def vector_ops(count: int, lanes: int) -> int:
    """The vector (and scalar) ops a row of `count` elements takes: whole vectors, then the
    narrower ones (halving down to 4 lanes) vectorize-loops runs a known rest in, then
    scalars."""
    ops, width = 0, lanes
    while width >= 4:
        ops, count = ops + count // width, count % width
        width //= 2
    return ops + count


# Matmul -----------------------------------------------------------------------------------------


def tile_columns(n: int, lanes: int) -> int:
    """A divisor of `n` up to four vectors that vector registers cover best, two vectors where
    they all do."""
    return max(divisors(n, 4 * lanes), key=lambda d: (d // lanes * lanes / d, -abs(d - 2 * lanes)))


def tile_rows(m: int, columns: int, lanes: int, cpu: Cpu) -> int:
    """The rows of a rows x columns tile in the accumulators: as few tiles as such tiles
    make, each as short as that allows (1024 -> 8, 512 -> 6 and a guarded last tile of 2
    on AVX2, 10 -> 5 and 5).

    Each tile streams its column panel once, and each row of it adds a broadcast that feeds
    one FMA per vector: the largest tile that fits wins over a smaller divisor of `m` (on
    Emerald Rapids, AVX2 code, one thread: 6 x 16 runs 1.15x faster than 4 x 16 on matmul 256
    and 512 and dense 64 x 512 x 512)."""
    vectors = -(-columns // lanes)
    limit = max(1, min(MOST_TILE_ROWS, accumulators(cpu) // vectors, m))
    return -(-m // -(-m // limit))


def matmul_knobs(
    nest: Nest, cpu: Cpu, lanes: int, m: int, n: int, k: int, batch: int = 1
) -> dict[str, KnobValue]:
    columns = tile_columns(n, lanes)
    rows = tile_rows(m, columns, lanes, cpu)
    panels, tiles = batch * n // columns, m // rows
    # A panel read by one tile is worth packing only where B is read transposed (and then
    # the copy transposes: no vector lanes).
    pack = 2 if transposed_b(nest) else 1 if tiles > 1 else 0
    if batch * m * n * k < PARALLEL_WORK:
        parallel = 2
    else:
        parallel = 0 if panels >= 4 or panels >= tiles else 1
    return {"tile_rows": rows, "tile_columns": columns, "pack": pack, "parallel": parallel}


# Convolutions -----------------------------------------------------------------------------------


def filter_block(filters: int, lanes: int) -> int:
    """The divisor of `filters` up to two vectors that does the most lanes per vector op
    (a vector where it divides them; 24 for 24; 29 for 116 at 16 lanes, rather than 4)."""
    return max(
        divisors(filters, 2 * lanes),
        key=lambda d: (d / vector_ops(d, lanes), -abs(d - lanes)),
    )


def row_tile(width: int, limit: int) -> int:
    """Pixels of a row for a register tile of up to `limit`: a divisor of the row, or where
    the row has no divisor above half the limit (109, a prime), the tile that wastes least
    of its last, guarded step (11: ten tiles of 110 for 109)."""
    best = max(divisors(width, limit))
    if 2 * best > min(limit, width):
        return best
    candidates = range(max(1, limit // 2), min(limit, width) + 1)
    return max(candidates, key=lambda c: (width / (-(-width // c) * c), c))


def convolution_threads(extents: list[int], cpu: Cpu) -> int:
    """The `parallel` region of the convolution schedules: none for little work (1), images
    over the threads where there are several for each thread (2), else rows or filters (0)."""
    if math.prod(extents) < PARALLEL_WORK:
        return 1
    return 2 if extents[0] >= 2 * cpu.threads else 0


# A 1x1 convolution on rows at least this wide vectorizes pixels (a row is 2 vectors of 16),
# where its weights are at most this share of the L2: each row of the image reads them all,
# a few filters of each channel's row at a time (on Emerald Rapids, one thread: 64 -> 256
# on 56x56, 64 KiB, 1.4x faster than filters in lanes; 256 -> 128, 128 KiB, even; 128 ->
# 512 on 28x28, 256 KiB, 0.84x; 256 -> 512, 512 KiB, 0.35x).
PIXEL_ROW = 28
PIXEL_WEIGHTS_SHARE = 16


def conv2d_knobs(
    extents: list[int],
    cpu: Cpu,
    lanes: int,
    packed: bool,
    element_bytes: int = 4,
    pointwise: bool = False,
) -> dict[str, KnobValue]:
    _, filters, _, width, channels, window_y, window_x = extents
    weights = filters * channels * window_y * window_x * element_bytes
    if pointwise and width >= PIXEL_ROW and weights <= cpu.l2 // PIXEL_WEIGHTS_SHARE:
        return pixel_knobs(extents, cpu, lanes)
    block = filter_block(filters, lanes)
    # The tile's pixels each hold a block of filters in vector registers.
    registers = cpu.registers - 4
    limit = max(1, min(MOST_TILE_ROWS, registers // vector_ops(block, lanes)))
    columns = row_tile(width, limit)
    block = widened_block(block, columns, filters, lanes, registers)
    knobs: dict[str, KnobValue] = {
        "vectorize_pixels": 0,
        "filter_block": block,
        "tile_columns": columns,
        "parallel": convolution_threads(extents, cpu),
        "vectorize_back": int(width % columns != 0),
        "pack_weights": int(packed),
        "filters_outside": 0,
    }
    # Weights that crowd the cache (the deep layers: 9 MiB for 512 x 512 3x3) are read a
    # filter block at a time, each block copied into one run and used for all the rows,
    # the blocks spread over the threads.
    blocks = filters // block
    if packed and weights > cpu.l2 // 8 and knobs["parallel"] == 0 and blocks >= 2 * cpu.threads:
        knobs.update(
            filters_outside=1,
            pack_weights=copied_blocks(filters, weights, element_bytes, cpu),
            parallel=3,
        )
    elif (
        knobs["parallel"] == 0
        and window_y > 1
        and (
            filters * window_y * window_x <= CHUNK_FILTER_WORK
            or channels < CHUNKS_PER_THREAD * cpu.threads
        )
    ):
        chunk = row_chunk(extents, cpu, element_bytes)
        if chunk:
            knobs.update(parallel=4, row_chunk=chunk)
    return knobs


# A convolution whose window spans rows, with at most this many filters times window
# positions (64 3x3 filters), copies a padded image large enough beside its work to pack it a
# chunk of rows at a time in the rows' own parallel loop: the copy into the chunk's buffer (a
# stack slot of the thread) is one LLVM vectorizes, as it cannot alias the image; there is no
# second parallel loop for the copy; each thread reads the rows it packed (Emerald Rapids,
# 64 x 64 3x3 on 56x56: 1.09x faster on one thread, 1.06-1.15x on two). So too for fewer
# channels than the chunks a loop over them makes, which the copy's own loop spreads
# unevenly over the threads (ResNet's 7x7 stem, 3 channels: 1.04x on one, 1.13x on two).
CHUNK_FILTER_WORK = 576


def row_chunk(extents: list[int], cpu: Cpu, element_bytes: int) -> int:
    """Rows of a chunk packed and computed together (0 for none): the fewest that make no
    more chunks than the thread pool splits a loop into, as many for each thread, each
    chunk's image (its rows and the window's, every channel) at most a quarter of the L2
    (the weights share the rest) and at most half again the chunk's rows."""
    _, _, height, width, channels, window_y, window_x = extents
    for rows in divisors(height, MOST_CHUNK_ROWS):
        chunks = height // rows
        image = channels * (rows + window_y - 1) * (width + window_x - 1) * element_bytes
        if (
            chunks <= CHUNKS_PER_THREAD * cpu.threads
            and chunks % cpu.threads == 0
            and 2 * (window_y - 1) <= rows
            and image <= cpu.l2 // 4
        ):
            return rows
    return 0


MOST_CHUNK_ROWS = 32


def widened_block(block: int, columns: int, filters: int, lanes: int, registers: int) -> int:
    """`block`, or twice it where the filters divide into such blocks of whole vectors and
    the registers hold a tile of `columns` pixels by the wider block (AVX-512: 14 x 32
    filters, 28 vectors; not AVX2's 12). Each pixel's broadcast (a load) feeds one FMA for
    each vector of the block: with one, the loads bound the loop on cores that issue two
    512-bit FMAs a cycle (Emerald Rapids, one thread: 64 x 64 3x3 on 56x56 1.5x faster,
    576 -> 96 1x1 on 14x14 1.3x, 96 -> 576 1.1x; 128 x 128 on 28x28 and 256 x 256 on 14x14
    unchanged), and a row of 7 pixels by one vector holds too few accumulators to hide the
    FMAs' latency on any of them."""
    wide = 2 * block
    if filters % wide != 0 or wide % lanes != 0 or wide > 2 * lanes:
        return block
    return wide if columns * vector_ops(wide, lanes) <= registers else block


# Weights whose IHWO rows (one row: every filter of a channel and window position) are
# farther apart than this map a filter block's rows onto few cache sets (4 KiB aliasing).
ALIASING_STRIDE = 4096


def copied_blocks(filters: int, weights: int, element_bytes: int, cpu: Cpu) -> int:
    """The `pack_weights` region for a filter block's weights read outside the rows: copied
    together into one run (2), or read in place from the IHWO constant (1). A block's rows
    are one row of all the filters apart, spread over all the weights (`weights` bytes):
    copied where the rows are farther apart than ALIASING_STRIDE (2048 filters read in
    place are 3x slower), or where the weights fill half the L2 or more: its rows then take
    half the ways of the L2 sets they land on, and the image and the output evict them
    before the next row of the image reads them again (on Emerald Rapids, 512 x 512 3x3 on
    7x7, 9 MiB, runs 1.5x faster copied; 512 -> 128 3x3, 2.3 MiB with rows only 512 bytes
    apart, 1.7x; 1x1 on 14x14: 1024 -> 512 and 512 -> 1024, 2 MiB, 1.6x on one thread and
    1.5x on two; 1024 -> 256, 1 MiB, 1.04x and 1.15x); else read in place, which saves the
    copy (128 x 128 3x3, 576 KiB, and 256 -> 512 1x1, 512 KiB: even)."""
    far = filters * element_bytes > ALIASING_STRIDE
    return 2 if far or 2 * weights >= cpu.l2 else 1


def pixel_knobs(extents: list[int], cpu: Cpu, lanes: int) -> dict[str, KnobValue]:
    """A 1x1 convolution's tile of filters by pixels of a row in vector lanes: up to four
    vectors' worth of the row (a divisor of it), as many filters as the registers hold."""
    _, filters, _, width, *_ = extents
    columns = max(divisors(width, 4 * lanes))
    ops = vector_ops(columns, lanes)
    rows = max(divisors(filters, max(1, min(8, (cpu.registers - 4) // ops))))
    parallel = 1 if math.prod(extents) < PARALLEL_WORK or extents[2] < cpu.threads else 0
    return {
        "vectorize_pixels": 1,
        "filter_rows": rows,
        "pixel_columns": columns,
        "pixel_parallel": parallel,
    }


def conv2d_nchwc_knobs(extents: list[int], cpu: Cpu, lanes: int) -> dict[str, KnobValue]:
    """A blocked convolution's tile: pixels of a row by its output channel block (the
    layout's, in vector lanes), as many pixels as the registers hold; the blocks outside
    the rows and over the threads where there are several for each thread, else rows."""
    n, blocks, _, width, block, *_ = extents
    limit = max(1, min(MOST_TILE_ROWS, (cpu.registers - 4) // vector_ops(block, lanes)))
    if math.prod(extents) < PARALLEL_WORK:
        parallel = 2
    elif n >= 2 * cpu.threads:
        parallel = 3
    else:
        parallel = 0 if blocks >= 2 * cpu.threads else 1
    return {
        "tile_columns": row_tile(width, limit),
        "blocks_outside": int(parallel == 1),
        "parallel": parallel,
    }


def row_columns(width: int, lanes: int) -> int:
    """A row tile of whole vectors where a divisor of the row makes them (up to four), else
    the row (up to 64 pixels: whole vectors and a scalar rest), else its largest divisor up
    to 64."""
    whole = [d for d in divisors(width, 4 * lanes) if d % lanes == 0]
    return whole[-1] if whole else width if width <= 64 else max(divisors(width, 64))


def grouped_conv2d_knobs(nest: Nest, cpu: Cpu, lanes: int) -> dict[str, KnobValue]:
    """A row tile, vectorized where the image's pixels are read one or two apart
    (vectorize-loops deinterleaves two vector loads for a stride of 2), and threads; or,
    for a depthwise convolution whose rows fill at most half a vector, channels in lanes."""
    extents = nest.extents
    threads = convolution_threads(extents, cpu)
    if depthwise(nest) and 2 * extents[3] <= lanes:
        return channel_lane_knobs(extents, cpu, lanes, threads)
    return {
        "channels_in_lanes": 0,
        "tile_columns": row_columns(extents[3], lanes),
        "vectorize": int(column_stride(nest) not in (1, 2)),
        "parallel": threads,
    }


def channel_lane_knobs(
    extents: list[int], cpu: Cpu, lanes: int, threads: int
) -> dict[str, KnobValue]:
    """A tile of a row's pixels by a block of channels in vector lanes, as conv2d's filter
    blocks (Emerald Rapids, one thread, MobileNetV2's 960 channels on 7x7: 1.4x faster than
    rows in lanes, 576 at stride 2 to 7x7 1.15x; rows of 14 are faster in lanes: 192 at
    stride 2 to 14x14 even, 576 on 14x14 0.9x)."""
    _, channels, _, width, *_ = extents
    registers = cpu.registers - 4
    block = filter_block(channels, lanes)
    columns = row_tile(width, max(1, min(MOST_TILE_ROWS, registers // vector_ops(block, lanes))))
    block = widened_block(block, columns, channels, lanes, registers)
    return {
        "channels_in_lanes": 1,
        "channel_block": block,
        "pixel_tile": columns,
        "lane_parallel": 0 if threads != 1 else 1,
    }


# The others -------------------------------------------------------------------------------------


def softmax_knobs(nest: Nest) -> dict[str, KnobValue]:
    stages = nest.function.body.block.ops
    maximum = next(o for o in stages if stage_name(o) == "softmax_max")
    vectorize = classify(band(maximum)[-1]) is not None  # type: ignore[arg-type]
    work = math.prod(nest.extents)
    return {"vectorize": int(vectorize), "parallel": 0 if work >= PARALLEL_WORK else 1}


def pool_knobs(nest: Nest, cpu: Cpu, lanes: int) -> dict[str, KnobValue]:
    """A global pool's threads; a windowed pool's row tile and threads. A row read one or
    two pixels apart is vectorized (vectorize-loops deinterleaves two vector loads for a
    stride of 2: ResNet's 3x3/2 max-pool, 56 columns 1.1x faster than 28); a wider stride's
    row loop is LLVM's to vectorize (with a scalar rest): up to two vectors, a divisor of
    the row."""
    extents = nest.extents
    work = math.prod(extents)
    if len(extents) != 6 or extents[2] * extents[3] == 1:
        return {"windowed": 0, "parallel": 0 if work >= PARALLEL_WORK else 1}
    width = extents[3]
    vectorized = column_stride(nest) in (1, 2)
    columns = row_columns(width, lanes) if vectorized else max(divisors(width, 2 * lanes))
    return {
        "windowed": 1,
        "tile_columns": columns,
        "window_parallel": convolution_threads(extents, cpu),
    }


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
