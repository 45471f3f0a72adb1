"""Tensors with a dimension of 0 (ONNX allows them: an empty batch, a split part of
nothing, a reshape with allowzero) compile and run like any other: elementwise and
injective ops produce nothing, a reduction over an empty axis gives its init value (a
matmul contracting 0 elements gives zeros, plus its bias), against onnxruntime."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

import ziggurat


def model(
    nodes: list[onnx.NodeProto],
    inputs: dict[str, list[int]],
    *shapes: list[int],
    opset: int = 17,
    **initializers: list[int],
) -> onnx.ModelProto:
    outputs = [o for o in nodes[-1].output]
    graph = helper.make_graph(
        nodes,
        "zero_size",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        [helper.make_tensor(n, TensorProto.INT64, [len(v)], v) for n, v in initializers.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


node = helper.make_node

CASES: dict[str, onnx.ModelProto] = {
    "add_broadcast": model([node("Add", ["x", "b"], ["y"])], {"x": [0, 3], "b": [3]}),
    "relu": model([node("Relu", ["x"], ["y"])], {"x": [0]}),
    "transpose": model([node("Transpose", ["x"], ["y"], perm=[1, 0])], {"x": [0, 5]}),
    "softmax": model([node("Softmax", ["x"], ["y"])], {"x": [0, 5]}),
    "matmul_contracting_nothing": model(
        [node("MatMul", ["a", "b"], ["y"])], {"a": [2, 0], "b": [0, 3]}
    ),
    "matmul_no_rows": model([node("MatMul", ["a", "b"], ["y"])], {"a": [0, 4], "b": [4, 3]}),
    "gemm_bias_only": model(
        [node("Gemm", ["a", "b", "c"], ["y"])], {"a": [2, 0], "b": [0, 3], "c": [3]}
    ),
    "concat_with_empty": model(
        [node("Concat", ["a", "b"], ["y"], axis=1)], {"a": [2, 0], "b": [2, 3]}
    ),
    "reduce_sum_empty_axis": model(
        [node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)], {"x": [3, 0]}, axes=[1]
    ),
    "reshape_allowzero": model(
        [node("Reshape", ["x", "shape"], ["y"], allowzero=1)], {"x": [0, 3, 4]}, shape=[3, 4, 0]
    ),
    "conv_empty_batch": model(
        [node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])], {"x": [0, 2, 5, 5], "w": [4, 2, 3, 3]}
    ),
    "split_nothing_then_concat": model(
        [
            node("Split", ["x", "split"], ["a", "b"], axis=0),
            node("Concat", ["b", "a"], ["y"], axis=0),
        ],
        {"x": [4]},
        opset=13,
        split=[0, 4],
    ),
    "layer_norm_no_rows": model(
        [node("LayerNormalization", ["x", "g", "b"], ["y"])], {"x": [0, 4], "g": [4], "b": [4]}
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_zero_size_tensors_match_onnxruntime(name: str) -> None:
    onnx_model = CASES[name]
    rng = np.random.default_rng(5)
    feeds = {
        i.name: rng.standard_normal([d.dim_value for d in i.type.tensor_type.shape.dim]).astype(
            np.float32
        )
        for i in onnx_model.graph.input
    }
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    expected = session.run(None, feeds)
    got = ziggurat.compile(onnx_model)(*feeds.values())
    assert len(got) == len(expected)
    for value, reference in zip(got, expected, strict=True):
        assert value.shape == reference.shape
        np.testing.assert_allclose(value, reference, rtol=1e-5, atol=1e-6)


def test_an_ambiguous_reshape_of_nothing_names_the_node() -> None:
    onnx_model = model(
        [node("Reshape", ["x", "shape"], ["y"], allowzero=1, name="flat")],
        {"x": [0, 3]},
        shape=[0, -1],
    )
    with pytest.raises(ziggurat.ZigguratError, match="flat.*cannot infer the -1"):
        ziggurat.compile(onnx_model)
