"""`apply-schedule`: run a transform-dialect schedule on loop-level payload IR.

    ziggurat-opt mm.mlir -p 'te-to-loop,apply-schedule{file=mm.schedule.mlir}'
    ziggurat-opt mm.mlir -p 'te-to-loop,apply-schedule{print-after-each=true}'

The schedule is the `transform.named_sequence @__transform_main` (option `entry-point`) of
the `file`, or, without one, of the payload module, from which it is removed. Its first
argument is bound to the payload module. The ops run in order, each primitive as the
library of `ziggurat.transforms` does it; handles stand for lists of payload ops, params
for lists of attributes. Everything a schedule can get wrong is an error at its transform op
(`file:line:col`), checked as the schedule runs: a handle used after an op consumed it or
erased what it points at, a handle to the wrong kind of payload op, a knob that is not
fixed, a param that is not a usable integer, and whatever a primitive refuses (a reorder
that breaks a dependence, loops outside one nest, a pattern that does not match, ...).
With `print-after-each`, the payload is printed to stderr after each transform op.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects import func, scf, transform
from xdsl.dialects.builtin import IntAttr, IntegerAttr, ModuleOp, StringAttr, SymbolRefAttr
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass

from ziggurat.analysis.dependences import check_independent
from ziggurat.analysis.payload import (
    axis_name,
    band,
    band_child,
    describe,
    optional_bounds,
    stage_name,
)
from ziggurat.diagnostics import ZigguratError, describe_location, op_location
from ziggurat.dialects import schedule as ops
from ziggurat.dialects.loop import (
    BindAttr,
    ParallelAttr,
    UnrollAttr,
    VectorizeAttr,
    VirtualThreadAttr,
)
from ziggurat.dialects.te import IntrinsicOp
from ziggurat.ir_io import parse_module, print_module, verify_module
from ziggurat.targets.target import Target, target_named
from ziggurat.transforms import Changes, ScheduleError
from ziggurat.transforms.caches import cache_read, cache_write
from ziggurat.transforms.compute_at import compute_at, compute_inline
from ziggurat.transforms.loops import annotate, check_innermost, fuse, reorder, split
from ziggurat.transforms.tensorize import tensorize

Value = list[Operation] | list[Attribute]


@dataclass(frozen=True)
class ApplySchedule(ModulePass):
    """Apply the schedule of `file` (or the one in the payload) to the payload."""

    name = "apply-schedule"

    file: str | None = None
    entry_point: str = "__transform_main"
    print_after_each: bool = False
    target: str = "cpu"  # whose intrinsic library `tensorize` may use

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.file:
            sequence = load_schedule(self.file, self.entry_point)
        else:
            sequence = take_embedded_schedule(op, self.entry_point)
        libraries = [sequence.get_toplevel_object(), target_named(self.target).intrinsics()]
        Interpreter(op, self.print_after_each, libraries).run(sequence)


def load_schedule(path: str, entry_point: str = "__transform_main") -> transform.NamedSequenceOp:
    """The verified named sequence `entry_point` of the schedule file at `path`."""
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise ZigguratError(f"cannot open schedule file '{path}': {error.strerror}") from None
    module = parse_module(text, path)
    verify_module(module)
    return entry(module, entry_point, f"the schedule file '{path}'")


def entry(module: Operation, entry_point: str, where: str) -> transform.NamedSequenceOp:
    for op in module.walk():
        if isinstance(op, transform.NamedSequenceOp) and op.sym_name.data == entry_point:
            return op
    raise ZigguratError(f"{where} has no transform.named_sequence @{entry_point}")


def take_embedded_schedule(payload: ModuleOp, entry_point: str) -> transform.NamedSequenceOp:
    """The schedule inside `payload`, detached from it with the module holding it (or with
    the other named sequences beside it)."""
    sequence = entry(payload, entry_point, "the payload (and apply-schedule was given no file=...)")
    holder, container = sequence.parent_op(), None
    while (
        isinstance(holder, ModuleOp)
        and holder is not payload
        and all(o.name.startswith("transform.") or o is container for o in holder.body.block.ops)
    ):
        holder, container = holder.parent_op(), holder
    if container is not None:
        container.detach()
        return sequence
    block = sequence.parent_block()
    assert block is not None
    for other in list(block.ops):
        if isinstance(other, transform.NamedSequenceOp):
            other.detach()
    return sequence


def apply_schedule(
    payload: ModuleOp,
    schedule: Operation,
    entry_point: str = "__transform_main",
    print_after_each: bool = False,
    root: Operation | None = None,
    target: Target | str = "cpu",
    verify: bool = True,
) -> ModuleOp:
    """Apply `schedule` (a module holding the named sequence, or the sequence) to the
    loop-level `payload` in place, its argument bound to `root` (by default the payload
    module), with `target`'s intrinsics for tensorize; returns the payload. `verify=False`
    trusts a schedule verified before (a copy of one, its knobs fixed)."""
    if verify:
        verify_module(schedule)
    sequence = (
        schedule
        if isinstance(schedule, transform.NamedSequenceOp)
        else entry(schedule, entry_point, "the schedule")
    )
    libraries = [schedule, target_named(target).intrinsics()]
    Interpreter(payload, print_after_each, libraries).run(sequence, root)
    return payload


@dataclass
class Interpreter:
    """Runs transform ops on one payload, keeping what each handle stands for."""

    payload: ModuleOp
    print_after_each: bool = False
    libraries: list[Operation | None] = field(default_factory=list)
    """Where intrinsics and their functions may be declared besides the payload: the
    schedule's module, the target's intrinsic library."""
    values: dict[SSAValue, Value] = field(default_factory=dict)
    consumed: dict[SSAValue, Operation] = field(default_factory=dict)
    erased: dict[Operation, Operation] = field(default_factory=dict)

    def run(self, sequence: transform.NamedSequenceOp, root: Operation | None = None) -> None:
        args = sequence.body.block.args
        if len(args) != 1 or not isinstance(args[0].type, transform.TransformOpHandleType):
            raise ZigguratError(
                "the schedule's named sequence must take one argument, the payload root "
                "(!transform.any_op)",
                sequence,
            )
        self.values[args[0]] = [self.payload if root is None else root]
        self.run_block(sequence.body.block)
        # Intrinsic declarations serve schedules; the payload goes on without them.
        for op in list(self.payload.body.block.ops):
            if isinstance(op, IntrinsicOp):
                op.detach()

    def run_block(self, block: Block) -> list[Value]:
        for op in block.ops:
            if isinstance(op, transform.YieldOp):
                return [self.get(v, op) for v in op.arguments]
            results = self.execute(op)
            for result, value in zip(op.results, results, strict=True):
                self.values[result] = value
            if self.print_after_each and not isinstance(op, ops.AlternativesOp):
                where = describe_location(op_location(op))
                print(f"// -----// IR Dump After {op.name} ({where}) //----- //", file=sys.stderr)
                print(print_module(self.payload), file=sys.stderr)
        return []

    def execute(self, op: Operation) -> Sequence[Value]:
        handler = HANDLERS.get(type(op))
        if handler is None:
            raise ZigguratError(f"apply-schedule cannot run '{op.name}'", op)
        try:
            return handler(self, op)
        except ScheduleError as error:
            raise ZigguratError(str(error), op) from None

    # Handles -----------------------------------------------------------------------------

    def get(self, value: SSAValue, user: Operation) -> Value:
        """What `value` stands for, checked to be still usable."""
        name = f"%{value.name_hint}" if value.name_hint else "a handle"
        if value in self.consumed:
            by = self.consumed[value]
            raise ZigguratError(
                f"{name} is used after '{by.name}' "
                f"({describe_location(op_location(by))}) consumed it",
                user,
            )
        payload = self.values[value]
        for item in payload:
            if isinstance(item, Operation) and item in self.erased:
                by = self.erased[item]
                raise ZigguratError(
                    f"{name} refers to a payload op that '{by.name}' "
                    f"({describe_location(op_location(by))}) erased",
                    user,
                )
        return payload

    def loops(self, value: SSAValue, user: Operation, consume: bool = False) -> list[scf.ForOp]:
        payload = self.get(value, user)
        for item in payload:
            if not isinstance(item, scf.ForOp):
                name = item.name if isinstance(item, Operation) else str(item)
                raise ZigguratError(f"'{user.name}' needs scf.for loops, got '{name}'", user)
        if consume:
            twice = next((item for item in payload if payload.count(item) > 1), None)
            if twice is not None:
                raise ZigguratError(
                    f"'{user.name}' would transform {describe(twice)} twice: the handle holds "  # type: ignore[arg-type]
                    "it twice",
                    user,
                )
            self.consumed[value] = user
        return payload  # type: ignore[return-value]

    def loop(self, value: SSAValue, user: Operation, consume: bool = False) -> scf.ForOp:
        loops = self.loops(value, user, consume)
        if len(loops) != 1:
            raise ZigguratError(
                f"'{user.name}' needs a handle to one loop, got {len(loops)} payload ops", user
            )
        return loops[0]

    def integer(
        self, user: Operation, static: IntegerAttr | None, dynamic: SSAValue | None, what: str
    ) -> int:
        if static is not None:
            return static.value.data
        assert dynamic is not None
        params = self.get(dynamic, user)
        if len(params) != 1 or not isinstance(params[0], IntegerAttr):
            raise ZigguratError(f"the {what} must be one integer, got {list(params)}", user)
        value = params[0].value.data
        if value < 1:
            raise ZigguratError(f"the {what} must be positive, got {value}", user)
        return value

    def declared(self, kind: type[Operation], symbol: SymbolRefAttr) -> list[Operation]:
        """The ops of `kind` named `symbol` in the payload or a library, those of the payload
        first."""
        name = symbol.root_reference.data
        found = []
        for module in (self.payload, *self.libraries):
            if module is not None:
                for op in module.walk():
                    if isinstance(op, kind) and op.properties.get("sym_name") == StringAttr(name):
                        found.append(op)
        return found

    def intrinsic(self, symbol: SymbolRefAttr, user: Operation) -> IntrinsicOp:
        found = self.declared(IntrinsicOp, symbol)
        if not found:
            raise ZigguratError(f"there is no te.intrinsic @{symbol.root_reference.data}", user)
        return found[0]  # type: ignore[return-value]

    def function(self, symbol: SymbolRefAttr, user: Operation) -> func.FuncOp:
        """The function `symbol` of the payload, copied there from the schedule's module if
        it is declared only there."""
        found = self.declared(func.FuncOp, symbol)
        if not found:
            raise ZigguratError(
                f"there is no func.func @{symbol.root_reference.data} for the intrinsic", user
            )
        function = found[0]
        if not self.payload.is_ancestor(function):
            function = function.clone()
            self.payload.body.block.add_op(function)
        return function  # type: ignore[return-value]

    def track(self, changes: Changes, by: Operation) -> None:
        for op in changes.erased:
            self.erased.setdefault(op, by)
        if changes.replaced:
            for key, value in self.values.items():
                self.values[key] = [changes.replaced.get(o, o) for o in value]  # type: ignore[misc]


def primitive(run: Callable[[Interpreter, Operation, Changes], Sequence[Value]]):
    """A handler whose payload changes are tracked for the handles."""

    def handler(interpreter: Interpreter, op: Operation) -> Sequence[Value]:
        changes = Changes()
        try:
            return run(interpreter, op, changes)
        finally:
            interpreter.track(changes, op)

    return handler


# Handlers -------------------------------------------------------------------------------


def run_match(interpreter: Interpreter, op: transform.MatchOp) -> Sequence[Value]:
    for filter_name in ("interface", "filter_result_type", "filter_operand_types"):
        if getattr(op, filter_name) is not None:
            raise ZigguratError(f"apply-schedule does not match by {filter_name}", op)
    names = None if op.ops is None else {name.data for name in op.ops.data}
    attributes = {} if op.op_attrs is None else op.op_attrs.data
    found: list[Operation] = []
    for root in interpreter.get(op.target, op):
        assert isinstance(root, Operation)
        for candidate in root.walk():
            if names is not None and candidate.name not in names:
                continue
            matches = all(candidate.attributes.get(k) == v for k, v in attributes.items())
            if matches and candidate not in found:
                found.append(candidate)
    return [found]


def run_get_loops(interpreter: Interpreter, op: ops.GetLoopsOp) -> Sequence[Value]:
    results: list[list[Operation]] = [[] for _ in op.loops]
    overflow = op.attributes.get("overflow_result")
    spare = overflow.value.data if isinstance(overflow, IntegerAttr) else None
    if spare is not None and not 0 <= spare < len(results):
        raise ZigguratError(f"overflow_result {spare} is not one of the {len(results)} results", op)
    for root in interpreter.loops(op.target, op):
        loops = band(root)
        fits = len(loops) == len(results) or (spare is not None and len(loops) >= len(results) - 1)
        if not fits:
            names = ", ".join(axis_name(loop) for loop in loops)
            raise ZigguratError(
                f"'{stage_name(root)}' has {len(loops)} loops ({names}), but "
                f"get_loops gives {len(results)} handles",
                op,
            )
        if spare is None:
            parts = [[loop] for loop in loops]
        else:
            # Like `a, *b, c = loops`: the overflow result takes the loops the others leave.
            after = len(results) - 1 - spare
            middle = loops[spare : len(loops) - after]
            parts = [[loop] for loop in loops[:spare]] + [middle]
            parts += [[loop] for loop in loops[len(loops) - after :]]
        for result, part in zip(results, parts, strict=True):
            result.extend(part)
    return results


@primitive
def run_split(interpreter: Interpreter, op: ops.SplitOp, changes: Changes) -> Sequence[Value]:
    factor = interpreter.integer(op, op.static_factor, op.factor, "split factor")
    outer: list[Operation] = []
    inner: list[Operation] = []
    for loop in interpreter.loops(op.loop, op, consume=True):
        o, i = split(changes.replaced.get(loop, loop), factor, changes)  # type: ignore[arg-type]
        outer.append(o)
        inner.append(i)
    return [outer, inner]


@primitive
def run_tile(interpreter: Interpreter, op: ops.TileOp, changes: Changes) -> Sequence[Value]:
    loops = [interpreter.loop(v, op) for v in op.loops]
    factors = [
        f if isinstance(f, int) else interpreter.integer(op, None, f, "tile factor")
        for f in op.factor_list()
    ]
    for outer, inner in pairwise(loops):
        if band_child(outer) is not inner:
            raise ZigguratError(
                f"tile needs loops nested directly in one another, but "
                f"{describe(inner)} is not directly in {describe(outer)}",
                op,
            )
    for value in op.loops:
        interpreter.consumed[value] = op
    tiles = []
    for loop, factor in zip(loops, factors, strict=True):
        tiles.append(split(changes.replaced.get(loop, loop), factor, changes))  # type: ignore[arg-type]
    order = [outer for outer, _ in tiles] + [inner for _, inner in tiles]
    reorder(order, changes)
    return [[changes.replaced.get(loop, loop)] for loop in order]


@primitive
def run_reorder(interpreter: Interpreter, op: ops.ReorderOp, changes: Changes) -> Sequence[Value]:
    reorder([interpreter.loop(v, op) for v in op.loops], changes)
    return []


@primitive
def run_fuse(interpreter: Interpreter, op: ops.FuseOp, changes: Changes) -> Sequence[Value]:
    outer = interpreter.loop(op.outer, op, consume=True)
    inner = interpreter.loop(op.inner, op, consume=True)
    return [[fuse(outer, inner, changes)]]


@primitive
def run_compute_at(
    interpreter: Interpreter, op: ops.ComputeAtOp, changes: Changes
) -> Sequence[Value]:
    producer = interpreter.loop(op.producer, op, consume=True)
    loop = interpreter.loop(op.loop, op)
    return [[compute_at(producer, loop, changes)]]


@primitive
def run_compute_inline(
    interpreter: Interpreter, op: ops.ComputeInlineOp, changes: Changes
) -> Sequence[Value]:
    compute_inline(interpreter.loop(op.producer, op, consume=True), changes)
    return []


@primitive
def run_cache_read(
    interpreter: Interpreter, op: ops.CacheReadOp, changes: Changes
) -> Sequence[Value]:
    loop = interpreter.loop(op.loop, op)
    return [[cache_read(loop, op.input.value.data, op.scope.data, changes)]]


@primitive
def run_cache_write(
    interpreter: Interpreter, op: ops.CacheWriteOp, changes: Changes
) -> Sequence[Value]:
    loop = interpreter.loop(op.loop, op)
    back, first = cache_write(loop, op.scope.data, changes)
    return [[back], [] if first is None else [first]][: len(op.results)]


def run_vectorize(interpreter: Interpreter, op: ops.VectorizeOp) -> Sequence[Value]:
    width = interpreter.integer(op, op.static_width, op.width, "vector width")
    if width & (width - 1):
        raise ZigguratError(f"the vector width must be a power of two, got {width}", op)
    for loop in interpreter.loops(op.loop, op):
        try:
            check_innermost(loop)
        except ScheduleError as error:
            raise ZigguratError(str(error), op) from None
        annotate(loop, VectorizeAttr(IntAttr(width)))
    return []


def run_unroll(interpreter: Interpreter, op: ops.UnrollOp) -> Sequence[Value]:
    factor = interpreter.integer(op, op.static_factor, op.factor, "unroll factor")
    for loop in interpreter.loops(op.loop, op):
        annotate(loop, UnrollAttr(IntAttr(factor)))
    return []


def run_parallel(interpreter: Interpreter, op: ops.ParallelOp) -> Sequence[Value]:
    for loop in interpreter.loops(op.loop, op):
        check_independent(loop, "parallelize")
        # One iteration runs on one thread anyway; marked, it would keep the loops in it
        # from running in parallel.
        if (b := optional_bounds(loop)) is None or b.trip_count > 1:
            annotate(loop, ParallelAttr())
    return []


def run_bind(interpreter: Interpreter, op: ops.BindOp) -> Sequence[Value]:
    for loop in interpreter.loops(op.loop, op):
        check_independent(loop, f"bind to {op.axis.data}")
        annotate(loop, BindAttr(StringAttr(op.axis.data)))
    return []


def run_virtual_thread(interpreter: Interpreter, op: ops.VirtualThreadOp) -> Sequence[Value]:
    for loop in interpreter.loops(op.loop, op):
        check_independent(loop, "interleave as virtual threads")
        annotate(loop, VirtualThreadAttr())
    return []


@primitive
def run_tensorize(
    interpreter: Interpreter, op: ops.TensorizeOp, changes: Changes
) -> Sequence[Value]:
    intrinsic = interpreter.intrinsic(op.intrinsic, op)
    for loop in interpreter.loops(op.loop, op, consume=True):
        tensorize(
            changes.replaced.get(loop, loop),  # type: ignore[arg-type]
            intrinsic,
            lambda symbol: interpreter.function(symbol, op),
            changes,
        )
    return []


def run_knob(interpreter: Interpreter, op: ops.KnobOp) -> Sequence[Value]:
    if op.selected is None:
        raise ZigguratError(
            f"knob '{op.knob_name.data}' is open: a schedule with open knobs is a search "
            "space; fix its knobs (fix_knobs) to apply it",
            op,
        )
    return [[op.selected]]


def run_alternatives(interpreter: Interpreter, op: ops.AlternativesOp) -> Sequence[Value]:
    name = op.alternatives_name.data
    count = len(op.alternatives)
    if op.selected_region_param is not None:
        params = interpreter.get(op.selected_region_param, op)
        if len(params) != 1 or not isinstance(params[0], IntegerAttr):
            raise ZigguratError(f"alternatives '{name}' needs one integer, got {params}", op)
        selected = params[0].value.data
    elif op.selected_region_attr is not None:
        selected = op.selected_region_attr.value.data
    else:
        raise ZigguratError(
            f"alternatives '{name}' has no selected region: a schedule with open choices "
            "is a search space; fix its knobs (fix_knobs) to apply it",
            op,
        )
    if not 0 <= selected < count:
        raise ZigguratError(f"alternatives '{name}' selects region {selected} of {count}", op)
    return interpreter.run_block(op.alternatives[selected].block)


def run_param_constant(interpreter: Interpreter, op: transform.ParamConstantOp) -> Sequence[Value]:
    return [[op.value]]


def run_get_parent_op(interpreter: Interpreter, op: transform.GetParentOp) -> Sequence[Value]:
    """The `nth_parent` enclosing op of each payload op (counting those named `op_name`)."""
    if op.isolated_from_above is not None:
        raise ZigguratError("apply-schedule does not find parents by isolated_from_above", op)
    name = None if op.op_name is None else op.op_name.data
    found: list[Operation] = []
    for item in interpreter.get(op.target, op):
        assert isinstance(item, Operation)
        parent, count = item.parent_op(), op.nth_parent.value.data
        while parent is not None:
            if name is None or parent.name == name:
                count -= 1
                if count == 0:
                    break
            parent = parent.parent_op()
        if parent is None:
            if op.allow_empty_results is None:
                raise ZigguratError(f"'{item.name}' has no such parent", op)
            continue
        if op.deduplicate is None or parent not in found:
            found.append(parent)
    return [found]


def run_merge_handles(interpreter: Interpreter, op: transform.MergeHandlesOp) -> Sequence[Value]:
    merged: list = []
    for value in op.handles:
        for item in interpreter.get(value, op):
            if op.deduplicate is None or item not in merged:
                merged.append(item)
    return [merged]


HANDLERS: dict[type[Operation], Callable[[Interpreter, Operation], Sequence[Value]]] = {
    transform.MatchOp: run_match,
    transform.ParamConstantOp: run_param_constant,
    transform.MergeHandlesOp: run_merge_handles,
    transform.GetParentOp: run_get_parent_op,
    ops.GetLoopsOp: run_get_loops,
    ops.SplitOp: run_split,
    ops.TileOp: run_tile,
    ops.ReorderOp: run_reorder,
    ops.FuseOp: run_fuse,
    ops.ComputeAtOp: run_compute_at,
    ops.ComputeInlineOp: run_compute_inline,
    ops.CacheReadOp: run_cache_read,
    ops.CacheWriteOp: run_cache_write,
    ops.VectorizeOp: run_vectorize,
    ops.UnrollOp: run_unroll,
    ops.ParallelOp: run_parallel,
    ops.BindOp: run_bind,
    ops.TensorizeOp: run_tensorize,
    ops.VirtualThreadOp: run_virtual_thread,
    ops.KnobOp: run_knob,
    ops.AlternativesOp: run_alternatives,
}  # type: ignore[dict-item]
