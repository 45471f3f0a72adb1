"""The ops that fold a value into an accumulator: one table for every level.

A reduction's combiner is an associative and commutative op, so its partial results may be
combined in any order: te-to-loop lowers a `te.compute`'s reduce kind to one, tensorize
matches one, the dependence test lets an accumulation into memory run in any order, and
vectorize-loops carries one accumulator per vector lane and combines the lanes with the
`vector.reduction` of the same kind. It offers `COMBINERS` (op class to `Combiner`: the
`vector.reduction` kind, the identity per element type, the te reduce kind it computes),
`combiner` (the op for a te reduce kind and element type) and `width_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import inf

from xdsl.dialects import arith
from xdsl.dialects.builtin import AnyFloat, IndexType
from xdsl.ir import Attribute, Operation


def width_of(type: Attribute) -> int:
    """The bits of an integer or index type."""
    return 64 if isinstance(type, IndexType) else type.width.data  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Combiner:
    """What an accumulating op is: the `vector.reduction` kind that combines lanes of it,
    the value that leaves an accumulator unchanged (per element type), and the te reduce
    kind it computes, if one does."""

    kind: str
    identity: Callable[[Attribute], float | int]
    reduce_kind: str | None = None


COMBINERS: dict[type[Operation], Combiner] = {
    arith.AddfOp: Combiner("add", lambda t: 0.0, "sum"),
    arith.MulfOp: Combiner("mul", lambda t: 1.0, "prod"),
    arith.MaximumfOp: Combiner("maximumf", lambda t: -inf, "max"),
    arith.MinimumfOp: Combiner("minimumf", lambda t: inf, "min"),
    arith.MaxnumfOp: Combiner("maxnumf", lambda t: -inf),
    arith.MinnumfOp: Combiner("minnumf", lambda t: inf),
    arith.AddiOp: Combiner("add", lambda t: 0, "sum"),
    arith.MuliOp: Combiner("mul", lambda t: 1, "prod"),
    arith.AndIOp: Combiner("and", lambda t: -1),
    arith.OrIOp: Combiner("or", lambda t: 0),
    arith.XOrIOp: Combiner("xor", lambda t: 0),
    arith.MaxSIOp: Combiner("maxsi", lambda t: -(2 ** (width_of(t) - 1)), "max"),
    arith.MinSIOp: Combiner("minsi", lambda t: 2 ** (width_of(t) - 1) - 1, "min"),
    arith.MaxUIOp: Combiner("maxui", lambda t: 0, "umax"),
    arith.MinUIOp: Combiner("minui", lambda t: -1, "umin"),
}


def combiner(reduce_kind: str, element_type: Attribute) -> type[Operation]:
    """The op that combines elements of `element_type` for te's `reduce_kind`."""
    floating = isinstance(element_type, AnyFloat)
    return next(
        op
        for op, found in COMBINERS.items()
        if found.reduce_kind == reduce_kind
        and issubclass(op, arith.FloatingPointLikeBinaryOperation) == floating
    )
