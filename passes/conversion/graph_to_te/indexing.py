"""Data-dependent indexing: gather_elements and gather_nd read at indices they read first;
scatter_elements and scatter_nd, for each output element, reduce over the updates that land
on it (the last one for reduction "none"); one_hot compares the index with its axis;
trilu keeps a triangle; depth_to_space and space_to_depth move pixels between channels and
blocks. Every index read is counted from the end when negative and clamped into its axis,
so no read is out of bounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, IntegerType, TensorType, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import arith_extra, graph
from ziggurat.dialects.te import ComputeOp, YieldOp
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    BodyFunction,
    Index,
    Reduction,
    compute,
    generic_axes,
    lowered,
    shape_of,
)

# A mul-reduction has no reduce kind: its updates are folded one after another in the body,
# which stays small only for so many updates per output element.
MOST_UNROLLED_UPDATES = 64


def index_into(b: Body, raw: SSAValue, extent: int) -> SSAValue:
    """An integer index read from a tensor as an `index` in [0, extent): negative counts from
    the end, and what is still out of range is clamped."""
    index = raw
    if isinstance(raw.type, IntegerType):
        index = b.emit(arith_extra.IndexCastOp(raw, IndexType()))
    wrapped = b.emit(arith.AddiOp(index, b.index(extent)))
    index = b.select(b.less(index, 0), wrapped, index)
    return b.max(b.min(index, extent - 1), 0)  # type: ignore[return-value]


def equal(b: Body, a: Index, c: Index) -> SSAValue:
    return b.emit(arith_extra.CmpiOp(b.index(a), b.index(c), "eq"))


def integer_reduction(
    name: str,
    inputs: Sequence[SSAValue],
    result_type: TensorType,
    axes: Sequence[str],
    body: BodyFunction,
    kind: str,
    reduce_axes: Sequence[str],
    extents: Sequence[int],
    init: int,
) -> ComputeOp:
    """A reduction compute of integers (`compute` makes floating-point ones)."""
    element = result_type.element_type
    op, block = ComputeOp.build(
        name,
        inputs,
        result_type,
        axes,
        kind,
        reduce_axes,
        extents,
        IntegerAttr(init, element),  # type: ignore[arg-type]
    )
    block.add_op(YieldOp(body(Body(block, element), *block.args)))
    return op


def combine(b: Body, reduction: str, a: SSAValue, c: SSAValue) -> SSAValue:
    """a (reduction) c for a scatter's "add", "mul", "max" or "min"."""
    integer = isinstance(a.type, IntegerType)
    ops: dict[str, type] = {
        "add": arith.AddiOp if integer else arith.AddfOp,
        "mul": arith.MuliOp if integer else arith.MulfOp,
        "max": arith.MaxSIOp if integer else arith.MaximumfOp,
        "min": arith.MinSIOp if integer else arith.MinimumfOp,
    }
    return b.emit(ops[reduction](a, c))


REDUCE_KINDS = {"add": "sum", "max": "max", "min": "min"}
IDENTITIES = {"add": 0.0, "max": -math.inf, "min": math.inf}


def element_extreme(element: Attribute, value: float) -> float:
    """An identity as a constant of `element`: infinities as an integer type's extremes."""
    if not isinstance(element, IntegerType) or math.isfinite(value):
        return value
    width = element.width.data
    return -(2 ** (width - 1)) if value < 0 else 2 ** (width - 1) - 1


@dataclass(frozen=True)
class Scatter:
    """A scatter whose updates for output element `out` range over the update positions `u`
    (of extents `positions`): `matches(b, out, u)` says whether update u lands on out,
    `update_at(b, out, u)` reads it."""

    op: graph.ScatterElementsOp | graph.ScatterNdOp
    positions: Sequence[int]
    matches: BodyFunction
    update_at: BodyFunction

    @property
    def name(self) -> str:
        return self.op.name.removeprefix("graph.")

    @property
    def out_type(self) -> TensorType:
        return graph.tensor(self.op.output)

    @property
    def axes(self) -> list[str]:
        return generic_axes(len(self.out_type.get_shape()))

    def computes(self) -> list[ComputeOp]:
        reduction = self.op.reduction.data
        if reduction == "none":
            return self.last_wins()
        if reduction == "mul":
            return self.folded_in_turn()
        return self.reduced(reduction)

    def last_wins(self) -> list[ComputeOp]:
        """An integer max-reduction finds the last update landing on each element (-1 for
        none); the second compute reads it there, or the data."""
        rank, positions = len(self.axes), self.positions

        def last(b: Body, *indices: SSAValue) -> SSAValue:
            out, u = indices[:rank], indices[rank:]
            linear: Index = 0
            for d, index in enumerate(u):
                linear = b.add(linear, b.mul(index, math.prod(positions[d + 1 :])))
            position = b.emit(arith_extra.IndexCastOp(b.index(linear), i64))
            absent = b.emit(arith.ConstantOp(IntegerAttr(-1, i64)))
            return b.select(self.matches(b, out, u), position, absent)

        last_type = TensorType(i64, self.out_type.get_shape())
        reduce_axes = generic_axes(len(positions), "r")
        finder = integer_reduction(
            f"{self.name}_last",
            [self.op.indices],
            last_type,
            self.axes,
            last,
            "max",
            reduce_axes,
            positions,
            -1,
        )

        def chosen(b: Body, *out: SSAValue) -> SSAValue:
            found = b.emit(arith_extra.IndexCastOp(b.read(finder.result, out), IndexType()))
            linear = b.max(found, 0)
            u = [b.div(linear, math.prod(positions[d + 1 :])) for d in range(len(positions))]
            u = [index if d == 0 else b.rem(index, positions[d]) for d, index in enumerate(u)]
            present = b.at_least(found, 0)
            return b.select(present, self.update_at(b, out, u), b.read(self.op.data, out))

        inputs = [self.op.data, self.op.updates, finder.result]
        return [finder, compute(self.name, inputs, self.out_type, self.axes, chosen)]

    def folded_in_turn(self) -> list[ComputeOp]:
        """A product (no reduce kind): each update multiplied in, in turn, where it lands."""
        count = math.prod(self.positions)
        if count > MOST_UNROLLED_UPDATES:
            raise ZigguratError(
                f"{self.op.name} reduction 'mul' folds at most {MOST_UNROLLED_UPDATES} updates "
                f"into an element, not {count}",
                self.op,
            )
        strides = [math.prod(self.positions[d + 1 :]) for d in range(len(self.positions))]

        def product(b: Body, *out: SSAValue) -> SSAValue:
            value = b.read(self.op.data, out)
            for linear in range(count):
                u = [linear // s % n for s, n in zip(strides, self.positions, strict=True)]
                folded = combine(b, "mul", value, self.update_at(b, out, u))
                value = b.select(self.matches(b, out, u), folded, value)
            return value

        inputs = [self.op.data, self.op.indices, self.op.updates]
        return [compute(self.name, inputs, self.out_type, self.axes, product)]

    def reduced(self, reduction: str) -> list[ComputeOp]:
        """A sum, max or min over the updates (the others giving the identity), then that
        combined with the data."""
        rank, element = len(self.axes), self.out_type.element_type
        identity = element_extreme(element, IDENTITIES[reduction])

        def term(b: Body, *indices: SSAValue) -> SSAValue:
            out, u = indices[:rank], indices[rank:]
            here = self.matches(b, out, u)
            return b.select(here, self.update_at(b, out, u), b.constant(identity))

        name, inputs = f"{self.name}_{reduction}", [self.op.indices, self.op.updates]
        kind, reduce_axes = REDUCE_KINDS[reduction], generic_axes(len(self.positions), "r")
        if isinstance(element, IntegerType):
            folded = integer_reduction(
                name,
                inputs,
                self.out_type,
                self.axes,
                term,
                kind,
                reduce_axes,
                self.positions,
                int(identity),
            )
        else:
            reduce = Reduction(kind, reduce_axes, self.positions, identity)
            folded = compute(name, inputs, self.out_type, self.axes, term, reduce)

        def with_data(b: Body, *out: SSAValue) -> SSAValue:
            return combine(b, reduction, b.read(self.op.data, out), b.read(folded.result, out))

        inputs = [self.op.data, folded.result]
        return [folded, compute(self.name, inputs, self.out_type, self.axes, with_data)]


class GatherElementsLowering(RewritePattern):
    """Read the index at the output's place, then the data there with the axis's index
    replaced by it."""

    lowers = graph.GatherElementsOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.GatherElementsOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.data)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            index = index_into(b, b.read(op.indices, indices), shape[axis])
            return b.read(op.data, [*indices[:axis], index, *indices[axis + 1 :]])

        inputs = [op.data, op.indices]
        axes = generic_axes(len(shape))
        lowered(rewriter, op, [compute("gather_elements", inputs, out_type, axes, body)])


class GatherNdLowering(RewritePattern):
    """Read the index tuple at the output's leading indices, then the data at the batch
    indices, that tuple and the output's trailing indices."""

    lowers = graph.GatherNdOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.GatherNdOp, rewriter: PatternRewriter) -> None:
        data, tuples = shape_of(op.data), shape_of(op.indices)
        batch, depth = op.batch_dims.value.data, tuples[-1]
        leading = len(tuples) - 1
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            outer = list(indices[:leading])
            where: list[Index] = list(outer[:batch])
            for j in range(depth):
                raw = b.read(op.indices, [*outer, j])
                where.append(index_into(b, raw, data[batch + j]))
            return b.read(op.data, [*where, *indices[leading:]])

        inputs = [op.data, op.indices]
        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("gather_nd", inputs, out_type, axes, body)])


class ScatterElementsLowering(RewritePattern):
    """Output element `out` takes the updates along the axis at out's other indices whose
    index equals out's index on the axis."""

    lowers = graph.ScatterElementsOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ScatterElementsOp, rewriter: PatternRewriter) -> None:
        data, positions = shape_of(op.data), shape_of(op.indices)
        axis = op.axis_index

        def place(b: Body, out: Sequence[Index], u: Sequence[Index]) -> list[Index]:
            """Where in indices and updates the update at u along the axis is."""
            return [
                u[0]
                if d == axis
                else b.min(index, positions[d] - 1)
                if positions[d] < data[d]
                else index
                for d, index in enumerate(out)
            ]

        def matches(b: Body, out: Sequence[Index], u: Sequence[Index]) -> SSAValue:
            index = index_into(b, b.read(op.indices, place(b, out, u)), data[axis])
            conditions = [equal(b, index, out[axis])]
            for d, index in enumerate(out):
                if d != axis and positions[d] < data[d]:
                    conditions.append(b.less(index, positions[d]))
            return b.all(conditions)

        def update_at(b: Body, out: Sequence[Index], u: Sequence[Index]) -> SSAValue:
            return b.read(op.updates, place(b, out, u))

        lowered(rewriter, op, Scatter(op, [positions[axis]], matches, update_at).computes())


class ScatterNdLowering(RewritePattern):
    """Output element `out` takes the updates whose index tuple equals out's leading
    indices, at out's trailing indices."""

    lowers = graph.ScatterNdOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ScatterNdOp, rewriter: PatternRewriter) -> None:
        data, tuples = shape_of(op.data), shape_of(op.indices)
        positions, depth = list(tuples[:-1]), tuples[-1]

        def matches(b: Body, out: Sequence[Index], u: Sequence[Index]) -> SSAValue:
            conditions = []
            for j in range(depth):
                index = index_into(b, b.read(op.indices, [*u, j]), data[j])
                conditions.append(equal(b, index, out[j]))
            return b.all(conditions)

        def update_at(b: Body, out: Sequence[Index], u: Sequence[Index]) -> SSAValue:
            return b.read(op.updates, [*u, *out[depth:]])

        lowered(rewriter, op, Scatter(op, positions, matches, update_at).computes())


class OneHotLowering(RewritePattern):
    """The on value where the index (truncated to an integer, negative from the end) is the
    output's index on the new axis, else the off value."""

    lowers = graph.OneHotOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.OneHotOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)
        rank = len(out_type.get_shape())
        axis = graph.normalize_axis(op.axis.value.data, rank)
        depth = op.depth.value.data

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            raw = b.read(op.indices, [*indices[:axis], *indices[axis + 1 :]])
            if not isinstance(raw.type, IntegerType):
                raw = b.emit(arith_extra.FPToSIOp(raw, i64))
            index = b.emit(arith_extra.IndexCastOp(raw, IndexType()))
            wrapped = b.emit(arith.AddiOp(index, b.index(depth)))
            index = b.select(b.less(index, 0), wrapped, index)
            hot = equal(b, index, indices[axis])
            return b.select(hot, b.read(op.values, [1]), b.read(op.values, [0]))

        inputs = [op.indices, op.values]
        lowered(rewriter, op, [compute("one_hot", inputs, out_type, generic_axes(rank), body)])


class TriluLowering(RewritePattern):
    """The element where its column minus its row is at least k (upper) or at most k
    (lower), zero elsewhere; k read from its operand where it has one."""

    lowers = graph.TriluOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.TriluOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)
        rank = len(out_type.get_shape())
        upper = op.upper is not None

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            row, column = indices[-2], indices[-1]
            k: Index = op.k.value.data
            if op.k_value is not None:
                raw = b.read(op.k_value, [0] * len(shape_of(op.k_value)))
                k = b.emit(arith_extra.IndexCastOp(raw, IndexType()))
            diagonal = b.add(row, k)
            kept = b.at_least(column, diagonal) if upper else b.less(column, b.add(diagonal, 1))
            return b.select(kept, b.read(op.input, indices), b.constant(0))

        inputs = [op.input] if op.k_value is None else [op.input, op.k_value]
        lowered(rewriter, op, [compute("trilu", inputs, out_type, generic_axes(rank), body)])


class DepthToSpaceLowering(RewritePattern):
    """Output pixel (y, x) of channel c reads pixel (y / b, x / b) of the channel that holds
    offset (y % b, x % b) of c's block."""

    lowers = graph.DepthToSpaceOp | graph.SpaceToDepthOp

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: graph.DepthToSpaceOp | graph.SpaceToDepthOp, rewriter: PatternRewriter
    ) -> None:
        size = op.blocksize.value.data
        crd = op.mode.data == "CRD"
        out_type = graph.tensor(op.output)
        name = op.name.removeprefix("graph.")
        to_space = isinstance(op, graph.DepthToSpaceOp)
        depth = shape_of(op.output)[1] if to_space else shape_of(op.input)[1]

        def body(b: Body, n: SSAValue, c: SSAValue, y: SSAValue, x: SSAValue) -> SSAValue:
            if to_space:
                row, column = b.rem(y, size), b.rem(x, size)
                offset = b.add(b.mul(row, size), column)
                channel = (
                    b.add(b.mul(c, size * size), offset) if crd else b.add(b.mul(offset, depth), c)
                )
                return b.read(op.input, [n, channel, b.div(y, size), b.div(x, size)])
            if crd:
                channel, offset = b.div(c, size * size), b.rem(c, size * size)
            else:
                channel, offset = b.rem(c, depth), b.div(c, depth)
            row, column = b.div(offset, size), b.rem(offset, size)
            where = [n, channel, b.add(b.mul(y, size), row), b.add(b.mul(x, size), column)]
            return b.read(op.input, where)

        axes = ["n", "c", "h", "w"]
        lowered(rewriter, op, [compute(name, [op.input], out_type, axes, body)])


PATTERNS = (
    GatherElementsLowering(),
    GatherNdLowering(),
    ScatterElementsLowering(),
    ScatterNdLowering(),
    OneHotLowering(),
    TriluLowering(),
    DepthToSpaceLowering(),
)
