"""Reductions over axes (sum, mean, max, min, product, L1 and L2 norms, sums of squares, log
sums and log-sum-exp): one reduction compute, of each element or a function of it (|x|,
x^2), and where the op says so an elementwise compute of the reduced value (a mean's
division, a norm's square root, a logarithm). Over no elements at all a reduction is its
initial value, so it is a compute without reduction. Also the arg max and arg min (the
extreme value, then the first or last index holding it) and cumulative sums (a sum over
the axis of the elements up to each index).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import TensorType, i64
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.dialects.te import ComputeOp
from ziggurat.passes.conversion.graph_to_te import scalars
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    compute,
    generic_axes,
    lowered,
    shape_of,
)

ElementFunction = Callable[[Body, SSAValue], SSAValue]


def square(b: Body, x: SSAValue) -> SSAValue:
    return scalars.multiply(b, x, x)


@dataclass(frozen=True)
class Reducer:
    """A reduction: its combiner and initial value, what it folds of each element
    (`before`), and what it makes of the result (`after`, given the number of elements)."""

    kind: str
    init: float
    before: ElementFunction | None = None
    after: Callable[[Body, SSAValue, int], SSAValue] | None = None


REDUCERS: dict[type[graph.ReduceOp], Reducer] = {
    graph.ReduceSumOp: Reducer("sum", 0.0),
    graph.ReduceMeanOp: Reducer(
        "sum", 0.0, after=lambda b, s, n: b.emit(arith.DivfOp(s, scalars.constant(b, n, s)))
    ),
    graph.ReduceMaxOp: Reducer("max", -math.inf),
    graph.ReduceMinOp: Reducer("min", math.inf),
    graph.ReduceProdOp: Reducer("prod", 1.0),
    graph.ReduceL1Op: Reducer("sum", 0.0, before=scalars.absolute),
    graph.ReduceL2Op: Reducer(
        "sum", 0.0, before=square, after=lambda b, s, n: b.emit(math_dialect.SqrtOp(s))
    ),
    graph.ReduceSumSquareOp: Reducer("sum", 0.0, before=square),
    graph.ReduceLogSumOp: Reducer("sum", 0.0, after=lambda b, s, n: b.emit(math_dialect.LogOp(s))),
}


def combiner(kind: str, element: object) -> str:
    """The te combiner of `kind` for `element`: unsigned integers (and i1) take umax, umin."""
    if kind in ("max", "min") and scalars.unsigned(element):  # type: ignore[arg-type]
        return "u" + kind
    return kind


def source_indices(
    indices: Sequence[SSAValue], rank: int, reduced: Sequence[int], keepdims: bool, outputs: int
) -> list[Index]:
    """The input indices a reduction body reads at: output indices for the kept
    dimensions, reduce indices (after the `outputs` output ones) for the reduced."""
    outer, inner = list(indices[:outputs]), list(indices[outputs:])
    source: list[Index] = []
    for d in range(rank):
        if d in reduced:
            source.append(inner.pop(0))
            if keepdims:
                outer.pop(0)
        else:
            source.append(outer.pop(0))
    return source


def reduce_computes(
    name: str,
    x: SSAValue,
    reduced: Sequence[int],
    keepdims: bool,
    out_type: TensorType,
    reducer: Reducer,
) -> list[ComputeOp]:
    """The computes of `reducer` over the `reduced` axes of `x`, the last giving the result."""
    shape = shape_of(x)
    extents = [shape[d] for d in reduced]
    count = math.prod(extents)
    axes = generic_axes(len(out_type.get_shape()))
    after = reducer.after
    if not reduced:  # each element alone

        def alone(b: Body, *indices: SSAValue) -> SSAValue:
            value = b.read(x, indices)
            value = reducer.before(b, value) if reducer.before else value
            return after(b, value, 1) if after else value

        return [compute(name, [x], out_type, axes, alone)]
    if count == 0:  # no element: the initial value, as what comes after makes of it

        def empty(b: Body, *indices: SSAValue) -> SSAValue:
            init = scalars.constant(b, reducer.init, out_type.element_type)
            return after(b, init, 0) if after else init

        # No input: te-inline substitutes reads, and this compute reads nothing.
        return [compute(name, [], out_type, axes, empty)]

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        value = b.read(x, source_indices(indices, len(shape), reduced, keepdims, len(axes)))
        return reducer.before(b, value) if reducer.before else value

    kind = combiner(reducer.kind, out_type.element_type)
    reduction = Reduction(kind, generic_axes(len(reduced), "r"), extents, reducer.init)
    if after is None:
        return [compute(name, [x], out_type, axes, body, reduction)]
    total = compute(f"{name}_{reducer.kind}", [x], out_type, axes, body, reduction)

    def finish(b: Body, *indices: SSAValue) -> SSAValue:
        return after(b, b.read(total.result, indices), count)

    return [total, compute(name, [total.result], out_type, axes, finish)]


def log_sum_exp_computes(
    name: str, x: SSAValue, reduced: Sequence[int], keepdims: bool, out_type: TensorType
) -> list[ComputeOp]:
    """m + log(sum(exp(x - m))), m the maximum (0 where it is infinite: all -inf gives
    log(0) = -inf, an inf gives inf), so no exp overflows."""
    extents = [shape_of(x)[d] for d in reduced]
    if not reduced:  # log(exp(x)) is x
        return reduce_computes(name, x, reduced, keepdims, out_type, Reducer("sum", 0.0))
    if 0 in extents:
        return reduce_computes(name, x, reduced, keepdims, out_type, Reducer("sum", -math.inf))
    maximum = reduce_computes(
        f"{name}_max", x, reduced, keepdims, out_type, REDUCERS[graph.ReduceMaxOp]
    )[0]
    rank, axes = len(shape_of(x)), generic_axes(len(out_type.get_shape()))

    def shift(b: Body, indices: Sequence[SSAValue]) -> SSAValue:
        m = b.read(maximum.result, indices)
        infinite = scalars.compare(
            b, "eq", b.emit(math_dialect.AbsFOp(m)), scalars.constant(b, math.inf, m)
        )
        return b.select(infinite, scalars.constant(b, 0, m), m)

    def exp_body(b: Body, *indices: SSAValue) -> SSAValue:
        value = b.read(x, source_indices(indices, rank, reduced, keepdims, len(axes)))
        shifted = b.emit(arith.SubfOp(value, shift(b, indices[: len(axes)])))
        return b.emit(math_dialect.ExpOp(shifted))

    reduction = Reduction("sum", generic_axes(len(reduced), "r"), extents, 0.0)
    total = compute(f"{name}_sum", [x, maximum.result], out_type, axes, exp_body, reduction)

    def finish(b: Body, *indices: SSAValue) -> SSAValue:
        log = b.emit(math_dialect.LogOp(b.read(total.result, indices)))
        return b.emit(arith.AddfOp(log, shift(b, indices)))

    return [maximum, total, compute(name, [total.result, maximum.result], out_type, axes, finish)]


class ReduceLowering(RewritePattern):
    lowers = graph.ReduceOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ReduceOp, rewriter: PatternRewriter) -> None:
        name = op.name.removeprefix("graph.")
        arguments = (name, op.input, op.reduced_axes(), op.keepdims is not None)
        out_type = graph.tensor(op.output)
        if isinstance(op, graph.ReduceLogSumExpOp):
            lowered(rewriter, op, log_sum_exp_computes(*arguments, out_type))
            return
        lowered(rewriter, op, reduce_computes(*arguments, out_type, REDUCERS[type(op)]))


class ArgReduceLowering(RewritePattern):
    """The extreme value along the axis, then the least (or greatest) index holding it: a
    min (max) reduction of the index where the element equals the extreme, else of the
    extent (-1). A NaN is the maximum and the minimum, as in numpy: its index is chosen."""

    lowers = graph.ArgReduceOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ArgReduceOp, rewriter: PatternRewriter) -> None:
        x = op.input
        shape = shape_of(x)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        keepdims = op.keepdims is not None
        out_type = graph.tensor(op.output)
        element = graph.tensor(x).element_type
        is_max = isinstance(op, graph.ArgMaxOp)
        extreme_type = TensorType(element, out_type.get_shape())
        reducer = REDUCERS[graph.ReduceMaxOp if is_max else graph.ReduceMinOp]
        name = op.name.removeprefix("graph.")
        (extreme,) = reduce_computes(f"{name}_value", x, [axis], keepdims, extreme_type, reducer)
        last = op.select_last_index is not None
        axes = generic_axes(len(out_type.get_shape()))

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            k = indices[-1]
            value = b.read(x, source_indices(indices, len(shape), [axis], keepdims, len(axes)))
            chosen = scalars.compare(b, "eq", value, b.read(extreme.result, indices[:-1]))
            if scalars.is_float(value):
                chosen = b.emit(arith.OrIOp(chosen, scalars.compare(b, "ne", value, value)))
            index = b.emit(arith_extra.IndexCastOp(k, i64))
            return b.select(chosen, index, scalars.constant(b, -1 if last else shape[axis], index))

        reduction = Reduction(
            "max" if last else "min", ["k"], [shape[axis]], -1 if last else shape[axis]
        )
        index = compute(name, [x, extreme.result], out_type, axes, body, reduction)
        lowered(rewriter, op, [extreme, index])


class CumSumLowering(RewritePattern):
    """Element i is a sum over the whole axis of the elements up to i (from i, reversed;
    without i, exclusive), the others counting 0: a reduction as wide as the axis."""

    lowers = graph.CumSumOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.CumSumOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        out_type = graph.tensor(op.output)
        axes = generic_axes(len(shape))
        predicate = (
            ("sgt" if op.reverse else "slt") if op.exclusive else ("sge" if op.reverse else "sle")
        )
        if shape[axis] == 0 or 0 in shape:
            lowered(
                rewriter,
                op,
                [compute("cumsum", [], out_type, axes, lambda b, *i: b.constant(0))],
            )
            return

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            *position, k = indices
            value = b.read(op.input, [*position[:axis], k, *position[axis + 1 :]])
            counted = b.emit(arith_extra.CmpiOp(k, position[axis], predicate))
            return b.select(counted, value, scalars.constant(b, 0, value))

        reduction = Reduction("sum", ["k"], [shape[axis]], 0.0)
        lowered(rewriter, op, [compute("cumsum", [op.input], out_type, axes, body, reduction)])


PATTERNS = (ReduceLowering(), ArgReduceLowering(), CumSumLowering())
