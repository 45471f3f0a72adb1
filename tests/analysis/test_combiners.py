"""The reduction combiner table: te's reduce kinds, the vector.reduction kinds and the
identities each accumulating op starts from."""

from __future__ import annotations

import math

import pytest
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerType, f32, f64, i32

from ziggurat.analysis.combiners import COMBINERS, combiner
from ziggurat.dialects.te import REDUCE_KINDS


@pytest.mark.parametrize(
    ("kind", "element", "op"),
    [
        ("sum", f32, arith.AddfOp),
        ("max", f64, arith.MaximumfOp),
        ("min", f32, arith.MinimumfOp),
        ("sum", i32, arith.AddiOp),
        ("max", IndexType(), arith.MaxSIOp),
        ("min", i32, arith.MinSIOp),
    ],
)
def test_each_reduce_kind_has_a_combiner_per_element_type(kind, element, op):
    assert combiner(kind, element) is op
    assert COMBINERS[op].reduce_kind == kind


def test_every_te_reduce_kind_is_in_the_table():
    kinds = {c.reduce_kind for c in COMBINERS.values()}
    assert kinds - {None} == set(REDUCE_KINDS)


@pytest.mark.parametrize(
    ("op", "element", "kind", "identity"),
    [
        (arith.AddfOp, f32, "add", 0.0),
        (arith.MulfOp, f32, "mul", 1.0),
        (arith.MaximumfOp, f32, "maximumf", -math.inf),
        (arith.MinnumfOp, f32, "minnumf", math.inf),
        (arith.MaxSIOp, IntegerType(8), "maxsi", -128),
        (arith.MinSIOp, i32, "minsi", 2**31 - 1),
        (arith.MaxSIOp, IndexType(), "maxsi", -(2**63)),
        (arith.AndIOp, i32, "and", -1),
        (arith.MaxUIOp, i32, "maxui", 0),
    ],
)
def test_kinds_and_identities(op, element, kind, identity):
    assert COMBINERS[op].kind == kind
    assert COMBINERS[op].identity(element) == identity
