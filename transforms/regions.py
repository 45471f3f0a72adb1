"""Boxes of buffers: the part of a buffer one iteration of a loop touches, and nests over it.

A box is bounded with the range analysis of its indices within one iteration of the loop
(the whole axis where that fails), or over every iteration of some loops around it too (the
threads of a block that share a buffer); a nest over it is guarded to the buffer's shape where
the box may leave it. A local buffer holds a box, its axes in the order the loops inside
run along them. It offers `Box`, `box`, `box_of`, `box_offsets`, `box_nest`, `layout`,
`local_buffer`, `local_indices` and `redirect`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import MemRefType, StringAttr
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.payload import iv, ivs_of
from ziggurat.analysis.ranges import (
    Interval,
    Linear,
    atom_interval,
    form_interval,
    interval,
    linear,
)
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import ScopeAttr
from ziggurat.transforms import ScheduleError
from ziggurat.transforms.build import clone_slice, emit, index_constant, loop_nest, materialize


@dataclass
class Box:
    """The part of a buffer one iteration of a loop touches: per axis an offset (terms
    fixed in the iteration plus a constant) and an extent, and whether the offset plus
    [0, extent) may leave the axis below or above."""

    offsets: list[Linear]
    extents: list[int]
    below: list[bool]
    above: list[bool]


def box(
    buffer: SSAValue,
    touching: Sequence[memref.LoadOp | memref.StoreOp],
    loop: scf.ForOp,
    relaxed: Sequence[scf.ForOp] = (),
) -> Box:
    """The box of `buffer` that the accesses `touching` touch in one iteration of `loop`
    (and in every iteration of the loops around it in `relaxed`)."""
    shape = buffer.type.get_shape()  # type: ignore[attr-defined]
    return box_of(shape, [list(op.indices) for op in touching], loop, relaxed=relaxed)


def box_of(
    shape: Sequence[int],
    accesses: Sequence[Sequence[SSAValue]],
    loop: scf.ForOp,
    clip: bool = True,
    relaxed: Sequence[scf.ForOp] = (),
) -> Box:
    """The box of the indices `accesses` (one list per access) take in one iteration of
    `loop`, and in every iteration of the loops around it in `relaxed`; with `clip`, an
    axis it would cover is taken whole."""
    box = Box([], [], [], [])
    for axis, size in enumerate(shape):
        parts = [interval(indices[axis], loop) for indices in accesses]
        if relaxed:
            parts = [None if p is None else relax(p, relaxed) for p in parts]
        known = [p for p in parts if p is not None]
        union: Interval | None = None
        if known and len(known) == len(parts) and all(p.terms == known[0].terms for p in known):
            low, high = min(p.low for p in known), max(p.high for p in known)
            union = Interval(known[0].terms, low, high)
        if union is None or (clip and union.high - union.low + 1 >= size):
            if union is None and not clip:
                raise ScheduleError("cannot bound the indices of a padded read")
            box.offsets.append(({}, 0))
            box.extents.append(size)
            box.below.append(False)
            box.above.append(False)
            continue
        fixed = form_interval(union.terms)
        box.offsets.append((dict(union.terms), union.low))
        box.extents.append(union.high - union.low + 1)
        box.below.append(fixed is None or fixed.low + union.low < 0)
        box.above.append(fixed is None or fixed.high + union.high > size - 1)
    return box


def relax(part: Interval, loops: Sequence[scf.ForOp]) -> Interval:
    """`part` over every iteration of `loops` (around the loop it was taken in): their ivs,
    and quotients and remainders of them, become ranges instead of fixed terms."""
    ivs = {iv(loop) for loop in loops}
    kept: dict[SSAValue, int] = {}
    low, high = part.low, part.high
    for atom, coefficient in part.terms.items():
        found = atom_interval(atom, None, ()) if set(iv_atoms(atom)) <= ivs else None
        if found is None or found.terms:
            kept[atom] = coefficient
            continue
        values = (coefficient * found.low, coefficient * found.high)
        low, high = low + min(values), high + max(values)
    return Interval(kept, low, high)


def iv_atoms(atom: SSAValue) -> list[SSAValue]:
    """The atoms an atom of a linear form is (or divides, or takes the remainder of)."""
    owner = atom.owner
    if isinstance(owner, arith.DivUIOp | arith.RemUIOp):
        return list(linear(owner.lhs)[0])
    return [atom]


def box_offsets(region: Box, at: InsertPoint, near: Operation) -> list[SSAValue]:
    """The offset of `region` in each axis, emitted at `at`."""
    mapping: dict[SSAValue, SSAValue] = {}
    if isinstance(near, scf.ForOp):
        mapping[iv(near)] = iv(near)
    offsets = []
    for terms, constant in region.offsets:
        rebuilt = {clone_slice(atom, mapping, near, at): c for atom, c in terms.items()}
        offsets.append(materialize(rebuilt, constant, at, near))
    return offsets


def box_nest(
    region: Box,
    names: Sequence[str],
    tag: str,
    shape: Sequence[int],
    at: InsertPoint,
    near: Operation,
    order: Sequence[int] | None = None,
    offsets: Sequence[SSAValue] | None = None,
    guarded: bool = True,
) -> tuple[list[scf.ForOp], list[SSAValue], list[SSAValue], InsertPoint]:
    """Loops over `region` at `at`, one per axis in the `order` of a local buffer's axes:
    the loops, the offsets (emitted at `at` unless given), the buffer index in each axis,
    and the point in the innermost body where the index is in bounds (if `guarded`)."""
    rank = len(region.extents)
    order = list(range(rank)) if order is None else list(order)
    if offsets is None:
        offsets = box_offsets(region, at, near)
    loops, inner = loop_nest(
        [region.extents[a] for a in order], [names[a] for a in order], tag, at, near
    )
    loop_of = {axis: loop for axis, loop in zip(order, loops, strict=True)}
    positions: list[SSAValue] = []
    conditions: list[SSAValue] = []
    for axis in range(rank):
        loop, offset = loop_of[axis], offsets[axis]
        terms, constant = region.offsets[axis]
        position = iv(loop)
        if terms or constant:
            start = InsertPoint.at_start(loop.body.block)
            position = emit(arith.AddiOp(offset, iv(loop)), start)
        positions.append(position)
        if guarded and region.below[axis]:
            conditions.append(
                emit(arith_extra.CmpiOp(position, index_constant(0, near), "sge"), inner)
            )
        if guarded and region.above[axis]:
            conditions.append(
                emit(arith_extra.CmpiOp(position, index_constant(shape[axis], near), "slt"), inner)
            )
    if conditions:
        condition = conditions[0]
        for other in conditions[1:]:
            condition = emit(arith.AndIOp(condition, other), inner)
        check = scf.IfOp(condition, [], [Block([scf.YieldOp()])])
        Rewriter.insert_op(check, inner)
        inner = InsertPoint.before(check.true_region.block.last_op)  # type: ignore[arg-type]
    return loops, list(offsets), positions, inner


def layout(accesses: Sequence[Sequence[SSAValue]], loop: scf.ForOp) -> list[int]:
    """The order of a local buffer's axes for accesses with these indices in `loop`: by
    the depth of the deepest loop inside `loop` that an axis's index runs along, so the
    innermost loop runs along the last axis (with unit stride); ties keep their order."""
    depths: dict[SSAValue, int] = {}
    for op in loop.body.walk():
        if isinstance(op, scf.ForOp):
            depth, parent = 0, op.parent_op()
            while parent is not None and parent is not loop:
                depth += isinstance(parent, scf.ForOp)
                parent = parent.parent_op()
            depths[iv(op)] = depth
    rank = len(accesses[0]) if accesses else 0
    deepest = [-1] * rank
    for indices in accesses:
        for axis, value in enumerate(indices):
            for found in ivs_of(value, loop):
                deepest[axis] = max(deepest[axis], depths.get(found, -1))
    return sorted(range(rank), key=lambda axis: deepest[axis])


def local_buffer(buffer: SSAValue, extents: Sequence[int], scope: str, at: InsertPoint) -> SSAValue:
    """A buffer of `scope` with `buffer`'s element type and `extents`, allocated at `at`."""
    element_type = buffer.type.element_type  # type: ignore[attr-defined]
    memory = ScopeAttr(StringAttr(scope))
    alloc = memref.AllocOp([], [], MemRefType(element_type, extents, memory_space=memory))
    alloc.memref.name_hint = f"{buffer.name_hint or 'buffer'}_{scope}"
    Rewriter.insert_op(alloc, at)
    return alloc.memref


def local_indices(
    indices: Sequence[SSAValue],
    offsets: Sequence[SSAValue],
    region: Box,
    order: Sequence[int],
    at: InsertPoint,
    near: Operation,
) -> list[SSAValue]:
    """The index in a local buffer of `region` (axes in `order`) of an element at `indices`."""
    found = []
    for axis, (value, offset) in enumerate(zip(indices, offsets, strict=True)):
        terms, constant = region.offsets[axis]
        if region.extents[axis] == 1:
            found.append(index_constant(0, near))  # constant, so the buffer can live in registers
            continue
        if not terms and constant == 0:
            found.append(value)
            continue
        whole, whole_constant = linear(value)
        if all(whole.get(a) == c for a, c in terms.items()):
            rest = {a: c for a, c in whole.items() if a not in terms}
            found.append(materialize(rest, whole_constant - constant, at, near))
        else:
            found.append(emit(arith.SubiOp(value, offset), at))
    return [found[axis] for axis in order]


def redirect(
    op: memref.LoadOp | memref.StoreOp,
    local: SSAValue,
    offsets: Sequence[SSAValue],
    region: Box,
    order: Sequence[int],
) -> None:
    """Make `op` access `local` at its index minus the box's offset."""
    indices = local_indices(op.indices, offsets, region, order, InsertPoint.before(op), op)
    if isinstance(op, memref.LoadOp):
        new = memref.LoadOp.get(local, indices)
        new.res.name_hint = op.res.name_hint
        Rewriter.replace_op(op, new)
    else:
        Rewriter.replace_op(op, memref.StoreOp.get(op.value, local, indices))
