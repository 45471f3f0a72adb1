"""tuner/features.py: itervar features of a scheduled nest, counted by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ziggurat.ir_io import parse_module
from ziggurat.tuner.features import (
    GATHER,
    KINDS,
    LENGTH,
    LEVELS,
    PER_BUFFER,
    PER_LEVEL,
    PER_STATEMENT,
    SUMMARY,
    WIDTH,
    Featurizer,
    features,
    skeleton,
)
from ziggurat.tuner.space import Space

# C[i, j] = A[i, j] + B[j] over 4 x 8, rows in parallel, columns in vector lanes.
NEST = """
func.func @f(%A: memref<4x8xf32>, %B: memref<8xf32>, %C: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %a = memref.load %A[%i, %j] : memref<4x8xf32>
      %b = memref.load %B[%j] : memref<8xf32>
      %s = arith.addf %a, %b : f32
      %p = arith.mulf %s, %s : f32
      memref.store %p, %C[%i, %j] : memref<4x8xf32>
    } {loop.annotations = [#loop.vectorize<8>]}
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""


def log2p(x: float) -> float:
    return math.log2(x + 1)


def test_features_of_a_nest_counted_by_hand():
    function = next(iter(parse_module(NEST).ops))
    shape = skeleton(function)
    assert shape.kinds == ["parallel", "vectorize"] and shape.extents == [4, 8]
    vector = features(shape)
    assert vector.shape == (LENGTH,)
    level0, level1 = vector[0:PER_LEVEL], vector[PER_LEVEL : 2 * PER_LEVEL]
    # Level 0 is the innermost loop: 8 iterations, vectorized, 32 iterations in all.
    assert level0[0] == log2p(8) and level0[1 + KINDS.index("vectorize")] == 1
    assert level0[-1] == log2p(32)
    assert level1[0] == log2p(4) and level1[1 + KINDS.index("parallel")] == 1
    assert level1[-1] == log2p(4)
    buffers = PER_LEVEL * LEVELS
    c, a, b = (vector[buffers + n * PER_BUFFER : buffers + (n + 1) * PER_BUFFER] for n in range(3))
    # C and A use both loops: 8 then 32 elements, never reused; both contiguous.
    for buffer in (c, a):
        assert list(buffer[:4]) == [log2p(8), log2p(1), log2p(32), log2p(1)]
        assert buffer[2 * LEVELS] == log2p(32 * 4) and buffer[2 * LEVELS + 1] == 1
    # B uses j only: 8 elements, each read again for each of the 4 rows.
    assert list(b[:4]) == [log2p(8), log2p(1), log2p(8), log2p(4)]
    assert b[2 * LEVELS] == log2p(8 * 4)
    at = buffers + 4 * PER_BUFFER
    arithmetic = vector[at : at + 4]
    assert list(arithmetic) == [log2p(32), log2p(32), 0, 0]  # one add, one mul, per element
    summary = vector[at + 4 : PER_STATEMENT]
    assert len(summary) == SUMMARY
    # 8 lanes, one vector per row, a tile of 8 elements in one register, nothing unrolled,
    # 4 rows in parallel, 8 iterations each.
    assert list(summary[:7]) == [
        log2p(8),
        log2p(1),
        log2p(8),
        log2p(1),
        log2p(1),
        log2p(4),
        log2p(8),
    ]
    footprint, intensity = summary[7 : 7 + LEVELS], summary[7 + LEVELS : 7 + 2 * LEVELS]
    # In the j loop: 8 elements of C, A and B each (96 bytes) for 8 iterations of 2 ops;
    # in both loops: 32 of C and A, 8 of B (288 bytes) for 32 iterations.
    assert list(footprint[:3]) == [log2p(96), log2p(288), 0]
    assert intensity[0] == 16 / 96 and intensity[1] == 64 / 288 and intensity[2] == 0
    # Vector code, its three accesses contiguous: one vector of 8 lanes per row, 5
    # instructions each (3 accesses, 2 ops), 4 rows on one thread.
    code = summary[7 + 2 * LEVELS + 6 :]
    assert list(code) == [0, 1, 3, 0, 0, log2p(20)]
    assert vector[-6] == 1  # one parallel loop
    assert vector[-2] == 0  # no buffer allocated
    assert vector[-1] == log2p(20)  # the one statement's instructions


def test_features_against_the_target_counted_by_hand():
    function = next(iter(parse_module(NEST).ops))
    shape = skeleton(function)
    at = PER_LEVEL * LEVELS + 4 * PER_BUFFER + 4 + 7 + 2 * LEVELS
    resources = {"registers": 32, "vector_bytes": 64, "threads": 3, "l1": 128, "l2": 512}
    compared = features(shape, resources)[at:PER_STATEMENT]
    # One register of 32; 8 lanes of 4 bytes fill half a 64-byte vector; 8 columns in 8
    # lanes waste none; 4 rows on 3 threads take two rounds of 3 (4 of 6 busy); the j
    # loop's 96 bytes fit a 128-byte L1, both loops' 288 bytes a 512-byte L2.
    assert list(compared[:6]) == pytest.approx([1 / 32, 0.5, 0.0, 4 / 6, 1.0, 2.0])
    # 4 rows on 3 threads: the busiest runs 2 of them, 10 instructions.
    assert compared[-1] == pytest.approx(log2p(10))
    # A target that says nothing: zeros, and one thread's balance.
    assert list(features(shape)[at : at + 6]) == [0, 0, 0, 1, 0, 0]


def test_a_vector_tail_and_a_spilling_tile_counted_by_hand():
    # 4 x 12 in vectors of 8: the second vector of each row wastes 4 of its 8 lanes.
    function = next(
        iter(parse_module(NEST.replace("8", "12").replace("vectorize<12>", "vectorize<8>")).ops)
    )
    shape = skeleton(function)
    assert shape.extents == [4, 12] and shape.widths == [0, 8]
    at = PER_LEVEL * LEVELS + 4 * PER_BUFFER + 4 + 7 + 2 * LEVELS
    compared = features(shape, {"registers": 1, "threads": 2})[at:PER_STATEMENT]
    # A tile of 12 in 8 lanes: 1.5 vectors on 1 register; 4 of 16 lanes wasted; 4 rows
    # on 2 threads: all busy.
    assert list(compared[:4]) == pytest.approx([1.5, 0.0, 4 / 16, 1.0])


# C[i, j] = A[j, i] over 4 x 8 for j < 7: A read across its rows, under a guard on j or i.
GUARDED = """
func.func @g(%A: memref<8x4xf32>, %C: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %in = arith.cmpi slt, %j, %c7 : index
      scf.if %in {
        %a = memref.load %A[%j, %i] : memref<8x4xf32>
        memref.store %a, %C[%i, %j] : memref<4x8xf32>
      }
    } {loop.annotations = [#loop.vectorize<8>]}
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""


@pytest.mark.parametrize(
    "guard, code",
    [
        # A guard on j differs between lanes: scalar code, 8 x 2 accesses per row, 4 rows.
        ("%j", [1, 0, 1, 0, 1, log2p(4 * 8 * 2)]),
        # A guard on i runs all lanes or none: one vector per row, the store one instruction,
        # the gathered load 8 lanes of GATHER each.
        ("%i", [0, 1, 1, 0, 1, log2p(4 * (1 + GATHER * 8))]),
    ],
)
def test_a_lane_guard_and_a_gather_counted_by_hand(guard, code):
    text = GUARDED.replace("slt, %j", f"slt, {guard}")
    shape = skeleton(next(iter(parse_module(text).ops)))
    at = PER_LEVEL * LEVELS + 4 * PER_BUFFER + 4 + SUMMARY - 6
    assert list(features(shape)[at : at + 6]) == pytest.approx(code)


def test_formulas_give_the_features_the_interpreter_gives(matmul_task, target):
    space = Space.of(matmul_task, target)
    featurizer = Featurizer(matmul_task, space, target)
    rng = np.random.default_rng(3)
    configs = [space.sample(rng) for _ in range(30)]
    fast = featurizer.matrix(configs)
    for config, vector in list(zip(configs, fast, strict=True))[::3]:
        direct = Featurizer(matmul_task, space, target).skeleton_of(config)
        assert direct is not None
        np.testing.assert_allclose(features(direct, target.resources()), vector[:LENGTH])


def test_formulas_tell_loops_of_one_trip_from_others(matmul_task, target):
    """Tiles of one (the indices lose the tile's variable) and a single tile (its loop
    loses the parallel annotation) are structures of their own: formulas learnt on other
    tiles of the same tails gave their features wrong."""
    space = Space.of(matmul_task, target)
    rows, columns = matmul_task.extents[:2]
    featurizer = Featurizer(matmul_task, space, target)
    rng = np.random.default_rng(0)
    configs = [space.sample(rng) for _ in range(150)]
    fast = featurizer.matrix(configs)
    ones = [
        (config, vector)
        for config, vector in zip(configs, fast, strict=True)
        if {config["tile_rows"], config["tile_columns"]} & {1, rows, columns}
    ]
    assert len(ones) >= 8
    for config, vector in ones[:8]:
        direct = Featurizer(matmul_task, space, target).skeleton_of(config)
        assert direct is not None
        np.testing.assert_allclose(
            features(direct, target.resources()), vector[:LENGTH], err_msg=str(config)
        )


def convolution_task(target, channels=16, size=8):
    """The task of a 3x3 convolution, `channels` to `channels` on `size` x `size` pixels."""
    from onnx import TensorProto, helper, numpy_helper

    from ziggurat.tuner.tasks import extract_tasks

    shape = (channels, channels, 3, 3)
    weights = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])],
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, (1, channels, size, size))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (1, channels, size, size))],
        [numpy_helper.from_array(weights, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    (task,) = extract_tasks([model], target)
    return task


def test_formulas_give_the_features_the_interpreter_gives_on_a_convolution(target):
    """The convolution's space has hundreds of structures; those that share a shape share
    formulas (after one reading each): the features stay those read from the IR."""
    task = convolution_task(target, channels=24, size=14)
    space = Space.of(task, target)
    featurizer = Featurizer(task, space, target)
    rng = np.random.default_rng(5)
    configs = [space.sample(rng) for _ in range(60)]
    fast = featurizer.matrix(configs)
    assert featurizer.borrowed, "no structure borrowed another's formulas: the test tests nothing"
    # The candidates featurized without the interpreter, and a few that were read.
    checked = [c for c in configs if space.key(c) not in featurizer.read][:12] + configs[:3]
    assert len(checked) >= 8
    vectors = {space.key(c): v for c, v in zip(configs, fast, strict=True)}
    for config in checked:
        direct = Featurizer(task, space, target).skeleton_of(config)
        assert direct is not None
        np.testing.assert_allclose(
            features(direct, target.resources()),
            vectors[space.key(config)][:LENGTH],
            err_msg=str(config),
        )


def test_every_knob_of_the_convolution_schedule_reaches_the_knob_features(target):
    """conv2d.mlir has 12 knobs; the last ones (the pixels-in-lanes alternative's tile)
    once fell beyond the knob slots and never reached the model."""
    from ziggurat.tuner.features import KNOB_SLOTS

    task = convolution_task(target)
    space = Space.of(task, target)
    assert 8 < len(space.dimensions) <= KNOB_SLOTS
    featurizer = Featurizer(task, space, target)
    default = space.default()
    for slot, dimension in enumerate(space.dimensions):
        others = [o for o in dimension.options if o != default[dimension.name]]
        if not others:
            continue
        changed = featurizer.knob_features({**default, dimension.name: others[0]})
        assert changed[2 * slot] != featurizer.knob_features(default)[2 * slot], dimension.name


def test_provisional_features_need_no_reading_and_are_not_kept(target):
    """A candidate of a structure not read yet borrows the nearest read structure's formulas
    (the search's scores); its exact features come from its own reading later."""
    task = convolution_task(target, channels=24, size=14)
    space = Space.of(task, target)
    featurizer = Featurizer(task, space, target)
    default = space.default()
    featurizer(default)
    # Filter blocks of 5 leave a tail of 4 of 24 filters: a structure of its own.
    config = space.canonical({**default, "filter_block": 5})
    assert featurizer.structure(config) not in featurizer.formulas
    reads = len(featurizer.read)
    provisional = featurizer(config, provisional=True)
    assert len(featurizer.read) == reads and space.key(config) not in featurizer.cache
    assert provisional.shape == (WIDTH,)
    # The knob features are the candidate's own; the IR's, the default's formulas (the one
    # structure read) under its knobs.
    nearest = featurizer.formulas[featurizer.structure(default)]
    counts = nearest.counts(config, guess=True)
    assert counts is not None
    np.testing.assert_allclose(
        provisional[:LENGTH], features(nearest.skeleton.with_counts(counts), target.resources())
    )
    exact = featurizer(config)
    assert len(featurizer.read) > reads
    np.testing.assert_array_equal(provisional[LENGTH:], exact[LENGTH:])
    # Of a structure read: the same as the exact features.
    np.testing.assert_array_equal(featurizer(default, provisional=True), featurizer(default))


def test_every_schedule_file_fits_the_knob_slots():
    """A knob beyond the slots would never reach the model (the slots are cut, not grown):
    every target's schedule files declare at most KNOB_SLOTS knobs and alternatives."""
    from pathlib import Path

    from ziggurat.tuner.features import KNOB_SLOTS

    files = sorted((Path(__file__).parents[2] / "targets").glob("*/schedules/*.mlir"))
    assert len(files) > 10
    for file in files:
        text = file.read_text()
        tunables = text.count("transform.tune.knob<") + text.count("transform.tune.alternatives<")
        assert tunables <= KNOB_SLOTS, file.name
