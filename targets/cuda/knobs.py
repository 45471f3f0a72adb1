"""The CUDA target's default schedule for each kind of loop nest, and its knobs fixed from the
nest's extents and the GPU (device.py): block and thread tiles that give the GPU's SMs
enough blocks to run, register tiles that keep the FMA units busy without spilling, and
vector widths the buffers' rows allow.

A matmul's register tile is thread_rows x thread_columns: 16 x 4 for large shapes (64
accumulators, ~128 registers: two blocks of 256 threads per SM), its block 8 x 32 threads:
a warp shares its rows of A (one shared-memory read serves it, broadcast) and reads 128
consecutive bytes of B. Smaller shapes take the largest tile of which there are still two
blocks per SM (a 1024 x 1024 matmul on 132 SMs: 64 x 64). A shape these rules serve badly
is the tuner's to improve: the knobs span its space (tiles, threads, shared memory on or
off, unroll, vector width).

    plan(nest, gpu)   # ("matmul.mlir", {"thread_rows": 16, "threads_x": 32, ...}) or None
"""

from __future__ import annotations

import math

from ziggurat.analysis.nests import Nest, half_products, transposed_b
from ziggurat.dialects.schedule import KnobValue
from ziggurat.targets.cuda.device import Gpu

# Matmul tiles, largest first: (thread_rows, thread_columns, threads_y, threads_x).
MATMUL_TILES = [
    (16, 4, 8, 32),  # 128 x 128
    (8, 4, 8, 32),  # 64 x 128
    (8, 4, 8, 16),  # 64 x 64
    (4, 4, 8, 16),  # 32 x 64
    (4, 4, 4, 16),  # 16 x 64
    (2, 4, 8, 8),  # 16 x 32
    (2, 2, 8, 8),  # 16 x 16
    (1, 1, 8, 8),  # 8 x 8
]
THREADS = 256


def plan(nest: Nest, gpu: Gpu) -> tuple[str, dict[str, KnobValue]] | None:
    """The schedule file for `nest` and its knob values, or None to leave it as it is."""
    extents = nest.extents
    # int8 products summed in int32 (MatMulInteger, ConvInteger, QLinear*) are scheduled
    # as their float kinds: the schedules do not depend on the element type.
    match {"integer_matmul": "matmul", "integer_conv2d": "conv2d"}.get(nest.kind, nest.kind):
        case "matmul" | "batch_matmul" if tensor_cores_fit(nest, gpu) and (
            knobs := tensor_core_knobs(gpu, *extents[-3:], batch=math.prod(extents[:-3]))
        ):
            return "matmul_f16.mlir", knobs
        case "matmul":
            return "matmul.mlir", matmul_knobs(nest, gpu, *extents)
        case "batch_matmul":
            return "matmul.mlir", matmul_knobs(nest, gpu, *extents[1:], batch=extents[0])
        case "conv2d":
            return "conv2d.mlir", conv2d_knobs(extents, gpu)
        case "grouped_conv2d":
            return "grouped_conv2d.mlir", {"threads": threads_for(math.prod(extents[:4]))}
        case "pool":
            return "pool.mlir", {"threads": threads_for(math.prod(extents[:4]))}
        case "reduction" if len(extents) > 1:  # one reduction to a scalar: one thread
            return "reduction.mlir", {"threads": threads_for(math.prod(extents[:-1]))}
        case "softmax":
            return "softmax.mlir", {"threads": threads_for(math.prod(extents[:-1]))}
        case "elementwise":
            return "elementwise.mlir", elementwise_knobs(extents)
    return None


# Tensor-core warp tiles, largest first: (warp_rows, warp_columns, warps_y, warps_x), in
# mma tiles of 16 x 8 (a 64 x 32 warp tile holds 64 f32 sums a lane).
TENSOR_CORE_TILES = [
    (4, 4, 2, 2),  # 128 x 64
    (2, 4, 2, 2),  # 64 x 64
    (2, 2, 2, 2),  # 64 x 32
    (1, 2, 2, 2),  # 32 x 32
    (1, 2, 1, 2),  # 16 x 32
    (1, 2, 1, 1),  # 16 x 16
    (1, 1, 1, 1),  # 16 x 8
]
# f16 elements in each thread's vector of the copies into shared memory (16 bytes).
COPY_VECTOR = 8


def tensor_cores_fit(nest: Nest, gpu: Gpu) -> bool:
    """Whether a matmul can run on the tensor cores: f16 operands summed in f32 on sm_80 or
    later, B read as (k, j), its extents whole mma tiles (M, N, K multiples of 16, 8, 16:
    the intrinsic's tiles have no tails)."""
    m, n, k = nest.extents[-3:]
    return (
        gpu.capability >= 80
        and half_products(nest)
        and not transposed_b(nest)
        and m % 16 == 0
        and n % 8 == 0
        and k % 16 == 0
    )


def tensor_core_knobs(
    gpu: Gpu, m: int, n: int, k: int, batch: int = 1
) -> dict[str, KnobValue] | None:
    """The largest warp and block tile that leaves a block for each SM, every warp a tile
    of the output and every thread a vector of each copy into shared memory (the loops
    bound to the threads have the block's extents); None where no tile does."""

    def blocks(tile: tuple[int, int, int, int]) -> int:
        rows, columns, warps_y, warps_x = tile
        return batch * -(-m // (16 * rows * warps_y)) * -(-n // (8 * columns * warps_x))

    def fits(tile: tuple[int, int, int, int], k_steps: int) -> bool:
        rows, columns, warps_y, warps_x = tile
        threads = 32 * warps_y * warps_x
        a_vectors = 16 * rows * warps_y * 16 * k_steps // COPY_VECTOR
        b_vectors = 16 * k_steps * 8 * columns * warps_x // COPY_VECTOR
        return (
            warps_y <= -(-m // (16 * rows))
            and warps_x <= -(-n // (8 * columns))
            and 8 * columns * warps_x <= n
            and 16 * rows * warps_y <= m
            and min(a_vectors, b_vectors) >= threads
        )

    steps = [2, 1] if k % 32 == 0 else [1]
    tiles = [(t, s) for t in TENSOR_CORE_TILES for s in steps if fits(t, s)]
    if not tiles:
        return None
    fitting = [(t, s) for t, s in tiles if blocks(t) >= gpu.multiprocessors]
    (rows, columns, warps_y, warps_x), k_steps = fitting[0] if fitting else tiles[-1]
    return {
        "warp_rows": rows,
        "warp_columns": columns,
        "warps_y": warps_y,
        "warps_x": warps_x,
        "k_steps": k_steps,
    }


def threads_for(work: int) -> int:
    """Threads per block for `work` independent items: 256, or the fewest powers of two
    that hold a small amount of work."""
    return max(32, min(THREADS, 1 << max(0, (work - 1).bit_length())))


def elementwise_knobs(extents: list[int]) -> dict[str, KnobValue]:
    width = next(w for w in (4, 2, 1) if extents[-1] % w == 0)
    work = math.prod(extents) // width
    return {"vector_width": width, "vectorize": int(width > 1), "threads": threads_for(work)}


def matmul_knobs(
    nest: Nest, gpu: Gpu, m: int, n: int, k: int, batch: int = 1
) -> dict[str, KnobValue]:
    """The largest tile that leaves two blocks per SM (or the most blocks there can be)."""

    def blocks(tile: tuple[int, int, int, int]) -> int:
        rows, columns, threads_y, threads_x = tile
        return batch * -(-m // (rows * threads_y)) * -(-n // (columns * threads_x))

    fitting = [t for t in MATMUL_TILES if blocks(t) >= 2 * gpu.multiprocessors]
    tile = fitting[0] if fitting else max(MATMUL_TILES, key=lambda t: (blocks(t), t))
    rows, columns, threads_y, threads_x = tile
    width = next(w for w in (4, 2, 1) if columns % w == 0 and n % w == 0 and k % w == 0)
    k_tile = next(t for t in (8, 4, 2, 1) if k % t == 0 and t % width == 0)
    # The block's threads copy the tiles of A and B together: each tile must have an
    # element (a vector) for each of them, as the loops bound to the threads must have the
    # block's extents (split gives a loop no more iterations than it has).
    block_rows, block_columns = rows * threads_y, columns * threads_x
    vectors = min(block_rows, block_columns) * k_tile // width
    together = m >= block_rows and n >= block_columns and vectors >= threads_y * threads_x
    return {
        "thread_rows": rows,
        "thread_columns": columns,
        "threads_y": threads_y,
        "threads_x": threads_x,
        "vector_width": width,
        "k_tile": k_tile,
        "unroll": k_tile,
        "shared": int(together and k > k_tile),
        "transposed_b": int(transposed_b(nest)),
    }


def conv2d_knobs(extents: list[int], gpu: Gpu) -> dict[str, KnobValue]:
    """Register tiles of 4 filters x 2 columns, threads over filters, rows and columns of a
    block; smaller where there would not be a block for each SM."""
    images, filters, height, width = extents[:4]

    def divisor(size: int, options: tuple[int, ...]) -> int:
        return next(o for o in options if size % o == 0)

    thread_filters = divisor(filters, (4, 2, 1))
    thread_columns = divisor(width, (2, 1))
    threads_x = min(divisor(width // thread_columns, (32, 28, 16, 14, 8, 7, 4, 2, 1)), 64)
    threads_y = next(t for t in (4, 2, 1) if t <= height)
    threads_f = max(1, min(THREADS // (threads_x * threads_y), filters // thread_filters))
    threads_f = 1 << (threads_f.bit_length() - 1)

    def blocks() -> int:
        return (
            images
            * -(-filters // (thread_filters * threads_f))
            * -(-height // threads_y)
            * -(-width // (thread_columns * threads_x))
        )

    while blocks() < gpu.multiprocessors and threads_f > 1:
        threads_f //= 2
    return {
        "thread_filters": thread_filters,
        "thread_rows": 1,
        "thread_columns": thread_columns,
        "threads_f": threads_f,
        "threads_y": threads_y,
        "threads_x": threads_x,
    }
