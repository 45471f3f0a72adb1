"""Level detection, the default pipeline strings, and compiling with and without fusion."""

import numpy as np
import pytest
from xdsl.dialects import memref
from xdsl.parser import Parser

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.te import ComputeOp
from ziggurat.pipeline import level_of, lower, pipeline_between
from ziggurat.reference import evaluate
from ziggurat.registry import make_context

TE_MODULE = """
func.func @relu(%X: tensor<7xf32>) -> tensor<7xf32> {
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<7xf32>
}
"""

LOOP_MODULE = """
func.func @scale(%A: memref<7xf32>) {
  %c0 = arith.constant 0 : index
  %c7 = arith.constant 7 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c7 step %c1 {
    %a = memref.load %A[%i] : memref<7xf32>
    %b = arith.addf %a, %a : f32
    memref.store %b, %A[%i] : memref<7xf32>
  }
  func.return
}
"""


def parse(text: str):
    return Parser(make_context(), text).parse_module()


def test_level_of_te_and_loop_modules():
    assert level_of(parse(TE_MODULE)) == "te"
    assert level_of(parse(LOOP_MODULE)) == "loop"


def test_pipeline_between_levels():
    assert pipeline_between("te", "loop").endswith(
        'te-to-loop,apply-default-schedules{target="cpu"}'
    )
    assert "graph-to-te" in pipeline_between("graph", "loop")
    assert pipeline_between("loop", "loop") == ""
    assert pipeline_between("loop", "llvm").endswith("lower-allocations,loop-to-llvm")


def test_the_pipeline_asks_the_target():
    spec = pipeline_between("graph", "llvm", "cpu{mcpu=znver2 threads=4}")
    assert 'apply-default-schedules{target="cpu{mcpu=znver2 threads=4}"}' in spec
    assert "pack-weights" in spec  # the CPU's graph pass
    with pytest.raises(ZigguratError, match="unknown target 'tpu'"):
        pipeline_between("graph", "loop", "tpu")
    with pytest.raises(ZigguratError, match="unknown level 'ptx'"):
        pipeline_between("graph", "ptx")


def test_cannot_raise_a_module():
    with pytest.raises(ZigguratError, match="cannot raise"):
        pipeline_between("loop", "graph")


def test_graph_passes_run_in_order_and_fusion_comes_last():
    steps = pipeline_between("graph", "te").split(",")
    order = ["fold-constants", "fold-batch-norm", "cse", "dce", "fuse-ops", "graph-to-te"]
    assert [s for s in steps if s in order] == order
    assert pipeline_between("te", "loop").split(",")[0] == "te-inline"


def test_fuse_false_leaves_the_fusion_passes_out():
    fused = pipeline_between("graph", "loop").split(",")
    unfused = pipeline_between("graph", "loop", fuse=False).split(",")
    assert "fuse-ops" in fused and "te-inline" in fused
    assert unfused == [s for s in fused if s not in ("fuse-ops", "te-inline")]


CONV_BLOCK = """
func.func @main(%x: tensor<1x4x9x9xf32>) -> tensor<1x8x9x9xf32> {
  %w = graph.constant dense<0.125> : tensor<8x4x3x3xf32>
  %b = graph.constant dense<[0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4]> : tensor<8xf32>
  %s = graph.constant dense<2.0> : tensor<8xf32>
  %beta = graph.constant dense<0.5> : tensor<8xf32>
  %m = graph.constant dense<0.25> : tensor<8xf32>
  %v = graph.constant dense<4.0> : tensor<8xf32>
  %y = graph.conv2d %x, %w, %b padding [1, 1, 1, 1] : (tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x9x9xf32>
  %n = graph.batch_norm %y, %s, %beta, %m, %v : (tensor<1x8x9x9xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x9x9xf32>
  %r = graph.relu %n : tensor<1x8x9x9xf32>
  func.return %r : tensor<1x8x9x9xf32>
}
"""


def test_the_default_pipeline_folds_fuses_and_keeps_the_numbers():
    module = parse(CONV_BLOCK)
    x = np.random.default_rng(2).standard_normal((1, 4, 9, 9)).astype(np.float32)
    (expected,) = evaluate(module, "main", [x])
    for fuse in (True, False):
        (actual,) = ziggurat.compile(module, fuse=fuse)(x)
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    te_level = lower(module.clone(), "te")
    names = [op.compute_name.data for op in te_level.walk() if isinstance(op, ComputeOp)]
    assert names == ["conv2d", "bias_add", "relu"]  # the batch norm is folded
    fused = lower(module.clone(), "loop")
    unfused = lower(module.clone(), "loop", fuse=False)
    # Intermediate tensors in memory; the default schedules' local tiles do not count.
    assert intermediates(fused) == 0
    assert intermediates(unfused) == 2


def intermediates(module) -> int:
    return sum(
        isinstance(op, memref.AllocOp) and "#loop.scope<local>" not in str(op.memref.type)
        for op in module.walk()
    )
