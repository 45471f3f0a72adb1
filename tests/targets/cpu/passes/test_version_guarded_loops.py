"""version-guarded-loops: a register tile whose rows do not divide the matrix's (or a
convolution's row of pixels) runs its reduction loop without guards where the whole tile
is in, and the numbers stay (against numpy, odd shapes, AVX-512 and AVX2 tiles, a fused
bias and relu)."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper
from xdsl.dialects import scf

import ziggurat
from ziggurat.frontends.onnx import import_model
from ziggurat.ir_io import pass_pipeline
from ziggurat.pipeline import lower
from ziggurat.registry import make_context

RNG = np.random.default_rng(11)
TARGETS = ["cpu{threads=2}", "cpu{mcpu=znver2 threads=2}"]


def dense_model(m: int, n: int, k: int, relu: bool):
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["d" if relu else "y"])]
    if relu:
        nodes.append(helper.make_node("Relu", ["d"], ["y"]))
    shapes = {"x": (m, k), "w": (k, n), "b": (n,)}
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, s) for name, s in shapes.items()],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (m, n))],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def versioned_loops(model, target: str) -> int:
    """The loops the pass puts under an `scf.if` of their guards, in the default compile."""
    module = lower(import_model(model), "loop", target)
    pass_pipeline("version-guarded-loops").apply(make_context(), module)
    return sum(
        1
        for op in module.walk()
        if isinstance(op, scf.IfOp)
        and op.false_region.blocks
        and any(isinstance(o, scf.ForOp) for o in op.true_region.block.ops)
    )


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("m", "n", "k", "relu"), [(97, 48, 61, True), (13, 32, 7, False)])
def test_tiles_with_a_tail_keep_the_numbers(target: str, m: int, n: int, k: int, relu: bool):
    model = dense_model(m, n, k, relu)
    assert versioned_loops(model, target) >= 1
    x = RNG.standard_normal((m, k), np.float32)
    w = RNG.standard_normal((k, n), np.float32)
    b = RNG.standard_normal(n, np.float32)
    (got,) = ziggurat.compile(model, target=target)(x, w, b)
    expected = x @ w + b
    np.testing.assert_allclose(
        got, np.maximum(expected, 0) if relu else expected, rtol=1e-4, atol=1e-4
    )


def conv_model(channels: int, filters: int, size: int, window: int, stride: int):
    out = (size - window) // stride + 1
    node = helper.make_node("Conv", ["x", "w", "b"], ["c"], strides=[stride, stride])
    graph = helper.make_graph(
        [node, helper.make_node("Relu", ["c"], ["y"])],
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, (1, channels, size, size)),
            helper.make_tensor_value_info(
                "w", TensorProto.FLOAT, (filters, channels, window, window)
            ),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, (filters,)),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (1, filters, out, out))],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("target", TARGETS)
def test_convolution_tiles_with_a_tail_keep_the_numbers(target: str):
    # SqueezeNet's first convolution, smaller: 23 pixels a row, in tiles of 12 and 11.
    channels, filters, size, window, stride = 3, 96, 51, 7, 2
    model = conv_model(channels, filters, size, window, stride)
    assert versioned_loops(model, target) >= 1
    x = RNG.standard_normal((1, channels, size, size), np.float32)
    w = RNG.standard_normal((filters, channels, window, window), np.float32)
    b = RNG.standard_normal(filters, np.float32)
    (got,) = ziggurat.compile(model, target=target)(x, w, b)
    patches = np.lib.stride_tricks.sliding_window_view(x[0], (window, window), axis=(1, 2))
    patches = patches[:, ::stride, ::stride]
    expected = np.einsum("cyxhw,fchw->fyx", patches, w) + b[:, None, None]
    np.testing.assert_allclose(got[0], np.maximum(expected, 0), rtol=1e-4, atol=1e-4)


def test_tiles_that_divide_need_no_versions():
    assert versioned_loops(dense_model(48, 64, 32, True), "cpu") == 0
