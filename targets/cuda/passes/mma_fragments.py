"""`mma-fragments`: calls of the CUDA target's tensor-core intrinsic (`@mma_m16n8k16_update`,
what `tensorize` made of a 16 x 8 x 16 tile of an f16 matmul) as the warp-collective
`gpu.mma_sync` on each lane's fragment registers (before loop-to-gpu).

Each lane loads its registers of A, B and C from the views the call takes, at the places
the PTX ISA gives lane `l` for m16n8k16 (g = l / 4, t = l % 4): A (row-major 16 x 16) at
rows g, g + 8 and columns 2t, 2t + 1, 2t + 8, 2t + 9; B (16 x 8, k x n) at rows 2t, 2t + 1,
2t + 8, 2t + 9 of column g; C and D at rows g, g + 8 and columns 2t, 2t + 1. The mma's
result is stored where C was loaded.

A `#loop.scope<local>` accumulator (cache_write's register tile of a warp, R x C) is one
the warp holds together: each lane keeps its fragments, R/16 x C/8 x 4 floats (registers:
every index is constant once the loops are unrolled). The loops over its rows and columns
that reset and write it back run over the lane's elements only:

    scf.for %r = 0 to 32 { scf.for %c = 0 to 32 { ... %acc[%r, %c] ... } }
    ->
    scf.for %a = 0 to 2 { scf.for %h = 0 to 2 {                       // r = 16a + 8h + g
      scf.for %b = 0 to 4 { scf.for %e = 0 to 2 { ... %fragments[%a, %b, 2h + e] ... } } } }

Sequentially the call computes a tile's product; on the GPU every lane of a warp runs it
together, so the warp's 32 lanes share one tile (loop-to-gpu checks the block's threads
along x are whole warps).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IndexType, IntAttr, IntegerAttr, MemRefType, ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.payload import optional_bounds
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import gpu
from ziggurat.dialects.loop import ANNOTATIONS, ScopeAttr, UnrollAttr, annotate

INTRINSIC = "mma_m16n8k16_update"
ROWS, COLUMNS = 16, 8  # the tile of C one mma computes
INDEX = IndexType()

# Where each of a lane's registers is in its tile (the PTX ISA's m16n8k16 layouts), as
# offsets from (g, 2t) for A and C (row, column) and from (2t, g) for B (k, n).
A_FRAGMENT = [(0, 0), (0, 1), (8, 0), (8, 1), (0, 8), (0, 9), (8, 8), (8, 9)]
B_FRAGMENT = [(0, 0), (1, 0), (8, 0), (9, 0)]
C_FRAGMENT = [(0, 0), (0, 1), (8, 0), (8, 1)]


@dataclass(frozen=True)
class MmaFragments(ModulePass):
    """Lower tensor-core intrinsic calls to gpu.mma_sync on each lane's fragments."""

    name = "mma-fragments"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        calls = [
            o
            for o in op.walk()
            if isinstance(o, func.CallOp) and o.callee.string_value() == INTRINSIC
        ]
        accumulators: dict[SSAValue, Fragments] = {}
        for call in calls:
            accumulator = local_buffer(call.arguments[2])
            if accumulator is not None and accumulator not in accumulators:
                accumulators[accumulator] = Fragments.of(accumulator)
            lower_call(call, accumulators.get(accumulator))  # type: ignore[arg-type]
        for fragments in accumulators.values():
            fragments.distribute()
        for callee in [o for o in op.ops if isinstance(o, func.FuncOp)]:
            if callee.sym_name.data == INTRINSIC and callee.is_declaration:
                Rewriter.erase_op(callee)


def emit(op: Operation, at: InsertPoint) -> SSAValue:
    Rewriter.insert_op(op, at)
    return op.results[0]


def constant(value: int, at: InsertPoint) -> SSAValue:
    return emit(arith.ConstantOp(IntegerAttr(value, INDEX)), at)


def add(a: SSAValue, b: int | SSAValue, at: InsertPoint) -> SSAValue:
    if isinstance(b, int):
        if b == 0:
            return a
        b = constant(b, at)
    return emit(arith.AddiOp(a, b), at)


def lane_parts(at: InsertPoint) -> tuple[SSAValue, SSAValue]:
    """The lane's g (lane / 4: its row of C) and t (lane % 4: its pair of columns)."""
    lane = emit(gpu.LaneIdOp(), at)
    lane.name_hint = "lane"
    four = constant(4, at)
    group, in_group = emit(arith.DivUIOp(lane, four), at), emit(arith.RemUIOp(lane, four), at)
    group.name_hint, in_group.name_hint = "group", "in_group"
    return group, in_group


def source(view: SSAValue) -> SSAValue:
    """The view a call's operand casts (the cast only forgets its strides)."""
    while isinstance(view.owner, memref.CastOp):
        view = view.owner.source
    return view


def local_buffer(view: SSAValue) -> SSAValue | None:
    """The `#loop.scope<local>` buffer the view of C is part of, if it is one."""
    view = source(view)
    if not isinstance(view.owner, memref.SubviewOp):
        return None
    buffer = view.owner.source
    space = buffer.type.memory_space  # type: ignore[attr-defined]
    if isinstance(space, ScopeAttr) and space.scope.data == "local":
        return buffer
    return None


def lower_call(call: func.CallOp, fragments: Fragments | None) -> None:
    """The call as each lane's loads of its fragments, gpu.mma_sync and stores of D."""
    at = InsertPoint.before(call)
    g, t = lane_parts(at)
    two_t = emit(arith.MuliOp(t, constant(2, at)), at)
    a_view, b_view, c_view = (source(v) for v in call.arguments)

    def load(view: SSAValue, row: SSAValue, column: SSAValue) -> SSAValue:
        return emit(memref.LoadOp.get(view, [row, column]), at)

    a = [load(a_view, add(g, r, at), add(two_t, c, at)) for r, c in A_FRAGMENT]
    b = [load(b_view, add(two_t, k, at), add(g, n, at)) for k, n in B_FRAGMENT]
    if fragments is not None:
        places = fragments.places_of(c_view, at)
        c = [emit(memref.LoadOp.get(fragments.buffer, place), at) for place in places]
    else:
        places = [[add(g, r, at), add(two_t, col, at)] for r, col in C_FRAGMENT]
        c = [load(c_view, *place) for place in places]
    mma = gpu.MmaSyncOp(a, b, c)
    Rewriter.insert_op(mma, at)
    target = fragments.buffer if fragments is not None else c_view
    for value, place in zip(mma.d, places, strict=True):
        Rewriter.insert_op(memref.StoreOp.get(value, target, place), at)
    Rewriter.erase_op(call)
    for view in call.arguments:
        while isinstance(view.owner, memref.CastOp | memref.SubviewOp) and not view.uses:
            owner = view.owner
            view = owner.operands[0]
            Rewriter.erase_op(owner)


@dataclass
class Fragments:
    """A warp's local accumulator (R x C) as each lane's fragments, R/16 x C/8 x 4."""

    accumulator: SSAValue
    buffer: SSAValue

    @staticmethod
    def of(accumulator: SSAValue) -> Fragments:
        alloc = accumulator.owner
        type = accumulator.type
        assert isinstance(type, MemRefType)
        shape = type.get_shape()
        if (
            not isinstance(alloc, memref.AllocOp)
            or len(shape) != 2
            or shape[0] % ROWS
            or shape[1] % COLUMNS
        ):
            raise ZigguratError(
                "the accumulator of a tensor-core mma must be a local buffer of whole "
                f"{ROWS} x {COLUMNS} tiles, not {type}",
                alloc if isinstance(alloc, Operation) else None,
            )
        fragments = memref.AllocOp.get(
            type.element_type,
            shape=[shape[0] // ROWS, shape[1] // COLUMNS, 4],
            memory_space=type.memory_space,
        )
        Rewriter.insert_op(fragments, InsertPoint.after(alloc))
        fragments.memref.name_hint = f"{accumulator.name_hint or 'accumulator'}_fragments"
        return Fragments(accumulator, fragments.memref)

    def places_of(self, view: SSAValue, at: InsertPoint) -> list[list[SSAValue]]:
        """The places in the fragments of the lane's registers of C, for a view of C at
        the tile offsets (16 i, 8 j)."""
        subview = view.owner
        assert isinstance(subview, memref.SubviewOp)
        offsets = list(subview.offsets)
        if len(offsets) != 2:
            raise ZigguratError(
                "a tensor-core tile's view of its accumulator must be at dynamic offsets", subview
            )
        row = emit(arith.DivUIOp(offsets[0], constant(ROWS, at)), at)
        column = emit(arith.DivUIOp(offsets[1], constant(COLUMNS, at)), at)
        return [[row, column, constant(slot, at)] for slot in range(4)]

    def distribute(self) -> None:
        """Every other access of the accumulator, in loops over its rows and columns, as
        the lane's accesses of its fragments (the loops then run over its elements)."""
        distributed: dict[scf.ForOp, tuple[SSAValue, SSAValue]] = {}
        shape = self.accumulator.type.get_shape()  # type: ignore[attr-defined]
        for use in list(self.accumulator.uses):
            op = use.operation
            if isinstance(op, memref.DeallocOp):
                Rewriter.insert_op(memref.DeallocOp.get(self.buffer), InsertPoint.before(op))
                Rewriter.erase_op(op)
                continue
            if not isinstance(op, memref.LoadOp | memref.StoreOp):
                raise ZigguratError(
                    f"'{op.name}' uses the accumulator of a tensor-core mma, which only "
                    "loops over its rows and columns may",
                    op,
                )
            pieces = []
            for axis, index in enumerate(op.indices):
                loop = index.owner.parent_op() if isinstance(index.owner, Block) else None
                bounds = optional_bounds(loop) if isinstance(loop, scf.ForOp) else None
                if bounds is None or (bounds.lower, bounds.upper, bounds.step) != (
                    0,
                    shape[axis],
                    1,
                ):
                    raise ZigguratError(
                        f"'{op.name}' of the accumulator of a tensor-core mma must index it "
                        "with loops over all its rows and columns",
                        op,
                    )
                assert isinstance(loop, scf.ForOp)
                if loop not in distributed:
                    distributed[loop] = distribute_loop(loop, axis)
                pieces.append(distributed[loop])
            (tile_row, half), (tile_column, pair) = pieces
            at = InsertPoint.before(op)
            slot = emit(arith.AddiOp(emit(arith.MuliOp(half, constant(2, at)), at), pair), at)
            place = [tile_row, tile_column, slot]
            if isinstance(op, memref.LoadOp):
                new = memref.LoadOp.get(self.buffer, place)
                Rewriter.replace_op(op, new)
            else:
                Rewriter.replace_op(op, memref.StoreOp.get(op.value, self.buffer, place))
        Rewriter.erase_op(self.accumulator.owner)  # type: ignore[arg-type]


def distribute_loop(loop: scf.ForOp, axis: int) -> tuple[SSAValue, SSAValue]:
    """A loop over the accumulator's rows (axis 0: r = 16a + 8h + g) or columns (axis 1:
    c = 8a + 2t + h) as two over the lane's (a, h); the new loops' indices."""
    tile, part = (ROWS, 2) if axis == 0 else (COLUMNS, 2)
    stop = optional_bounds(loop).upper  # type: ignore[union-attr]
    at = InsertPoint.before(loop)
    zero, one = constant(0, at), constant(1, at)
    outer_body, inner_body = Block(arg_types=[INDEX]), Block(arg_types=[INDEX])
    outer = scf.ForOp(zero, constant(stop // tile, at), one, [], outer_body)
    inner = scf.ForOp(zero, constant(part, InsertPoint.at_end(outer_body)), one, [], inner_body)
    outer_body.add_op(inner)
    outer_body.add_op(scf.YieldOp())
    outer.attributes |= {k: v for k, v in loop.attributes.items() if k != ANNOTATIONS}
    # Unrolled, every index of the fragments is a constant: they stay in registers.
    annotate(outer, UnrollAttr(IntAttr(stop // tile)))
    annotate(inner, UnrollAttr(IntAttr(part)))
    Rewriter.insert_op(outer, at)
    here = InsertPoint.at_start(inner_body)
    g, t = lane_parts(here)
    a, h = outer_body.args[0], inner_body.args[0]
    name = loop.body.block.args[0].name_hint or ("row" if axis == 0 else "column")
    a.name_hint, h.name_hint = f"{name}.tile", f"{name}.{'half' if axis == 0 else 'pair'}"
    if axis == 0:  # 16a + 8h + g
        index = add(
            emit(arith.MuliOp(a, constant(16, here)), here),
            emit(arith.MuliOp(h, constant(8, here)), here),
            here,
        )
        index = add(index, g, here)
    else:  # 8a + 2t + h
        index = add(
            emit(arith.MuliOp(a, constant(8, here)), here),
            emit(arith.MuliOp(t, constant(2, here)), here),
            here,
        )
        index = add(index, h, here)
    loop.body.block.args[0].replace_all_uses_with(index)
    for op in list(loop.body.block.ops):
        op.detach()
        inner_body.add_op(op)
    Rewriter.erase_op(loop)
    return a, h
