"""fuse-ops: which ops TVM's rules put together, the functions groups become, and that
the fused module computes what the original does."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

import ziggurat
from ziggurat.ir_io import parse_module, print_module, verify_module
from ziggurat.passes.graph.fuse_ops import FUSED, FuseOps
from ziggurat.reference import evaluate
from ziggurat.registry import make_context


def fuse(text: str, **options) -> tuple[ModuleOp, ModuleOp]:
    original = parse_module(text)
    fused = original.clone()
    FuseOps(**options).apply(make_context(), fused)
    verify_module(fused)
    return original, fused


def groups(module: ModuleOp) -> list[list[str]]:
    """The graph ops of each group, in the order the callers call them."""
    functions = {f.sym_name.data: f for f in module.ops if isinstance(f, func.FuncOp)}
    calls = [op for op in module.walk() if isinstance(op, func.CallOp)]
    return [
        [op.name.removeprefix("graph.") for op in functions[c.callee.string_value()].walk()][1:-1]
        for c in calls
    ]


NETWORK = """
func.func @main(%x: tensor<1x3x9x9xf32>, %w1: tensor<8x3x3x3xf32>, %w2: tensor<8x8x1x1xf32>,
                %fc: tensor<10x32xf32>) -> (tensor<1x10xf32>, tensor<1x8x5x5xf32>) {
  %b1 = graph.constant dense<0.25> : tensor<8x1x1xf32>
  %y1 = graph.conv2d %x, %w1 strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x3x9x9xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x5x5xf32>
  %z1 = graph.add %y1, %b1 : (tensor<1x8x5x5xf32>, tensor<8x1x1xf32>) -> tensor<1x8x5x5xf32>
  %r1 = graph.relu %z1 : tensor<1x8x5x5xf32>
  %y2 = graph.conv2d %r1, %w2 : (tensor<1x8x5x5xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x5x5xf32>
  %s2 = graph.sigmoid %y2 : tensor<1x8x5x5xf32>
  %m2 = graph.mul %y2, %s2 : (tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %a2 = graph.add %m2, %r1 : (tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %p = graph.max_pool2d %a2 kernel [2, 2] strides [2, 2] : (tensor<1x8x5x5xf32>) -> tensor<1x8x2x2xf32>
  %f = graph.reshape %p : (tensor<1x8x2x2xf32>) -> tensor<1x32xf32>
  %d = graph.dense %f, %fc trans_b : (tensor<1x32xf32>, tensor<10x32xf32>) -> tensor<1x10xf32>
  %e = graph.exp %d : tensor<1x10xf32>
  %t = graph.reduce_sum %e axes [1] keepdims : (tensor<1x10xf32>) -> tensor<1x1xf32>
  %q = graph.div %e, %t : (tensor<1x10xf32>, tensor<1x1xf32>) -> tensor<1x10xf32>
  func.return %q, %a2 : tensor<1x10xf32>, tensor<1x8x5x5xf32>
}
"""


def test_the_network_splits_into_tvms_groups():
    _, fused = fuse(NETWORK)
    assert groups(fused) == [
        ["conv2d", "add", "relu"],
        ["conv2d", "sigmoid", "mul", "add"],  # the residual add joins the epilogue
        ["max_pool2d"],  # a returned value (%a2) ends its group before the pool
        ["reshape"],
        ["dense", "exp"],  # exp has two users: the reduction and the div
        ["reduce_sum"],
        ["div"],
    ]


def test_every_group_is_a_private_fused_function_and_the_caller_only_calls():
    _, fused = fuse(NETWORK)
    functions = [f for f in fused.ops if isinstance(f, func.FuncOp)]
    *outlined, main = functions
    assert main.sym_name.data == "main"
    assert all(FUSED in f.attributes and f.sym_visibility.data == "private" for f in outlined)
    assert {op.name for op in main.body.block.ops} == {"graph.constant", "func.call", "func.return"}


@pytest.mark.parametrize("fuse_flag", [True, False])
def test_the_fused_network_computes_what_the_original_does(fuse_flag):
    original, fused = fuse(NETWORK)
    rng = np.random.default_rng(5)
    main = next(f for f in original.ops if isinstance(f, func.FuncOp))
    inputs = [
        (0.3 * rng.standard_normal(tuple(t.get_shape()))).astype(np.float32)
        for t in main.function_type.inputs
    ]
    expected = evaluate(original, "main", inputs)
    for actual, reference in zip(evaluate(fused, "main", inputs), expected, strict=True):
        np.testing.assert_allclose(actual, reference, rtol=1e-5, atol=1e-6)
    compiled = ziggurat.compile(original, fuse=fuse_flag)
    for actual, reference in zip(compiled(*inputs), expected, strict=True):
        np.testing.assert_allclose(actual, reference, rtol=1e-4, atol=1e-5)


def test_fusing_twice_changes_nothing():
    _, fused = fuse(NETWORK)
    again = fused.clone()
    FuseOps().apply(make_context(), again)
    assert print_module(again) == print_module(fused)


def test_no_group_grows_past_the_size_limit():
    _, fused = fuse(NETWORK, max_group_size=2)
    assert max(len(g) for g in groups(fused)) <= 2
    assert ["conv2d", "add"] in groups(fused)


REPEATED = """
func.func @main(%x: tensor<2x6xf32>, %y: tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x6xf32>, tensor<6x2xf32>) {
  %a = graph.exp %x : tensor<2x6xf32>
  %b = graph.relu %a : tensor<2x6xf32>
  %c = graph.exp %y : tensor<2x6xf32>
  %d = graph.relu %c : tensor<2x6xf32>
  %t = graph.transpose %d perm [1, 0] : (tensor<2x6xf32>) -> tensor<6x2xf32>
  func.return %b, %d, %t : tensor<2x6xf32>, tensor<2x6xf32>, tensor<6x2xf32>
}
"""


def test_identical_groups_share_one_function():
    _, fused = fuse(REPEATED)
    callees = [op.callee.string_value() for op in fused.walk() if isinstance(op, func.CallOp)]
    assert callees == ["fused_exp_relu", "fused_exp_relu", "fused_transpose"]
