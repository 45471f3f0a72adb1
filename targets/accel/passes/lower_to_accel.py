"""`lower-to-accel`: each loop-level function that calls the accelerator's gemm intrinsic
becomes an `accel.program`: the instruction stream of its loops, unrolled.

    ziggurat-opt mm.mlir -p 'lower-to-accel{target="accel{tile=16}"},insert-tokens'

The schedule (targets/accel/schedules) leaves loops over tiles with, in them, buffers of
the input, weight and accumulator scopes and the nests that fill and use them; this pass
runs the loops over tiles at compile time (their bounds are constants) and lowers each
nest it meets to instructions:

| loop IR | instructions |
|---|---|
| `memref.alloc` of a scope, `memref.dealloc` | a region of that on-chip buffer (too big: an error at the alloc) |
| a nest copying a DRAM tensor into a buffer (a padded read: zero padding) | `accel.load` |
| a nest storing 0 into the accumulator | `accel.gemm` reset |
| calls of the intrinsic's update (tensorize) and the loops around them | one `accel.gemm`, the loops its loop nest |
| a nest writing the accumulator back to DRAM through an epilogue | `accel.alu` per step of the epilogue (bias from DRAM loaded beside), `accel.store` |
| a loop marked `#loop.virtual_thread` | its iterations' streams interleaved, each with its own part of every buffer |

What the accelerator cannot do (a guard inside a tile, an epilogue step its ALU lacks, a
view that is no affine function of the loops, padding by another value than 0) is an
error at the op; with `fallback`, such a function stays at the loop level, for the CPU,
its reason in its `accel.fallback` and `accel.declined` attributes (the target's `time`
refuses it: a tuner's candidate that fails). Tokens come after (`insert-tokens`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    MemRefType,
    ModuleOp,
    StridedLayoutAttr,
    StringAttr,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ziggurat.analysis.payload import constant_int, is_pure, padded_read
from ziggurat.analysis.ranges import linear
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import accel, arith_extra
from ziggurat.dialects.loop import ScopeAttr, VirtualThreadAttr, annotations
from ziggurat.passes.graph.fuse_ops import ANCHOR
from ziggurat.targets.offload import DECLINED, FALLBACK
from ziggurat.targets.target import target_named

SCOPE_SIZES = {
    "input": "input_buffer",
    "weight": "weight_buffer",
    "accumulator": "accumulator_buffer",
}


@dataclass(frozen=True)
class LowerToAccel(ModulePass):
    """Lower the functions that call the accelerator's gemm to accel programs."""

    name = "lower-to-accel"

    target: str = "accel"
    fallback: bool = False
    """Leave a function the accelerator cannot run at the loop level (for the CPU), its
    reason in `accel.fallback`, instead of failing: what a heterogeneous model needs."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = target_named(self.target)
        update = intrinsic_update(target)
        functions = [f for f in op.ops if isinstance(f, func.FuncOp) and f.body.blocks]
        for function in functions:
            if function.sym_name.data == update:
                continue
            if not calls(function, update):
                anchor = function.attributes.get(ANCHOR)
                if (
                    self.fallback
                    and isinstance(anchor, StringAttr)
                    and FALLBACK not in function.attributes
                ):
                    function.attributes[FALLBACK] = StringAttr(
                        f"the accelerator runs no '{anchor.data}' (its gemm runs int8 matmul and conv2d)"
                    )
                continue
            try:
                program = Lowering(target, update).lower(function)
            except ZigguratError as error:
                if not self.fallback:
                    raise
                function.attributes[FALLBACK] = StringAttr(error.message)
                function.attributes[DECLINED] = StringAttr(error.message)
                continue
            block = function.body.block
            for inner in reversed(list(block.ops)):
                inner.detach()
                inner.erase(safe_erase=False)
            block.add_ops([program, func.ReturnOp()])
        # The intrinsic's functions serve the CPU only now.
        for function in functions:
            name = function.sym_name.data
            if name.startswith(update.rsplit("_", 1)[0]) and not any(
                calls(other, name) for other in op.ops if isinstance(other, func.FuncOp)
            ):
                Rewriter.erase_op(function)


def intrinsic_update(target: object) -> str:
    """The name of the function tensorize calls for the target's gemm intrinsic."""
    from ziggurat.dialects.te import IntrinsicOp

    library = target.intrinsics()  # type: ignore[attr-defined]
    found = [o for o in library.walk() if isinstance(o, IntrinsicOp)] if library else []
    if len(found) != 1 or found[0].update is None:
        raise ZigguratError(f"target '{target}' has no gemm intrinsic with an update function")
    return found[0].update.root_reference.data


def calls(function: Operation, name: str) -> bool:
    return any(
        isinstance(o, func.CallOp) and o.callee.string_value() == name for o in function.walk()
    )


# Regions of the buffers ---------------------------------------------------------------------


@dataclass
class Region:
    """A scoped buffer of the loop IR placed in its on-chip buffer: its first element and
    its shape (row-major)."""

    scope: str
    base: int
    shape: tuple[int, ...]

    @property
    def strides(self) -> list[int]:
        strides, running = [], 1
        for size in reversed(self.shape):
            strides.insert(0, running)
            running *= size
        return strides

    @property
    def elements(self) -> int:
        return math.prod(self.shape)


@dataclass
class Allocator:
    """One on-chip buffer's elements handed out last in, first out, within a window (a
    virtual thread's share)."""

    scope: str
    size: int
    align: int
    top: int = 0
    limit: int = 0

    def __post_init__(self) -> None:
        self.limit = self.size

    def allocate(self, elements: int, where: Operation) -> int:
        base = -(-self.top // self.align) * self.align
        if base + elements > self.limit:
            share = (
                ""
                if self.limit == self.size
                else f" (a virtual thread's share: {self.limit - base})"
            )
            raise ZigguratError(
                f"a tile of {elements} elements does not fit in the {self.scope} buffer: "
                f"{max(0, self.limit - base)} of its {self.size} elements are free{share}",
                where,
            )
        self.top = base + elements
        return base


# Forms: addresses as affine functions of a nest's loops ---------------------------------------


@dataclass
class Form:
    """`constant + sum of coefficient * iv` over the loops of a nest."""

    constant: int
    terms: dict[SSAValue, int] = field(default_factory=dict)

    def step(self, iv: SSAValue) -> int:
        return self.terms.get(iv, 0)

    def scaled(self, factor: int) -> Form:
        return Form(self.constant * factor, {k: v * factor for k, v in self.terms.items()})

    def plus(self, other: Form) -> Form:
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) + v
        return Form(self.constant + other.constant, terms)


@dataclass
class Nest:
    """Loops nested one in the other (pure index arithmetic between them), the ops of the
    innermost body."""

    loops: list[scf.ForOp]
    body: list[Operation]

    @property
    def ivs(self) -> list[SSAValue]:
        return [loop.body.block.args[0] for loop in self.loops]


def nest_at(loop: scf.ForOp | None, ops: Sequence[Operation]) -> Nest:
    """The nest starting at `loop` (none: the `ops` of a body)."""
    loops: list[scf.ForOp] = []
    body = list(ops)
    while loop is not None:
        loops.append(loop)
        body = [o for o in loop.body.block.ops if not isinstance(o, scf.YieldOp)]
        inner = [o for o in body if isinstance(o, scf.ForOp)]
        others = [o for o in body if not isinstance(o, scf.ForOp) and not is_pure(o)]
        loop = inner[0] if len(inner) == 1 and not others else None
    return Nest(loops, body)


# The lowering of one function ---------------------------------------------------------------


class Lowering:
    """Runs the loops over tiles of one function, emitting the instructions of its nests."""

    def __init__(self, target: object, update: str):
        self.target = target
        self.update = update
        self.tile: int = target.tile  # type: ignore[attr-defined]
        self.buffers = {
            scope: accel.BufferOp(accel.BufferType(scope, getattr(target, attribute)))
            for scope, attribute in SCOPE_SIZES.items()
        }
        for scope, op in self.buffers.items():
            op.result.name_hint = {"input": "inp", "weight": "wgt", "accumulator": "acc"}[scope]
        self.allocators = {
            scope: Allocator(scope, getattr(target, attribute), self.tile)
            for scope, attribute in SCOPE_SIZES.items()
        }
        self.regions: dict[SSAValue, Region] = {}
        self.values: dict[SSAValue, int] = {}
        self.out: list[Operation] = []

    def lower(self, function: func.FuncOp) -> accel.ProgramOp:
        self.tensors = set(function.body.block.args)
        self.run_block(function.body.block)
        return accel.ProgramOp(self.tile, [*self.buffers.values(), *self.out])

    # Values known while the loops run ------------------------------------------------------

    def value(self, value: SSAValue) -> int:
        """The integer (or index, or i1) an SSA value has in the current iteration."""
        if value in self.values:
            return self.values[value]
        constant = constant_int(value)
        if constant is not None:
            return constant
        op = value.owner
        if isinstance(op, Block) or not is_pure(op):
            raise NotKnown(value)
        operands = [self.value(v) for v in op.operands]
        return evaluate(op, operands)

    def form(self, value: SSAValue, nest: Nest) -> Form:
        """`value` as an affine function of the nest's loops."""
        terms, constant = linear(value)
        found = Form(constant)
        ivs = set(nest.ivs)
        for atom, coefficient in terms.items():
            if atom in ivs:
                found.terms[atom] = found.terms.get(atom, 0) + coefficient
                continue
            try:
                found.constant += coefficient * self.value(atom)
            except NotKnown:
                where = atom.owner if isinstance(atom.owner, Operation) else nest.loops[0]
                raise ZigguratError(
                    "an address of the accelerator's instructions must be an affine function "
                    "of the loops around them",
                    where,
                ) from None
        return found

    def extents(self, nest: Nest) -> list[int]:
        found = []
        for loop in nest.loops:
            lower, upper, step = (self.value(v) for v in (loop.lb, loop.ub, loop.step))
            if lower != 0 or step != 1:
                raise ZigguratError("the accelerator's loops count from 0 by 1", loop)
            found.append(upper)
        return found

    def address(self, buffer: SSAValue, indices: Sequence[SSAValue], nest: Nest) -> Form:
        """The element of `buffer` (a region or a DRAM tensor) at `indices`."""
        if buffer in self.regions:
            region = self.regions[buffer]
            strides, base = region.strides, region.base
        else:
            strides, base = tensor_strides(buffer), 0
        total = Form(base)
        for index, stride in zip(indices, strides, strict=True):
            total = total.plus(self.form(index, nest).scaled(stride))
        return total

    # Host ops --------------------------------------------------------------------------------

    def run_block(self, block: Block) -> None:
        for op in block.ops:
            self.run_op(op)

    def run_op(self, op: Operation) -> None:
        if isinstance(op, scf.ForOp):
            self.run_loop(op)
        elif isinstance(op, scf.IfOp):
            taken = op.true_region if self.value(op.cond) else op.false_region
            if taken.blocks:
                self.run_block(taken.block)
        elif isinstance(op, memref.AllocOp):
            self.allocate(op)
        elif isinstance(op, memref.DeallocOp):
            region = self.regions.get(op.memref)
            if region is not None:
                allocator = self.allocators[region.scope]
                allocator.top = min(allocator.top, region.base)
        elif isinstance(op, func.CallOp):
            self.gemm(nest_at(None, [op]), op)
        elif isinstance(op, memref.StoreOp):
            self.store_nest(nest_at(None, [op]), op)
        elif isinstance(op, func.ReturnOp | scf.YieldOp) or is_pure(op):
            return
        elif isinstance(op, memref.SubviewOp | memref.LoadOp) or op.name == "memref.cast":
            return
        else:
            raise ZigguratError(f"the accelerator cannot run '{op.name}'", op)

    def allocate(self, op: memref.AllocOp) -> None:
        type = op.memref.type
        assert isinstance(type, MemRefType)
        space = type.memory_space
        if not isinstance(space, ScopeAttr) or space.scope.data not in SCOPE_SIZES:
            if all(isinstance(use.operation, memref.DeallocOp) for use in op.memref.uses):
                return  # partial sums cache_write left unused
            raise ZigguratError(
                "the accelerator keeps no buffer in DRAM between its instructions (a tile or "
                "virtual thread count that does not divide its loop leaves partial sums there)",
                op,
            )
        scope = space.scope.data
        shape = tuple(type.get_shape())
        base = self.allocators[scope].allocate(math.prod(shape), op)
        self.regions[op.memref] = Region(scope, base, shape)

    def run_loop(self, loop: scf.ForOp) -> None:
        kind = classify(loop, self.update)
        if kind == "gemm":
            nest = nest_at(loop, [])
            call = next(o for o in loop.walk() if isinstance(o, func.CallOp))
            self.gemm(nest, call)
            return
        if kind == "store":
            nest = nest_at(loop, [])
            stores = [o for o in nest.body if isinstance(o, memref.StoreOp)]
            if len(stores) != 1:
                raise ZigguratError("the accelerator copies with one store per element", loop)
            self.store_nest(nest, stores[0])
            return
        lower, upper, step = (self.value(v) for v in (loop.lb, loop.ub, loop.step))
        iv = loop.body.block.args[0]
        if any(isinstance(a, VirtualThreadAttr) for a in annotations(loop)):
            self.virtual_threads(loop, list(range(lower, upper, step)))
            return
        for position in range(lower, upper, step):
            self.values[iv] = position
            self.run_block(loop.body.block)
        self.values.pop(iv, None)

    def virtual_threads(self, loop: scf.ForOp, positions: list[int]) -> None:
        """Each iteration's instructions in a share of every buffer, interleaved."""
        iv = loop.body.block.args[0]
        saved = [(a, a.top, a.limit) for a in self.allocators.values()]
        streams = []
        emitted, self.out = self.out, []
        for thread, position in enumerate(positions):
            for allocator, top, limit in saved:
                share = (limit - top) // len(positions) // self.tile * self.tile
                allocator.top, allocator.limit = top + thread * share, top + (thread + 1) * share
            self.values[iv] = position
            self.run_block(loop.body.block)
            streams.append(self.out)
            self.out = []
        for allocator, top, limit in saved:
            allocator.top, allocator.limit = top, limit
        self.values.pop(iv, None)
        self.out = emitted
        # Round robin over runs of one unit's instructions: one thread's loads for a step
        # go together, while another thread's gemm runs.
        runs = [units_runs(stream) for stream in streams]
        for step in range(max((len(r) for r in runs), default=0)):
            for thread in runs:
                if step < len(thread):
                    self.out.extend(thread[step])

    # The nests -------------------------------------------------------------------------------

    def gemm(self, nest: Nest, call: func.CallOp) -> None:
        """Calls of the intrinsic's update in `nest`: one accel.gemm."""
        if call.callee.string_value() != self.update:
            raise ZigguratError(f"the accelerator cannot call @{call.callee.string_value()}", call)
        guards = [o for o in nest.body if isinstance(o, scf.IfOp)]
        if guards:
            raise ZigguratError(
                "the gemm runs whole tiles: a tile size that does not divide its loop leaves "
                "a guard around the intrinsic",
                guards[0],
            )
        views = [self.view(argument, nest, call) for argument in call.arguments]
        if len(views) != 3:
            raise ZigguratError("the gemm intrinsic takes an input, a weight and an output", call)
        (inp, inp_strides), (wgt, wgt_strides), (acc, acc_strides) = views
        extents = self.extents(nest)
        kept = [(e, iv) for e, iv in zip(extents, nest.ivs, strict=True) if e != 1] or [(1, None)]
        steps = []
        for _, iv in kept:
            steps += [f.step(iv) if iv is not None else 0 for f in (acc[1], inp[1], wgt[1])]
        self.out.append(
            accel.GemmOp(
                self.buffers["accumulator"].result,
                [acc[1].constant, *acc_strides],
                [e for e, _ in kept],
                steps,
                self.buffers["input"].result,
                [inp[1].constant, *inp_strides],
                self.buffers["weight"].result,
                [wgt[1].constant, *wgt_strides],
            )
        )
        for (scope, _), expected in zip(
            (inp, wgt, acc), ("input", "weight", "accumulator"), strict=True
        ):
            if scope != expected:
                raise ZigguratError(f"the gemm reads its {expected} from the {scope} buffer", call)

    def view(
        self, argument: SSAValue, nest: Nest, call: func.CallOp
    ) -> tuple[tuple[str, Form], list[int]]:
        """A call's view of a buffer: its scope, its first element as a form, the strides
        of the intrinsic's axes."""
        value = argument
        while isinstance(value.owner, Operation) and value.owner.name == "memref.cast":
            value = value.owner.operands[0]
        subview = value.owner
        if not isinstance(subview, memref.SubviewOp) or subview.source not in self.regions:
            raise ZigguratError("the gemm's operands must be views of on-chip buffers", call)
        dynamic = iter(subview.offsets)
        offsets = [
            next(dynamic) if o == DYNAMIC_INDEX else o for o in subview.static_offsets.get_values()
        ]
        region = self.regions[subview.source]
        start = Form(region.base)
        for offset, stride in zip(offsets, region.strides, strict=True):
            part = Form(offset) if isinstance(offset, int) else self.form(offset, nest)
            start = start.plus(part.scaled(stride))
        layout = subview.result.type.layout  # type: ignore[attr-defined]
        if not isinstance(layout, StridedLayoutAttr):
            raise ZigguratError("the gemm's operands must be strided views", call)
        strides = [s.data for s in layout.strides.data]  # type: ignore[union-attr]
        return (region.scope, start), strides

    def store_nest(self, nest: Nest, store: memref.StoreOp) -> None:
        """A nest with one store: a load, a reset or a write-back."""
        if store.memref in self.regions:
            if isinstance(store.value.owner, arith.ConstantOp):
                self.reset(nest, store)
            else:
                self.load(nest, store)
        elif store.memref in self.tensors:
            self.write_back(nest, store)
        else:
            raise ZigguratError(
                "the accelerator stores into on-chip buffers or DRAM tensors", store
            )

    def reset(self, nest: Nest, store: memref.StoreOp) -> None:
        region = self.regions[store.memref]
        if constant_int(store.value) != 0 or region.scope != "accumulator":
            raise ZigguratError("the accelerator sets the accumulator to 0 only", store)
        count = math.prod(self.extents(nest))
        if count != region.elements or region.elements % self.tile:
            raise ZigguratError(
                f"the gemm resets whole accumulator tiles of {self.tile} elements", store
            )
        self.out.append(
            accel.GemmOp(
                self.buffers["accumulator"].result,
                [region.base, 1],
                [count // self.tile],
                [self.tile],
            )
        )

    def load(self, nest: Nest, store: memref.StoreOp) -> None:
        """A copy of a DRAM tensor (a padded read: zero padding) into a buffer."""
        region = self.regions[store.memref]
        value = store.value.owner
        read = None
        if isinstance(value, arith_extra.SelectOp) and isinstance(value.lhs.owner, memref.LoadOp):
            if not nest.loops:
                raise ZigguratError("the accelerator loads padded tiles in loops", store)
            read = padded_read(value.lhs.owner, nest.loops[0])
            if read is None or constant_int(value.rhs) != 0:
                raise ZigguratError("the accelerator's loads pad with zeros only", value)
            load, indices = read.load, read.raw
        elif isinstance(value, memref.LoadOp) and value.memref in self.tensors:
            load, indices = value, tuple(value.indices)
        else:
            raise ZigguratError("the accelerator loads DRAM tensors into its buffers", store)
        extents = self.extents(nest)
        destination = self.address(store.memref, list(store.indices), nest)
        shape = load.memref.type.get_shape()  # type: ignore[attr-defined]
        forms = [self.form(index, nest) for index in indices]
        dims = []  # per loop: extent, source stride, pad before, pad after
        for extent, iv in zip(extents, nest.ivs, strict=True):
            if extent == 1:
                continue
            stride = sum(
                f.step(iv) * s for f, s in zip(forms, tensor_strides(load.memref), strict=True)
            )
            before = after = 0
            for form, size, clamped in zip(
                forms, shape, read.clamped if read else [False] * len(shape), strict=True
            ):
                if clamped and form.step(iv):
                    if form.step(iv) != 1 or len(form.terms) != 1:
                        raise ZigguratError(
                            "the accelerator pads rows and columns of a tile", store
                        )
                    before = min(extent, max(0, -form.constant))
                    after = min(extent, max(0, form.constant + extent - size))
            dims.append([extent, stride, before, after, destination.step(iv)])
        check_row_major([(d[0], d[4]) for d in dims], store)
        offset = sum(
            f.constant * s for f, s in zip(forms, tensor_strides(load.memref), strict=True)
        )
        # Start at the first element that is not padding.
        offset += sum(d[2] * d[1] for d in dims)
        for d in dims:
            if d[2] + d[3] >= d[0]:
                raise ZigguratError("a tile wholly in the padding: choose another tile size", store)
        dims = merge(dims)
        if len(dims) > 4:
            raise ZigguratError("the accelerator's DMA moves boxes of up to four dimensions", store)
        if not dims:
            dims = [[1, 1, 0, 0, 1]]
        self.out.append(
            accel.LoadOp(
                load.memref,
                offset,
                [d[0] - d[2] - d[3] for d in dims],
                [d[1] for d in dims],
                self.buffers[region.scope].result,
                destination.constant,
                [d[2] for d in dims],
                [d[3] for d in dims],
            )
        )

    def write_back(self, nest: Nest, store: memref.StoreOp) -> None:
        """The accumulator through an epilogue (ALU instructions) to a DRAM tensor."""
        steps, start = epilogue(store.value, self.accumulated)
        accumulator = start.owner
        assert isinstance(accumulator, memref.LoadOp)
        if any(isinstance(o, scf.IfOp) for o in nest.body):
            raise ZigguratError(
                "the accelerator writes whole tiles back", nest.loops[0] if nest.loops else store
            )
        extents = self.extents(nest)
        source = self.address(accumulator.memref, list(accumulator.indices), nest)
        for step in steps:
            self.alu(step, nest, extents, source)
        target = self.address(store.memref, list(store.indices), nest)
        dims = [
            [e, target.step(iv), 0, 0, source.step(iv)]
            for e, iv in zip(extents, nest.ivs, strict=True)
            if e != 1
        ]
        check_row_major([(d[0], d[4]) for d in dims], store)
        dims = merge(dims) or [[1, 1, 0, 0, 1]]
        if len(dims) > 4:
            raise ZigguratError("the accelerator's DMA moves boxes of up to four dimensions", store)
        self.out.append(
            accel.StoreOp(
                self.buffers["accumulator"].result,
                source.constant,
                [d[0] for d in dims],
                store.memref,
                target.constant,
                [d[1] for d in dims],
            )
        )

    def accumulated(self, value: SSAValue) -> bool:
        """Whether `value` is an element of the accumulator."""
        op = value.owner
        if not isinstance(op, memref.LoadOp) or op.memref not in self.regions:
            return False
        if self.regions[op.memref].scope != "accumulator":
            raise ZigguratError("the accelerator writes back from its accumulator", op)
        return True

    def alu(self, step: Step, nest: Nest, extents: list[int], destination: Form) -> None:
        """One step of an epilogue over the write-back nest's elements."""
        source = None
        scratch = None
        if step.bias is not None:
            scratch, source = self.load_bias(step.bias, nest, extents)
        lanes = [
            n
            for n, (e, iv) in enumerate(zip(extents, nest.ivs, strict=True))
            if e % self.tile == 0 and destination.step(iv)
        ]
        if not lanes:
            raise ZigguratError(
                f"the ALU works on {self.tile} elements at once: no loop of the write-back "
                f"runs a multiple of {self.tile}",
                step.op,
            )
        lane = lanes[-1]
        forms = [destination] + ([source] if source is not None else [])
        loop_extents, loop_steps = [], []
        for n, (extent, iv) in enumerate(zip(extents, nest.ivs, strict=True)):
            count = extent // self.tile if n == lane else extent
            if count == 1:
                continue
            scale = self.tile if n == lane else 1
            loop_extents.append(count)
            loop_steps += [f.step(iv) * scale for f in forms]
        if not loop_extents:
            loop_extents, loop_steps = [1], [0] * len(forms)
        iv = nest.ivs[lane]
        self.out.append(
            accel.AluOp(
                step.name,
                self.buffers["accumulator"].result,
                [destination.constant, destination.step(iv)],
                loop_extents,
                loop_steps,
                step.immediates,
                self.buffers["accumulator"].result if source is not None else None,
                [source.constant, source.step(iv)] if source is not None else (),
                step.round,
            )
        )
        if scratch is not None:
            allocator = self.allocators["accumulator"]
            allocator.top = min(allocator.top, scratch)

    def load_bias(self, bias: memref.LoadOp, nest: Nest, extents: list[int]) -> tuple[int, Form]:
        """The elements of a DRAM tensor an epilogue adds, loaded into the accumulator:
        where they start and where the write-back's element's one is."""
        form = self.address(bias.memref, list(bias.indices), nest)
        used = [
            (e, iv) for e, iv in zip(extents, nest.ivs, strict=True) if form.step(iv) and e != 1
        ]
        count = math.prod(e for e, _ in used)
        base = self.allocators["accumulator"].allocate(count, bias)
        self.out.append(
            accel.LoadOp(
                bias.memref,
                form.constant,
                [e for e, _ in used] or [1],
                [form.step(iv) for _, iv in used] or [1],
                self.buffers["accumulator"].result,
                base,
            )
        )
        source = Form(base)
        running = 1
        for extent, iv in reversed(used):
            source.terms[iv] = running
            running *= extent
        return base, source


def units_runs(stream: list[Operation]) -> list[list[Operation]]:
    """A stream cut where the unit changes."""
    runs: list[list[Operation]] = []
    for op in stream:
        unit = op.unit_name()  # type: ignore[attr-defined]
        if runs and runs[-1][0].unit_name() == unit:  # type: ignore[attr-defined]
            runs[-1].append(op)
        else:
            runs.append([op])
    return runs


class NotKnown(Exception):
    """A value the loops over tiles do not fix."""


def evaluate(op: Operation, operands: list[int]) -> int:
    """The value of a pure integer op on known operands."""
    match op:
        case arith.AddiOp():
            return operands[0] + operands[1]
        case arith.SubiOp():
            return operands[0] - operands[1]
        case arith.MuliOp():
            return operands[0] * operands[1]
        case arith.DivUIOp() | arith.DivSIOp() | arith.FloorDivSIOp():
            return operands[0] // operands[1]
        case arith.RemUIOp() | arith.RemSIOp():
            return operands[0] % operands[1]
        case arith.MinSIOp() | arith.MinUIOp():
            return min(operands)
        case arith.MaxSIOp() | arith.MaxUIOp():
            return max(operands)
        case arith.AndIOp():
            return operands[0] & operands[1]
        case arith.OrIOp():
            return operands[0] | operands[1]
        case arith_extra.SelectOp():
            return operands[1] if operands[0] else operands[2]
        case arith_extra.IndexCastOp():
            return operands[0]
        case arith_extra.CmpiOp():
            a, b = operands
            return int(
                {
                    "eq": a == b,
                    "ne": a != b,
                    "slt": a < b,
                    "sle": a <= b,
                    "sgt": a > b,
                    "sge": a >= b,
                    "ult": a < b,
                    "ule": a <= b,
                    "ugt": a > b,
                    "uge": a >= b,
                }[
                    op.predicate_name()  # type: ignore[attr-defined]
                ]
            )
    raise NotKnown(op.results[0])


def classify(loop: scf.ForOp, update: str) -> str:
    """What a loop is to the lowering: a gemm nest, a nest with one store (a copy, a reset,
    a write-back), or a loop over tiles."""
    ops = [o for o in loop.walk() if o is not loop]
    if any(isinstance(o, memref.AllocOp | memref.DeallocOp) for o in ops):
        return "host"
    if any(isinstance(o, func.CallOp) for o in ops):
        allowed = (scf.ForOp, scf.YieldOp, func.CallOp, memref.SubviewOp, scf.IfOp)
        if all(isinstance(o, allowed) or is_pure(o) or o.name == "memref.cast" for o in ops):
            return "gemm"
        return "host"
    if sum(isinstance(o, memref.StoreOp) for o in ops) == 1:
        return "store"
    return "host"


def tensor_strides(value: SSAValue) -> list[int]:
    type = value.type
    assert isinstance(type, MemRefType)
    strides, running = [], 1
    for size in reversed(type.get_shape()):
        strides.insert(0, running)
        running *= size
    return strides


def check_row_major(dims: list[tuple[int, int]], where: Operation) -> None:
    """The on-chip side of a copy is the loops' elements in order, row-major."""
    running = 1
    for extent, stride in reversed(dims):
        if stride != running:
            raise ZigguratError(
                "the accelerator's DMA fills (and empties) its buffers row-major, in the "
                "order of the copy's loops",
                where,
            )
        running *= extent


def merge(dims: list[list[int]]) -> list[list[int]]:
    """Neighbouring dimensions of a DMA (extent, DRAM stride, pads, buffer stride) that are
    one run of memory, merged."""
    merged: list[list[int]] = []
    for dim in dims:
        if merged:
            outer = merged[-1]
            if not any(outer[2:4]) and not any(dim[2:4]) and outer[1] == dim[0] * dim[1]:
                merged[-1] = [outer[0] * dim[0], dim[1], 0, 0, dim[4]]
                continue
        merged.append(list(dim))
    return merged


# Epilogues ---------------------------------------------------------------------------------------


@dataclass
class Step:
    """One ALU instruction of an epilogue: an op with immediates, or adding a DRAM tensor."""

    name: str
    op: Operation
    immediates: list[int] = field(default_factory=list)
    bias: memref.LoadOp | None = None
    round: bool = False


def epilogue(value: SSAValue, is_start: Callable[[SSAValue], bool]) -> tuple[list[Step], SSAValue]:
    """The ALU steps that compute `value` in place from the value `is_start` picks (the
    accumulator's element), and that value."""
    steps: list[Step] = []
    current = value
    while True:
        op = current.owner
        if is_start(current):
            steps.reverse()
            return fuse_clips(steps), current
        if not isinstance(op, Operation):
            raise ZigguratError("the write-back must start from the accumulator", None)
        if isinstance(op, arith_extra.TruncIOp):
            current = op.input  # the store narrows
            continue
        rounded = rounding_shift(op)
        if rounded is not None:
            current, amount = rounded
            steps.append(Step("shr", op, [amount], round=True))
            continue
        step = alu_step(op)
        if step is None:
            raise ZigguratError(f"the accelerator's ALU cannot compute '{op.name}'", op)
        steps.append(step[0])
        current = step[1]


def alu_step(op: Operation) -> tuple[Step, SSAValue] | None:
    """The ALU step of `op` on one running value, and that value."""
    names = {arith.AddiOp: "add", arith.MaxSIOp: "max", arith.MinSIOp: "min"}
    if type(op) in names:
        for value, other in ((op.operands[0], op.operands[1]), (op.operands[1], op.operands[0])):
            constant = constant_int(other)
            if constant is not None:
                return Step(names[type(op)], op, [constant]), value
            if isinstance(op, arith.AddiOp) and isinstance(other.owner, memref.LoadOp):
                return Step("add", op, bias=other.owner), value
        return None
    if isinstance(op, arith.SubiOp) and (constant := constant_int(op.rhs)) is not None:
        return Step("add", op, [-constant]), op.lhs
    if isinstance(op, arith.ShRSIOp) and (constant := constant_int(op.rhs)) is not None:
        return Step("shr", op, [constant]), op.lhs
    return None


def rounding_shift(op: Operation) -> tuple[SSAValue, int] | None:
    """`(x + 2^(s-1) - 1 + ((x >> s) & 1)) >> s` (x / 2^s rounded half to even, as
    graph-to-te writes a requantizing shift): x and s."""
    if not isinstance(op, arith.ShRSIOp) or (amount := constant_int(op.rhs)) is None or amount < 1:
        return None
    total = op.lhs.owner
    if not isinstance(total, arith.AddiOp):
        return None
    terms = flatten_sum(total.result)
    constants = [t for t in terms if constant_int(t) is not None]
    odd = [t for t in terms if is_odd_bit(t, amount)]
    rest = [t for t in terms if t not in constants and t not in odd]
    if len(constants) != 1 or len(odd) != 1 or len(rest) != 1:
        return None
    if constant_int(constants[0]) != (1 << (amount - 1)) - 1:
        return None
    x = rest[0]
    shifted = odd[0].owner.operands  # type: ignore[union-attr]
    source = next(v for v in shifted if constant_int(v) is None)
    if source.owner.lhs is not x:  # type: ignore[union-attr]
        return None
    return x, amount


def flatten_sum(value: SSAValue) -> list[SSAValue]:
    op = value.owner
    if isinstance(op, arith.AddiOp) and len(list(value.uses)) <= 1:
        return flatten_sum(op.lhs) + flatten_sum(op.rhs)
    return [value]


def is_odd_bit(value: SSAValue, amount: int) -> bool:
    """Whether `value` is `(x >> amount) & 1`."""
    op = value.owner
    if not isinstance(op, arith.AndIOp):
        return False
    for shifted, mask in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
        shift = shifted.owner
        if (
            constant_int(mask) == 1
            and isinstance(shift, arith.ShRSIOp)
            and constant_int(shift.rhs) == amount
        ):
            return True
    return False


def fuse_clips(steps: list[Step]) -> list[Step]:
    """A max then a min (or a min then a max) by constants: one clip."""
    fused: list[Step] = []
    for step in steps:
        if fused and {fused[-1].name, step.name} == {"max", "min"} and not step.bias:
            previous = fused.pop()
            low = (previous if previous.name == "max" else step).immediates[0]
            high = (previous if previous.name == "min" else step).immediates[0]
            if low <= high:
                fused.append(Step("clip", step.op, [low, high]))
                continue
            fused.append(previous)
        fused.append(step)
    return fused
