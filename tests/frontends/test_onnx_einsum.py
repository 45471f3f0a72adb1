"""The importer's Einsum (frontends/onnx/einsum.py) against onnxruntime: the node tests'
equations and more (ellipses, implicit outputs, diagonals, three operands), and the
schedule a matrix-product einsum gets."""

from __future__ import annotations

import pytest
from testing_onnx_breadth import check, default_schedules, import_error, one_node

EQUATIONS = [
    ("ij->ji", [[3, 5]]),
    ("ij->i", [[3, 5]]),
    ("...ii ->...i", [[3, 5, 5]]),
    ("i,i", [[7], [7]]),
    ("bij, bjk -> bik", [[5, 2, 3], [5, 3, 4]]),
    ("->", [[]]),
    ("ij,jk", [[3, 4], [4, 5]]),
    ("ik,jk->ij", [[3, 4], [5, 4]]),
    ("...ij,...jk->...ik", [[2, 1, 3, 4], [1, 5, 4, 2]]),
    ("i,j->ij", [[3], [4]]),
    ("ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]]),
    ("bhqd,bhkd->bhqk", [[2, 3, 5, 4], [2, 3, 7, 4]]),
    ("ii", [[4, 4]]),
    ("Ab,bA->", [[3, 4], [4, 3]]),
]


@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
@pytest.mark.parametrize("opset", [12, 21])
def test_einsum(equation, shapes, opset):
    inputs = {f"x{n}": shape for n, shape in enumerate(shapes)}
    check(one_node("Einsum", inputs, opset=opset, equation=equation), rtol=1e-4)


def test_a_matrix_product_gets_the_batch_matmul_schedule():
    model = one_node("Einsum", {"a": [4, 30, 20], "b": [4, 20, 40]}, equation="bij,bjk->bik")
    assert default_schedules(model) == ["batch_matmul.mlir"]
    model = one_node("Einsum", {"a": [30, 20], "b": [40, 20]}, equation="ik,jk->ij")
    assert default_schedules(model) == ["matmul.mlir"]


def test_a_bad_equation_names_the_node():
    message = import_error(one_node("Einsum", {"a": [3, 4]}, equation="ijk->i"))
    assert "node 'n' (Einsum): error: term 'ijk' of equation 'ijk->i' does not fit" in message
