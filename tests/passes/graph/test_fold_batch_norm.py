"""fold-batch-norm: batch norm folds into conv2d and dense weights, and the numbers stay."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.builder import ImplicitBuilder
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType, f32
from xdsl.ir import Block, Region, SSAValue

import ziggurat
from ziggurat.dialects import graph
from ziggurat.elements import array_to_dense
from ziggurat.ir_io import verify_module
from ziggurat.passes.graph.fold_batch_norm import FoldBatchNorm
from ziggurat.reference import evaluate
from ziggurat.registry import make_context

RNG = np.random.default_rng(3)


def const(array: np.ndarray) -> SSAValue:
    return graph.ConstantOp(array_to_dense(array, TensorType(f32, array.shape))).output


def random(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def batch_norm(y: SSAValue, channels: int) -> SSAValue:
    variance = RNG.uniform(0.5, 2.0, channels).astype(np.float32)
    parameters = [const(random(channels)) for _ in range(3)]
    scale, beta, mean = parameters
    return graph.BatchNormOp(y, scale, beta, mean, const(variance), epsilon=1e-3).output


def module_of(input_shape: tuple[int, ...], build) -> ModuleOp:
    block = Block(arg_types=[TensorType(f32, input_shape)])
    with ImplicitBuilder(block):
        result = build(block.args[0])
        func.ReturnOp(result)
    function = func.FuncOp("main", ([block.args[0].type], [result.type]), Region(block))
    module = ModuleOp([function])
    verify_module(module)
    return module


def conv_bn(x: SSAValue, bias: bool, groups: int, layout: str = "OIHW") -> SSAValue:
    weight = random(6, 4 // groups, 3, 3)
    if layout == "IHWO":
        weight = weight.transpose(1, 2, 3, 0)
    b = const(random(6)) if bias else None
    y = graph.Conv2dOp(
        x,
        const(weight),
        b,
        strides=(2, 1),
        padding=(1, 0, 2, 1),
        groups=groups,
        weight_layout=layout,
    ).output
    return batch_norm(y, 6)


def dense_bn(x: SSAValue, trans_b: bool, bias_shape: tuple[int, ...] | None) -> SSAValue:
    weight = const(random(7, 5) if trans_b else random(5, 7))
    bias = const(random(*bias_shape)) if bias_shape else None
    y = graph.DenseOp(x, weight, bias, trans_b=trans_b, alpha=0.75, beta=1.5).output
    return batch_norm(y, 7)


CASES = {
    "conv2d": ((1, 4, 7, 6), lambda x: conv_bn(x, bias=False, groups=1)),
    "conv2d_bias_groups": ((2, 4, 7, 6), lambda x: conv_bn(x, bias=True, groups=2)),
    "conv2d_ihwo": ((1, 4, 7, 6), lambda x: conv_bn(x, bias=True, groups=1, layout="IHWO")),
    "dense": ((3, 5), lambda x: dense_bn(x, trans_b=False, bias_shape=None)),
    "dense_trans_b_bias": ((3, 5), lambda x: dense_bn(x, trans_b=True, bias_shape=(7,))),
    "dense_matrix_bias": ((3, 5), lambda x: dense_bn(x, trans_b=False, bias_shape=(3, 1))),
}


@pytest.mark.parametrize("name", CASES)
def test_batch_norm_folds_and_the_result_matches_numpy(name):
    shape, build = CASES[name]
    original = module_of(shape, build)
    folded = original.clone()
    FoldBatchNorm().apply(make_context(), folded)
    verify_module(folded)
    names = [op.name for op in folded.walk() if op.name.startswith("graph.")]
    assert "graph.batch_norm" not in names
    assert names.count("graph.constant") == 2  # the new weight and bias, nothing dead
    x = random(*shape)
    (expected,) = evaluate(original, "main", [x])
    (reference_folded,) = evaluate(folded, "main", [x])
    np.testing.assert_allclose(reference_folded, expected, rtol=1e-5, atol=1e-5)
    (actual,) = ziggurat.compile(folded)(x)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_a_conv2d_result_used_twice_keeps_its_batch_norm():
    def build(x: SSAValue) -> SSAValue:
        y = graph.Conv2dOp(x, const(random(6, 4, 1, 1))).output
        return graph.AddOp(batch_norm(y, 6), y).output

    module = module_of((1, 4, 5, 5), build)
    FoldBatchNorm().apply(make_context(), module)
    assert any(isinstance(op, graph.BatchNormOp) for op in module.walk())
