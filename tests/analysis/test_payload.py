"""Navigating the payload: the band of a stage, and what a value is computed from (the one
use-def walk: a value's sources, the ivs it uses, a padded read's raw indices)."""

from __future__ import annotations

from xdsl.dialects import memref, scf
from xdsl.ir import SSAValue

from ziggurat.analysis.payload import (
    axis_name,
    band,
    computed_from,
    ivs_of,
    padded_read,
    reduction_epilogue,
)
from ziggurat.ir_io import parse_module, pass_pipeline
from ziggurat.registry import make_context

# A padded 1-d window sum with a relu epilogue, as graph-to-te and te-inline write it.
PADDED = """
func.func @window(%X: tensor<8xf32>) -> tensor<8xf32> {
  %S = te.compute "window" (%X) axes ["i"] reduce sum ["r" = 3]
         init 0.000000e+00 : f32 : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%i: index, %r: index):
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %c7 = arith.constant 7 : index
    %pad = arith.constant 0.000000e+00 : f32
    %at = arith.addi %i, %r : index
    %raw = arith.subi %at, %c1 : index
    %low = arith.maxsi %raw, %c0 : index
    %clamped = arith.minsi %low, %c7 : index
    %x = te.read %X[%clamped] : tensor<8xf32>
    %above = arith.cmpi sge, %raw, %c0 : index
    %below = arith.cmpi sle, %raw, %c7 : index
    %inside = arith.andi %above, %below : i1
    %v = arith.select %inside, %x, %pad : f32
    te.yield %v : f32
  }
  func.return %S : tensor<8xf32>
}
"""


def loop_level() -> tuple[list[scf.ForOp], dict[str, SSAValue]]:
    module = parse_module(PADDED)
    pass_pipeline("te-to-loop").apply(make_context(), module)
    root = next(op for op in module.walk() if isinstance(op, scf.ForOp))
    named = {v.name_hint: v for op in module.walk() for v in op.results if v.name_hint is not None}
    return band(root), named


def test_the_band_runs_down_to_the_reduction():
    loops, _ = loop_level()
    assert [axis_name(loop) for loop in loops] == ["i", "r"]
    store = next(op for op in loops[0].walk() if isinstance(op, memref.StoreOp))
    assert reduction_epilogue(loops[0], loops[1]) == [store]


def test_what_a_value_is_computed_from():
    (i_loop, r_loop), named = loop_level()
    i, r = i_loop.body.block.args[0], r_loop.body.block.args[0]
    sources = computed_from(named["clamped"], r_loop)
    assert {named["raw"], named["at"], i, r} <= sources
    # Outside `within` the walk stops: %i is a source, its loop's bounds are not.
    assert i_loop.ub not in sources
    # It does not look past `stop`.
    assert r not in computed_from(named["clamped"], r_loop, stop={named["raw"]})
    assert ivs_of(named["clamped"], i_loop) == {i, r}
    assert ivs_of(named["clamped"], r_loop) == {r}


def test_a_padded_read_depends_on_the_loops_only_through_its_raw_index():
    (i_loop, _), named = loop_level()
    load = next(op for op in i_loop.walk() if isinstance(op, memref.LoadOp))
    read = padded_read(load, i_loop)
    assert read is not None
    assert read.raw == (named["raw"],) and read.clamped == (True,)
