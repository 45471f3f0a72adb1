"""tensorize: a loop nest replaced by a call of a hardware intrinsic.

The nest under a loop is matched against the intrinsic's te.compute pattern by what it
computes, read by read, for some order of its reduction loops; on a match the intrinsic's
function (`compute`, or `update` for a reduction) is called on `memref.subview`s of the
tiles. What it computes, not how it is spelled: the operands of a commutative op match in
either order, reads in any order, an accumulation `acc + p` or `p + acc`, and a value
widened exactly (`arith.extsi`, `arith.extf`, or an integer op whose result its type
holds for the ranges of its operands, such as an i8 x i8 product in i16) is the value it
widens: int8 operands widened before or after an exact multiply match. A wrapping op (an
i8 product kept in i8) is not the exact one, and a pattern that differs is refused with
where it differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, permutations

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StridedLayoutAttr,
    SymbolRefAttr,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.combiners import COMBINERS
from ziggurat.analysis.payload import Bounds, band, body_ops, bounds, describe, is_pure, iv, ivs_of
from ziggurat.analysis.ranges import Linear, linear
from ziggurat.dialects import arith_extra
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
        """Match `value` and what computes it against the pattern's `expected`, by what
        they compute (see the module docstring)."""
        value, expected = widened(value), widened(expected)
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
        if isinstance(want, arith.ConstantOp):
            if constant_value(have) != constant_value(want):  # type: ignore[arg-type]
                raise Mismatch(f"'{have.name}' differs from the pattern's")
            return
        if len(have.operands) != len(want.operands) or not same_operation(have, want):
            raise Mismatch(f"'{have.name}' differs from the pattern's")
        orders = [list(have.operands)]
        if type(have) in COMMUTATIVE:
            orders.append(orders[0][::-1])
        error = Mismatch()
        for order in orders:
            bound = dict(self.bound)
            try:
                for a, b in zip(order, want.operands, strict=True):
                    self.match(a, b)
                return
            except Mismatch as failed:
                self.bound, error = bound, failed
        raise error

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


# Semantics of values --------------------------------------------------------------------

COMMUTATIVE = (
    arith.AddiOp,
    arith.MuliOp,
    arith.MaxSIOp,
    arith.MinSIOp,
    arith.MaxUIOp,
    arith.MinUIOp,
    arith.AndIOp,
    arith.OrIOp,
    arith.XOrIOp,
    arith.AddfOp,
    arith.MulfOp,
    arith.MaximumfOp,
    arith.MinimumfOp,
)
# Integer ops whose result is the mathematical one where their type holds it.
EXACT = (arith.AddiOp, arith.SubiOp, arith.MuliOp)
EXTENSIONS = (arith_extra.ExtSIOp, arith.ExtFOp)


def widened(value: SSAValue) -> SSAValue:
    """The value an exact widening (or a narrowing that loses nothing) widens."""
    while True:
        op = value.owner
        if isinstance(op, EXTENSIONS):
            value = op.operands[0]
        elif isinstance(op, arith_extra.TruncIOp) and fits(op.operands[0], op.result.type):
            value = op.operands[0]
        else:
            return value


def integer_range(value: SSAValue) -> tuple[int, int] | None:
    """The values an integer value takes, from its type, constants and arithmetic."""
    if not isinstance(value.type, IntegerType):
        return None
    bits = value.type.width.data
    whole = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data, op.value.value.data
    if isinstance(op, arith_extra.ExtSIOp):
        return integer_range(op.input)
    if isinstance(op, arith_extra.ExtUIOp):
        return 0, (1 << op.input.type.width.data) - 1  # type: ignore[attr-defined]
    if isinstance(op, EXACT + (arith.MaxSIOp, arith.MinSIOp)):
        a, b = integer_range(op.operands[0]), integer_range(op.operands[1])
        if a is None or b is None:
            return whole
        if isinstance(op, arith.MaxSIOp | arith.MinSIOp):
            pick = max if isinstance(op, arith.MaxSIOp) else min
            return pick(a[0], b[0]), pick(a[1], b[1])
        if isinstance(op, arith.SubiOp):
            found = (a[0] - b[1], a[1] - b[0])
        elif isinstance(op, arith.AddiOp):
            found = (a[0] + b[0], a[1] + b[1])
        else:
            products = [x * y for x in a for y in b]
            found = (min(products), max(products))
        return found if whole[0] <= found[0] and found[1] <= whole[1] else whole
    return whole


def fits(value: SSAValue, type: object) -> bool:
    """Whether every value `value` takes is a value of integer `type`."""
    found = integer_range(value)
    if found is None or not isinstance(type, IntegerType):
        return False
    bits = type.width.data
    return -(1 << (bits - 1)) <= found[0] and found[1] < (1 << (bits - 1))


def exact(op: Operation) -> bool:
    """Whether an integer add, subtract or multiply gives the mathematical result (its
    type holds it for the ranges of its operands)."""
    a, b = (integer_range(v) for v in op.operands)
    if a is None or b is None:
        return False
    if isinstance(op, arith.AddiOp):
        low, high = a[0] + b[0], a[1] + b[1]
    elif isinstance(op, arith.SubiOp):
        low, high = a[0] - b[1], a[1] - b[0]
    else:
        products = [x * y for x in a for y in b]
        low, high = min(products), max(products)
    bits = op.results[0].type.width.data  # type: ignore[attr-defined]
    return -(1 << (bits - 1)) <= low and high < (1 << (bits - 1))


def same_operation(have: Operation, want: Operation) -> bool:
    """Whether two ops of one name compute the same function of their operands: exact
    integer arithmetic in any type, anything else with the same properties and types."""
    if isinstance(want, EXACT):
        both = exact(have), exact(want)
        if all(both):
            return True
        if any(both):
            wraps = have if not both[0] else want
            raise Mismatch(
                f"'{have.name}' wraps around in {wraps.results[0].type} where the other does not"
            )
    return have.properties == want.properties and [r.type for r in have.results] == [
        r.type for r in want.results
    ]


def constant_value(op: arith.ConstantOp) -> object:
    """An integer constant's value whatever its type, or the attribute."""
    if isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return op.value


def accumulated(store: memref.StoreOp, reduce_kind: str) -> SSAValue:
    """The value `store` folds into the element it stores by the combiner of `reduce_kind`."""
    combine = store.value.owner
    loaded = [
        o
        for o in getattr(combine, "operands", ())
        if isinstance(o.owner, memref.LoadOp)
        and o.owner.memref is store.memref
        and [linear(i) for i in o.owner.indices] == [linear(i) for i in store.indices]
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
