"""Resize: output sizes are static, so which input positions each output position reads
along an axis, and with what weights, is known at compile time (the numpy reference's
`resize_taps`, every coordinate transformation, nearest mode, cubic coefficient,
exclude_outside and antialias included). They become constant tables the computes read:

- nearest: one compute reading, per resized axis, the input position from a table;
- linear and cubic: one compute summing the product of the taps of every resized axis,
  separably (a row of taps per axis), where there are at most 16 in all (bilinear,
  bicubic, trilinear); else one reduction over the taps per resized axis, in turn.

tf_crop_and_resize marks an output position outside the input with tap -1: there the
output is the extrapolation value. An axis the transformation leaves as it is reads no
table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, TensorType, i32
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.elements import array_to_dense
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    compute,
    generic_axes,
    lowered,
    shape_of,
)
from ziggurat.reference import resize_taps

# At most this many taps in all are summed in one compute's body.
MOST_UNROLLED_TAPS = 16


def table(array: np.ndarray, element: Attribute) -> arith.ConstantOp:
    return arith.ConstantOp(array_to_dense(array, TensorType(element, array.shape)))


def is_identity(taps: np.ndarray, weights: np.ndarray) -> bool:
    """Whether output position o reads input position o alone."""
    count = taps.shape[0]
    chosen = weights == 1.0
    return bool(
        np.all(chosen.sum(axis=-1) == 1)
        and np.all((weights == 0.0) | chosen)
        and np.array_equal(taps[chosen], np.arange(count))
    )


class Axis:
    """One resized axis: its tap and weight tables, as constants the computes read."""

    def __init__(self, axis: int, taps: np.ndarray, weights: np.ndarray | None, element: Attribute):
        self.axis = axis
        self.outside = bool(np.any(taps[:, 0] < 0))
        self.taps = table(taps.astype(np.int32), i32)
        self.weights = None if weights is None else table(weights, element)

    @property
    def tables(self) -> list[arith.ConstantOp]:
        return [self.taps] if self.weights is None else [self.taps, self.weights]

    @property
    def count(self) -> int:
        return graph.shape_of(self.taps.result)[1]

    def positions(self, b: Body, out: Index) -> list[Index]:
        """The input position of each tap of output position `out`, clamped."""
        read = []
        for tap in range(self.count):
            raw = b.read(self.taps.result, [out, tap])
            index = b.emit(arith_extra.IndexCastOp(raw, IndexType()))
            read.append(b.max(index, 0) if self.outside else index)
        return read

    def is_outside(self, b: Body, out: Index) -> SSAValue:
        raw = b.read(self.taps.result, [out, 0])
        zero = b.emit(arith.ConstantOp(IntegerAttr(0, i32)))
        return b.emit(arith_extra.CmpiOp(raw, zero, "slt"))


def nearest_axis(axis: int, taps: np.ndarray, weights: np.ndarray, element: Attribute) -> Axis:
    """The one tap nearest mode reads (its weight 1), or -1 where it extrapolates."""
    chosen = np.take_along_axis(taps, np.argmax(weights, axis=-1)[:, None], axis=-1)
    return Axis(axis, chosen, None, element)


class ResizeLowering(RewritePattern):
    lowers = graph.ResizeOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ResizeOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)
        element = out_type.element_type
        rank = len(out_type.get_shape())
        nearest = op.mode.data == "nearest"
        resized: list[Axis] = []
        for axis in range(rank):
            taps, weights = resize_taps(op, axis)
            if taps.size == 0 or is_identity(taps, weights):
                continue
            make = nearest_axis if nearest else Axis
            resized.append(make(axis, taps, weights, element))
        tables: list[Operation] = [t for a in resized for t in a.tables]
        if nearest or math.prod(a.count for a in resized) <= MOST_UNROLLED_TAPS:
            computes = [unrolled(op, resized, nearest)]
        else:
            computes = separable(op, resized)
        lowered(rewriter, op, [*tables, *computes])


def extrapolated(b: Body, op: graph.ResizeOp, axes: Sequence[Axis], out, value) -> SSAValue:
    """`value`, or the extrapolation value where an axis's output position is outside."""
    outside = [a.is_outside(b, out[a.axis]) for a in axes if a.outside]
    if not outside:
        return value
    condition = outside[0]
    for other in outside[1:]:
        condition = b.emit(arith.OrIOp(condition, other))
    return b.select(condition, b.float(op.extrapolation_value.value.data), value)


def unrolled(op: graph.ResizeOp, axes: Sequence[Axis], nearest: bool) -> Operation:
    """One compute: the input read at every combination of the axes' taps, summed axis by
    axis with their weights (nearest: the one tap of each axis)."""
    out_type = graph.tensor(op.output)
    rank = len(out_type.get_shape())

    def body(b: Body, *out: SSAValue) -> SSAValue:
        positions = [a.positions(b, out[a.axis]) for a in axes]
        weights = [
            [b.read(a.weights.result, [out[a.axis], t]) for t in range(a.count)]
            for a in axes
            if a.weights is not None
        ]

        def interpolate(level: int, where: list[Index]) -> SSAValue:
            if level == len(axes):
                return b.read(op.input, where)
            total: SSAValue | None = None
            for tap, position in enumerate(positions[level]):
                at = list(where)
                at[axes[level].axis] = position
                term = interpolate(level + 1, at)
                if not nearest:
                    term = b.emit(arith.MulfOp(weights[level][tap], term))
                total = term if total is None else b.emit(arith.AddfOp(total, term))
            assert total is not None
            return total

        return extrapolated(b, op, axes, out, interpolate(0, list(out)))

    inputs = [op.input, *(t.result for a in axes for t in a.tables)]
    return compute("resize", inputs, out_type, generic_axes(rank), body)


def separable(op: graph.ResizeOp, axes: Sequence[Axis]) -> list[Operation]:
    """One reduction per resized axis over its taps, each resizing that axis of the last
    one's result; then the extrapolation, if any."""
    element = graph.tensor(op.output).element_type
    rank = len(shape_of(op.input))
    shape = list(shape_of(op.input))
    source = op.input
    computes: list[Operation] = []
    for a in axes:
        shape[a.axis] = graph.shape_of(a.taps.result)[0]

        def body(b: Body, *indices: SSAValue, a: Axis = a, source: SSAValue = source) -> SSAValue:
            out, tap = indices[:rank], indices[rank]
            raw = b.read(a.taps.result, [out[a.axis], tap])
            position: Index = b.emit(arith_extra.IndexCastOp(raw, IndexType()))
            if a.outside:
                position = b.max(position, 0)
            where = [*out[: a.axis], position, *out[a.axis + 1 :]]
            assert a.weights is not None
            weight = b.read(a.weights.result, [out[a.axis], tap])
            return b.emit(arith.MulfOp(weight, b.read(source, where)))

        stage = compute(
            "resize",
            [source, *(t.result for t in a.tables)],
            TensorType(element, shape),
            generic_axes(rank),
            body,
            Reduction("sum", ["t"], [a.count], 0.0),
        )
        computes.append(stage)
        source = stage.results[0]
    if any(a.outside for a in axes):
        last = source

        def outside(b: Body, *out: SSAValue) -> SSAValue:
            return extrapolated(b, op, axes, out, b.read(last, out))

        inputs = [last, *(a.taps.result for a in axes)]
        computes.append(
            compute("resize", inputs, graph.tensor(op.output), generic_axes(rank), outside)
        )
    return computes


PATTERNS = (ResizeLowering(),)
