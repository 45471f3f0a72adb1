"""The quantized operators (frontends/onnx/quantized.py) against onnxruntime, exactly: the
numpy reference of the imported graph and the CPU-compiled model, at odd shapes, with
zero points, per-channel scales and scales that are no power of two; and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from testing_quantized import (
    conv_integer,
    feeds,
    matmul_integer,
    onnxruntime_outputs,
    qlinear_conv,
    qlinear_matmul,
)

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.frontends.onnx import import_model
from ziggurat.reference import evaluate

MODELS = {
    "matmul_integer": matmul_integer(),
    "matmul_integer_zero_points": matmul_integer(zeros=(3, -2)),
    "conv_integer": conv_integer(pads=[1, 1, 1, 1]),
    "conv_integer_strided": conv_integer(strides=[2, 2], zeros=(-1, 2)),
    "qlinear_matmul": qlinear_matmul(m=3, k=20, n=7, zeros=(0, 0, 5)),
    "qlinear_matmul_uneven_scale": qlinear_matmul(scales=(0.02, 0.013, 0.11), zeros=(1, 0, -3)),
    "qlinear_conv": qlinear_conv((1, 5, 9, 7), 6, zeros=(0, 0, 2)),
    "qlinear_conv_per_channel": qlinear_conv(
        (1, 3, 6, 5), 4, scales=(0.05, [0.01, 0.02, 0.03, 0.04], 0.2), stride=2
    ),
    "qlinear_conv_no_bias": qlinear_conv((2, 4, 5, 5), 3, bias=False, pad=0),
}


@pytest.mark.parametrize("name", MODELS)
def test_reference_and_cpu_equal_onnxruntime(name):
    model = MODELS[name]
    arrays = feeds(model)
    (expected,) = onnxruntime_outputs(model, arrays)
    module = import_model(model)
    (reference,) = evaluate(module, "main", arrays)
    assert reference.dtype == expected.dtype
    np.testing.assert_array_equal(reference, expected)
    (compiled,) = ziggurat.compile(model, target="cpu{threads=1}")(*arrays)
    np.testing.assert_array_equal(compiled, expected)


def test_graph_ops_print_and_parse_back():
    text = str(import_model(MODELS["qlinear_conv"]))
    assert "graph.conv_integer" in text and "graph.requantize" in text
    assert str(ziggurat.load_module(text)) == text


def test_per_channel_zero_points_are_refused():
    model = matmul_integer(zeros=(1, 2))
    zero = next(i for i in model.graph.initializer if i.name == "b_zero")
    zero.CopyFrom(
        __import__("onnx").numpy_helper.from_array(
            np.array([1, 2, 3, 4, 5, 6, 7], np.int8), "b_zero"
        )
    )
    with pytest.raises(ZigguratError, match="b_zero_point must be one value for the whole tensor"):
        import_model(model)


def test_a_non_int8_operand_is_refused():
    with pytest.raises(ZigguratError, match="expected int8 tensors"):
        ziggurat.load_module(
            "func.func @f(%a: tensor<2x3xi32>, %b: tensor<3x2xi8>) -> tensor<2x2xi32> {\n"
            "  %y = graph.matmul_integer %a, %b : (tensor<2x3xi32>, tensor<3x2xi8>) -> tensor<2x2xi32>\n"
            "  func.return %y : tensor<2x2xi32>\n}"
        )
