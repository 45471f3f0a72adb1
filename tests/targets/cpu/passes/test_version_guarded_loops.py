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
from ziggurat.targets.target import target_named
from ziggurat.tuner.build import build
from ziggurat.tuner.space import Space
from ziggurat.tuner.tasks import extract_tasks

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


def matmul_model(m: int, k: int, n: int):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["y"])],
        "g",
        [
            helper.make_tensor_value_info("a", TensorProto.FLOAT, (m, k)),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, (k, n)),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (m, n))],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("target_name", TARGETS)
@pytest.mark.parametrize(
    ("m", "k", "n", "rows", "columns"),
    [
        (37, 29, 100, 8, 48),  # both tails: 4 rows of 8 and 5, 2 panels of 48 and 4
        (16, 33, 100, 8, 48),  # a tail of 4 columns
        (45, 17, 64, 6, 32),  # a tail of 3 rows
        (9, 20, 61, 3, 19),  # 19 columns in 16 + 2 + 1 lanes, a tail of 4
    ],
)
def test_tuned_tiles_with_tails_keep_the_numbers(target_name, m, k, n, rows, columns):
    target = target_named(target_name)
    (task,) = extract_tasks([matmul_model(m, k, n)], target)
    space = Space.of(task, target)
    config = {**task.default, "tile_rows": rows, "tile_columns": columns}
    run = build(task, space.schedule_text(config), target)
    a = RNG.standard_normal((m, k), np.float32)
    b = RNG.standard_normal((k, n), np.float32)
    (got,) = run(a, b)
    np.testing.assert_allclose(got, a @ b, rtol=1e-4, atol=1e-4)
