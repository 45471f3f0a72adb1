"""te-inline (with te-to-loop's compute at consumer): a fused group is one loop nest with no
intermediate buffer where it can be, and its numbers stay those of numpy."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import ModuleOp

import ziggurat
from ziggurat.dialects.te import ComputeOp
from ziggurat.ir_io import parse_module, pass_pipeline, verify_module
from ziggurat.passes.te.te_inline import COMPUTE_AT_CONSUMER
from ziggurat.reference import evaluate
from ziggurat.registry import make_context

CASES = {
    "conv2d_bias_relu": """
func.func @main(%x: tensor<1x5x9x7xf32>, %w: tensor<6x5x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x5x4xf32> {
  %y = graph.conv2d %x, %w, %b strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x5x9x7xf32>, tensor<6x5x3x3xf32>, tensor<6xf32>) -> tensor<1x6x5x4xf32>
  %r = graph.relu %y : tensor<1x6x5x4xf32>
  func.return %r : tensor<1x6x5x4xf32>
}""",
    "dense_bias_sigmoid": """
func.func @main(%a: tensor<3x10xf32>, %b: tensor<7x10xf32>, %c: tensor<7xf32>) -> tensor<3x7xf32> {
  %y = graph.dense %a, %b, %c trans_b alpha 0.5 beta 2.0 : (tensor<3x10xf32>, tensor<7x10xf32>, tensor<7xf32>) -> tensor<3x7xf32>
  %r = graph.sigmoid %y : tensor<3x7xf32>
  func.return %r : tensor<3x7xf32>
}""",
    "avg_pool_tanh": """
func.func @main(%x: tensor<2x3x7x7xf32>) -> tensor<2x3x4x4xf32> {
  %p = graph.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : (tensor<2x3x7x7xf32>) -> tensor<2x3x4x4xf32>
  %t = graph.tanh %p : tensor<2x3x4x4xf32>
  func.return %t : tensor<2x3x4x4xf32>
}""",
    "mean_of_squares": """
func.func @main(%x: tensor<4x9xf32>) -> tensor<4x1xf32> {
  %s = graph.mul %x, %x : (tensor<4x9xf32>, tensor<4x9xf32>) -> tensor<4x9xf32>
  %m = graph.reduce_mean %s axes [1] keepdims : (tensor<4x9xf32>) -> tensor<4x1xf32>
  func.return %m : tensor<4x1xf32>
}""",
    "transpose_concat_exp": """
func.func @main(%x: tensor<3x5xf32>, %y: tensor<2x3xf32>) -> tensor<7x3xf32> {
  %t = graph.transpose %x perm [1, 0] : (tensor<3x5xf32>) -> tensor<5x3xf32>
  %c = graph.concat %t, %y axis 0 : (tensor<5x3xf32>, tensor<2x3xf32>) -> tensor<7x3xf32>
  %e = graph.exp %c : tensor<7x3xf32>
  func.return %e : tensor<7x3xf32>
}""",
    "softmax_global_pool": """
func.func @main(%x: tensor<1x6x5x5xf32>) -> tensor<1x6x1x1xf32> {
  %g = graph.global_avg_pool2d %x : (tensor<1x6x5x5xf32>) -> tensor<1x6x1x1xf32>
  %r = graph.relu %g : tensor<1x6x1x1xf32>
  %s = graph.softmax %r axis 1 : tensor<1x6x1x1xf32>
  func.return %s : tensor<1x6x1x1xf32>
}""",
}


def inputs_for(module: ModuleOp) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    main = next(f for f in module.ops if isinstance(f, func.FuncOp))
    return [
        rng.standard_normal(tuple(t.get_shape())).astype(np.float32)
        for t in main.function_type.inputs
    ]


@pytest.mark.parametrize("name", CASES)
def test_fused_and_inlined_groups_compute_what_numpy_does(name):
    module = parse_module(CASES[name])
    arrays = inputs_for(module)
    (expected,) = evaluate(module, "main", arrays)
    (actual,) = ziggurat.compile(module)(*arrays)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


def lowered(text: str, pipeline: str) -> ModuleOp:
    module = parse_module(text)
    pass_pipeline(pipeline).apply(make_context(), module)
    verify_module(module)
    return module


def fused_function(module: ModuleOp) -> func.FuncOp:
    return next(f for f in module.ops if isinstance(f, func.FuncOp) and f.sym_name.data != "main")


@pytest.mark.parametrize("name", ["conv2d_bias_relu", "dense_bias_sigmoid", "avg_pool_tanh"])
def test_a_reduction_and_its_epilogue_are_one_loop_nest_with_one_store(name):
    module = lowered(CASES[name], "fuse-ops,graph-to-te,te-inline,te-to-loop")
    function = fused_function(module)
    ops = list(function.walk())
    assert not any(isinstance(op, memref.AllocOp) for op in ops)
    assert sum(isinstance(op, memref.StoreOp) for op in ops) == 1
    assert sum(isinstance(op, scf.ForOp) for op in function.body.block.ops) == 1


def test_without_te_inline_every_compute_has_its_own_buffer():
    module = lowered(CASES["conv2d_bias_relu"], "fuse-ops,graph-to-te,te-to-loop")
    ops = list(fused_function(module).walk())
    assert sum(isinstance(op, memref.AllocOp) for op in ops) == 2


def test_softmax_keeps_its_reductions_and_inlines_its_exponential():
    module = lowered(CASES["softmax_global_pool"], "fuse-ops,graph-to-te,te-inline")
    names = [op.compute_name.data for op in module.walk() if isinstance(op, ComputeOp)]
    assert names == ["global_avg_pool2d_sum", "relu", "softmax_max", "softmax_sum", "softmax"]
    marked = [
        op.compute_name.data
        for op in module.walk()
        if isinstance(op, ComputeOp) and COMPUTE_AT_CONSUMER in op.attributes
    ]
    assert marked == ["global_avg_pool2d_sum"]
