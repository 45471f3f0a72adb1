"""subsample-strided-convs: a 1x1 convolution with strides becomes a strided slice and the
convolution without strides; the numbers stay (against onnxruntime, odd shapes, a bias, a
fused relu), and one with a window or padding is left as it is."""

from __future__ import annotations

import numpy as np
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

import ziggurat
from ziggurat.dialects import graph
from ziggurat.frontends.onnx import import_model
from ziggurat.ir_io import pass_pipeline
from ziggurat.registry import make_context

RNG = np.random.default_rng(5)


def conv_model(x: tuple[int, ...], filters: int, kernel: int, strides: list[int], pads: list[int]):
    weight = RNG.standard_normal((filters, x[1], kernel, kernel)).astype(np.float32)
    bias = RNG.standard_normal(filters).astype(np.float32)
    rows, columns = (
        (size + pads[i] + pads[i + 2] - kernel) // strides[i] + 1 for i, size in enumerate(x[2:])
    )
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], strides=strides, pads=pads),
        helper.make_node("Relu", ["c"], ["y"]),
    ]
    graph_proto = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (x[0], filters, rows, columns))],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    return helper.make_model(graph_proto, opset_imports=[helper.make_opsetid("", 17)])


def slices_after(model) -> int:
    module = import_model(model)
    pass_pipeline("subsample-strided-convs").apply(make_context(), module)
    return sum(isinstance(op, graph.SliceOp) for op in module.walk())


def test_strided_pointwise_convolutions_compute_as_before():
    for x, filters, strides in (((1, 5, 13, 11), 7, [2, 3]), ((2, 24, 14, 14), 40, [2, 2])):
        model = conv_model(x, filters, 1, strides, [0, 0, 0, 0])
        assert slices_after(model) == 1
        inputs = RNG.standard_normal(x).astype(np.float32)
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        (expected,) = session.run(None, {"x": inputs})
        (got,) = ziggurat.compile(model, cache=False)(inputs)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_windows_padding_and_unit_strides_are_left_as_they_are():
    assert slices_after(conv_model((1, 4, 9, 9), 6, 3, [2, 2], [0, 0, 0, 0])) == 0
    assert slices_after(conv_model((1, 4, 9, 9), 6, 1, [2, 2], [1, 1, 1, 1])) == 0
    assert slices_after(conv_model((1, 4, 9, 9), 6, 1, [1, 1], [0, 0, 0, 0])) == 0
