"""targets/cpu/knobs.py: the default schedules' knobs follow the shapes and the CPU — its
vector lanes, its registers (32 on AVX-512, 16 on AVX2) and its threads."""

from __future__ import annotations

import dataclasses

import pytest
from xdsl.dialects import scf

from ziggurat.analysis.nests import recognize
from ziggurat.dialects.schedule import knobs
from ziggurat.ir_io import parse_module
from ziggurat.passes.scheduling.apply_default_schedules import schedule
from ziggurat.targets.cpu.host import describe_cpu
from ziggurat.targets.cpu.knobs import (
    conv2d_knobs,
    conv2d_nchwc_knobs,
    copied_blocks,
    filter_block,
    grouped_conv2d_knobs,
    matmul_knobs,
    pool_knobs,
    row_tile,
    tile_columns,
    tile_rows,
    widened_block,
)
from ziggurat.targets.target import target_named

# Caches fixed (48 KiB L1d, 2 MiB L2, as on the Intel hosts), not read from this host, so
# the knobs below do not change with the machine the tests run on.
AVX512 = dataclasses.replace(describe_cpu("skylake-avx512", threads=2), l1d=48 << 10, l2=2 << 20)
AVX2 = dataclasses.replace(describe_cpu("znver2", threads=2), l1d=32 << 10, l2=512 << 10)


def test_the_cpus_differ_in_lanes_and_registers():
    assert (AVX512.vector_bits, AVX512.registers, AVX512.lanes(4)) == (512, 32, 16)
    assert (AVX2.vector_bits, AVX2.registers, AVX2.lanes(4), AVX2.lanes(8)) == (256, 16, 8, 4)
    narrowed = describe_cpu("skylake-avx512", 256)
    assert (narrowed.registers, narrowed.lanes(4)) == (16, 8)
    assert "-avx512f" in narrowed.features


def test_filter_blocks_do_the_most_lanes_per_vector_op():
    # 16 where it divides; else the divisor up to 32 whose vectors of 16, 8 and 4 lanes
    # (and scalars) do the most lanes each: 24 = 16 + 8, 29 = 16 + 8 + 4 + 1, not 4.
    blocks = [filter_block(f, 16) for f in (64, 32, 24, 116, 232, 40, 3)]
    assert blocks == [16, 16, 24, 29, 8, 20, 3]
    assert conv2d_knobs([1, 116, 14, 14, 116, 1, 1], AVX512, 16, True)["tile_columns"] == 7
    # With 8 lanes: up to 16 filters, in vectors of 8 and 4.
    assert [filter_block(f, 8) for f in (64, 24, 116, 40, 3)] == [8, 8, 4, 8, 3]


def test_a_row_without_a_good_divisor_gets_a_guarded_last_tile():
    assert [row_tile(w, 14) for w in (56, 13, 27, 109, 149, 17)] == [14, 13, 9, 11, 10, 9]


def test_register_tiles_fit_the_registers():
    # AVX-512: 8 rows by two vectors of 16 (16 accumulators of 32 registers).
    assert tile_columns(512, 16) == 32
    assert tile_columns(13, 16) == 13
    assert tile_columns(100, 16) == 50  # 3 vectors and 2 lanes of one more, per row
    assert tile_rows(64, 32, 16, AVX512) == 8
    assert tile_rows(7, 32, 16, AVX512) == 7
    # As few tiles as the accumulators allow, each as short as that count allows: 13 rows
    # of four vectors in tiles of 4 (the last guarded), 10 of two in 5 and 5, 97 in 8s.
    assert tile_rows(13, 64, 16, AVX512) == 4
    assert tile_rows(10, 32, 16, AVX512) == 5
    assert tile_rows(97, 32, 16, AVX512) == 8
    # One vector a row: up to 14 rows (the last tile of 1024 guarded).
    assert tile_rows(1024, 16, 16, AVX512) == 14
    # AVX2: 6 rows by two vectors of 8 (12 accumulators of 16 registers), BLIS's shape,
    # where 6 does not divide the rows too (1024: a guarded last tile of 4).
    assert tile_columns(512, 8) == 16
    assert tile_rows(1020, 16, 8, AVX2) == 6
    assert tile_rows(1024, 16, 8, AVX2) == 6
    # A convolution's row tile holds a block of filters per pixel: fewer pixels with 16.
    assert conv2d_knobs([1, 64, 56, 56, 64, 3, 3], AVX512, 16, True)["tile_columns"] == 14
    assert conv2d_knobs([1, 64, 56, 56, 64, 3, 3], AVX2, 8, True)["tile_columns"] == 8


def test_weights_that_crowd_the_cache_are_read_a_filter_block_at_a_time():
    # The caches fixed (they are the host's): 2 MiB of L2, so 256 KiB of weights crowd it.
    cpu = dataclasses.replace(AVX512, l2=2 << 20)
    # 512 x 512 3x3 weights (9 MiB) on 7x7: filter blocks outside the rows, the blocks over
    # the threads, each block's weights copied into one run (the weights outgrow the L2);
    # 64 x 64 (147 KiB) as before (rows over the threads, in chunks).
    deep = conv2d_knobs([1, 512, 7, 7, 512, 3, 3], cpu, 16, True)
    assert (deep["filters_outside"], deep["pack_weights"], deep["parallel"]) == (1, 2, 3)
    shallow = conv2d_knobs([1, 64, 56, 56, 64, 3, 3], cpu, 16, True)
    assert (shallow["filters_outside"], shallow["pack_weights"], shallow["parallel"]) == (0, 1, 4)
    # 128 x 128 3x3 (576 KiB) and 256 -> 512 1x1 (512 KiB, rows 2 KiB apart): the L2 holds
    # them, each block read in place.
    middle = conv2d_knobs([1, 128, 28, 28, 128, 3, 3], cpu, 16, True)
    assert (middle["filters_outside"], middle["pack_weights"], middle["parallel"]) == (1, 1, 3)
    near = conv2d_knobs([1, 512, 7, 7, 256, 1, 1], cpu, 16, True)
    assert (near["filters_outside"], near["pack_weights"]) == (1, 1)
    # 2048 filters put the rows 8 KiB apart, onto few cache sets: copied.
    wide = conv2d_knobs([1, 2048, 7, 7, 512, 1, 1], cpu, 16, True)
    assert (wide["filters_outside"], wide["pack_weights"], wide["parallel"]) == (1, 2, 3)
    assert copied_blocks(1024, 4 << 10, 4, cpu) == 1 and copied_blocks(1025, 4 << 10, 4, cpu) == 2
    # Weights that fill half the L2 (1024 -> 512 1x1, 2 MiB; 1024 -> 256, 1 MiB) are copied.
    assert copied_blocks(512, (1 << 20) - 4, 4, cpu) == 1
    assert copied_blocks(512, 1 << 20, 4, cpu) == 2
    assert copied_blocks(512, (1 << 20) - 4, 4, dataclasses.replace(cpu, l2=1 << 20)) == 2
    pointwise = conv2d_knobs([1, 512, 14, 14, 1024, 1, 1], cpu, 16, True)
    assert (pointwise["filters_outside"], pointwise["pack_weights"]) == (1, 2)
    # 32 -> 128 3x3 (144 KiB) crowd an L2 of 1 MiB (AMD Zen 4's), not one of 2 MiB: read a
    # filter block at a time (four blocks of 32 for two threads).
    small_l2 = conv2d_knobs(
        [1, 128, 56, 56, 32, 3, 3], dataclasses.replace(cpu, l2=1 << 20), 16, True
    )
    assert (small_l2["filters_outside"], small_l2["pack_weights"], small_l2["parallel"]) == (
        1,
        1,
        3,
    )
    assert conv2d_knobs([1, 128, 56, 56, 32, 3, 3], cpu, 16, True)["filters_outside"] == 0
    # Weights not laid out with the filters innermost are packed whole, as before.
    unpacked = conv2d_knobs([1, 512, 7, 7, 512, 3, 3], cpu, 16, False)
    assert (unpacked["filters_outside"], unpacked["pack_weights"]) == (0, 0)


def test_few_filters_pack_the_image_a_chunk_of_rows_at_a_time():
    # 64 3x3 filters on 56x56: four chunks of rows for each thread (8 of 7 rows on two
    # threads, 4 of 14 on one), each packing its 9 or 16 rows in the rows' parallel loop.
    chunks = conv2d_knobs([1, 64, 56, 56, 64, 3, 3], AVX512, 16, True)
    assert (chunks["parallel"], chunks["row_chunk"]) == (4, 7)
    one = conv2d_knobs([1, 64, 56, 56, 64, 3, 3], dataclasses.replace(AVX512, threads=1), 16, True)
    assert (one["parallel"], one["row_chunk"]) == (4, 14)
    # AVX2 as AVX-512 with as large an L2 (with Zen 2's 512 KiB, the weights crowd it).
    avx2 = conv2d_knobs([1, 64, 56, 56, 64, 3, 3], dataclasses.replace(AVX2, l2=2 << 20), 8, True)
    assert (avx2["parallel"], avx2["row_chunk"]) == (4, 7)
    # 7 rows do not split evenly over two threads; 128 3x3 filters copy too small a share
    # of their work; 15 rows make no even chunks; a 1x1 convolution copies no padding.
    assert conv2d_knobs([1, 64, 7, 7, 64, 3, 3], AVX512, 16, True)["parallel"] == 0
    assert conv2d_knobs([1, 128, 56, 56, 32, 3, 3], AVX512, 16, True)["parallel"] == 0
    assert conv2d_knobs([1, 256, 56, 56, 64, 1, 1], AVX512, 16, True)["parallel"] == 0
    # The 7x7 stem's 3 channels are fewer than the 8 chunks the copy's loop would make.
    stem = conv2d_knobs([1, 64, 112, 112, 3, 7, 7], AVX512, 16, True)
    assert (stem["parallel"], stem["row_chunk"]) == (4, 14)
    assert conv2d_knobs([1, 64, 112, 112, 8, 7, 7], AVX512, 16, True)["parallel"] == 0
    assert conv2d_knobs([1, 64, 15, 15, 64, 3, 3], AVX512, 16, True)["parallel"] == 0
    # A chunk's image (every channel of its rows and the window's) stays in a quarter of
    # the L2: 9 rows of 512 channels of 58 pixels (1 MiB) do not.
    assert conv2d_knobs([1, 64, 56, 56, 512, 3, 3], AVX512, 16, True)["parallel"] == 0


def test_filter_blocks_widen_to_two_vectors_where_the_registers_hold_them():
    # 7 pixels by one vector of filters are 7 accumulators, too few to hide the FMAs'
    # latency, and 14 pixels by one vector load a broadcast for each FMA: AVX-512 takes two
    # vectors (7 x 32 in 14 accumulators, 14 x 32 in 28 of 28).
    deep = conv2d_knobs([1, 512, 7, 7, 512, 3, 3], AVX512, 16, True)
    assert (deep["filter_block"], deep["tile_columns"]) == (32, 7)
    assert conv2d_knobs([1, 2048, 7, 7, 512, 1, 1], AVX512, 16, True)["filter_block"] == 32
    wide = conv2d_knobs([1, 64, 56, 56, 64, 3, 3], AVX512, 16, True)
    assert (wide["filter_block"], wide["tile_columns"]) == (32, 14)
    assert conv2d_knobs([1, 256, 14, 14, 256, 3, 3], AVX512, 16, True)["filter_block"] == 32
    # AVX2's 12 registers cannot hold 7 x 2 vectors, nor AVX-512's 28 a tile of 16 pixels
    # by 32 filters (32 vectors).
    assert conv2d_knobs([1, 512, 7, 7, 512, 3, 3], AVX2, 8, True)["filter_block"] == 8
    assert widened_block(16, 16, 64, 16, 28) == 16
    # Filters that do not split into two whole vectors keep their block (24: 7 x 24).
    assert widened_block(24, 7, 24, 16, 28) == 24
    assert widened_block(16, 7, 48, 16, 28) == 16
    assert widened_block(16, 7, 64, 16, 28) == 32


def test_pointwise_convolutions_on_wide_rows_vectorize_pixels():
    # MobileNetV2's 1x1 expansion on 56x56: 6 filters by 56 pixels (4 vector ops: 24
    # accumulators); on 14x14 rows the filters stay in vector lanes.
    wide = conv2d_knobs([1, 144, 56, 56, 24, 1, 1], AVX512, 16, True, 4, True)
    assert (wide["vectorize_pixels"], wide["filter_rows"], wide["pixel_columns"]) == (1, 6, 56)
    # ResNet-50's 64 -> 256 on 56x56 (64 KiB of weights) too; not 256 -> 512 on 28x28,
    # whose 512 KiB every row would read again, a few filters at a time.
    assert conv2d_knobs([1, 256, 56, 56, 64, 1, 1], AVX512, 16, True, 4, True)["vectorize_pixels"]
    deep = conv2d_knobs([1, 512, 28, 28, 256, 1, 1], AVX512, 16, True, 4, True)
    assert (deep["vectorize_pixels"], deep["filter_block"]) == (0, 32)
    narrow = conv2d_knobs([1, 576, 14, 14, 96, 1, 1], AVX512, 16, True, 4, True)
    assert narrow["vectorize_pixels"] == 0
    assert conv2d_knobs([1, 64, 56, 56, 64, 3, 3], AVX512, 16, True)["vectorize_pixels"] == 0


def matmul_nest(kernels, m: int, n: int, k: int):
    module = parse_module(kernels.matmul_ir(m, n, k))
    root = next(op for op in module.walk() if isinstance(op, scf.ForOp))
    return recognize(root, root.parent_op())  # type: ignore[arg-type]


@pytest.mark.parametrize("cpu", [AVX512, AVX2], ids=["avx512", "avx2"])
def test_the_schedule_files_are_search_spaces_the_knobs_fit(cpu, kernels):
    target = target_named("cpu")
    for name in (
        "matmul.mlir",
        "batch_matmul.mlir",
        "conv2d.mlir",
        "grouped_conv2d.mlir",
        "pool.mlir",
        "elementwise.mlir",
    ):
        space = dict(knobs(schedule(target, name)))
        assert space, name
    options = dict(knobs(schedule(target, "matmul.mlir")))
    lanes = cpu.lanes(4)
    for m, n in ((1, 1), (7, 13), (512, 512), (97, 1000)):
        nest = matmul_nest(kernels, m, n, 5)
        assert nest is not None and nest.kind == "matmul"
        values = matmul_knobs(nest, cpu, lanes, m, n, 5) | {"vector_width": lanes}
        for knob, value in values.items():
            assert value in options[knob], (m, n, knob, value)


def pool_nest(shape: tuple[int, int, int, int], strides: int, global_pool: bool = False):
    """The loop nest of an ONNX max-pool (3x3, padding 1) or global average pool."""
    from onnx import TensorProto, helper

    import ziggurat
    from ziggurat.ir_io import pass_pipeline
    from ziggurat.pipeline import lower
    from ziggurat.registry import make_context

    if global_pool:
        node = helper.make_node("GlobalAveragePool", ["x"], ["y"])
        out = (*shape[:2], 1, 1)
    else:
        node = helper.make_node(
            "MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[strides] * 2, pads=[1] * 4
        )
        out = (*shape[:2], *((size - 1) // strides + 1 for size in shape[2:]))
    graph = helper.make_graph(
        [node],
        "pool",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out)],
    )
    module = lower(ziggurat.load_module(helper.make_model(graph)), "te", "cpu")
    pass_pipeline("te-inline,te-to-loop").apply(make_context(), module)
    root = next(op for op in module.walk() if isinstance(op, scf.ForOp))
    return recognize(root, root.parent_op())  # type: ignore[arg-type]


def conv_nest(shape: tuple[int, int, int, int], strides: int, group: int, filters: int):
    """The loop nest of an ONNX 3x3 grouped convolution (padding 1) of `filters` filters."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    import ziggurat
    from ziggurat.ir_io import pass_pipeline
    from ziggurat.pipeline import lower
    from ziggurat.registry import make_context

    weight = np.ones((filters, shape[1] // group, 3, 3), np.float32)
    node = helper.make_node(
        "Conv", ["x", "w"], ["y"], strides=[strides] * 2, pads=[1] * 4, group=group
    )
    out = (shape[0], filters, *((size - 1) // strides + 1 for size in shape[2:]))
    graph = helper.make_graph(
        [node],
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out)],
        [numpy_helper.from_array(weight, "w")],
    )
    module = lower(ziggurat.load_module(helper.make_model(graph)), "te", "cpu")
    pass_pipeline("te-inline,te-to-loop").apply(make_context(), module)
    root = next(op for op in module.walk() if isinstance(op, scf.ForOp))
    return recognize(root, root.parent_op())  # type: ignore[arg-type]


def test_depthwise_convolutions_on_short_rows_run_channels_in_lanes():
    # MobileNetV2's 960 channels on 7x7, and 576 at stride 2 to 7x7: a tile of the row's 7
    # pixels by two vectors of channels (14 accumulators of 28) on AVX-512; AVX2's 8 lanes
    # hold no more than a row of 4 (a 7x7 map stays in rows). Rows of 14 stay in lanes
    # (vectorized at stride 2 too), as do grouped convolutions of several channels each, and
    # two filters for each channel.
    seven = grouped_conv2d_knobs(conv_nest((1, 960, 7, 7), 1, 960, 960), AVX512, 16)
    assert seven == {
        "channels_in_lanes": 1,
        "channel_block": 32,
        "pixel_tile": 7,
        "lane_parallel": 0,
    }
    strided = grouped_conv2d_knobs(conv_nest((1, 576, 14, 14), 2, 576, 576), AVX512, 16)
    assert (strided["channels_in_lanes"], strided["pixel_tile"]) == (1, 7)
    assert grouped_conv2d_knobs(conv_nest((1, 960, 7, 7), 1, 960, 960), AVX2, 8) == {
        "channels_in_lanes": 0,
        "tile_columns": 7,
        "vectorize": 0,
        "parallel": 0,
    }
    rows = grouped_conv2d_knobs(conv_nest((1, 192, 28, 28), 2, 192, 192), AVX512, 16)
    assert (rows["channels_in_lanes"], rows["tile_columns"], rows["vectorize"]) == (0, 14, 0)
    groups = grouped_conv2d_knobs(conv_nest((1, 64, 7, 7), 1, 16, 16), AVX512, 16)
    assert groups["channels_in_lanes"] == 0
    doubled = grouped_conv2d_knobs(conv_nest((1, 64, 7, 7), 1, 64, 128), AVX512, 16)
    assert doubled["channels_in_lanes"] == 0


def test_windowed_pools_get_a_row_tile_and_global_ones_threads():
    # ResNet's 3x3/2 max-pool, 112 -> 56: the row, as a unit-stride pool's (vectorize-loops
    # deinterleaves every other pixel); a 3x3/3 pool, 100 -> 34: a divisor of the row up to
    # two vectors, for LLVM's vectorizer; a 3x3/1 pool on 57: the row, whole vectors and a
    # rest, as a depthwise convolution's; a global pool as before.
    strided = pool_knobs(pool_nest((1, 64, 112, 112), 2), AVX512, 16)
    assert strided == {"windowed": 1, "tile_columns": 56, "window_parallel": 0}
    wider = pool_knobs(pool_nest((1, 8, 100, 100), 3), AVX512, 16)
    assert (wider["windowed"], wider["tile_columns"]) == (1, 17)
    unit = pool_knobs(pool_nest((1, 32, 57, 57), 1), AVX512, 16)
    assert (unit["windowed"], unit["tile_columns"]) == (1, 57)
    assert pool_knobs(pool_nest((1, 512, 7, 7), 1, True), AVX512, 16)["windowed"] == 0


def test_blocked_convolutions_tile_a_row_by_their_channel_block():
    # Extents (n, c, y, x, cb, rc, ry, rx, rcb). ResNet's last stage: 16 blocks of 32
    # filters over the two threads outside the rows, a tile of the 7-pixel row (14 of 28
    # accumulators).
    deep = conv2d_nchwc_knobs([1, 16, 7, 7, 32, 16, 3, 3, 32], AVX512, 16)
    assert deep == {"tile_columns": 7, "blocks_outside": 0, "parallel": 0}
    # One vector of 16 channels a pixel: up to 14 pixels of a row of 30 (tiles of 10).
    assert conv2d_nchwc_knobs([1, 16, 7, 30, 16, 16, 1, 1, 32], AVX512, 16)["tile_columns"] == 10
    # One block: rows over the threads, outside the blocks; several images: the images.
    single = conv2d_nchwc_knobs([1, 1, 7, 7, 32, 16, 3, 3, 32], AVX512, 16)
    assert (single["blocks_outside"], single["parallel"]) == (1, 1)
    assert conv2d_nchwc_knobs([4, 16, 7, 7, 32, 16, 3, 3, 32], AVX512, 16)["parallel"] == 3
    # Little work: no threads.
    assert conv2d_nchwc_knobs([1, 1, 3, 3, 8, 1, 1, 1, 8], AVX512, 16)["parallel"] == 2
    # AVX2: two vectors of 8 a pixel, 12 registers: 6 pixels.
    assert conv2d_nchwc_knobs([1, 16, 7, 12, 16, 16, 3, 3, 16], AVX2, 8)["tile_columns"] == 6
