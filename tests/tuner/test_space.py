"""tuner/space.py: knobs and alternatives read from the schedule, narrowed to the nest."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import choices
from ziggurat.ir_io import parse_module
from ziggurat.tuner.space import Space, narrow_split


def test_split_options_are_divisors_and_a_few_tails():
    assert narrow_split(list(range(1, 17)), 12) == [1, 2, 3, 4, 5, 6, 7, 8, 12]
    # 9, 10, 11 waste more of a guarded last step than 5, 7, 8 do: left out.
    assert narrow_split([64, 128], 12) == []


def test_the_space_of_a_matmul(matmul_task, target):
    space = Space.of(matmul_task, target)
    dimensions = {d.name: d for d in space.dimensions}
    assert dimensions["tile_rows"].options == [1, 2, 3, 4, 5, 6, 7, 8, 12]
    assert dimensions["tile_columns"].splits == 24
    assert max(dimensions["tile_columns"].options) <= 24
    assert dimensions["vector_width"].options == [2, 4, 8, 16]
    assert dimensions["pack"].alternatives and dimensions["pack"].options == [0, 1, 2]
    assert space.default() == space.canonical(matmul_task.default)
    assert space.valid(space.default())


def test_sample_neighbour_and_encoding(matmul_task, target):
    space = Space.of(matmul_task, target)
    rng = np.random.default_rng(0)
    for _ in range(50):
        config = space.sample(rng)
        assert space.valid(config)
        assert space.decode(space.encode(config)) == config
        neighbour = space.neighbour(config, rng)
        assert sum(neighbour[n] != config[n] for n in config) == 1


def test_a_configuration_prints_as_its_concrete_schedule(matmul_task, target):
    space = Space.of(matmul_task, target)
    config = {**space.default(), "tile_rows": 3, "pack": 2}
    module = parse_module(space.schedule_text(config))
    fixed = {k.name: k.value for k in choices(module)}
    assert fixed["tile_rows"] == 3 and fixed["pack"] == 2
    assert all(k.value is not None for k in choices(module))


ELEMENTWISE = """transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %outer, %inner = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.tune.alternatives<"split"> selected_region = 1 {
    %chunk = transform.tune.knob<"chunk"> = 1024 from options = [256, 1024] -> !transform.param<i64>
    %a, %b = transform.schedule.split %inner by %chunk : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
"""


def test_a_knob_that_fits_nothing_drops_its_region(matmul_task, target):
    space = Space.of(matmul_task, target, ELEMENTWISE)
    split = next(d for d in space.dimensions if d.name == "split")
    assert split.options == [1]  # the region with the chunk knob cannot be used
    assert space.default()["split"] == 1


def test_a_knob_outside_alternatives_that_fits_nothing_is_an_error(matmul_task, target):
    unfit = """transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %i, %j, %k = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %t = transform.tune.knob<"tile"> = 64 from options = [64, 128] -> !transform.param<i64>
  %a, %b = transform.schedule.split %i by %t : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.yield
}
"""
    with pytest.raises(ZigguratError, match="knob 'tile' has no option that fits"):
        Space.of(matmul_task, target, unfit)


def test_a_schedule_without_knobs_is_an_error(matmul_task, target):
    plain = """transform.named_sequence @__transform_main(%root: !transform.any_op) {
  transform.yield
}
"""
    with pytest.raises(ZigguratError, match="no knob or alternatives to tune"):
        Space.of(replace(matmul_task), target, plain)


def test_knobs_of_an_unselected_region_do_not_make_new_configurations(matmul_task, target):
    space = Space.of(replace(matmul_task, extents=[1, 1, 4096]), target, ELEMENTWISE)
    configs = space.enumerate()
    assert len(configs) == 3  # split=0 with two chunks, split=1 once
