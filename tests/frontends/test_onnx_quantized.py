"""The quantized operators (frontends/onnx/quantized.py) against onnxruntime, exactly: the
numpy reference of the imported graph and the CPU-compiled model, at odd shapes, with
zero points, per-channel scales and scales that are no power of two, on int8 and on uint8
activations and weights (as onnxruntime's quantizer writes them); and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import numpy_helper
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

U8, S8 = np.uint8, np.int8

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
    # uint8 activations (int8 or uint8 weights): zero points past int8's range.
    "matmul_integer_uint8": matmul_integer(zeros=(128, 3), types=(U8, S8)),
    "matmul_integer_uint8_both": matmul_integer(4, 33, 5, zeros=(200, 17), types=(U8, U8)),
    "conv_integer_uint8": conv_integer(pads=[1, 1, 1, 1], zeros=(131, 0), types=(U8, U8)),
    "conv_integer_uint8_int8": conv_integer(pads=[1, 1, 1, 1], zeros=(131, 0), types=(U8, S8)),
    "qlinear_matmul_uint8": qlinear_matmul(
        3, 20, 7, scales=(0.02, 0.013, 0.11), zeros=(128, 0, 120), types=(U8, S8)
    ),
    "matmul_integer_column_zero_points": matmul_integer(
        zeros=(128, np.arange(100, 107)), types=(U8, U8)
    ),
    "qlinear_matmul_column_zero_points": qlinear_matmul(
        3,
        20,
        7,
        scales=(1 / 16, [1 / 32] * 7, 2),
        zeros=(128, np.arange(-3, 4), 120),
        types=(U8, S8),
    ),
    "qlinear_matmul_uint8_both": qlinear_matmul(
        3, 20, 7, scales=(1 / 16, 1 / 32, 2), zeros=(128, 130, 120), types=(U8, U8)
    ),
    "qlinear_conv_uint8": qlinear_conv(
        (1, 5, 9, 7), 6, scales=(1 / 16, 1 / 32, 2), zeros=(128, 0, 131), types=(U8, S8)
    ),
    "qlinear_conv_uint8_per_channel": qlinear_conv(
        (1, 3, 6, 5),
        4,
        scales=(0.05, [0.01, 0.02, 0.03, 0.04], 2.0),
        zeros=(100, 0, 140),
        stride=2,
        types=(U8, S8),
    ),
    "qlinear_conv_uint8_weight_zero_per_channel": qlinear_conv(
        (1, 3, 6, 5),
        4,
        scales=(0.05, [0.01, 0.02, 0.03, 0.04], 2.0),
        zeros=(100, [120, 128, 131, 140], 140),
        types=(U8, U8),
    ),
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


def test_per_row_and_mismatched_zero_points_are_refused():
    model = matmul_integer(zeros=(1, 2))
    zero = next(i for i in model.graph.initializer if i.name == "a_zero")
    zero.CopyFrom(numpy_helper.from_array(np.array([1, 2, 3], np.int8), "a_zero"))
    with pytest.raises(ZigguratError, match="a_zero_point must be one value for the whole tensor"):
        import_model(model)
    model = matmul_integer(zeros=(1, 2))
    zero = next(i for i in model.graph.initializer if i.name == "b_zero")
    zero.CopyFrom(numpy_helper.from_array(np.array([1, 2, 3], np.int8), "b_zero"))
    with pytest.raises(ZigguratError, match="b_zero_point must be one value or one per column"):
        import_model(model)


def test_conv_integer_weight_zero_points_per_channel_match_numpy():
    """onnxruntime's ConvInteger takes one weight zero point only: numpy is the oracle."""
    model = conv_integer((1, 3, 6, 5), 4, zeros=(7, [1, 200, 3, 90]), types=(U8, U8))
    (x,) = feeds(model)
    w = next(numpy_helper.to_array(i) for i in model.graph.initializer if i.name == "w")
    shifted = x.astype(np.int64) - 7
    weights = w.astype(np.int64) - np.array([1, 200, 3, 90]).reshape(-1, 1, 1, 1)
    windows = np.lib.stride_tricks.sliding_window_view(shifted, (3, 3), axis=(2, 3))
    expected = np.einsum("nchwyx,ocyx->nohw", windows, weights).astype(np.int32)
    (compiled,) = ziggurat.compile(model, target="cpu{threads=1}", cache=False)(x)
    np.testing.assert_array_equal(compiled, expected)
    (reference,) = evaluate(import_model(model), "main", [x])
    np.testing.assert_array_equal(reference, expected)


def test_a_zero_point_of_another_type_than_its_tensor_is_refused():
    model = matmul_integer(zeros=(128, 3), types=(U8, S8))
    zero = next(i for i in model.graph.initializer if i.name == "a_zero")
    zero.CopyFrom(numpy_helper.from_array(np.array(3, np.int8), "a_zero"))
    with pytest.raises(ZigguratError, match="a_zero_point must be uint8 like its tensor"):
        import_model(model)


def test_a_zero_point_outside_its_type_is_refused():
    with pytest.raises(ZigguratError, match="the zero point 200 is not a value of i8"):
        ziggurat.load_module(
            "func.func @f(%a: tensor<2x3xi8>, %b: tensor<3x2xui8>) -> tensor<2x2xi32> {\n"
            "  %y = graph.matmul_integer %a, %b zero_points [200, 200] : (tensor<2x3xi8>, tensor<3x2xui8>) -> tensor<2x2xi32>\n"
            "  func.return %y : tensor<2x2xi32>\n}"
        )


def test_a_non_eight_bit_operand_is_refused():
    with pytest.raises(ZigguratError, match="expected int8 or uint8 tensors"):
        ziggurat.load_module(
            "func.func @f(%a: tensor<2x3xi32>, %b: tensor<3x2xi8>) -> tensor<2x2xi32> {\n"
            "  %y = graph.matmul_integer %a, %b : (tensor<2x3xi32>, tensor<3x2xi8>) -> tensor<2x2xi32>\n"
            "  func.return %y : tensor<2x2xi32>\n}"
        )
