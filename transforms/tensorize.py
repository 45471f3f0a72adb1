"""tensorize: a loop nest replaced by a call of a hardware intrinsic.

The nest under a loop is matched against the intrinsic's te.compute pattern op by op and
read by read, for some order of its reduction loops; on a match the intrinsic's function
(`compute`, or `update` for a reduction) is called on `memref.subview`s of the tiles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, permutations

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import DYNAMIC_INDEX, MemRefType, StridedLayoutAttr, SymbolRefAttr
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.combiners import COMBINERS
from ziggurat.analysis.payload import Bounds, band, body_ops, bounds, describe, is_pure, iv, ivs_of
from ziggurat.analysis.ranges import Linear, linear
from ziggurat.dialects.te import IntrinsicOp, ReadOp
from ziggurat.transforms import Changes, ScheduleError
from ziggurat.transforms.build import clone_slice, emit, materialize
from ziggurat.transforms.loops import make_perfectly_nested
from ziggurat.transforms.reductions import accumulate_in_memory


class Mismatch(Exception):
    """Where a loop nest differs from an intrinsic's pattern."""


@dataclass(frozen=True)
class View:
    """The part of a buffer an intrinsic's argument stands for: per buffer axis, its offset
    (fixed for one call) and the pattern tensor's axis it runs along (None: one element)."""

    buffer: SSAValue
    offsets: tuple[Linear, ...]
    along: tuple[int | None, ...]
    shape: tuple[int, ...]


def tensorize(
    loop: scf.ForOp,
    intrinsic: IntrinsicOp,
    function: Callable[[SymbolRefAttr], func.FuncOp],
    changes: Changes,
) -> None:
    """Replace the loop nest under `loop` by a call of the intrinsic's function on views of
    the buffers, when the nest computes the intrinsic's pattern: `compute` for an
    elementwise pattern, `update` for a reduction (its output already holds the init value)."""
    loop = accumulate_in_memory(loop, changes)
    name = intrinsic.sym_name.data
    segment = band(loop)
    pattern = intrinsic.pattern
    shape = list(pattern.result.type.get_shape())  # type: ignore[attr-defined]
    extents = [*shape, *pattern.reduce_extent_values]
    try:
        for outer, inner in pairwise(segment):
            make_perfectly_nested(outer, inner)
        if len(segment) != len(extents):
            raise Mismatch(f"it has {len(segment)} loops, the pattern {len(extents)} axes")
        body, condition = tile_body(segment)
        views = match_pattern(segment, body, intrinsic, shape)
    except (Mismatch, ScheduleError) as error:
        raise ScheduleError(
            f"the loop nest under {describe(loop)} does not compute the pattern of intrinsic "
            f"@{name}: {error}"
        ) from None
    symbol = intrinsic.update if pattern.reduce_kind is not None else intrinsic.compute
    assert symbol is not None
    callee = function(symbol)
    at = InsertPoint.before(loop)
    mapping: dict[SSAValue, SSAValue] = {}
    arguments = []
    for view, parameter in zip(views, callee.function_type.inputs.data, strict=False):
        value = view_of(view, mapping, at, loop)
        if value.type != parameter:
            value = emit(memref.CastOp.get(value, parameter), at)
        arguments.append(value)
    if len(arguments) != len(callee.function_type.inputs.data):
        raise ScheduleError(
            f"@{symbol.root_reference.data} takes {len(callee.function_type.inputs.data)} "
            f"buffers, intrinsic @{name} gives {len(arguments)}"
        )
    call = func.CallOp(symbol, arguments, [])
    if condition is not None:
        check = clone_slice(condition, mapping, loop, at)
        Rewriter.insert_op(scf.IfOp(check, [], [Block([call, scf.YieldOp()])]), at)
    else:
        Rewriter.insert_op(call, at)
    changes.erase(loop)


def tile_body(segment: Sequence[scf.ForOp]) -> tuple[list[Operation], SSAValue | None]:
    """The ops of the innermost body and the guard around them, which must not depend on
    the nest's own loops."""
    content = body_ops(segment[-1])
    impure = [op for op in content if not is_pure(op)]
    if len(impure) == 1 and isinstance(impure[0], scf.IfOp):
        check = impure[0]
        if ivs_of(check.cond, segment[0]) & {iv(loop) for loop in segment}:
            raise Mismatch("a guard inside it runs part of a tile only (a split's tail)")
        return body_ops(check), check.cond
    return content, None


def match_pattern(
    segment: Sequence[scf.ForOp], body: list[Operation], intrinsic: IntrinsicOp, shape: list[int]
) -> list[View]:
    """The views of the intrinsic's inputs and output that the loop nest's body reads and
    writes as the pattern does, for some order of its reduction loops."""
    pattern = intrinsic.pattern
    stores = [op for op in body if isinstance(op, memref.StoreOp)]
    if len(stores) != 1 or any(op.regions for op in body):
        raise Mismatch("it does not store one element per iteration")
    store = stores[0]
    ivs = [iv(loop) for loop in segment]
    spatial: list[SSAValue] = []
    for value in store.indices:
        inside = [atom for atom in linear(value)[0] if atom in ivs]
        spatial += inside
    if len(spatial) != len(shape) or len(set(spatial)) != len(spatial):
        raise Mismatch(f"it writes {len(spatial)} output axes, the pattern {len(shape)}")
    reduce = [value for value in ivs if value not in spatial]
    extents = [*shape, *pattern.reduce_extent_values]
    reason = "no order of its reduction loops matches"
    for order in permutations(reduce):
        axis_of = {value: axis for axis, value in enumerate([*spatial, *order])}
        if any(bounds(loop) != Bounds(0, extents[axis_of[iv(loop)]], 1) for loop in segment):
            reason = "its loops do not run over the pattern's extents"
            continue
        try:
            return PatternMatch(intrinsic, axis_of).views(store)
        except Mismatch as error:
            reason = str(error)
    raise Mismatch(reason)


@dataclass
class PatternMatch:
    """A loop nest's body matched against an intrinsic's pattern, its loops standing for
    the pattern's axes as `axis_of` says: the views of the pattern's inputs found so far."""

    intrinsic: IntrinsicOp
    axis_of: dict[SSAValue, int]
    bound: dict[int, View] = field(default_factory=dict)

    @property
    def axes(self) -> list[SSAValue]:
        return list(self.intrinsic.pattern.body.block.args)

    def views(self, store: memref.StoreOp) -> list[View]:
        """The views of the pattern's inputs and output, where `store` (the body's one
        store) computes what the pattern yields."""
        pattern = self.intrinsic.pattern
        value = store.value
        if pattern.reduce_kind is not None:
            value = accumulated(store, pattern.reduce_kind.data)
        self.match(value, pattern.yield_op.value)
        inputs = len(self.intrinsic.body.block.args)
        missing = [n for n in range(inputs) if n not in self.bound]
        if missing:
            raise Mismatch(f"it does not read input {missing[0]} of the pattern")
        output = self.view(store, self.axes[: len(pattern.axis_names)], pattern.result)
        return [self.bound[n] for n in range(inputs)] + [output]

    def match(self, value: SSAValue, expected: SSAValue) -> None:
        """Match `value` and what computes it against the pattern's `expected`."""
        if expected in self.axes:
            raise Mismatch("the pattern uses an index as a value")
        want = expected.owner
        have = value.owner
        assert isinstance(want, Operation)
        if isinstance(want, ReadOp):
            if not isinstance(have, memref.LoadOp):
                raise Mismatch(
                    f"'{getattr(have, 'name', 'a block argument')}' where the pattern reads"
                )
            number = list(self.intrinsic.body.block.args).index(want.tensor)
            if want.tensor.type.element_type != have.res.type:  # type: ignore[attr-defined]
                raise Mismatch("a read of another element type")
            found = self.view(have, list(want.indices), want.tensor)
            if self.bound.setdefault(number, found) != found:
                raise Mismatch(f"it reads input {number} of the pattern at two places")
            return
        if not isinstance(have, Operation) or have.name != want.name:
            raise Mismatch(
                f"'{getattr(have, 'name', 'a block argument')}' where the pattern has '{want.name}'"
            )
        if have.properties != want.properties or len(have.operands) != len(want.operands):
            raise Mismatch(f"'{have.name}' differs from the pattern's")
        if isinstance(want, arith.ConstantOp):
            return
        for a, b in zip(have.operands, want.operands, strict=True):
            self.match(a, b)

    def view(
        self, access: memref.LoadOp | memref.StoreOp, indices: Sequence[SSAValue], tensor: SSAValue
    ) -> View:
        """The view of `access`'s buffer standing for pattern `tensor`, whose axis p is
        pattern index `indices[p]`."""
        positions = [self.axes.index(i) if i in self.axes else None for i in indices]
        if None in positions:
            raise Mismatch("the pattern indexes with more than one axis")
        offsets = []
        along: list[int | None] = []
        for value in access.indices:
            terms, constant = linear(value)
            inside = [atom for atom in terms if atom in self.axis_of]
            if len(inside) > 1 or (inside and terms[inside[0]] != 1):
                raise Mismatch(f"'{access.name}' indexes an axis with several loops")
            if inside:
                axis = self.axis_of[inside[0]]
                if axis not in positions:
                    raise Mismatch(f"'{access.name}' runs along a loop the pattern does not")
                along.append(positions.index(axis))
            else:
                along.append(None)
            rest = {a: c for a, c in terms.items() if a not in self.axis_of}
            offsets.append((rest, constant))
        if sorted(p for p in along if p is not None) != list(range(len(indices))):
            raise Mismatch(f"'{access.name}' does not run along every axis of the pattern's")
        shape = tuple(tensor.type.get_shape())  # type: ignore[attr-defined]
        return View(access.memref, tuple(offsets), tuple(along), shape)


def accumulated(store: memref.StoreOp, reduce_kind: str) -> SSAValue:
    """The value `store` folds into the element it stores by the combiner of `reduce_kind`."""
    combine = store.value.owner
    loaded = [
        o
        for o in getattr(combine, "operands", ())
        if isinstance(o.owner, memref.LoadOp)
        and o.owner.memref is store.memref
        and list(o.owner.indices) == list(store.indices)
    ]
    found = COMBINERS.get(type(combine))  # type: ignore[arg-type]
    if found is None or found.reduce_kind != reduce_kind or len(loaded) != 1:
        raise Mismatch(f"it does not accumulate a {reduce_kind} into its output")
    (value,) = [o for o in combine.operands if o is not loaded[0]]  # type: ignore[union-attr]
    return value


def view_of(
    view: View, mapping: dict[SSAValue, SSAValue], at: InsertPoint, loop: scf.ForOp
) -> SSAValue:
    """A `memref.subview` of the view's buffer at its offsets, with the pattern's shape."""
    buffer_type = view.buffer.type
    assert isinstance(buffer_type, MemRefType)
    offsets = []
    for terms, constant in view.offsets:
        rebuilt = {clone_slice(atom, mapping, loop, at): c for atom, c in terms.items()}
        offsets.append(materialize(rebuilt, constant, at, loop))
    sizes = [1 if p is None else view.shape[p] for p in view.along]
    strides = buffer_type.get_strides()
    kept = sorted((p, s) for p, s in zip(view.along, strides, strict=True) if p is not None)
    layout = StridedLayoutAttr([s for _, s in kept], None)
    result = MemRefType(buffer_type.element_type, list(view.shape), layout)
    subview = memref.SubviewOp(
        view.buffer,
        offsets,
        [],
        [],
        [DYNAMIC_INDEX] * len(offsets),
        sizes,
        [1] * len(sizes),
        result,
    )
    return emit(subview, at)
