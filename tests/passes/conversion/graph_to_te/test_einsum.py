"""graph-to-te's einsum (passes/conversion/graph_to_te/einsum.py): one contraction compute,
named matmul where it is one in matmul's layout, against numpy.einsum."""

from __future__ import annotations

import numpy as np
import pytest
from testing_graph_to_te import Case, CaseTests, computes

from ziggurat.dialects import graph


def einsum_case(name: str, equation: str, *shapes: tuple[int, ...]) -> Case:
    return Case(
        name,
        list(shapes),
        lambda *v: graph.EinsumOp(v, equation).output,
        lambda *v: np.einsum(equation.replace(" ", ""), *v),
    )


EINSUMS = [
    einsum_case("transpose", "ij->ji", (3, 5)),
    einsum_case("row_sums", "ij->i", (3, 5)),
    einsum_case("batch_diagonal", "...ii->...i", (2, 3, 5, 5)),
    einsum_case("trace", "ii", (4, 4)),
    einsum_case("inner", "i,i", (7,), (7,)),
    einsum_case("outer", "i,j->ij", (3,), (4,)),
    einsum_case("batch_matmul", "bij, bjk -> bik", (5, 2, 3), (5, 3, 4)),
    einsum_case("broadcast_batches", "...ij,...jk->...ik", (2, 1, 3, 4), (1, 5, 4, 2)),
    einsum_case("chain", "ij,jk,kl->il", (2, 3), (3, 4), (4, 5)),
    einsum_case("implicit_upper_first", "Ab,bA", (3, 4), (4, 3)),
    einsum_case("scalar", "->", ()),
]


class TestNumbers(CaseTests):
    CASES = EINSUMS
    IN_OTHER_FLOATS = ["batch_matmul", "batch_diagonal"]


@pytest.mark.parametrize(
    "equation, shapes, name, summed",
    [
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], "matmul", "j"),
        ("ik,jk->ij", [(3, 4), (5, 4)], "matmul", "k"),
        ("ki,kj->ij", [(4, 3), (4, 5)], "einsum", "k"),
        ("ij,jk->ik", [(3, 4), (4, 5)], "matmul", "j"),
        ("ij,jk->ki", [(3, 4), (4, 5)], "einsum", "j"),
        ("...ii->...i", [(2, 3, 3)], "einsum", ""),
    ],
)
def test_a_matrix_product_in_matmul_layout_is_named_matmul(equation, shapes, name, summed):
    (compute,) = computes(lambda *v: graph.EinsumOp(v, equation).output, *shapes)
    assert compute.compute_name.data == name
    assert compute.reduce_axis_names == list(summed)
