"""The range analysis: affine forms of indices, and the values they take over all iterations
or in one iteration of a loop (fixed parts symbolic), through quotients, remainders, clamps,
selects and guards."""

from __future__ import annotations

import pytest
from xdsl.dialects import scf
from xdsl.ir import SSAValue

from ziggurat.analysis.ranges import Interval, form_interval, interval, linear
from ziggurat.ir_io import parse_module

# A loop of 12 iterations fused from 3 x 4 (its quotient and remainder by 4), a loop of 4
# inside it, and index arithmetic on them; %n is unknown.
PAYLOAD = """
func.func @f(%n: index, %p: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %c12 = arith.constant 12 : index
  scf.for %f = %c0 to %c12 step %c1 {
    %q = arith.divui %f, %c4 : index
    %r = arith.remui %f, %c4 : index
    scf.for %k = %c0 to %c4 step %c1 {
      %x = arith.muli %q, %c4 : index
      %y = arith.addi %x, %k : index
      %d = arith.subi %y, %y : index
      %low = arith.maxsi %y, %c0 : index
      %clamp = arith.minsi %low, %c10 : index
      %s = arith.subi %k, %c2 : index
      %srem = arith.remsi %s, %c4 : index
      %urem = arith.remui %s, %c4 : index
      %kq = arith.divui %k, %c2 : index
      %kr = arith.remui %k, %c4 : index
      %pick = arith.select %p, %k, %c2 : index
      %nk = arith.addi %n, %k : index
      %unknown = arith.muli %n, %k : index
    }
  }
  func.return
}
"""


@pytest.fixture
def values() -> dict[str, SSAValue]:
    """The values of PAYLOAD by name, and the loops as `loop.f` and `loop.k`."""
    module = parse_module(PAYLOAD)
    found: dict[str, SSAValue] = {}
    for op in module.walk():
        for value in [*op.results, *(a for r in op.regions for b in r.blocks for a in b.args)]:
            if value.name_hint:
                found[value.name_hint] = value
    return found


def loop(values: dict[str, SSAValue], name: str) -> scf.ForOp:
    holder = values[name].owner.parent_op()  # type: ignore[union-attr]
    assert isinstance(holder, scf.ForOp)
    return holder


def test_linear_forms_merge_and_cancel_atoms(values):
    assert linear(values["y"]) == ({values["q"]: 4, values["k"]: 1}, 0)
    assert linear(values["d"]) == ({}, 0)
    assert linear(values["s"]) == ({values["k"]: 1}, -2)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("f", 0, 11),
        ("q", 0, 2),  # a fused loop's quotient: the outer loop's positions
        ("r", 0, 3),  # and its remainder: the inner loop's
        ("y", 0, 11),
        ("d", 0, 0),
        ("clamp", 0, 10),
        ("s", -2, 1),
        ("srem", -3, 3),  # a signed remainder takes the sign of what it divides
        ("urem", 0, 3),
        ("kq", 0, 1),
        ("kr", 0, 3),  # a remainder of less than the divisor is the dividend
        ("pick", None, None),  # the condition is unknown over all iterations
        ("nk", None, None),
        ("unknown", None, None),
    ],
)
def test_the_values_over_all_iterations(values, name: str, low, high):
    found = interval(values[name])
    if low is None:
        assert found is None
    else:
        assert found == Interval({}, low, high)


def test_one_iteration_keeps_what_it_fixes_symbolic(values):
    outer = loop(values, "f")
    q, k, n = values["q"], values["k"], values["n"]
    # The quotient is fixed in one iteration of the fused loop: an atom of its own.
    assert interval(values["y"], outer) == Interval({q: 4}, 0, 3)
    assert interval(values["nk"], outer) == Interval({n: 1}, 0, 3)
    assert interval(values["f"], outer) == Interval({values["f"]: 1}, 0, 0)
    # Within one iteration of the inner loop everything is fixed.
    inner = loop(values, "k")
    assert interval(values["y"], inner) == Interval({q: 4, k: 1}, 0, 0)
    assert interval(values["clamp"], inner) == Interval({values["clamp"]: 1}, 0, 0)
    # A clamp of a varying index with a constant: the two sides differ in their terms.
    assert interval(values["clamp"], outer) is None
    # Both sides of a select vary alike where its condition is fixed.
    assert interval(values["pick"], outer) == Interval({}, 0, 3)


def test_guards_bound_a_multiple_of_the_form_they_test(values):
    q, k = values["q"], values["k"]
    # Under `q * 4 + k < 10`, 2 * (q * 4 + k) + 1 stays below 2 * 9 + 1 + 1.
    guards = [({q: 4, k: 1}, 10)]
    assert form_interval({q: 8, k: 2}, guards=guards) == Interval({}, 0, 18)
    assert form_interval({q: 8, k: 2}) == Interval({}, 0, 22)
    # A form that is no multiple of the guarded one keeps its range.
    assert form_interval({q: 8, k: 1}, guards=guards) == Interval({}, 0, 19)
