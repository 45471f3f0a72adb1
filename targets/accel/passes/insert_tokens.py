"""`insert-tokens`: the dependency tokens that keep an accel program's units apart.

Each unit runs its instructions in order, so only instructions of two units need ordering:
an instruction that reads a buffer region (or a DRAM tensor's) after another unit's
instruction wrote it (the data must be there: load->compute, compute->store), or writes
it after another unit's instruction read or wrote it (the old data must be used up:
compute->load, store->compute). For each such pair the earlier instruction's unit pushes
a token after it and the later one's unit pops it before it, unless an earlier token on
that queue already orders them; the units' queues keep tokens in order, so the n-th pop
takes the n-th push. Virtual threads use disjoint parts of the buffers and get tokens
only where they share one.

    ziggurat-opt program.mlir -p insert-tokens
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.accel import QUEUES, UNITS, Access, PopOp, ProgramOp, PushOp


@dataclass(frozen=True)
class InsertTokens(ModulePass):
    """Insert the push and pop of a token between every two dependent instructions of
    two units."""

    name = "insert-tokens"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for program in [o for o in op.walk() if isinstance(o, ProgramOp)]:
            insert_tokens(program)


@dataclass
class Seen:
    """An access of an instruction already placed: its position in the program and in its
    unit's stream."""

    index: int
    unit: str
    position: int
    access: Access


def insert_tokens(program: ProgramOp) -> None:
    instructions = program.instructions()
    if any(isinstance(o, PushOp | PopOp) for o in instructions):
        raise ZigguratError("insert-tokens needs a program without tokens", program)
    tile = program.tile.value.data
    history: dict[SSAValue, list[Seen]] = defaultdict(list)
    # Per queue: the position in the pushing unit's stream of its last push, and the
    # program index of that instruction.
    synced = {queue: (-1, -1) for queue in QUEUES}
    counts = dict.fromkeys(UNITS, 0)
    pushes: list[tuple[Operation, str, str]] = []
    pops: list[tuple[Operation, str, str]] = []
    for index, op in enumerate(instructions):
        unit = op.unit_name()
        accesses = op.accesses(tile)
        need: dict[str, Seen] = {}
        horizon = min(synced[(u, unit)][1] for u in UNITS if u != unit and (u, unit) in synced)
        for access in accesses:
            for seen in reversed(history[access.buffer]):
                if seen.index <= horizon:
                    break
                if seen.unit == unit or not (access.write or seen.access.write):
                    continue
                if not access.overlaps(seen.access):
                    continue
                if seen.unit not in need or need[seen.unit].position < seen.position:
                    need[seen.unit] = seen
        for peer, seen in need.items():
            queue = (peer, unit)
            if queue not in QUEUES:
                raise ZigguratError(
                    f"no token queue orders '{op.name}' ({unit}) after instruction "
                    f"{seen.index} ('{instructions[seen.index].name}', {peer}): there is no "
                    f"{peer}->{unit} queue",
                    op,
                )
            if seen.position <= synced[queue][0]:
                continue
            synced[queue] = (seen.position, seen.index)
            pushes.append((instructions[seen.index], peer, unit))
            pops.append((op, unit, peer))
        for access in accesses:
            history[access.buffer].append(Seen(index, unit, counts[unit], access))
        counts[unit] += 1
    # Pushes after their instruction in the order they were needed (per queue that is the
    # order of the instructions), pops before theirs.
    last_after: dict[Operation, Operation] = {}
    for after, unit, peer in pushes:
        push = PushOp(unit, peer)
        Rewriter.insert_op(push, InsertPoint.after(last_after.get(after, after)))
        last_after[after] = push
    for before, unit, peer in pops:
        Rewriter.insert_op(PopOp(unit, peer), InsertPoint.before(before))
