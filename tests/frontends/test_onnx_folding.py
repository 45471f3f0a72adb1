"""Constant nodes folded in numpy (frontends/onnx/folding.py) give what ONNX's reference
implementation gives, and decline what they do not take."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from ziggurat.frontends.onnx.folding import fold_natively


def reference(node: onnx.NodeProto, constants: dict[str, np.ndarray], opset: int) -> np.ndarray:
    model = helper.make_model(
        helper.make_graph(
            [node],
            "fold",
            [helper.make_value_info(n, onnx.TypeProto()) for n in node.input],
            [helper.make_value_info(o, onnx.TypeProto()) for o in node.output],
        ),
        opset_imports=[helper.make_opsetid("", opset)],
    )
    return ReferenceEvaluator(model).run(None, {n: constants[n] for n in node.input})[0]


CASES = [
    (helper.make_node("ConstantOfShape", ["s"], ["y"]), {"s": np.array([2, 3])}, 17),
    (helper.make_node("ConstantOfShape", ["s"], ["y"]), {"s": np.array([], np.int64)}, 17),
    (
        helper.make_node(
            "ConstantOfShape", ["s"], ["y"], value=numpy_helper.from_array(np.array([7], np.int32))
        ),
        {"s": np.array([4, 0, 2])},
        17,
    ),
    (
        helper.make_node(
            "ConstantOfShape", ["s"], ["y"], value=numpy_helper.from_array(np.array([0.5]))
        ),
        {"s": np.array([3])},
        9,
    ),
    (
        helper.make_node("Unsqueeze", ["x", "a"], ["y"]),
        {"x": np.arange(6, dtype=np.float32).reshape(2, 3), "a": np.array([-1, 0])},
        13,
    ),
    (
        helper.make_node("Unsqueeze", ["x"], ["y"], axes=[1, 3]),
        {"x": np.arange(6, dtype=np.int64).reshape(2, 3)},
        11,
    ),
    (helper.make_node("Unsqueeze", ["x"], ["y"], axes=[0]), {"x": np.array(5.0)}, 11),
]


@pytest.mark.parametrize("node, constants, opset", CASES)
def test_folded_as_the_reference(
    node: onnx.NodeProto, constants: dict[str, np.ndarray], opset: int
) -> None:
    constants = {k: v.astype(np.int64) if v.dtype == np.int_ else v for k, v in constants.items()}
    folded = fold_natively(node, constants, opset)
    assert folded is not None
    expected = reference(node, constants, opset)
    assert folded[0].dtype == expected.dtype
    assert folded[0].shape == expected.shape
    np.testing.assert_array_equal(folded[0], expected)


@pytest.mark.parametrize(
    "node, constants, opset",
    [
        # Unsqueeze-13 takes its axes from an input, not an attribute.
        (helper.make_node("Unsqueeze", ["x"], ["y"], axes=[0]), {"x": np.ones(2)}, 13),
        # Repeated and out-of-range axes are the handler's to report.
        (helper.make_node("Unsqueeze", ["x"], ["y"], axes=[0, 0]), {"x": np.ones(2)}, 11),
        (helper.make_node("Unsqueeze", ["x"], ["y"], axes=[3]), {"x": np.ones(2)}, 11),
        (helper.make_node("ConstantOfShape", ["s"], ["y"]), {"s": np.array([-1])}, 17),
        (helper.make_node("ConstantOfShape", ["s"], ["y"]), {"s": np.ones((1, 2), np.int64)}, 17),
        (helper.make_node("Relu", ["x"], ["y"]), {"x": np.ones(2)}, 17),
        (
            helper.make_node("Unsqueeze", ["x"], ["y"], axes=[0], domain="custom"),
            {"x": np.ones(2)},
            11,
        ),
    ],
)
def test_declined(node: onnx.NodeProto, constants: dict[str, np.ndarray], opset: int) -> None:
    assert fold_natively(node, constants, opset) is None
