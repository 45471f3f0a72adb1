"""The importer's QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear
(frontends/onnx/quantization.py) against onnxruntime: per tensor, per axis and blocked, int8,
int16, uint8, uint16 and (dequantized) int32, each opset's attributes, ties rounded half to
even, values saturated, DynamicQuantizeLinear, and QDQ models around a convolution; and what
is refused."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from testing_onnx_breadth import check, driver_refusal, import_error, one_node, rng_array

INT8, INT16, INT32 = TensorProto.INT8, TensorProto.INT16, TensorProto.INT32
UINT8, UINT16 = TensorProto.UINT8, TensorProto.UINT16
DTYPES = {INT8: np.int8, INT16: np.int16, INT32: np.int32, UINT8: np.uint8, UINT16: np.uint16}


def ties_and_extremes(*shape: int, scale: float = 0.25) -> np.ndarray:
    """Values whose quotient by `scale` is exactly half way between integers, and values
    beyond every type's range, among random ones."""
    rng = np.random.default_rng(7)
    x = (rng.integers(-300, 300, shape) + 0.5) * scale
    x.flat[::3] = rng.standard_normal(x.size)[::3] * 40
    x.flat[1] = 1e6
    x.flat[2] = -1e6
    return x.astype(np.float32)


@pytest.mark.parametrize(
    "element, opset",
    [(INT8, 10), (INT8, 13), (INT8, 19), (INT8, 21), (INT16, 21), (UINT8, 10), (UINT16, 21)],
)
def test_quantize_per_tensor(element, opset):
    dtype = DTYPES[element]
    zero_point = -3 if np.issubdtype(dtype, np.signedinteger) else 130
    model = one_node(
        "QuantizeLinear",
        {"x": [3, 7]},
        {"s": np.array(0.25, np.float32), "z": np.array(zero_point, dtype)},
        opset=opset,
    )
    check(model, {"x": ties_and_extremes(3, 7)})


@pytest.mark.parametrize("element", [INT8, INT16, UINT8])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_quantize_per_axis(element, axis):
    shape = [3, 4, 5]
    extent = shape[axis]
    initializers = {
        "s": np.linspace(0.125, 0.5, extent).astype(np.float32),
        "z": (
            np.arange(extent) * (60 if element == UINT8 else 1) - 1 + 3 * (element == UINT8)
        ).astype(DTYPES[element]),
    }
    model = one_node("QuantizeLinear", {"x": shape}, initializers, opset=21, axis=axis)
    check(model, {"x": ties_and_extremes(*shape)})


@pytest.mark.parametrize("block_size", [2, 3])
def test_quantize_in_blocks(block_size):
    blocks = -(-7 // block_size)
    initializers = {
        "s": (np.random.default_rng(2).random((3, blocks)) + 0.1).astype(np.float32),
        "z": np.random.default_rng(3).integers(-5, 5, (3, blocks)).astype(np.int8),
    }
    model = one_node(
        "QuantizeLinear", {"x": [3, 7]}, initializers, opset=21, axis=1, block_size=block_size
    )
    check(model, {"x": ties_and_extremes(3, 7)})


def test_quantize_without_a_zero_point_to_an_output_type():
    model = one_node(
        "QuantizeLinear",
        {"x": [4, 5]},
        {"s": np.array(0.5, np.float32)},
        opset=21,
        output_dtype=INT8,
    )
    check(model, {"x": ties_and_extremes(4, 5, scale=0.5)})


def test_quantize_with_a_scale_and_zero_point_at_run_time():
    model = one_node("QuantizeLinear", {"x": [2, 5], "s": [], "z": []}, types={"z": INT8}, opset=13)
    feeds = {
        "x": ties_and_extremes(2, 5),
        "s": np.array(0.25, np.float32),
        "z": np.array(7, np.int8),
    }
    check(model, feeds)


@pytest.mark.parametrize(
    "element, opset",
    [
        (INT8, 10),
        (INT8, 13),
        (INT8, 21),
        (INT16, 21),
        (INT32, 10),
        (INT32, 21),
        (UINT8, 10),
        (UINT8, 21),
        (UINT16, 21),
    ],
)
def test_dequantize_per_tensor(element, opset):
    dtype = DTYPES[element]
    initializers = {"s": np.array(0.37, np.float32)}
    if element != INT32:
        initializers["z"] = np.array(-5 if np.issubdtype(dtype, np.signedinteger) else 200, dtype)
    model = one_node("DequantizeLinear", {"x": [4, 6]}, initializers, {"x": element}, opset=opset)
    info = np.iinfo(dtype)
    x = np.random.default_rng(1).integers(info.min, info.max, (4, 6), endpoint=True).astype(dtype)
    check(model, {"x": x})


@pytest.mark.parametrize("axis", [0, -1])
def test_dequantize_per_axis_and_in_blocks(axis):
    x = np.random.default_rng(1).integers(-128, 128, (4, 6)).astype(np.int8)
    per_axis = one_node(
        "DequantizeLinear",
        {"x": [4, 6]},
        {
            "s": np.linspace(0.1, 1, x.shape[axis]).astype(np.float32),
            "z": np.arange(x.shape[axis]).astype(np.int8),
        },
        {"x": INT8},
        opset=13,
        axis=axis,
    )
    check(per_axis, {"x": x})
    blocked = one_node(
        "DequantizeLinear",
        {"x": [4, 6]},
        {
            "s": np.linspace(0.1, 1, 8).astype(np.float32).reshape(4, 2),
            "z": np.arange(8).astype(np.int8).reshape(4, 2),
        },
        {"x": INT8},
        opset=21,
        axis=1,
        block_size=4,
    )
    check(blocked, {"x": x})


@pytest.mark.parametrize("activations", [INT8, UINT8])
def test_a_qdq_convolution_computes_what_onnxruntime_computes(activations):
    """Weights quantized to int8 and activations to int8 or uint8 (onnxruntime's default)
    around a float convolution, as onnxruntime's quantization tools write a QDQ model."""
    w = np.random.default_rng(4).integers(-127, 128, (4, 3, 3, 3)).astype(np.int8)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
        helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], axis=0),
        helper.make_node("Conv", ["xd", "wd", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("QuantizeLinear", ["c", "cs", "cz"], ["cq"]),
        helper.make_node("DequantizeLinear", ["cq", "cs", "cz"], ["y"]),
    ]
    dtype = DTYPES[activations]
    offset = 0 if activations == INT8 else 128
    initializers = {
        "xs": np.array(0.02, np.float32),
        "xz": np.array(3 + offset, dtype),
        "w": w,
        "ws": np.array([0.01, 0.02, 0.015, 0.03], np.float32),
        "b": rng_array(4, seed=5),
        "cs": np.array(0.05, np.float32),
        "cz": np.array(-2 + offset, dtype),
    }
    graph = helper.make_graph(
        nodes,
        "qdq",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 7, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 7, 9])],
        initializer=[numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    # Exactly: every output is an integer times cs, as onnxruntime's.
    check(model, {"x": rng_array(1, 3, 7, 9, seed=6)}, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "x",
    [
        np.random.default_rng(8).standard_normal((3, 5, 7)).astype(np.float32) * 4,
        np.abs(np.random.default_rng(9).standard_normal((2, 9)).astype(np.float32)) + 1,
        -np.abs(np.random.default_rng(10).standard_normal(11).astype(np.float32)) - 1,
        np.array(2.5, np.float32),
    ],
    ids=["mixed", "positive", "negative", "scalar"],
)
def test_dynamic_quantize(x):
    """The range, the scale and the uint8 zero point from the data, with 0 in the range."""
    model = one_node("DynamicQuantizeLinear", {"x": list(x.shape)}, outputs=3, opset=11)
    check(model, {"x": x})


def test_a_uint8_dequantized_input_at_run_time():
    """A uint8 tensor fed by the caller, its zero point at run time too."""
    model = one_node(
        "DequantizeLinear", {"x": [5, 3], "s": [], "z": []}, types={"x": UINT8, "z": UINT8}
    )
    x = np.random.default_rng(11).integers(0, 256, (5, 3)).astype(np.uint8)
    check(model, {"x": x, "s": np.array(0.1, np.float32), "z": np.array(250, np.uint8)})


@pytest.mark.parametrize(
    "model, message",
    [
        (
            one_node(
                "QuantizeLinear",
                {"x": [3]},
                {"s": np.array(0.5, np.float32)},
                opset=21,
                output_dtype=TensorProto.INT4,
            ),
            "node 'n' (QuantizeLinear): error: quantized type int4 is not supported",
        ),
        (
            one_node(
                "QuantizeLinear",
                {"x": [3, 4]},
                {"s": np.ones(3, np.float32), "z": np.zeros(3, np.int8)},
                opset=13,
                axis=1,
            ),
            "node 'n' (QuantizeLinear): error: a per-axis scale of axis 1 must have shape (4,)",
        ),
    ],
    ids=["int4", "per_axis_shape"],
)
def test_refusals_name_the_node(model, message):
    assert message in import_error(model)


def test_the_driver_refuses_a_4_bit_quantization_in_one_line(tmp_path, capsys):
    model = one_node(
        "QuantizeLinear",
        {"x": [3]},
        {"s": np.array(0.5, np.float32)},
        opset=21,
        output_dtype=TensorProto.INT4,
    )
    error = driver_refusal(model, tmp_path, capsys)
    assert error.endswith("node 'n' (QuantizeLinear): error: quantized type int4 is not supported")
