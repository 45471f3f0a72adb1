"""Lower structured control flow (`scf`) and `memref.copy` to branches between blocks.

xDSL's `convert-scf-to-cf` handles `scf.for` and `scf.if` but drops a loop's
`loop.annotations`; here the loop's back edge keeps them (`cf.br ^header(...)
{loop.annotations = [...]}`), so the CPU target can turn them into LLVM loop metadata.
`scf.parallel` runs as nested sequential loops. Used by `loop-to-llvm`.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import DYNAMIC_INDEX, IndexType, IntegerAttr, MemRefType
from xdsl.dialects.cf import BranchOp, ConditionalBranchOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern
from xdsl.rewriter import BlockInsertPoint, InsertPoint
from xdsl.transforms.convert_scf_to_cf import IfLowering

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import ANNOTATIONS


def split_at(op: Operation, rewriter: PatternRewriter) -> tuple[Block, Block]:
    """Split `op`'s block before `op`: the block before it, and the new block that `op` now
    starts, which takes one argument per result of `op` to replace them with."""
    block = op.parent_block()
    assert block is not None
    continuation = block.split_before(op)
    for index, type in enumerate(op.result_types):
        rewriter.insert_block_argument(continuation, index, type)
    return block, continuation


def replace_by_regions(
    op: Operation,
    regions: list[Region],
    arguments: Sequence[SSAValue],
    entry: Block,
    continuation: Block,
    rewriter: PatternRewriter,
) -> None:
    """Replace `op` by its `regions` inlined between the blocks `split_at` gave: `entry`
    branches to their first block with `arguments`, and `op`'s results become the arguments
    of `continuation`."""
    first = regions[0].first_block
    assert first is not None
    for region in regions:
        rewriter.inline_region(region, BlockInsertPoint.before(continuation))
    rewriter.insert(BranchOp(first, *arguments), InsertPoint.at_end(entry))
    rewriter.replace(op, [], continuation.args)


class ForLowering(RewritePattern):
    """A header block tests `iv < ub`; the body's last block steps and branches back."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.ForOp, rewriter: PatternRewriter):
        entry = op.parent_block()
        assert entry is not None
        end = entry.split_before(op)
        header = op.body.first_block
        assert header is not None
        first_body_op = header.first_op
        assert first_body_op is not None
        body = header.split_before(first_body_op)
        last = op.body.last_block
        assert last is not None
        rewriter.inline_region(op.body, BlockInsertPoint.before(end))

        terminator = last.last_op
        assert terminator is not None
        stepped = arith.AddiOp(header.args[0], op.step)
        rewriter.insert(stepped, InsertPoint.before(terminator))
        back_edge = BranchOp(header, stepped, *terminator.operands)
        if ANNOTATIONS in op.attributes:
            back_edge.attributes[ANNOTATIONS] = op.attributes[ANNOTATIONS]
        rewriter.replace(terminator, back_edge)

        rewriter.insert(BranchOp(header, op.lb, *op.iter_args), InsertPoint.at_end(entry))
        in_range = arith_extra.CmpiOp(header.args[0], op.ub, "slt")
        rewriter.insert(in_range, InsertPoint.at_end(header))
        rewriter.insert(
            ConditionalBranchOp(in_range, body, (), end, ()), InsertPoint.at_end(header)
        )
        rewriter.replace(op, [], header.args[1:])


class WhileLowering(RewritePattern):
    """`before` ends in a conditional branch to `after` or out; `after` branches back."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.WhileOp, rewriter: PatternRewriter):
        entry, continuation = split_at(op, rewriter)
        before, after = op.before_region.first_block, op.after_region.first_block
        assert before is not None and after is not None
        for block in (*op.before_region.blocks, *op.after_region.blocks):
            terminator = block.last_op
            if isinstance(terminator, scf.ConditionOp):
                args = terminator.args
                exit = ConditionalBranchOp(terminator.condition, after, args, continuation, args)
                rewriter.replace(terminator, exit)
            elif isinstance(terminator, scf.YieldOp):
                rewriter.replace(terminator, BranchOp(before, *terminator.operands))
        regions = [op.before_region, op.after_region]
        replace_by_regions(op, regions, op.arguments, entry, continuation, rewriter)


class ExecuteRegionLowering(RewritePattern):
    """The region's blocks are inlined; its yields branch to what follows."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.ExecuteRegionOp, rewriter: PatternRewriter):
        entry, continuation = split_at(op, rewriter)
        for block in op.region.blocks:
            if isinstance(block.last_op, scf.YieldOp):
                branch = BranchOp(continuation, *block.last_op.operands)
                rewriter.replace(block.last_op, branch)
        replace_by_regions(op, [op.region], [], entry, continuation, rewriter)


class ParallelLowering(RewritePattern):
    """One sequential `scf.for` per dimension, outermost first."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.ParallelOp, rewriter: PatternRewriter):
        if op.initVals or op.results:
            raise ZigguratError("scf.parallel with reductions is not supported", op)
        body = op.body.block
        loops: list[scf.ForOp] = []
        for lower, upper, step in zip(op.lowerBound, op.upperBound, op.step, strict=True):
            loop = scf.ForOp(lower, upper, step, [], Block(arg_types=[IndexType()]))
            if loops:
                loops[-1].body.block.add_op(loop)
                loops[-1].body.block.add_op(scf.YieldOp())
            loops.append(loop)
        innermost = loops[-1].body.block
        for iv, loop in zip(body.args, loops, strict=True):
            iv.replace_all_uses_with(loop.body.block.args[0])
        if isinstance(body.last_op, scf.ReduceOp):
            rewriter.erase(body.last_op)
        for inner in list(body.ops):
            inner.detach()
            innermost.add_op(inner)
        innermost.add_op(scf.YieldOp())
        if ANNOTATIONS in op.attributes:
            loops[0].attributes[ANNOTATIONS] = op.attributes[ANNOTATIONS]
        rewriter.replace(op, loops[0])


class CopyLowering(RewritePattern):
    """`memref.copy` as a loop nest of loads and stores; LLVM turns dense ones into memcpy."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.CopyOp, rewriter: PatternRewriter):
        source, destination = op.source, op.destination
        if not isinstance(source.type, MemRefType):
            raise ZigguratError("memref.copy of an unranked memref is not supported", op)
        zero = arith.ConstantOp(IntegerAttr.from_index_int_value(0))
        one = arith.ConstantOp(IntegerAttr.from_index_int_value(1))
        rewriter.insert([zero, one])
        loops: list[scf.ForOp] = []

        def put(ops: list[Operation]) -> None:
            if loops:
                loops[-1].body.block.add_ops(ops)
            else:
                rewriter.insert(ops)

        for dim, size in enumerate(source.type.get_shape()):
            if size == DYNAMIC_INDEX:
                index = arith.ConstantOp(IntegerAttr.from_index_int_value(dim))
                bound: Operation = memref.DimOp(source, index)
                bounds: list[Operation] = [index, bound]
            else:
                bound = arith.ConstantOp(IntegerAttr.from_index_int_value(size))
                bounds = [bound]
            loop = scf.ForOp(zero, bound, one, [], Block(arg_types=[IndexType()]))
            put([*bounds, loop])
            loops.append(loop)
        indices = [loop.body.block.args[0] for loop in loops]
        value = memref.LoadOp.get(source, indices)
        put([value, memref.StoreOp.get(value, destination, indices)])
        for loop in loops:
            loop.body.block.add_op(scf.YieldOp())
        rewriter.erase(op)


SCF_PATTERNS: list[RewritePattern] = [
    ParallelLowering(),
    CopyLowering(),
    ExecuteRegionLowering(),
    WhileLowering(),
    ForLowering(),
    IfLowering(),
]

SCF_OPS: tuple[type[Operation], ...] = (
    scf.ForOp,
    scf.IfOp,
    scf.WhileOp,
    scf.ParallelOp,
    scf.ExecuteRegionOp,
    scf.YieldOp,
    scf.ConditionOp,
    scf.ReduceOp,
    scf.ReduceReturnOp,
    memref.CopyOp,
)
