"""Moving a stage's computation to where it is read: compute_at and compute_inline.

Both need the stage as te-to-loop emitted it (`EmittedStage`): `compute_at` moves its nest
into a loop of the consumer, over the box one iteration of that loop reads;
`compute_inline` computes each element where it is read and drops the buffer.
Deallocations then move after the last use of their buffer. A parallel loop around the
nests `compute_at` moves must stay free of iterations that touch one element.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from xdsl.dialects import memref, scf
from xdsl.ir import BlockArgument, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.dependences import check_still_independent
from ziggurat.analysis.payload import (
    Bounds,
    axis_name,
    band,
    body_ops,
    buffer_name,
    describe,
    enclosing_function,
    iv,
    optional_bounds,
    own_ops,
    stage_name,
)
from ziggurat.transforms import Changes, ScheduleError
from ziggurat.transforms.regions import box, box_nest


@dataclass
class EmittedStage:
    """A stage as te-to-loop emitted it: the loops over its output's axes, the ops that
    compute one element (the innermost body), the store of that element, and the nests
    attached around the inner loops (by compute_at): per loop, before and after its child."""

    root: scf.ForOp
    loops: list[scf.ForOp]
    ops: list[Operation]
    store: memref.StoreOp
    attached: list[tuple[list[Operation], list[Operation]]]

    @property
    def buffer(self) -> SSAValue:
        return self.store.memref


def emitted_stage(root: scf.ForOp, primitive: str) -> EmittedStage:
    """The stage `root` as te-to-loop emitted it; an error naming `primitive` if it is not."""
    name = stage_name(root)
    stores = [op for op in own_ops(root, root) if isinstance(op, memref.StoreOp)]
    if root.iter_args and root.res and len(list(root.res[0].uses)) == 1:
        use = next(iter(root.res[0].uses)).operation
        if isinstance(use, memref.StoreOp):
            stores.append(use)
    if len(stores) != 1:
        raise ScheduleError(f"{primitive} needs '{name}' to store one element per iteration")
    store = stores[0]
    rank = len(store.indices)
    loops = band(root)[:rank]
    shape = store.memref.type.get_shape()  # type: ignore[attr-defined]
    if (
        len(loops) != rank
        or [iv(loop) for loop in loops] != list(store.indices)
        or [optional_bounds(loop) for loop in loops] != [Bounds(0, size, 1) for size in shape]
    ):
        raise ScheduleError(
            f"{primitive} needs the loop nest of '{name}' as te-to-loop emitted it; "
            f"apply {primitive} before other transforms of '{name}'"
        )
    ops = body_ops(loops[-1]) if loops else [root, store]
    attached = []
    for outer, inner in pairwise(loops):
        around = body_ops(outer)
        place = around.index(inner)
        attached.append((around[:place], around[place + 1 :]))
    return EmittedStage(root, loops, ops, store, attached)


def free_after_last_use(near: Operation) -> None:
    """Move each `memref.dealloc` of the function holding `near` after the last use of its
    buffer, which moving computations may have put later."""
    function = enclosing_function(near)
    assert function is not None
    for dealloc in [op for op in function.walk() if isinstance(op, memref.DeallocOp)]:
        block = dealloc.parent_block()
        assert block is not None
        order = {op: n for n, op in enumerate(block.ops)}
        last = dealloc
        for use in dealloc.memref.uses:
            user: Operation | None = use.operation
            while user is not None and user not in order:
                user = user.parent_op()
            if user is not None and order[user] > order[last]:
                last = user
        if last is not dealloc:
            dealloc.detach()
            block.insert_op_after(dealloc, last)


def check_not_a_result(stage: EmittedStage, primitive: str) -> None:
    """An error if the stage writes a result of the function, which `primitive` would drop."""
    if isinstance(stage.buffer, BlockArgument):
        raise ScheduleError(
            f"'{stage_name(stage.root)}' computes a result of the function; {primitive} "
            "would leave it unwritten"
        )


def reads_of(buffer: SSAValue, outside: Operation) -> list[memref.LoadOp]:
    """The loads of `buffer` not inside `outside`; an error for other uses."""
    reads: list[memref.LoadOp] = []
    for use in buffer.uses:
        op = use.operation
        if outside.is_ancestor(op) or isinstance(op, memref.DeallocOp):
            continue
        if not isinstance(op, memref.LoadOp):
            raise ScheduleError(f"'{op.name}' also uses {buffer_name(buffer)}")
        reads.append(op)
    return reads


def clone_element(
    stage: EmittedStage,
    positions: Sequence[SSAValue],
    at: InsertPoint,
    loops: Sequence[scf.ForOp] = (),
) -> dict[SSAValue, SSAValue]:
    """Clone the element's computation at `at` for the given positions, and the nests
    attached to its loops around the corresponding new `loops`."""
    mapping: dict[SSAValue, SSAValue] = {
        iv(loop): position for loop, position in zip(stage.loops, positions, strict=True)
    }
    for (before, after), outer, inner in zip(stage.attached, loops, loops[1:], strict=False):
        for op in before:
            Rewriter.insert_op(op.clone(mapping), InsertPoint.before(inner))
        for op in after:
            Rewriter.insert_op(op.clone(mapping), InsertPoint.before(outer.body.block.last_op))  # type: ignore[arg-type]
    for op in stage.ops:
        Rewriter.insert_op(op.clone(mapping), at)
    return mapping


def compute_at(producer: scf.ForOp, loop: scf.ForOp, changes: Changes) -> scf.ForOp:
    """The producer's nest moved into `loop`, over the box one iteration reads."""
    stage = emitted_stage(producer, "compute_at")
    name = stage_name(producer)
    if producer.is_ancestor(loop) or loop.is_ancestor(producer):
        raise ScheduleError(f"{describe(loop)} is not outside the loop nest of '{name}'")
    check_not_a_result(stage, "compute_at")
    reads = reads_of(stage.buffer, producer)
    inside = [read for read in reads if loop.is_ancestor(read)]
    if not inside:
        raise ScheduleError(f"{describe(loop)} does not read '{name}'")
    if len(inside) != len(reads):
        raise ScheduleError(
            f"'{name}' is also read outside {describe(loop)}; compute_at would leave those "
            "elements unwritten"
        )
    shape = stage.buffer.type.get_shape()  # type: ignore[attr-defined]
    region = box(stage.buffer, inside, loop)
    at = InsertPoint.at_start(loop.body.block)
    names = [axis_name(loop) for loop in stage.loops]
    loops, _, positions, inner = box_nest(region, names, name, shape, at, loop)
    mapping = clone_element(stage, positions, inner, loops)
    if not producer.is_ancestor(stage.store):
        Rewriter.erase_op(stage.store)
    changes.erase(producer)
    free_after_last_use(loop)
    check_still_independent(loop, "compute_at")
    if loops:
        return loops[0]
    new_root = mapping[producer.res[0]].owner
    assert isinstance(new_root, scf.ForOp)
    return new_root


def compute_inline(producer: scf.ForOp, changes: Changes) -> None:
    """Each read of the producer's buffer computes the element it reads in place."""
    stage = emitted_stage(producer, "compute_inline")
    name = stage_name(producer)
    if any(op.regions for op in stage.ops) or any(a or b for a, b in stage.attached):
        raise ScheduleError(
            f"compute_inline needs an elementwise compute, '{name}' has loops of its own"
        )
    check_not_a_result(stage, "compute_inline")
    computation = replace(stage, ops=[op for op in stage.ops if op is not stage.store])
    for read in reads_of(stage.buffer, producer):
        mapping = clone_element(computation, list(read.indices), InsertPoint.before(read))
        read.res.replace_all_uses_with(mapping.get(stage.store.value, stage.store.value))
        Rewriter.erase_op(read)
    buffer = stage.buffer
    function = producer.parent_op()
    assert function is not None
    changes.erase(producer)
    for use in list(buffer.uses):
        if isinstance(use.operation, memref.DeallocOp):
            Rewriter.erase_op(use.operation)
    if isinstance(buffer.owner, memref.AllocOp) and not list(buffer.uses):
        Rewriter.erase_op(buffer.owner)
    free_after_last_use(function)
