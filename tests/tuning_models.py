"""Small models for the tuner's tests (tests/tuner): nests that build in a fraction of a second."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

TARGET = "cpu{threads=1}"


def matmul_model(m: int = 12, k: int = 20, n: int = 24, twice: bool = False):
    """relu(x @ W) (and again with a second W of the same shape where `twice`)."""
    rng = np.random.default_rng(0)
    nodes = [
        helper.make_node("MatMul", ["x", "w0"], ["h0"]),
        helper.make_node("Relu", ["h0"], ["y0"]),
    ]
    weights = [numpy_helper.from_array(rng.standard_normal((k, n)).astype(np.float32), "w0")]
    out = "y0"
    if twice:
        assert k == n
        nodes += [
            helper.make_node("MatMul", ["y0", "w1"], ["h1"]),
            helper.make_node("Relu", ["h1"], ["y1"]),
        ]
        weights.append(
            numpy_helper.from_array(rng.standard_normal((n, n)).astype(np.float32), "w1")
        )
        out = "y1"
    graph = helper.make_graph(
        nodes,
        "mm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, (m, k))],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, (m, n))],
        weights,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
