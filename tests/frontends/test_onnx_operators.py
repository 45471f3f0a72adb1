"""Issue 12's types and operators through the ONNX importer and the CPU, against onnxruntime
(or ONNX's reference evaluator where onnxruntime has no kernel for a type) at odd shapes:
bool, int8, uint8, int32 and int64 in arithmetic, comparisons, selection and casts, float16
kept, bfloat16 refused; the comparisons, logic, activations, reductions, arg max and min,
cumulative sums, Expand and Tile, and the normalizations with their attribute variants; and
what each refuses, naming the node."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from xdsl.dialects import func, scf

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.frontends.onnx import import_model, input_names
from ziggurat.pipeline import lower

F32 = TensorProto.FLOAT


def model_of(
    nodes: Sequence[onnx.NodeProto],
    inputs: dict[str, tuple[int, Sequence[int]]],
    outputs: Sequence[str],
    initializers: dict[str, np.ndarray] | None = None,
    opset: int = 18,
) -> onnx.ModelProto:
    """A model of `nodes` whose inputs are name: (element type, shape); outputs untyped."""
    graph = helper.make_graph(
        list(nodes),
        "test",
        [helper.make_tensor_value_info(n, t, s) for n, (t, s) in inputs.items()],
        [helper.make_value_info(n, onnx.TypeProto()) for n in outputs],
        initializer=[numpy_helper.from_array(a, n) for n, a in (initializers or {}).items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def node(op_type: str, inputs: Sequence[str], outputs: int = 1, **attributes: Any):
    return helper.make_node(
        op_type, list(inputs), [f"y{i}" for i in range(outputs)], name="n", **attributes
    )


def feeds_for(model: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded inputs: normals for floats, every value of 8-bit integers, small ones else."""
    rng = np.random.default_rng(seed)
    initializers = {i.name for i in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor_type = value.type.tensor_type
        shape = [d.dim_value for d in tensor_type.shape.dim]
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(tensor_type.elem_type))
        if dtype.kind == "f":
            feeds[value.name] = (3 * rng.standard_normal(shape)).astype(dtype)
        elif dtype == np.bool_:
            feeds[value.name] = rng.integers(0, 2, shape).astype(dtype)
        elif dtype.itemsize == 1:
            info = np.iinfo(dtype)
            feeds[value.name] = rng.integers(info.min, info.max + 1, shape).astype(dtype)
        else:
            feeds[value.name] = rng.integers(-20, 20, shape).astype(dtype)
    return feeds


def expected_outputs(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    """onnxruntime's outputs, or the reference evaluator's where onnxruntime lacks a kernel."""
    try:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
    except Exception:  # NOT_IMPLEMENTED: no kernel for the type
        return [np.asarray(v) for v in ReferenceEvaluator(model).run(None, feeds)]
    return session.run(None, feeds)


def check(
    model: onnx.ModelProto,
    feeds: dict[str, np.ndarray] | None = None,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> list[np.ndarray]:
    """Compile `model` and compare every output, its type and shape too."""
    feeds = feeds if feeds is not None else feeds_for(model)
    expected = expected_outputs(model, feeds)
    module = import_model(model)
    got = ziggurat.compile(module)(*(feeds[n] for n in input_names(module)))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype, (g.dtype, e.dtype)
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
    return got


def import_error(model: onnx.ModelProto) -> str:
    with pytest.raises(ZigguratError) as info:
        import_model(model)
    return str(info.value)


# Types through the whole path ----------------------------------------------------------------

INTEGERS = {
    "int8": TensorProto.INT8,
    "uint8": TensorProto.UINT8,
    "int32": TensorProto.INT32,
    "int64": TensorProto.INT64,
    "uint16": TensorProto.UINT16,
}


@pytest.mark.parametrize("name", sorted(INTEGERS))
def test_integer_arithmetic(name):
    """Add, Sub, Mul, Div (truncating), Mod (both ways), Max, Min, Abs, comparisons and a
    Where, the divisor kept away from 0 as onnxruntime's division traps on it."""
    element = INTEGERS[name]
    nodes = [
        helper.make_node("Add", ["a", "b"], ["add"]),
        helper.make_node("Sub", ["a", "b"], ["sub"]),
        helper.make_node("Mul", ["a", "b"], ["mul"]),
        helper.make_node("Div", ["a", "b"], ["div"]),
        helper.make_node("Mod", ["a", "b"], ["mod"]),
        helper.make_node("Mod", ["a", "b"], ["fmod"], fmod=1),
        helper.make_node("Max", ["a", "b"], ["max"]),
        helper.make_node("Min", ["a", "b"], ["min"]),
        helper.make_node("Abs", ["a"], ["abs"]),
        helper.make_node("Less", ["a", "b"], ["less"]),
        helper.make_node("Equal", ["a", "b"], ["equal"]),
        helper.make_node("Where", ["less", "a", "b"], ["where"]),
    ]
    outputs = [n.output[0] for n in nodes]
    model = model_of(nodes, {"a": (element, [3, 37]), "b": (element, [37])}, outputs)
    feeds = feeds_for(model)
    feeds["b"][feeds["b"] == 0] = 3
    check(model, feeds)


@pytest.mark.parametrize("name", ["int8", "int32", "int64"])
def test_signed_integers_negate_and_take_a_sign(name):
    nodes = [node("Neg", ["a"]), helper.make_node("Sign", ["a"], ["y1"])]
    check(model_of(nodes, {"a": (INTEGERS[name], [5, 7])}, ["y0", "y1"], opset=13))


@pytest.mark.parametrize(
    "source, target",
    [
        (TensorProto.UINT8, TensorProto.FLOAT),
        (TensorProto.UINT8, TensorProto.INT32),
        (TensorProto.INT8, TensorProto.UINT8),
        (TensorProto.INT64, TensorProto.INT8),
        (TensorProto.BOOL, TensorProto.FLOAT),
        (TensorProto.FLOAT, TensorProto.BOOL),
        (TensorProto.BOOL, TensorProto.INT64),
        (TensorProto.FLOAT16, TensorProto.INT32),
        (TensorProto.UINT16, TensorProto.FLOAT16),
    ],
)
def test_cast_between_types(source, target):
    check(model_of([node("Cast", ["x"], to=target)], {"x": (source, [3, 37])}, ["y0"]))


def test_cast_like_takes_the_type_of_its_second_input():
    model = model_of(
        [node("CastLike", ["x", "like"])],
        {"x": (F32, [3, 7]), "like": (TensorProto.UINT8, [1])},
        ["y0"],
    )
    feeds = feeds_for(model)
    feeds["x"] = np.abs(feeds["x"]) * 20
    check(model, feeds)


def test_boolean_logic_and_selection():
    nodes = [
        helper.make_node("And", ["p", "q"], ["and"]),
        helper.make_node("Or", ["p", "q"], ["or"]),
        helper.make_node("Xor", ["p", "q"], ["xor"]),
        helper.make_node("Not", ["p"], ["not"]),
        helper.make_node("Equal", ["p", "q"], ["equal"]),
        helper.make_node("Where", ["p", "x", "z"], ["where"]),
    ]
    inputs = {
        "p": (TensorProto.BOOL, [4, 1, 7]),
        "q": (TensorProto.BOOL, [3, 7]),
        "x": (TensorProto.INT64, [7]),
        "z": (TensorProto.INT64, [3, 1]),
    }
    check(model_of(nodes, inputs, [n.output[0] for n in nodes]))


def test_float16_keeps_working_with_the_new_operators():
    nodes = [
        helper.make_node("Greater", ["x", "y"], ["g"]),
        helper.make_node("Where", ["g", "x", "y"], ["w"]),
        helper.make_node("HardSwish", ["w"], ["h"]),
        helper.make_node("Round", ["h"], ["r"]),
    ]
    inputs = {"x": (TensorProto.FLOAT16, [3, 37]), "y": (TensorProto.FLOAT16, [37])}
    check(model_of(nodes, inputs, ["g", "r"], opset=22), rtol=1e-3, atol=1e-3)


def test_an_integer_shape_computation_runs_on_the_cpu():
    """Shape arithmetic on a run-time integer input: x * 2 + 1, as an index computation."""
    nodes = [
        helper.make_node("Mul", ["i", "two"], ["m"]),
        helper.make_node("Add", ["m", "one"], ["y"]),
        helper.make_node("Gather", ["table", "y"], ["g"]),
    ]
    initializers = {
        "two": np.array(2, np.int64),
        "one": np.array(1, np.int64),
        "table": np.arange(50, dtype=np.float32).reshape(25, 2),
    }
    model = model_of(nodes, {"i": (TensorProto.INT64, [3, 5])}, ["y", "g"], initializers)
    check(model, {"i": np.arange(15, dtype=np.int64).reshape(3, 5) % 12})


def test_bfloat16_is_refused_clearly():
    model = model_of([node("Relu", ["x"])], {"x": (TensorProto.BFLOAT16, [3])}, ["y0"])
    assert "input 'x' of element type bfloat16 is not supported" in import_error(model)
    model = model_of([node("Cast", ["x"], to=TensorProto.BFLOAT16)], {"x": (F32, [3])}, ["y0"])
    assert "node 'n' (Cast): error: cast to bfloat16 is not supported" in import_error(model)


# Operators -----------------------------------------------------------------------------------

UNARY = {
    "Elu": {"alpha": 0.7},
    "Selu": {"alpha": 1.5, "gamma": 2.0},
    "Celu": {"alpha": 2.0},
    "HardSigmoid": {"alpha": 0.3, "beta": 0.4},
    "HardSwish": {},
    "ThresholdedRelu": {"alpha": 0.5},
    "Softplus": {},
    "Softsign": {},
    "Mish": {},
    "Floor": {},
    "Ceil": {},
    "Round": {},
    "Sign": {},
    "Sin": {},
    "Cos": {},
    "IsNaN": {},
}


@pytest.mark.parametrize("op_type", sorted(UNARY))
def test_unary(op_type):
    check(
        model_of([node(op_type, ["x"], **UNARY[op_type])], {"x": (F32, [3, 37])}, ["y0"], opset=22)
    )


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu(approximate):
    model = model_of(
        [node("Gelu", ["x"], approximate=approximate)], {"x": (F32, [3, 37])}, ["y0"], opset=20
    )
    check(model)


@pytest.mark.parametrize("positive, negative", [(1, 1), (1, 0), (0, 1), (0, 0)])
def test_is_inf(positive, negative):
    x = np.array([[np.inf, -np.inf, np.nan, 0.0, 1e38, -3.5, np.inf]], np.float32)
    attributes = {"detect_positive": positive, "detect_negative": negative}
    model = model_of([node("IsInf", ["x"], **attributes)], {"x": (F32, [1, 7])}, ["y0"], opset=20)
    check(model, {"x": x})


def test_prelu_with_a_slope_per_channel():
    model = model_of(
        [node("PRelu", ["x", "slope"])],
        {"x": (F32, [2, 3, 5, 7])},
        ["y0"],
        {"slope": np.array([[[0.1]], [[-0.5]], [[2.0]]], np.float32)},
        opset=16,
    )
    check(model)


def test_round_is_half_to_even():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998], np.float32)
    assert list(
        check(model_of([node("Round", ["x"])], {"x": (F32, [7])}, ["y0"]), {"x": x})[0]
    ) == [0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 2.0]


def test_float_mod_both_ways():
    nodes = [
        helper.make_node("Mod", ["a", "b"], ["fmod"], fmod=1),
        helper.make_node("Mod", ["a", "b"], ["mod"]),
    ]
    # Opset 28 lets floats take the divisor's sign (fmod 0).
    check(model_of(nodes, {"a": (F32, [3, 37]), "b": (F32, [37])}, ["fmod", "mod"], opset=28))


def test_comparisons_of_floats():
    nodes = [
        helper.make_node(op, ["a", "b"], [op])
        for op in ("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual")
    ]
    model = model_of(
        nodes, {"a": (F32, [3, 1, 5]), "b": (F32, [4, 5])}, [n.output[0] for n in nodes]
    )
    feeds = feeds_for(model)
    feeds["a"] = np.round(feeds["a"])  # some equal
    feeds["b"] = np.round(feeds["b"])
    check(model, feeds)


def test_expand_and_tile():
    nodes = [
        helper.make_node("Expand", ["x", "shape"], ["expanded"]),
        helper.make_node("Tile", ["x", "repeats"], ["tiled"]),
    ]
    initializers = {"shape": np.array([2, 1, 5], np.int64), "repeats": np.array([3, 2], np.int64)}
    check(model_of(nodes, {"x": (F32, [3, 1])}, ["expanded", "tiled"], initializers))


REDUCTIONS = [
    "ReduceMin",
    "ReduceMax",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceSumSquare",
    "ReduceLogSum",
    "ReduceLogSumExp",
    "ReduceSum",
    "ReduceMean",
]


@pytest.mark.parametrize("op_type", REDUCTIONS)
@pytest.mark.parametrize("axes, keepdims", [([1], 1), ([0, -1], 0), (None, 1)])
def test_reductions_with_axes_as_attribute(op_type, axes, keepdims):
    attributes = {"keepdims": keepdims} | ({"axes": axes} if axes is not None else {})
    model = model_of(
        [node(op_type, ["x"], **attributes)], {"x": (F32, [3, 7, 5])}, ["y0"], opset=12
    )
    feeds = {"x": np.abs(feeds_for(model)["x"]) / 3 + 0.5}  # log sums of positive numbers
    check(model, feeds, rtol=1e-4)


@pytest.mark.parametrize("op_type", REDUCTIONS)
def test_reductions_with_axes_as_input_and_noop(op_type):
    axes = {"axes": np.array([-2], np.int64)}
    model = model_of(
        [node(op_type, ["x", "axes"], keepdims=0)], {"x": (F32, [3, 7, 5])}, ["y0"], axes
    )
    feeds = {"x": np.abs(feeds_for(model)["x"]) / 3 + 0.5}
    check(model, feeds)
    empty = {"axes": np.array([], np.int64)}
    model = model_of(
        [node(op_type, ["x", "axes"], noop_with_empty_axes=1)], {"x": (F32, [3, 7])}, ["y0"], empty
    )
    check(model, {"x": np.ascontiguousarray(feeds["x"][:, :, 0])})


@pytest.mark.parametrize("op_type", ["ReduceMin", "ReduceMax", "ReduceProd", "ReduceSum"])
@pytest.mark.parametrize("element", [TensorProto.INT32, TensorProto.UINT8, TensorProto.INT64])
def test_integer_reductions(op_type, element):
    model = model_of(
        [node(op_type, ["x", "axes"], keepdims=0)],
        {"x": (element, [3, 9])},
        ["y0"],
        {"axes": np.array([1], np.int64)},
    )
    feeds = feeds_for(model)
    if op_type == "ReduceProd":  # no overflow, whose result onnxruntime and C leave open
        feeds["x"] = feeds["x"] % 4
    check(model, feeds)


def test_reductions_of_booleans():
    nodes = [
        helper.make_node("ReduceMax", ["x", "axes"], ["any"], keepdims=0),
        helper.make_node("ReduceMin", ["x", "axes"], ["all"], keepdims=0),
    ]
    model = model_of(
        nodes,
        {"x": (TensorProto.BOOL, [5, 3])},
        ["any", "all"],
        {"axes": np.array([1], np.int64)},
        opset=20,
    )
    check(model)


@pytest.mark.parametrize("op_type", ["ArgMax", "ArgMin"])
@pytest.mark.parametrize("keepdims, last", [(1, 0), (0, 0), (1, 1), (0, 1)])
def test_arg_max_and_min_choose_among_ties(op_type, keepdims, last):
    attributes = {"axis": -1, "keepdims": keepdims, "select_last_index": last}
    model = model_of([node(op_type, ["x"], **attributes)], {"x": (F32, [4, 37])}, ["y0"], opset=13)
    x = np.random.default_rng(3).integers(-2, 3, (4, 37)).astype(np.float32)  # many ties
    check(model, {"x": x})


@pytest.mark.parametrize("exclusive, reverse", [(0, 0), (1, 0), (0, 1), (1, 1)])
@pytest.mark.parametrize("element", [F32, TensorProto.INT32])
def test_cumsum(exclusive, reverse, element):
    model = model_of(
        [node("CumSum", ["x", "axis"], exclusive=exclusive, reverse=reverse)],
        {"x": (element, [3, 9])},
        ["y0"],
        {"axis": np.array(1, np.int32)},
        opset=14,
    )
    check(model)


def test_instance_and_group_normalization():
    scale, bias = np.linspace(0.5, 2, 6, dtype=np.float32), np.linspace(-1, 1, 6, dtype=np.float32)
    initializers = {"s": scale, "b": bias}
    nodes = [
        helper.make_node("InstanceNormalization", ["x", "s", "b"], ["instance"], epsilon=1e-3),
        helper.make_node("GroupNormalization", ["x", "s", "b"], ["group"], num_groups=3),
    ]
    model = model_of(nodes, {"x": (F32, [2, 6, 5, 3])}, ["instance", "group"], initializers, 21)
    check(model)


def test_mean_variance_and_lp_normalization():
    nodes = [
        helper.make_node("MeanVarianceNormalization", ["x"], ["mvn"], axes=[0, 2]),
        helper.make_node("LpNormalization", ["x"], ["l1"], axis=1, p=1),
        helper.make_node("LpNormalization", ["x"], ["l2"], axis=-1, p=2),
    ]
    check(model_of(nodes, {"x": (F32, [3, 5, 7])}, ["mvn", "l1", "l2"], opset=13))


def test_rms_normalization():
    model = model_of(
        [node("RMSNormalization", ["x", "s"], axis=-2, epsilon=1e-4)],
        {"x": (F32, [3, 5, 7])},
        ["y0"],
        {"s": np.linspace(0.5, 2, 35, dtype=np.float32).reshape(5, 7)},
        opset=23,
    )
    feeds = feeds_for(model)
    y = check(model, feeds) if ort_has("RMSNormalization", 23) else None
    if y is None:
        x, s = feeds["x"], np.linspace(0.5, 2, 35, dtype=np.float32).reshape(5, 7)
        expected = x / np.sqrt((x * x).mean(axis=(1, 2), keepdims=True) + 1e-4) * s
        module = import_model(model)
        (got,) = ziggurat.compile(module)(x)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def ort_has(op_type: str, opset: int) -> bool:
    model = model_of(
        [node(op_type, ["x", "s"])], {"x": (F32, [2, 3]), "s": (F32, [3])}, ["y0"], opset=opset
    )
    try:
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    except Exception:
        return False
    return True


def test_layer_normalization_gives_its_mean_and_inverse_deviation():
    model = model_of(
        [node("LayerNormalization", ["x", "s", "b"], outputs=3, axis=1, epsilon=1e-3)],
        {"x": (F32, [3, 5, 7])},
        ["y0", "y1", "y2"],
        {"s": np.full((5, 7), 1.5, np.float32), "b": np.full((5, 7), 0.25, np.float32)},
        opset=17,
    )
    check(model)


# One loop nest -----------------------------------------------------------------------------


@pytest.mark.parametrize("op_type", ["HardSwish", "IsNaN", "IsInf", "Where"])
def test_operators_spelled_as_several_graph_ops_fuse_into_one_loop_nest(op_type):
    inputs = {"x": (F32, [3, 37])}
    names = ["x"]
    if op_type == "Where":
        inputs = {"c": (TensorProto.BOOL, [3, 37]), "x": (F32, [3, 37]), "z": (F32, [37])}
        names = ["c", "x", "z"]
    module = import_model(model_of([node(op_type, names)], inputs, ["y0"], opset=22))
    lower(module, "loop")
    functions = [
        op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data != "main"
    ]
    assert len(functions) == 1
    nests = [op for op in functions[0].body.block.ops if isinstance(op, scf.ForOp)]
    assert len(nests) == 1


# What is refused, naming the node ------------------------------------------------------------


@pytest.mark.parametrize(
    "model, message",
    [
        (
            model_of([node("Gelu", ["x"], approximate="erf")], {"x": (F32, [3])}, ["y0"], opset=20),
            "node 'n' (Gelu): error: approximate 'erf' is not supported",
        ),
        (
            model_of([node("LpNormalization", ["x"], p=3)], {"x": (F32, [3, 4])}, ["y0"], opset=13),
            "node 'n' (LpNormalization): error: p 3 is not supported (1 and 2 are)",
        ),
        (
            model_of(
                [node("GroupNormalization", ["x", "s", "s"], num_groups=4)],
                {"x": (F32, [1, 6, 3])},
                ["y0"],
                {"s": np.ones(6, np.float32)},
                21,
            ),
            "node 'n' (GroupNormalization): error: 4 groups do not divide the channels",
        ),
        (
            model_of(
                [node("CumSum", ["x", "axis"])],
                {"x": (F32, [3]), "axis": (TensorProto.INT64, [])},
                ["y0"],
                opset=14,
            ),
            "node 'n' (CumSum): error: axis (input 'axis') must be a constant",
        ),
        (
            model_of([node("Equal", ["x", "x"])], {"x": (TensorProto.STRING, [3])}, ["y0"]),
            "input 'x' of element type string is not supported",
        ),
        (
            model_of(
                [node("LayerNormalization", ["x", "s"], outputs=2, stash_type=16)],
                {"x": (F32, [3, 4])},
                ["y0", "y1"],
                {"s": np.ones(4, np.float32)},
                17,
            ),
            "node 'n' (LayerNormalization): error: stash_type 16 is not supported",
        ),
    ],
    ids=["gelu_approximate", "lp_norm_p", "group_norm_groups", "cumsum_axis", "string", "stash"],
)
def test_unsupported_values_name_the_node(model, message):
    assert message in import_error(model)
