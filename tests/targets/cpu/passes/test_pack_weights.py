"""pack-weights: constant conv2d weights laid out IHWO and constant dense weights read
transposed untransposed, at compile time; the numbers stay (against the numpy reference of
the module before), and the CPU schedule then reads the weights as they are instead of
packing them on every run."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper
from xdsl.dialects import memref

import ziggurat
from ziggurat.dialects import graph
from ziggurat.frontends.onnx import import_model
from ziggurat.ir_io import pass_pipeline, print_module, verify_module
from ziggurat.pipeline import lower
from ziggurat.reference import evaluate
from ziggurat.registry import make_context

RNG = np.random.default_rng(17)


def onnx_model(nodes, x: list[int], y: list[int], **initializers: np.ndarray):
    graph_proto = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y)],
        [
            helper.make_tensor(n, TensorProto.FLOAT, a.shape, a.flatten().tolist())
            for n, a in initializers.items()
        ],
    )
    return helper.make_model(graph_proto, opset_imports=[helper.make_opsetid("", 17)])


def weights(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


MODELS = {
    "conv_bias_relu": lambda: onnx_model(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
            helper.make_node("Relu", ["c"], ["y"]),
        ],
        [1, 5, 9, 11],
        [1, 20, 9, 11],
        w=weights(20, 5, 3, 3),
        b=weights(20),
    ),
    "conv_strided_dilated_bn": lambda: onnx_model(
        [
            helper.make_node("Conv", ["x", "w"], ["c"], strides=[2, 1], dilations=[1, 2]),
            helper.make_node("BatchNormalization", ["c", "scale", "beta", "mean", "var"], ["y"]),
        ],
        [2, 3, 10, 9],
        [2, 17, 4, 5],
        w=weights(17, 3, 3, 3),
        scale=weights(17),
        beta=weights(17),
        mean=weights(17),
        var=np.abs(weights(17)) + 0.5,
    ),
    "pointwise_conv": lambda: onnx_model(
        [helper.make_node("Conv", ["x", "w"], ["y"])],
        [1, 48, 7, 7],
        [1, 64, 7, 7],
        w=weights(64, 48, 1, 1),
    ),
    "gemm_trans_b": lambda: onnx_model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1, alpha=0.5)],
        [3, 40],
        [3, 33],
        w=weights(33, 40),
        b=weights(33),
    ),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_packed_weights_keep_the_numbers(name: str):
    module = import_model(MODELS[name]())
    x = weights(*graph.shape_of(module.body.block.first_op.args[0]))  # type: ignore[union-attr]
    (expected,) = evaluate(module, "main", [x])
    packed = module.clone()
    pass_pipeline("fold-batch-norm,pack-weights").apply(make_context(), packed)
    verify_module(packed)
    (reference,) = evaluate(packed, "main", [x])
    np.testing.assert_allclose(reference, expected, rtol=1e-5, atol=1e-5)
    (compiled,) = ziggurat.compile(module)(x)
    np.testing.assert_allclose(compiled, expected, rtol=1e-4, atol=1e-4)
    ops = [op for op in packed.walk() if isinstance(op, graph.Conv2dOp | graph.DenseOp)]
    assert ops
    for op in ops:
        if isinstance(op, graph.Conv2dOp):
            assert op.weight_layout.data == "IHWO"
        else:
            assert op.trans_b is None
    constants = [op for op in packed.walk() if isinstance(op, graph.ConstantOp)]
    assert all(c.output.uses for c in constants)  # the unpacked weights are gone


@pytest.mark.parametrize("name", ["conv_bias_relu", "pointwise_conv"])
def test_the_schedule_reads_packed_conv_weights_as_they_are(name: str):
    module = lower(import_model(MODELS[name]()), "loop")
    text = print_module(module)
    assert "#loop.vectorize<16>" in text
    locals_ = [
        op.memref.type.get_shape()  # type: ignore[attr-defined]
        for op in module.walk()
        if isinstance(op, memref.AllocOp) and "local" in str(op.memref.type)
    ]
    # The image (padded or not) and the register tile, no copy of the weights.
    weights_shape = (5, 3, 3, 20) if name == "conv_bias_relu" else (48, 1, 1, 64)
    assert weights_shape not in [tuple(shape) for shape in locals_]
    unpacked = lower(import_model(MODELS[name]()), "te")
    pass_pipeline("te-inline,cse,dce,te-to-loop,apply-default-schedules").apply(
        make_context(), unpacked
    )
    assert "#loop.vectorize<16>" in print_module(unpacked)
