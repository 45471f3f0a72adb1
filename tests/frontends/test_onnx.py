"""The ONNX importer: every operator against onnxruntime on small odd shapes, its attribute
variants, shape folding at import, the function's contract, and each error a user can cause."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects import func

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.frontends.onnx import import_model, input_names, output_names

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64


def make_model(
    nodes: Sequence[onnx.NodeProto],
    inputs: dict[str, Sequence[int | str]],
    outputs: Sequence[str],
    initializers: dict[str, np.ndarray] | None = None,
    opset: int = 17,
    types: dict[str, int] | None = None,
) -> onnx.ModelProto:
    """A model of `nodes`; inputs are float32 unless `types` says otherwise; outputs untyped."""
    types = types or {}
    graph = helper.make_graph(
        list(nodes),
        "test",
        [helper.make_tensor_value_info(n, types.get(n, F32), s) for n, s in inputs.items()],
        [helper.make_value_info(n, onnx.TypeProto()) for n in outputs],
        initializer=[numpy_helper.from_array(a, n) for n, a in (initializers or {}).items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def node_model(
    op_type: str,
    inputs: dict[str, Sequence[int]],
    initializers: dict[str, np.ndarray] | None = None,
    outputs: int = 1,
    opset: int = 17,
    input_order: Sequence[str] | None = None,
    types: dict[str, int] | None = None,
    **attributes: Any,
) -> onnx.ModelProto:
    """A model of one node named 'n' over `inputs` (graph inputs) and `initializers`."""
    names = list(input_order or [*inputs, *(initializers or {})])
    output_names = [f"y{i}" for i in range(outputs)]
    node = helper.make_node(op_type, names, output_names, name="n", **attributes)
    return make_model([node], inputs, output_names, initializers, opset, types)


def random_feeds(model: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    initializers = {i.name for i in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor_type = value.type.tensor_type
        shape = [d.dim_value for d in tensor_type.shape.dim]
        dtype = helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
        if np.issubdtype(dtype, np.floating):
            feeds[value.name] = rng.standard_normal(shape).astype(dtype)
        else:
            feeds[value.name] = rng.integers(0, 3, shape).astype(dtype)
    return feeds


def check(
    model: onnx.ModelProto,
    feeds: dict[str, np.ndarray] | None = None,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> list[np.ndarray]:
    """Compile `model` and compare every output with onnxruntime's."""
    feeds = feeds if feeds is not None else random_feeds(model)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = session.run(None, feeds)
    module = import_model(model)
    got = ziggurat.compile(module)(*(feeds[n] for n in input_names(module)))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
    return got


def rng_array(*shape: int, seed: int = 1, positive: bool = False) -> np.ndarray:
    array = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return np.abs(array) + 0.1 if positive else array


def import_error(model: onnx.ModelProto | str, **kwargs: Any) -> str:
    with pytest.raises(ZigguratError) as info:
        import_model(model, **kwargs)
    return str(info.value)


# The function's contract -------------------------------------------------------------------


def test_arguments_are_the_non_initializer_inputs_and_carry_their_onnx_names():
    weight = rng_array(3, 5)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Relu", ["h"], ["y"])],
        "g",
        [
            helper.make_tensor_value_info("x", F32, [2, 3]),
            helper.make_tensor_value_info("w", F32, [3, 5]),  # an initializer too: a constant
        ],
        [
            helper.make_tensor_value_info("y", F32, [2, 5]),
            helper.make_tensor_value_info("h", F32, [2, 5]),
        ],
        initializer=[numpy_helper.from_array(weight, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    module = import_model(model)
    (function,) = [op for op in module.ops if isinstance(op, func.FuncOp)]
    assert function.sym_name.data == "main"
    assert input_names(module) == ["x"] and output_names(module) == ["y", "h"]
    assert [str(t) for t in function.function_type.inputs] == ["tensor<2x3xf32>"]
    assert any(op.name == "graph.constant" for op in function.body.ops)
    check(model, {"x": rng_array(2, 3)})


def test_ops_are_located_at_their_node():
    module = import_model(node_model("Relu", {"x": [3]}))
    relu = next(op for op in module.walk() if op.name == "graph.relu")
    assert "node 'n' (Relu)" in str(relu.location)


def test_a_graph_input_can_be_an_output():
    check(make_model([helper.make_node("Relu", ["x"], ["y"])], {"x": [3]}, ["y", "x"]))


def test_the_batch_size_fixes_a_dynamic_first_dimension():
    model = node_model("Relu", {"x": ["N", 3]})
    module = import_model(model, batch_size=5)
    assert "tensor<5x3xf32>" in str(module)
    x = rng_array(5, 3)
    (y,) = ziggurat.compile(model, batch_size=5)(x)
    np.testing.assert_array_equal(y, np.maximum(x, 0))


def test_compile_and_load_module_take_a_path(tmp_path):
    path = tmp_path / "relu.onnx"
    onnx.save(node_model("Relu", {"x": [2, 3]}), str(path))
    assert "graph.relu" in str(ziggurat.load_module(str(path)))
    x = rng_array(2, 3)
    np.testing.assert_array_equal(ziggurat.compile(path)(x)[0], np.maximum(x, 0))


# Elementwise -------------------------------------------------------------------------------

UNARY = ["Relu", "Sigmoid", "Tanh", "Exp", "Erf", "Neg", "Abs"]
POSITIVE_UNARY = ["Sqrt", "Log", "Reciprocal"]


@pytest.mark.parametrize("op_type", UNARY)
def test_unary(op_type):
    check(node_model(op_type, {"x": [3, 5]}))


@pytest.mark.parametrize("op_type", POSITIVE_UNARY)
def test_unary_on_positive_numbers(op_type):
    model = node_model(op_type, {"x": [3, 5]})
    check(model, {"x": rng_array(3, 5, positive=True)})


@pytest.mark.parametrize("op_type", ["Add", "Sub", "Mul", "Div", "Max", "Min"])
def test_binary_broadcasts(op_type):
    check(node_model(op_type, {"a": [2, 3, 5], "b": [3, 1]}))


def test_pow():
    model = node_model(
        "Pow", {"a": [3, 5]}, {"b": np.array([2.0, 3.0, 0.5, 1.0, -1.0], np.float32)}
    )
    check(model, {"a": rng_array(3, 5, positive=True)})


def test_pow_with_an_integer_exponent():
    model = node_model("Pow", {"a": [3, 5]}, {"b": np.array(3, np.int64)})
    check(model)


@pytest.mark.parametrize("op_type", ["Sum", "Max", "Min", "Mean"])
def test_variadic(op_type):
    check(node_model(op_type, {"a": [2, 3], "b": [3], "c": [2, 1]}))


def test_binary_with_a_scalar_constant():
    check(node_model("Div", {"a": [3, 5]}, {"b": np.array(8.0, np.float32)}))


@pytest.mark.parametrize(
    "attributes, b_shape, aligned",
    [
        ({"broadcast": 1, "axis": 1}, (3, 4), (1, 3, 4, 1)),
        ({"broadcast": 1}, (4, 5), (4, 5)),
        ({}, (2, 3, 4, 5), (2, 3, 4, 5)),
    ],
)
def test_opset_6_broadcasting_aligns_at_axis(attributes, b_shape, aligned):
    # onnxruntime runs no opset 6 Add: numpy is the reference.
    model = node_model("Sub", {"a": [2, 3, 4, 5], "b": b_shape}, opset=6, **attributes)
    a, b = rng_array(2, 3, 4, 5), rng_array(*b_shape, seed=2)
    module = import_model(model)
    (got,) = ziggurat.compile(module)(a, b)
    np.testing.assert_allclose(got, a - b.reshape(aligned), rtol=1e-6)


def test_leaky_relu():
    check(node_model("LeakyRelu", {"x": [4, 5]}, alpha=0.2))
    check(node_model("LeakyRelu", {"x": [4, 5]}))


@pytest.mark.parametrize(
    "bounds", [{"lo": -0.5, "hi": 0.7}, {"lo": -0.2}, {"hi": 0.3}], ids=["both", "min", "max"]
)
def test_clip_bounds_as_inputs(bounds):
    initializers = {k: np.array(v, np.float32) for k, v in bounds.items()}
    order = ["x", "lo" if "lo" in bounds else "", "hi" if "hi" in bounds else ""]
    check(node_model("Clip", {"x": [4, 5]}, initializers, input_order=order))


def test_clip_bounds_computed_at_run_time():
    check(node_model("Clip", {"x": [4, 5], "lo": [], "hi": []}))
    check(node_model("Clip", {"x": [4, 5], "hi": []}, input_order=["x", "", "hi"]))


def test_clip_bounds_as_attributes_before_opset_11():
    check(node_model("Clip", {"x": [4, 5]}, opset=10, min=-0.4, max=0.6))


def test_identity_and_dropout_pass_their_input_through():
    for model in (
        node_model("Identity", {"x": [3, 4]}),
        node_model("Dropout", {"x": [3, 4]}, opset=10, ratio=0.3),
        node_model("Dropout", {"x": [3, 4]}, {"ratio": np.array(0.5, np.float32)}),
    ):
        check(model)
    ratio_input = node_model("Dropout", {"x": [3, 4], "ratio": []})
    check(ratio_input, {"x": rng_array(3, 4), "ratio": np.array(0.3, np.float32)})


@pytest.mark.parametrize("to", [TensorProto.DOUBLE, TensorProto.INT32, TensorProto.INT64])
def test_cast_from_float(to):
    model = node_model("Cast", {"x": [3, 4]}, to=to)
    check(model, {"x": (rng_array(3, 4) * 10).astype(np.float32)})


def test_cast_from_an_integer_input():
    check(node_model("Cast", {"x": [3, 4]}, types={"x": I64}, to=F32))


# Contractions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attributes, c_shape",
    [
        ({}, (5,)),
        ({"transA": 1}, (1, 5)),
        ({"transB": 1, "alpha": 0.5, "beta": 2.0}, (3, 5)),
        ({"transA": 1, "transB": 1}, None),
    ],
)
def test_gemm(attributes, c_shape):
    a_shape = (4, 3) if attributes.get("transA") else (3, 4)
    b_shape = (5, 4) if attributes.get("transB") else (4, 5)
    initializers = {"b": rng_array(*b_shape)}
    if c_shape is not None:
        initializers["c"] = rng_array(*c_shape, seed=2)
    check(node_model("Gemm", {"a": a_shape}, initializers, **attributes))


@pytest.mark.parametrize(
    "a, b", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (3, 4, 2)), ((4,), (4, 3))]
)
def test_matmul(a, b):
    check(node_model("MatMul", {"a": a, "b": b}))


CONVOLUTIONS = {
    "plain": ((1, 3, 7, 9), (4, 3, 3, 3), {}),
    "pads_strides": ((2, 3, 9, 8), (5, 3, 3, 2), {"pads": [1, 2, 0, 1], "strides": [2, 3]}),
    "dilations": ((1, 2, 9, 9), (3, 2, 3, 3), {"dilations": [2, 1], "pads": [2, 1, 2, 1]}),
    "groups": ((1, 6, 7, 7), (4, 3, 3, 3), {"group": 2, "pads": [1, 1, 1, 1]}),
    "depthwise": ((1, 4, 6, 5), (4, 1, 3, 3), {"group": 4, "strides": [2, 2]}),
    "same_upper": ((1, 3, 8, 7), (4, 3, 3, 2), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    "same_lower": ((1, 3, 8, 7), (4, 3, 4, 3), {"auto_pad": "SAME_LOWER", "strides": [1, 2]}),
    "valid": ((1, 3, 8, 7), (4, 3, 3, 3), {"auto_pad": "VALID", "strides": [2, 2]}),
    "kernel_shape": ((1, 3, 5, 5), (2, 3, 1, 1), {"kernel_shape": [1, 1]}),
}


@pytest.mark.parametrize("name", CONVOLUTIONS)
@pytest.mark.parametrize("bias", [False, True])
def test_conv(name, bias):
    x, w, attributes = CONVOLUTIONS[name]
    initializers = {"w": rng_array(*w)}
    if bias:
        initializers["b"] = rng_array(w[0], seed=3)
    check(node_model("Conv", {"x": x}, initializers, **attributes))


def test_conv_with_a_weight_input():
    check(node_model("Conv", {"x": [1, 2, 5, 5], "w": [3, 2, 2, 2]}))


# Pooling and normalization -----------------------------------------------------------------

POOLS = {
    "plain": {"kernel_shape": [2, 2]},
    "strides_pads": {"kernel_shape": [3, 2], "strides": [2, 1], "pads": [1, 0, 1, 1]},
    "ceil": {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1},
    "ceil_pads": {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1},
    "same_upper": {"kernel_shape": [2, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"},
    "same_lower": {"kernel_shape": [2, 3], "strides": [2, 2], "auto_pad": "SAME_LOWER"},
    "valid": {"kernel_shape": [3, 3], "strides": [2, 1], "auto_pad": "VALID"},
}


@pytest.mark.parametrize("name", POOLS)
def test_max_pool(name):
    check(node_model("MaxPool", {"x": [1, 3, 7, 8]}, **POOLS[name]))


def test_max_pool_dilations():
    check(node_model("MaxPool", {"x": [1, 2, 9, 8]}, kernel_shape=[2, 3], dilations=[2, 2]))


@pytest.mark.parametrize("name", POOLS)
@pytest.mark.parametrize("include_pad", [0, 1])
def test_average_pool(name, include_pad):
    attributes = POOLS[name] | {"count_include_pad": include_pad}
    check(node_model("AveragePool", {"x": [2, 3, 7, 8]}, **attributes))


@pytest.mark.parametrize("op_type", ["GlobalAveragePool", "GlobalMaxPool"])
def test_global_pool(op_type):
    check(node_model(op_type, {"x": [2, 3, 5, 7]}))


# 1-D windows run as 2-D ones of height 1.
WINDOWS_1D = {
    "conv": ("Conv", {"w": (4, 3, 3)}, {"pads": [1, 2], "strides": [2], "dilations": [2]}),
    "conv_same": ("Conv", {"w": (6, 1, 2), "b": (6,)}, {"auto_pad": "SAME_LOWER", "group": 3}),
    "max_pool": ("MaxPool", {}, {"kernel_shape": [3], "strides": [2], "pads": [1, 1]}),
    "avg_pool": ("AveragePool", {}, {"kernel_shape": [2], "ceil_mode": 1, "strides": [2]}),
    "global_avg": ("GlobalAveragePool", {}, {}),
    "global_max": ("GlobalMaxPool", {}, {}),
}


@pytest.mark.parametrize("name", WINDOWS_1D)
def test_one_dimensional_windows(name):
    op_type, weights, attributes = WINDOWS_1D[name]
    initializers = {
        key: rng_array(*shape, seed=i) for i, (key, shape) in enumerate(weights.items())
    }
    check(node_model(op_type, {"x": [2, 3, 11]}, initializers, **attributes))


def test_batch_normalization():
    initializers = {
        "scale": rng_array(3, seed=2),
        "bias": rng_array(3, seed=3),
        "mean": rng_array(3, seed=4),
        "var": rng_array(3, seed=5, positive=True),
    }
    check(node_model("BatchNormalization", {"x": [2, 3, 4, 5]}, initializers, epsilon=1e-3))
    check(node_model("BatchNormalization", {"x": [2, 3]}, initializers, opset=9))


def test_lrn():
    check(node_model("LRN", {"x": [1, 5, 4, 3]}, size=3, alpha=0.01, beta=0.6, bias=2.0))
    check(node_model("LRN", {"x": [2, 6, 3, 3]}, size=5))


@pytest.mark.parametrize("axis, bias", [(-1, True), (1, True), (-1, False)])
def test_layer_normalization(axis, bias):
    shape = (2, 3, 5)
    normalized = shape[axis % 3 :]
    initializers = {"scale": rng_array(*normalized, seed=2)}
    if bias:
        initializers["b"] = rng_array(*normalized, seed=3)
    check(node_model("LayerNormalization", {"x": shape}, initializers, axis=axis, epsilon=1e-3))


@pytest.mark.parametrize("op_type", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("opset, axis", [(11, 1), (11, -1), (11, 0), (13, 1), (13, -1)])
def test_softmax(op_type, opset, axis):
    check(node_model(op_type, {"x": [2, 3, 4]}, opset=opset, axis=axis))


def test_softmax_default_axis_before_opset_13_spans_all_but_the_first():
    check(node_model("Softmax", {"x": [2, 3, 4]}, opset=11))


# Reductions --------------------------------------------------------------------------------

REDUCTIONS = ["ReduceSum", "ReduceMean", "ReduceMax"]


@pytest.mark.parametrize("op_type", REDUCTIONS)
@pytest.mark.parametrize("axes, keepdims", [([1], 1), ([0, -1], 0), (None, 1), (None, 0)])
def test_reduce_axes_as_attribute(op_type, axes, keepdims):
    attributes: dict[str, Any] = {"keepdims": keepdims}
    if axes is not None:
        attributes["axes"] = axes
    check(node_model(op_type, {"x": [3, 4, 5]}, opset=11, **attributes))


@pytest.mark.parametrize("op_type", REDUCTIONS)
@pytest.mark.parametrize("axes, keepdims", [([2], 1), ([0, 1], 0), (None, 0)])
def test_reduce_axes_as_input(op_type, axes, keepdims):
    initializers = {} if axes is None else {"axes": np.array(axes, np.int64)}
    check(node_model(op_type, {"x": [3, 4, 5]}, initializers, opset=18, keepdims=keepdims))


def test_reduce_with_empty_axes_and_noop_is_the_identity():
    initializers = {"axes": np.array([], np.int64)}
    model = node_model("ReduceSum", {"x": [3, 4]}, initializers, noop_with_empty_axes=1)
    check(model)
    initializers = {"axes": np.array([1], np.int64)}
    model = node_model("ReduceSum", {"x": [3, 4]}, initializers, noop_with_empty_axes=1)
    check(model)


# Shapes and data movement ------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, target",
    [((2, 3, 4), [0, -1]), ((2, 3, 4), [4, 0, 2]), ((6, 4), [2, 3, 2, 2]), ((3, 4), [-1])],
)
def test_reshape(shape, target):
    check(node_model("Reshape", {"x": shape}, {"shape": np.array(target, np.int64)}))


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_flatten(axis):
    check(node_model("Flatten", {"x": [2, 3, 4]}, axis=axis))


@pytest.mark.parametrize("perm", [None, [0, 2, 1], [2, 0, 1]])
def test_transpose(perm):
    attributes = {} if perm is None else {"perm": perm}
    check(node_model("Transpose", {"x": [2, 3, 4]}, **attributes))


def test_concat_of_inputs_and_constants():
    initializers = {"c": rng_array(2, 1, 4)}
    check(node_model("Concat", {"a": [2, 3, 4], "b": [2, 2, 4]}, initializers, axis=1))


@pytest.mark.parametrize(
    "opset, split, outputs, attributes",
    [
        (11, None, 3, {"axis": 1}),
        (11, [1, 4], 2, {"axis": -1, "split": [1, 4]}),
        (13, [2, 1, 3], 3, {"axis": 0}),
        (18, None, 3, {"axis": 2, "num_outputs": 3}),
    ],
)
def test_split(opset, split, outputs, attributes):
    inputs = {"x": [6, 6, 5]} if opset < 18 else {"x": [6, 3, 7]}
    if opset == 11 and split is None:
        inputs = {"x": [2, 6, 5]}
    if opset == 11 and split is not None:
        inputs = {"x": [2, 3, 5]}
    initializers = {"split": np.array(split, np.int64)} if opset >= 13 and split else None
    check(node_model("Split", inputs, initializers, outputs=outputs, opset=opset, **attributes))


@pytest.mark.parametrize(
    "starts, ends, axes, steps",
    [
        ([1, 0], [3, 4], None, None),  # axes and steps default
        ([-4], [100], [2], [2]),  # from the end, an end past it, every other element
        ([5, 3], [-100, 0], [2, 1], [-2, -1]),  # backwards, an end before the start
        ([0, 1], [2, 1], [0, -1], [1, 1]),  # an empty result
        ([2], [-1], [1], [1]),
    ],
)
def test_slice(starts, ends, axes, steps):
    initializers = {"starts": np.array(starts, np.int64), "ends": np.array(ends, np.int64)}
    if axes is not None:
        initializers["axes"] = np.array(axes, np.int64)
    if steps is not None:
        initializers["steps"] = np.array(steps, np.int64)
    check(node_model("Slice", {"x": [3, 4, 7]}, initializers))


def test_slice_by_attributes_before_opset_10():
    check(node_model("Slice", {"x": [3, 4, 7]}, opset=9, starts=[1, -3], ends=[9, -1], axes=[0, 2]))


def test_squeeze_and_unsqueeze_by_opset():
    check(node_model("Squeeze", {"x": [1, 3, 1, 4]}, opset=11, axes=[0, -2]))
    check(node_model("Squeeze", {"x": [1, 3, 1, 4]}, opset=11))
    check(node_model("Squeeze", {"x": [1, 3, 1, 4]}, {"axes": np.array([2], np.int64)}))
    check(node_model("Unsqueeze", {"x": [3, 4]}, opset=11, axes=[0, 3]))
    check(node_model("Unsqueeze", {"x": [3, 4]}, {"axes": np.array([-1, 1], np.int64)}))


@pytest.mark.parametrize("axis, indices", [(0, [2, -1, 0]), (1, [[1, 0], [3, 3]]), (-1, 2)])
def test_gather_with_constant_indices(axis, indices):
    initializers = {"i": np.array(indices, np.int64)}
    check(node_model("Gather", {"x": [3, 4, 5]}, initializers, axis=axis))


def test_gather_with_run_time_indices_is_an_embedding_lookup():
    table = rng_array(7, 4)
    model = node_model(
        "Gather",
        {"ids": [2, 3]},
        {"table": table},
        input_order=["table", "ids"],
        types={"ids": I64},
    )
    ids = np.array([[0, 6, 2], [3, 3, 1]], np.int64)
    check(model, {"ids": ids})


@pytest.mark.parametrize(
    "opset, mode, pads",
    [
        (17, "constant", [0, 1, 2, 0, 2, 1]),
        (17, "reflect", [0, 2, 1, 0, 1, 2]),
        (17, "edge", [1, 0, 3, 0, 2, 1]),
        (19, "wrap", [0, 2, 1, 1, 0, 3]),
        (10, "constant", [0, 1, 1, 0, 0, 2]),
    ],
)
def test_pad(opset, mode, pads):
    if opset < 11:
        model = node_model("Pad", {"x": [2, 4, 5]}, opset=opset, mode=mode, pads=pads, value=1.5)
    else:
        initializers = {"pads": np.array(pads, np.int64), "value": np.array(1.5, np.float32)}
        model = node_model("Pad", {"x": [2, 4, 5]}, initializers, opset=opset, mode=mode)
    check(model)


def test_pad_with_a_fill_value_known_at_run_time():
    model = node_model(
        "Pad",
        {"x": [3, 4], "value": []},
        {"pads": np.array([1, 0, 2, 1], np.int64)},
        input_order=["x", "pads", "value"],
    )
    check(model, {"x": rng_array(3, 4), "value": np.array(2.5, np.float32)})


def test_pad_on_some_axes():
    initializers = {
        "pads": np.array([1, 2, 0, 1], np.int64),
        "value": np.array(0.0, np.float32),
        "axes": np.array([2, 0], np.int64),
    }
    check(node_model("Pad", {"x": [2, 3, 4]}, initializers, opset=18))


def test_constants_of_every_spelling():
    nodes = [
        helper.make_node("Constant", [], ["t"], value=numpy_helper.from_array(rng_array(2, 3))),
        helper.make_node("Constant", [], ["f"], value_float=0.5),
        helper.make_node("Constant", [], ["fs"], value_floats=[1.0, 2.0, 3.0]),
        helper.make_node("Add", ["x", "t"], ["a"]),
        helper.make_node("Mul", ["a", "f"], ["b"]),
        helper.make_node("Sub", ["b", "fs"], ["y"]),
        helper.make_node("Constant", [], ["shape"], value_ints=[3, 2]),
        helper.make_node("Reshape", ["y", "shape"], ["z"]),
    ]
    check(make_model(nodes, {"x": [2, 3]}, ["z"]))


def test_shape_arithmetic_folds_into_static_shapes():
    """The way PyTorch exports x.view(x.size(0), -1) and x.new_zeros(x.shape[1:])."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]),
        helper.make_node("Concat", ["n1", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"]),
        helper.make_node("Shape", ["x"], ["tail"], start=1, end=3),
        helper.make_node(
            "ConstantOfShape",
            ["tail"],
            ["ones"],
            value=numpy_helper.from_array(np.array([1.0], np.float32)),
        ),
        helper.make_node("Add", ["x", "ones"], ["y"]),
        helper.make_node("Size", ["x"], ["count"]),
        helper.make_node("Cast", ["count"], ["countf"], to=F32),
        helper.make_node("Div", ["y", "countf"], ["z"]),
    ]
    initializers = {
        "zero": np.array(0, np.int64),
        "axes": np.array([0], np.int64),
        "minus_one": np.array([-1], np.int64),
    }
    model = make_model(nodes, {"x": [2, 3, 4]}, ["flat", "z"], initializers, opset=17)
    module = import_model(model)
    ops = {op.name for op in module.walk()}
    assert "graph.reshape" in ops and "graph.gather" not in ops and "graph.concat" not in ops
    check(model)


def test_a_node_of_constants_is_evaluated_at_import_even_if_unsupported():
    nodes = [
        helper.make_node("Det", ["m"], ["d"]),
        helper.make_node("Add", ["x", "d"], ["y"]),
    ]
    initializers = {"m": np.array([[2.0, 1.0], [0.5, 3.0]], np.float32)}
    check(make_model(nodes, {"x": [3, 4]}, ["y"], initializers))


@pytest.mark.parametrize(
    ("start", "limit", "delta"),
    [
        (np.float32(0.5), np.float32(4.2), np.float32(0.7)),
        (np.int64(10), np.int64(-3), np.int64(-4)),
        (np.int32(5), np.int32(5), np.int32(1)),  # empty
        (np.int16(2), np.int16(0), np.int16(1)),  # empty: the wrong direction
        (np.float64(-1), np.float64(1), np.float64(0.25)),
    ],
)
def test_range_of_constants(start, limit, delta):
    """As PyTorch exports torch.arange: a constant, here added to an input of its length."""
    values = np.arange(start, limit, delta)
    elements = {np.float32: F32, np.float64: TensorProto.DOUBLE, np.int64: TensorProto.INT64}
    element = elements.get(type(start), TensorProto.INT32)
    nodes = [
        helper.make_node("Range", ["start", "limit", "delta"], ["r"]),
        helper.make_node("Cast", ["r"], ["rc"], to=element),
        helper.make_node("Cast", ["x"], ["xc"], to=element),
        helper.make_node("Add", ["xc", "rc"], ["y"]),
    ]
    initializers = {"start": start, "limit": limit, "delta": delta}
    initializers = {name: np.array(value) for name, value in initializers.items()}
    check(make_model(nodes, {"x": [2, len(values)]}, ["y"], initializers))


@pytest.mark.parametrize(
    ("initializers", "message"),
    [
        (
            {"limit": 3, "delta": 1},
            "node 'r' (Range): error: the start (input 'start') must be a constant",
        ),
        ({"start": 0, "limit": 3, "delta": 0}, "node 'r' (Range): error: delta must not be 0"),
    ],
)
def test_range_refusals_name_the_node(initializers, message):
    node = helper.make_node("Range", ["start", "limit", "delta"], ["r"], name="r")
    constants = {name: np.array(value, np.int64) for name, value in initializers.items()}
    inputs = {"start": []} if "start" not in initializers else {}
    model = make_model([node], inputs, ["r"], constants, types={"start": TensorProto.INT64})
    assert message in import_error(model)


# Errors ------------------------------------------------------------------------------------


def test_an_unsupported_operator_names_its_node():
    model = node_model("Det", {"x": [3, 3]})
    assert import_error(model) == "node 'n' (Det): error: operator not supported"


@pytest.mark.parametrize(
    "initializers, message",
    [
        ({"ends": [2]}, "starts (input 'starts') must be a constant"),
        ({"starts": [0], "ends": [2], "axes": [0], "steps": [0]}, "a step of 0"),
        ({"starts": [0], "ends": [2], "axes": [3]}, "axes [3] are out of range or repeat"),
        ({"starts": [0, 1], "ends": [2]}, "starts, ends, axes and steps differ in length"),
    ],
)
def test_a_bad_slice_names_its_node(initializers, message):
    model = node_model(
        "Slice",
        {"x": [3, 4], **({} if "starts" in initializers else {"starts": [1]})},
        {k: np.array(v, np.int64) for k, v in initializers.items()},
        input_order=["x", "starts", "ends", "axes", "steps"][: 1 + max(2, len(initializers))],
    )
    assert message in import_error(model) and "node 'n' (Slice)" in import_error(model)


def test_an_unknown_operator_is_not_supported():
    assert "(Frobnicate): error: operator not supported" in import_error(
        node_model("Frobnicate", {"x": [3]})
    )


def test_an_unnamed_node_is_named_by_its_position():
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Hardmax", ["r"], ["y"])]
    assert "node #1 (Hardmax): error: operator not supported" in import_error(
        make_model(nodes, {"x": [3]}, ["y"])
    )


@pytest.mark.parametrize(
    "model, message",
    [
        (
            node_model("Conv", {"x": [1, 2, 5, 5]}, {"w": rng_array(2, 2, 3, 3)}, auto_pad="FOO"),
            "node 'n' (Conv): error: auto_pad 'FOO' is not supported",
        ),
        (
            node_model("Conv", {"x": [1, 2, 5, 5, 5]}, {"w": rng_array(2, 2, 3, 3, 3)}),
            "only 1-D and 2-D convolutions are supported, got a 3-D input",
        ),
        (
            node_model("MaxPool", {"x": [1, 2, 5, 5]}, kernel_shape=[2, 2], storage_order=1),
            "(MaxPool): error: storage_order 1 is not supported",
        ),
        (
            node_model("MaxPool", {"x": [1, 2, 5, 5, 5]}, kernel_shape=[2, 2, 2]),
            "only 1-D and 2-D pools are supported, got a 3-D input",
        ),
        (
            node_model(
                "AveragePool", {"x": [1, 2, 5, 5]}, opset=19, kernel_shape=[2, 2], dilations=[2, 2]
            ),
            "dilations [2, 2] are not supported",
        ),
        (
            node_model("Pad", {"x": [3, 4]}, {"p": np.array([1, 1, 1, 1], np.int64)}, mode="fold"),
            "(Pad): error: mode 'fold' is not supported",
        ),
        (
            node_model("Cast", {"x": [3]}, to=TensorProto.STRING),
            "(Cast): error: cast to string is not supported",
        ),
        (
            node_model("Reshape", {"x": [2, 3], "shape": [2]}, types={"shape": I64}),
            "(Reshape): error: the shape (input 'shape') must be a constant",
        ),
        (
            node_model("Relu", {"x": [3]}, unknown=1),
            "node 'n' (Relu): error: invalid node: Unrecognized attribute: unknown",
        ),
        (
            node_model("Add", {"a": [2, 3], "b": [4]}),
            "node 'n' (Add): error: shapes (2, 3) and (4,) do not broadcast",
        ),
    ],
    ids=[
        "auto_pad",
        "conv3d",
        "storage_order",
        "pool3d",
        "avg_dilations",
        "pad_wrap",
        "cast_string",
        "reshape_dynamic",
        "unknown_attribute",
        "bad_shapes",
    ],
)
def test_unsupported_attributes_and_values_name_the_node(model, message):
    assert message in import_error(model)


def test_training_mode_is_not_supported():
    initializers = {k: rng_array(3, seed=i, positive=True) for i, k in enumerate("sbmv")}
    model = node_model("BatchNormalization", {"x": [2, 3, 4, 4]}, initializers, training_mode=1)
    assert "(BatchNormalization): error: training_mode 1 is not supported" in import_error(model)
    model = node_model("Dropout", {"x": [3]}, {"r": np.array(0.5, np.float32), "t": np.array(True)})
    assert "(Dropout): error: training_mode is not supported" in import_error(model)


@pytest.mark.parametrize(
    "op_type, inputs, initializers, attributes, output",
    [
        ("MaxPool", {"x": [1, 1, 4, 4]}, None, {"kernel_shape": [2, 2]}, "'Indices'"),
        ("Dropout", {"x": [3]}, None, {}, "'mask'"),
    ],
)
def test_an_extra_output_is_an_error_only_when_used(
    op_type, inputs, initializers, attributes, output
):
    unused = node_model(op_type, inputs, initializers, outputs=2, **attributes)
    unused.graph.output.pop()  # the second output exists but nothing reads it
    check(unused)
    used = node_model(op_type, inputs, initializers, outputs=2, **attributes)
    message = f"node 'n' ({op_type}): error: the {output} output is not supported"
    assert message in import_error(used)


def test_a_dynamic_batch_needs_a_batch_size():
    model = node_model("Relu", {"x": ["N", 3]})
    message = import_error(model)
    assert "input 'x' has a dynamic batch dimension 0 ('N'): give a batch size" in message


def test_only_the_batch_dimension_may_be_dynamic():
    message = import_error(node_model("Relu", {"x": [2, "T"]}), batch_size=2)
    assert "input 'x' has a dynamic dimension 1 ('T')" in message


@pytest.mark.parametrize("opset", [5, 29])
def test_an_unsupported_opset(opset):
    model = node_model("Relu", {"x": [3]}, opset=opset)
    assert f"opset {opset} is not supported (supported: 6 to 28)" in import_error(model)


def test_an_older_opset_reads_where_its_operators_are_as_at_opset_6():
    """Not-1 is Not's only version: a model of opset 1 of Nots and Ands is an opset 6 one;
    Relu-1 (consumed_inputs) is not Relu-6, so a Relu in an If branch of opset 5 is refused."""
    bools = {"a": TensorProto.BOOL, "b": TensorProto.BOOL}
    model = make_model(
        [helper.make_node("Not", ["a"], ["c"]), helper.make_node("And", ["c", "b"], ["y0"])],
        {"a": [2, 3], "b": [3]},
        ["y0"],
        opset=1,
        types=bools,
    )
    a = np.array([[True, False, True], [False, False, True]])
    b = np.array([True, True, False])
    (y,) = ziggurat.compile(model, cache=False)(a, b)
    np.testing.assert_array_equal(y, np.logical_not(a) & b)
    branch = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"])],
        "b",
        [],
        [helper.make_value_info("r", onnx.TypeProto())],
    )
    model = node_model(
        "If",
        {"x": [3]},
        types={"x": TensorProto.BOOL},
        opset=5,
        then_branch=branch,
        else_branch=branch,
    )
    message = import_error(model)
    assert "opset 5 is not supported (supported: 6 to 28): Relu changed by opset 6" in message


def test_onnx_writes_an_opset_we_support_by_default():
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", F32, [3])],
        [helper.make_tensor_value_info("y", F32, [3])],
    )
    check(helper.make_model(graph))


def test_an_unknown_domain():
    model = node_model("Relu", {"x": [3]})
    model.graph.node[0].domain = "com.example"
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    assert "node 'n' (Relu): error: domain 'com.example' is not supported" in import_error(model)


def test_a_truncated_file(tmp_path):
    path = tmp_path / "model.onnx"
    data = node_model("Conv", {"x": [1, 2, 5, 5]}, {"w": rng_array(2, 2, 3, 3)}).SerializeToString()
    path.write_bytes(data[: len(data) // 2])
    assert import_error(str(path)).startswith(f"error: cannot read ONNX model '{path}': ")


@pytest.mark.parametrize("content", [b"", b"func.func @main() {}\n"], ids=["empty", "text"])
def test_a_file_that_is_not_a_model(tmp_path, content):
    path = tmp_path / "model.onnx"
    path.write_bytes(content)
    assert import_error(str(path)).startswith(f"error: cannot read ONNX model '{path}': ")


def test_a_missing_file(tmp_path):
    assert "no such file" in import_error(str(tmp_path / "absent.onnx"))


def test_a_malformed_initializer_is_named():
    model = node_model("Add", {"x": [4]}, {"c": rng_array(4)})
    model.graph.initializer[0].dims[0] = 5  # four values stored, five declared
    assert "initializer 'c' is malformed" in import_error(model)


def test_shape_inference_sees_no_weights_yet_the_import_has_them():
    """ONNX's shape inference runs on a skeleton without the large initializers (each an
    input of its type): their values decide no shape. The shape a small one holds still
    folds, and the import, which reads the weights from the model, computes the same."""
    from ziggurat.frontends.onnx.importer import SMALL_INITIALIZER, skeleton, static_shapes

    nodes = [
        helper.make_node("MatMul", ["x", "weight"], ["y"]),
        helper.make_node("Reshape", ["y", "shape"], ["z"]),
    ]
    initializers = {
        "weight": np.random.default_rng(0).standard_normal((8, SMALL_INITIALIZER + 1), np.float32),
        "shape": np.array([-1, 2], np.int64),
    }
    model = make_model(nodes, {"x": [2, 8]}, ["z"], initializers)
    copy, placeholders = skeleton(model)
    assert [i.name for i in copy.graph.initializer] == ["shape"] and placeholders == {"weight"}
    assert len(model.graph.initializer) == 2  # the model itself is left as it was
    inferred = static_shapes(model, None)
    assert [i.name for i in inferred.graph.input] == ["x"]
    values = [*inferred.graph.value_info, *inferred.graph.output]
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in values}
    assert shapes["z"] == [SMALL_INITIALIZER + 1, 2]
    check(model)
