"""Data movement: reshape and flatten, transpose, slice, concat, split, gather, pad,
broadcast_to and tile, each a compute that reads its input at a computed index, clamped so
no read is out of bounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    BodyFunction,
    Index,
    Window,
    broadcast_indices,
    compute,
    generic_axes,
    lowered,
    shape_of,
)


def delinearize(b: Body, linear: Index, shape: Sequence[int]) -> list[Index]:
    """Row-major indices of the element at `linear` in a tensor of `shape`."""
    indices: list[Index] = []
    for d in range(len(shape)):
        stride = math.prod(shape[d + 1 :])
        if shape[d] == 1:
            indices.append(0)
            continue
        index = b.div(linear, stride)
        # The leading index needs no remainder: `linear` is in bounds.
        indices.append(index if d == 0 else b.rem(index, shape[d]))
    return indices


def reassociation(source: Sequence[int], target: Sequence[int]) -> list[tuple[range, range]]:
    """The smallest groups of consecutive dimensions of `source` and `target` with equal
    sizes, in order (MLIR's reassociation of expand_shape and collapse_shape): a reshape
    maps each group of the one to its group of the other. One group of everything where a
    size is 0."""
    if 0 in source or 0 in target or math.prod(source) != math.prod(target):
        return [(range(len(source)), range(len(target)))]
    groups: list[tuple[range, range]] = []
    i = j = 0
    while i < len(source) or j < len(target):
        first_i, first_j, p, q = i, j, 1, 1
        if i < len(source):
            p, i = source[i], i + 1
        if j < len(target):
            q, j = target[j], j + 1
        while p != q:
            if p < q:
                p, i = p * source[i], i + 1
            else:
                q, j = q * target[j], j + 1
        groups.append((range(first_i, i), range(first_j, j)))
    return groups


class ReshapeLowering(RewritePattern):
    """graph.reshape and graph.flatten: within each group of dimensions the reshape merges
    or splits (`reassociation`), linearize the output indices and delinearize them, so that
    the dimensions it keeps are read as they are (and a split dimension costs one division,
    not a division per dimension)."""

    lowers = graph.ReshapeOp | graph.FlattenOp

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: graph.ReshapeOp | graph.FlattenOp, rewriter: PatternRewriter
    ) -> None:
        in_shape, out_type = shape_of(op.input), graph.tensor(op.output)
        out_shape = out_type.get_shape()
        groups = reassociation(in_shape, out_shape)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            source: list[Index] = []
            for inputs, outputs in groups:
                linear: Index = 0
                for d in outputs:
                    stride = math.prod(out_shape[d + 1 : outputs.stop])
                    linear = b.add(linear, b.mul(indices[d], stride))
                source.extend(delinearize(b, linear, [in_shape[d] for d in inputs]))
            return b.read(op.input, source)

        name = op.name.removeprefix("graph.")
        axes = generic_axes(len(out_shape))
        lowered(rewriter, op, [compute(name, [op.input], out_type, axes, body)])


class TransposeLowering(RewritePattern):
    lowers = graph.TransposeOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.TransposeOp, rewriter: PatternRewriter) -> None:
        perm = op.perm.get_values()
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            source: list[Index] = [0] * len(perm)
            for d, p in enumerate(perm):
                source[p] = indices[d]
            return b.read(op.input, source)

        axes = generic_axes(len(perm))
        lowered(rewriter, op, [compute("transpose", [op.input], out_type, axes, body)])


class SliceLowering(RewritePattern):
    lowers = graph.SliceOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.SliceOp, rewriter: PatternRewriter) -> None:
        offsets, steps = op.offsets.get_values(), op.steps.get_values()
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            source = [
                b.add(b.mul(index, step), offset)
                for index, offset, step in zip(indices, offsets, steps, strict=True)
            ]
            return b.read(op.input, source)

        axes = generic_axes(len(offsets))
        lowered(rewriter, op, [compute("slice", [op.input], out_type, axes, body)])


class ConcatLowering(RewritePattern):
    lowers = graph.ConcatOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ConcatOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)
        axis = graph.normalize_axis(op.axis.value.data, len(out_type.get_shape()))
        sizes = [shape_of(v)[axis] for v in op.inputs]
        offsets = [sum(sizes[:t]) for t in range(len(sizes))]
        total = sum(sizes)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            position = indices[axis]
            value: SSAValue | None = None
            # From the last input back, each earlier input wins below its end offset.
            for t in reversed(range(len(sizes))):
                index = b.sub(position, offsets[t])
                if offsets[t] > 0:
                    index = b.max(index, 0)
                if offsets[t] + sizes[t] < total:
                    index = b.min(index, sizes[t] - 1)
                where = [*indices[:axis], index, *indices[axis + 1 :]]
                read = b.read(op.inputs[t], where)
                end = offsets[t] + sizes[t]
                value = read if value is None else b.select(b.less(position, end), read, value)
            assert value is not None
            return value

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("concat", list(op.inputs), out_type, axes, body)])


class SplitLowering(RewritePattern):
    """One compute per piece, reading the input at an offset along the axis."""

    lowers = graph.SplitOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.SplitOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        axes = generic_axes(len(shape))
        offsets = [0]
        for size in op.sizes.get_values():
            offsets.append(offsets[-1] + size)

        def piece(offset: int) -> BodyFunction:
            def body(b: Body, *indices: SSAValue) -> SSAValue:
                where = [*indices[:axis], b.add(indices[axis], offset), *indices[axis + 1 :]]
                return b.read(op.input, where)

            return body

        computes = [
            compute("split", [op.input], graph.tensor(output), axes, piece(offset))
            for output, offset in zip(op.outputs, offsets, strict=False)
        ]
        rewriter.replace(op, computes, [c.result for c in computes])


class GatherLowering(RewritePattern):
    """Read the index, count it from the end when negative, clamp it into the axis (so no
    read is out of bounds), and read the data there."""

    lowers = graph.GatherOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.GatherOp, rewriter: PatternRewriter) -> None:
        data_shape = shape_of(op.data)
        axis = graph.normalize_axis(op.axis.value.data, len(data_shape))
        extent = data_shape[axis]
        index_rank = len(shape_of(op.indices))
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            raw = b.read(op.indices, indices[axis : axis + index_rank])
            index = b.emit(arith_extra.IndexCastOp(raw, IndexType()))
            index = b.select(b.less(index, 0), b.emit(arith.AddiOp(index, b.index(extent))), index)
            index = b.max(b.min(index, extent - 1), 0)
            where = [*indices[:axis], index, *indices[axis + index_rank :]]
            return b.read(op.data, where)

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("gather", [op.data, op.indices], out_type, axes, body)])


class PadLowering(RewritePattern):
    """Each padded dimension maps the output index to an input index: clamped and tested
    (constant), clamped (edge), or folded into the input by a remainder (reflect, wrap)."""

    lowers = graph.PadOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.PadOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        pads = op.pads.get_values()
        mode = op.mode.data
        out_type = graph.tensor(op.output)

        def source(b: Body, index: SSAValue, size: int, before: int, after: int):
            """The input index for output `index` and the tests that it is inside."""
            if before == 0 and after == 0:
                return index, []
            if mode == "constant":
                return b.window(Window(size, size + before + after, 1, 1, 1, before), index, 0)
            if mode == "edge":
                position = b.sub(index, before)
                position = b.max(position, 0) if before > 0 else position
                return (b.min(position, size - 1) if after > 0 else position), []
            # Reflect is periodic in 2 (size - 1) and mirrored within a period; wrap is
            # periodic in size. Shift by whole periods so the remainder's operand is >= 0.
            period = 2 * (size - 1) if mode == "reflect" else size
            if period <= 1:
                return 0, []
            shifted = b.add(index, -before % period)
            folded = b.rem(shifted, period)
            if mode == "reflect":
                folded = b.min(folded, b.sub(period, folded))
            return folded, []

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            where: list[Index] = []
            conditions: list[SSAValue] = []
            for d, (index, size) in enumerate(zip(indices, shape, strict=True)):
                position, inside = source(b, index, size, pads[d], pads[len(shape) + d])
                where.append(position)
                conditions += inside
            return b.padded_read(op.input, where, conditions, op.value.value.data)

        axes = generic_axes(len(shape))
        lowered(rewriter, op, [compute("pad", [op.input], out_type, axes, body)])


class BroadcastToLowering(RewritePattern):
    lowers = graph.BroadcastToOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.BroadcastToOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.read(op.input, broadcast_indices(op.input, indices))

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("broadcast_to", [op.input], out_type, axes, body)])


class TileLowering(RewritePattern):
    """Output index i of a repeated dimension of extent n reads input index i mod n."""

    lowers = graph.TileOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.TileOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        repeats = op.repeats.get_values()
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            source = [
                index if count == 1 else b.rem(index, size)
                for index, size, count in zip(indices, shape, repeats, strict=True)
            ]
            return b.read(op.input, source)

        axes = generic_axes(len(shape))
        lowered(rewriter, op, [compute("tile", [op.input], out_type, axes, body)])


PATTERNS = (
    ReshapeLowering(),
    TransposeLowering(),
    SliceLowering(),
    ConcatLowering(),
    SplitLowering(),
    GatherLowering(),
    PadLowering(),
    BroadcastToLowering(),
    TileLowering(),
)
