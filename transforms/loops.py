"""Restructuring a stage's band: split, fuse, reorder, and loop annotations.

- `split` gives `x = xo * f + xi`; when f does not divide the trip count the innermost body
  of the band runs under `scf.if x < n` (`guard`), and so does each nest attached beside a
  loop of the band (`guard_tail`): nothing runs for the positions past n.
- `fuse` gives `o = f / n_i`, `i = f % n_i` (`o = f`, `i = 0` for an inner loop of one
  iteration); the schedule op fuses any number of loops, one pair at a time.
- `reorder` permutes a perfectly nested run of band loops (index arithmetic sinks into the
  innermost one) where no dependence between two iterations changes direction, and where
  the parallel loops among them stay parallel.

A reduction in the band first accumulates in memory (`ziggurat.transforms.reductions`). It
also offers `annotate` and `check_innermost` (for vectorize).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import ArrayAttr
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.dependences import check_order, check_still_independent
from ziggurat.analysis.payload import (
    axis_name,
    band,
    band_child,
    body_ops,
    bounds,
    defined_in,
    describe,
    is_pure,
    iv,
)
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import ANNOTATIONS, LoopAnnotation, annotations
from ziggurat.dialects.schedule import AXIS
from ziggurat.transforms import Changes, ScheduleError
from ziggurat.transforms.build import emit, index_constant, materialize, move_stage_tag, new_loop
from ziggurat.transforms.reductions import accumulate_in_memory


def guard(loop: scf.ForOp, after: Operation | None, condition: SSAValue) -> None:
    """Run the ops of `loop`'s body that follow `after` (all of them if None) only when
    `condition` holds: it joins the guard already wrapping them, or an `scf.if` wraps them."""
    ops = body_ops(loop)
    rest = ops[ops.index(after) + 1 :] if after is not None else ops
    impure = [op for op in rest if not is_pure(op)]
    if len(impure) == 1 and isinstance(impure[0], scf.IfOp) and not impure[0].results:
        if not impure[0].false_region.blocks:
            guard_op(impure[0], condition)
            return
    then = Block([scf.YieldOp()])
    for op in rest:
        op.detach()
        then.insert_op_before(op, then.last_op)  # type: ignore[arg-type]
    terminator = loop.body.block.last_op
    assert terminator is not None
    Rewriter.insert_op(scf.IfOp(condition, [], [then]), InsertPoint.before(terminator))


def split(loop: scf.ForOp, factor: int, changes: Changes) -> tuple[scf.ForOp, scf.ForOp]:
    """`loop` as an outer loop over tiles of `factor` iterations and an inner one."""
    loop = accumulate_in_memory(loop, changes)
    if loop.iter_args:
        raise ScheduleError(f"cannot split {describe(loop)}, which carries values")
    b = bounds(loop)
    count = b.trip_count
    factor = max(1, min(factor, count))
    name = axis_name(loop) if AXIS in loop.attributes else "x"
    outer = new_loop(-(-count // factor), f"{name}.outer", loop)
    inner = new_loop(factor, f"{name}.inner", loop)
    Rewriter.insert_op(inner, InsertPoint.at_start(outer.body.block))
    block = inner.body.block
    at = InsertPoint.at_start(block)
    position = materialize({iv(outer): factor, iv(inner): 1}, 0, at, loop)
    value = position
    if b.step != 1 or b.lower != 0:
        value = materialize({position: b.step}, b.lower, at, loop)
    value.name_hint = name
    for op in body_ops(loop):
        op.detach()
        block.insert_op_before(op, block.last_op)  # type: ignore[arg-type]
    iv(loop).replace_all_uses_with(value)
    move_stage_tag(loop, outer)
    Rewriter.insert_op(outer, InsertPoint.before(loop))
    changes.erase(loop)
    if count % factor:
        guard_tail(inner, value, position, count)
    return outer, inner


def guard_tail(inner: scf.ForOp, value: SSAValue, position: SSAValue, count: int) -> None:
    """Run what the band under `inner` does only for positions before `count`: its innermost
    body, and the nests other primitives attached beside its loops (copies, write-backs,
    computations moved there), each under `scf.if position < count`."""
    loops = band(inner)
    deepest = loops[-1]
    check = arith_extra.CmpiOp(position, index_constant(count, inner), "slt")
    if deepest is inner:
        Rewriter.insert_op(check, InsertPoint.after(value.owner))  # type: ignore[arg-type]
    else:
        Rewriter.insert_op(check, InsertPoint.at_start(deepest.body.block))
    guard(deepest, check, check.result)
    for loop in loops[:-1]:
        child = band_child(loop)
        for op in body_ops(loop):
            if op is child or is_pure(op) or isinstance(op, memref.AllocOp | memref.DeallocOp):
                continue
            # Only a reduction's epilogue loads give values there, and split moved it.
            assert not op.results, f"'{op.name}' beside {describe(loop)} gives values"
            test = arith_extra.CmpiOp(position, index_constant(count, inner), "slt")
            Rewriter.insert_op(test, InsertPoint.before(op))
            guard_op(op, test.result)


def guard_op(op: Operation, condition: SSAValue) -> None:
    """Run `op` only when `condition` holds: joined to it if it is a guard already."""
    if isinstance(op, scf.IfOp) and not op.false_region.blocks:
        joined = arith.AndIOp(op.cond, condition)
        Rewriter.insert_op(joined, InsertPoint.before(op))
        op.operands[0] = joined.result
        return
    then = Block([scf.YieldOp()])
    Rewriter.insert_op(scf.IfOp(condition, [], [then]), InsertPoint.before(op))
    op.detach()
    then.insert_op_before(op, then.last_op)  # type: ignore[arg-type]


def make_perfectly_nested(outer: scf.ForOp, inner: scf.ForOp) -> None:
    """Sink the index arithmetic between two band loops into the inner one, so `inner`
    is all `outer` holds; an error if anything else is between them."""
    for op in body_ops(outer):
        if op is inner:
            continue
        if not is_pure(op):
            raise ScheduleError(
                f"{describe(outer)} and {describe(inner)} are not perfectly nested: "
                f"'{op.name}' is between them"
            )
        for result in op.results:
            if any(use.operation is inner for use in result.uses):
                raise ScheduleError(f"the bounds of {describe(inner)} depend on {describe(outer)}")
    pure = [op for op in body_ops(outer) if op is not inner]
    block = inner.body.block
    first = block.first_op
    for op in pure:
        op.detach()
        if first is None:
            block.add_op(op)
        else:
            block.insert_op_before(op, first)


def fuse(outer: scf.ForOp, inner: scf.ForOp, changes: Changes) -> scf.ForOp:
    """One loop over the iterations of `outer` and `inner`, nested directly in it."""
    outer = accumulate_in_memory(outer, changes)
    inner = changes.replaced.get(inner, inner)  # type: ignore[assignment]
    if band_child(outer) is not inner:
        raise ScheduleError(
            f"cannot fuse {describe(outer)} with {describe(inner)}, not nested in it"
        )
    make_perfectly_nested(outer, inner)
    outer_bounds, inner_bounds = bounds(outer), bounds(inner)
    count = inner_bounds.trip_count
    name = f"{axis_name(outer)}.{axis_name(inner)}.fused"
    fused = new_loop(outer_bounds.trip_count * count, name, outer)
    block = fused.body.block
    at = InsertPoint.at_start(block)
    for loop, operation, b in (
        (outer, arith.DivUIOp, outer_bounds),
        (inner, arith.RemUIOp, inner_bounds),
    ):
        if b.trip_count == 1:  # the only iteration: no division (x / 1 is x, x % 1 is 0)
            value = index_constant(b.lower, outer)
        else:
            position = iv(fused)
            if count != 1 and outer_bounds.trip_count != 1:
                position = emit(operation(position, index_constant(count, outer)), at)
            value = materialize({position: b.step}, b.lower, at, outer)
            if value is not iv(fused):
                value.name_hint = axis_name(loop)
        iv(loop).replace_all_uses_with(value)
    for op in body_ops(inner):
        op.detach()
        block.insert_op_before(op, block.last_op)  # type: ignore[arg-type]
    move_stage_tag(outer, fused)
    Rewriter.insert_op(fused, InsertPoint.before(outer))
    changes.erase(outer)
    return fused


def reorder(loops: Sequence[scf.ForOp], changes: Changes) -> None:
    """Permute the band positions `loops` occupy so they come in the given order."""
    accumulate_in_memory(loops[0], changes)
    loops = [changes.replaced.get(loop, loop) for loop in loops]  # type: ignore[misc]
    outermost = next((a for a in loops if all(a.is_ancestor(b) for b in loops)), None)
    if outermost is None:
        raise ScheduleError("the loops to reorder are not nested in one another")
    segment = [outermost]
    while not all(loop in segment for loop in loops):
        child = band_child(segment[-1])
        if child is None:
            missing = next(loop for loop in loops if loop not in segment)
            raise ScheduleError(
                f"{describe(missing)} is not in the loop nest of {describe(outermost)}"
            )
        segment.append(child)
    for outer, inner in pairwise(segment):
        make_perfectly_nested(outer, inner)
    positions = sorted(segment.index(loop) for loop in loops)
    order = list(segment)
    for position, loop in zip(positions, loops, strict=True):
        order[position] = loop
    for loop in order:
        for value in (loop.lb, loop.ub, loop.step):
            if defined_in(value, segment[0]):
                raise ScheduleError(f"the bounds of {describe(loop)} depend on an outer loop")
    check_order(segment, order)
    if order == segment:
        return
    content = body_ops(segment[-1])
    for op in content:
        op.detach()
    after = segment[0].next_op
    parent = segment[0].parent_block()
    assert after is not None and parent is not None
    for loop in segment:
        loop.detach()
    for outer, inner in pairwise(order):
        outer.body.block.insert_op_before(inner, outer.body.block.last_op)  # type: ignore[arg-type]
    last = order[-1].body.block
    for op in content:
        last.insert_op_before(op, last.last_op)  # type: ignore[arg-type]
    parent.insert_op_before(order[0], after)
    move_stage_tag(segment[0], order[0])
    check_still_independent(order[0], "reorder")


def annotate(loop: scf.ForOp, annotation: LoopAnnotation) -> None:
    """Set `annotation` on `loop`, replacing one of the same kind."""
    kept = [a for a in annotations(loop) if type(a) is not type(annotation)]
    loop.attributes[ANNOTATIONS] = ArrayAttr([*kept, annotation])


def check_innermost(loop: scf.ForOp) -> None:
    """An error if `loop` holds another loop (vectorize needs an innermost one)."""
    nested = next((op for op in loop.body.walk() if isinstance(op, scf.ForOp)), None)
    if nested is not None:
        raise ScheduleError(
            f"vectorize needs an innermost loop, but {describe(loop)} contains {describe(nested)}"
        )
