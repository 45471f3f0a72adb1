"""If, Loop and the refusals of data-dependent shapes (frontends/onnx/control.py) against
onnxruntime, the compiled program and the numpy reference both: a branch chosen at run
time, branches and bodies reading outer values, loop-carried and stacked values, a body
imported once or unrolled, nesting; and each refusal, one line naming the node, exit
code 2 from the driver."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from testing_onnx import check, make_model

from ziggurat.diagnostics import ZigguratError
from ziggurat.frontends.onnx import import_model
from ziggurat.tools.ziggurat import main

F32 = TensorProto.FLOAT
BOOL = TensorProto.BOOL
I64 = TensorProto.INT64


def graph(name: str, nodes, inputs, outputs) -> onnx.GraphProto:
    """A subgraph: `inputs` and `outputs` are (name, type, shape)."""
    return helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info(*i) for i in inputs],
        [helper.make_tensor_value_info(*o) for o in outputs],
    )


def constant(name: str, value: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value))


def ops_named(model: onnx.ModelProto, name: str) -> int:
    return sum(op.name == name for op in import_model(model).walk())


# If ------------------------------------------------------------------------------------------


def branch_model() -> onnx.ModelProto:
    """y = x * w + 1 if c else relu(x - w), both branches reading the outer x and w."""
    then = graph(
        "then",
        [
            helper.make_node("Mul", ["x", "w"], ["p"]),
            constant("one", np.ones(1, np.float32)),
            helper.make_node("Add", ["p", "one"], ["t"]),
        ],
        [],
        [("t", F32, [3, 5])],
    )
    other = graph(
        "else",
        [helper.make_node("Sub", ["x", "w"], ["d"]), helper.make_node("Relu", ["d"], ["e"])],
        [],
        [("e", F32, [3, 5])],
    )
    node = helper.make_node("If", ["c"], ["y"], name="if", then_branch=then, else_branch=other)
    inputs = {"c": (BOOL, []), "x": (F32, [3, 5])}
    w = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    return make_model([node], inputs, ["y"], {"w": w})


def test_if_chooses_its_branch_at_run_time():
    model = branch_model()
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    check(model, [{"c": np.array(True), "x": x}, {"c": np.array(False), "x": x}])
    assert ops_named(model, "graph.if") == 1


def test_if_on_a_constant_imports_the_taken_branch():
    model = branch_model()
    del model.graph.input[0]
    model.graph.initializer.append(numpy_helper.from_array(np.array(False), "c"))
    assert ops_named(model, "graph.if") == 0 and ops_named(model, "graph.relu") == 1
    check(model)


def subgraph(node: onnx.NodeProto, name: str) -> onnx.GraphProto:
    return next(a.g for a in node.attribute if a.name == name)


def test_if_branches_must_give_the_same_shapes():
    model = branch_model()
    subgraph(model.graph.node[0], "then_branch").node[2].input[0] = "w2"  # w2 + 1
    model.graph.initializer.append(numpy_helper.from_array(np.ones((2, 3, 5), np.float32), "w2"))
    with pytest.raises(ZigguratError) as error:
        import_model(model)
    message = str(error.value)
    assert "node 'if' (If): error: output 0 is tensor<2x3x5xf32> in the then branch" in message


# Loop ----------------------------------------------------------------------------------------


def loop_model(trip_count: int = 6, body_nodes=None, condition_input: bool = True):
    """A Loop carrying s (3x4) and k (scalar): s = tanh(s * w + float(i)) + x, k = k + 1;
    it stacks s and s * 2 (outer x and w read by the body)."""
    nodes = body_nodes or [
        helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        helper.make_node("Cast", ["i"], ["i_float"], to=F32),
        helper.make_node("Mul", ["s_in", "w"], ["m"]),
        helper.make_node("Add", ["m", "i_float"], ["a"]),
        helper.make_node("Tanh", ["a"], ["t"]),
        helper.make_node("Add", ["t", "x"], ["s_out"]),
        constant("one", np.ones((), np.float32)),
        helper.make_node("Add", ["k_in", "one"], ["k_out"]),
        constant("two", np.full((), 2.0, np.float32)),
        helper.make_node("Mul", ["s_out", "two"], ["double"]),
    ]
    body = graph(
        "body",
        nodes,
        [("i", I64, []), ("cond_in", BOOL, []), ("s_in", F32, [3, 4]), ("k_in", F32, [])],
        [
            ("cond_out", BOOL, []),
            ("s_out", F32, [3, 4]),
            ("k_out", F32, []),
            ("s_out", F32, [3, 4]),
            ("double", F32, [3, 4]),
        ],
    )
    inputs = ["M", "c" if condition_input else "", "s0", "k0"]
    node = helper.make_node("Loop", inputs, ["s", "k", "steps", "doubles"], name="loop", body=body)
    rng = np.random.default_rng(2)
    initializers = {
        "M": np.array(trip_count, np.int64),
        "w": rng.standard_normal((3, 4)).astype(np.float32),
        "k0": np.zeros((), np.float32),
    }
    if condition_input:
        initializers["c"] = np.array(True)
    inputs_types = {"s0": (F32, [3, 4]), "x": (F32, [3, 4])}
    return make_model([node], inputs_types, ["s", "k", "steps", "doubles"], initializers)


def test_loop_carries_values_and_stacks_others():
    model = loop_model()
    check(model)
    assert ops_named(model, "graph.loop") == 1  # its body imported once


def test_loop_without_a_condition_input():
    check(loop_model(4, condition_input=False))


def test_loop_of_many_iterations_is_one_loop():
    model = loop_model(200)
    check(model)
    assert ops_named(model, "graph.tanh") == 1


def test_a_body_needing_its_iteration_number_is_unrolled():
    """A Slice at the iteration number has a static shape once the number is known: the
    body is imported once per iteration."""
    nodes = [
        helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        constant("zero", np.zeros(1, np.int64)),
        constant("one", np.ones(1, np.int64)),
        helper.make_node("Unsqueeze", ["i", "zero"], ["start"]),
        helper.make_node("Add", ["start", "one"], ["end"]),
        helper.make_node("Slice", ["table", "start", "end"], ["row"]),
        helper.make_node("Add", ["s_in", "row"], ["s_out"]),
    ]
    body = graph(
        "body",
        nodes,
        [("i", I64, []), ("cond_in", BOOL, []), ("s_in", F32, [1, 3])],
        [("cond_out", BOOL, []), ("s_out", F32, [1, 3]), ("row", F32, [1, 3])],
    )
    node = helper.make_node("Loop", ["M", "", "s0"], ["s", "rows"], body=body)
    table = np.random.default_rng(4).standard_normal((10, 3)).astype(np.float32)
    initializers = {"M": np.array(5, np.int64), "table": table}
    model = make_model([node], {"s0": (F32, [1, 3])}, ["s", "rows"], initializers)
    check(model)
    assert ops_named(model, "graph.loop") == 0


def test_an_if_in_a_loop():
    """The branch is chosen at each iteration, on the sign of the carried value's sum."""
    then = graph("then", [helper.make_node("Mul", ["s_in", "x"], ["t"])], [], [("t", F32, [3, 4])])
    other = graph("else", [helper.make_node("Sub", ["s_in", "x"], ["e"])], [], [("e", F32, [3, 4])])
    nodes = [
        helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        helper.make_node("ReduceSum", ["s_in"], ["total"], keepdims=0),
        helper.make_node("Cast", ["total"], ["nonzero"], to=BOOL),
        helper.make_node("If", ["nonzero"], ["chosen"], then_branch=then, else_branch=other),
        helper.make_node("Tanh", ["chosen"], ["s_out"]),
        helper.make_node("Identity", ["k_in"], ["k_out"]),
        helper.make_node("Identity", ["chosen"], ["double"]),
    ]
    check(loop_model(4, nodes))


# Refusals ------------------------------------------------------------------------------------


def refusal(model: onnx.ModelProto, tmp_path, capsys) -> str:
    """The one line `ziggurat compile` prints for `model`, which it refuses with exit code 2."""
    path = tmp_path / "model.onnx"
    onnx.save(model, path)
    assert main(["compile", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_a_trip_count_computed_at_run_time_is_refused(tmp_path, capsys):
    model = loop_model()
    del model.graph.initializer[0]
    model.graph.input.append(helper.make_tensor_value_info("M", I64, []))
    line = refusal(model, tmp_path, capsys)
    assert "node 'loop' (Loop)" in line and "the trip count 'M' is computed at run time" in line


def test_a_condition_computed_at_run_time_is_refused(tmp_path, capsys):
    model = loop_model()
    del model.graph.initializer[3]
    model.graph.input.append(helper.make_tensor_value_info("c", BOOL, []))
    line = refusal(model, tmp_path, capsys)
    assert "node 'loop' (Loop)" in line and "the condition 'c' is computed at run time" in line


def test_a_condition_the_body_computes_is_refused(tmp_path, capsys):
    model = loop_model()
    body = model.graph.node[0].attribute[0].g
    body.node[0].CopyFrom(helper.make_node("ReduceSum", ["s_in"], ["total"], keepdims=0))
    body.node.append(helper.make_node("Cast", ["total"], ["cond_out"], to=BOOL))
    line = refusal(model, tmp_path, capsys)
    assert "node 'loop' (Loop)" in line and "the body computes the loop's condition" in line


def test_a_loop_without_a_trip_count_is_refused(tmp_path, capsys):
    model = loop_model()
    model.graph.node[0].input[0] = ""
    line = refusal(model, tmp_path, capsys)
    assert "a Loop without a trip count ends when its condition does" in line


@pytest.mark.parametrize(
    ("op_type", "inputs"),
    [
        ("NonZero", {"x": (F32, [3, 4])}),
        ("Unique", {"x": (F32, [6])}),
        ("Compress", {"x": (F32, [6]), "keep": (BOOL, [6])}),
    ],
)
def test_outputs_whose_shape_depends_on_data_are_refused(op_type, inputs, tmp_path, capsys):
    node = helper.make_node(op_type, list(inputs), ["y"], name="n")
    line = refusal(make_model([node], inputs, ["y"]), tmp_path, capsys)
    assert f"node 'n' ({op_type})" in line
    assert "the shape of its output depends on the values of its inputs" in line


def test_non_max_suppression_is_refused(tmp_path, capsys):
    inputs = {"boxes": (F32, [1, 6, 4]), "scores": (F32, [1, 1, 6])}
    node = helper.make_node("NonMaxSuppression", list(inputs), ["selected"], name="nms")
    line = refusal(make_model([node], inputs, ["selected"]), tmp_path, capsys)
    assert "node 'nms' (NonMaxSuppression)" in line and "depends on the values" in line


def test_non_zero_of_a_constant_is_folded():
    value = np.array([[0.0, 1.0], [2.0, 0.0]], np.float32)
    node = helper.make_node("NonZero", ["x"], ["y"])
    model = make_model([node], {}, ["y"], {"x": value})
    (expected,) = [np.asarray(np.nonzero(value))]
    from ziggurat import compile

    (got,) = compile(model)()
    np.testing.assert_array_equal(got, expected)
