"""`te-to-loop`: lower te-level functions over tensors to naive loop nests over memrefs.

Each function is bufferized: a tensor argument becomes a memref argument, and each tensor
result becomes one more memref argument, after the inputs, marked `ziggurat.output`; the
function then returns nothing (scalar results stay results). The CPU runtime allocates the
outputs by that mark.

    func.func @relu(%X: memref<7xf32>, %out0: memref<7xf32> {ziggurat.output}) {
      scf.for %i = %c0 to %c7 step %c1 {
        %x = memref.load %X[%i] : memref<7xf32>
        ...
        memref.store %r, %out0[%i] : memref<7xf32>
      }
      func.return
    }

A `te.compute` becomes one `scf.for` per output axis, and for a reduction one more per
reduce axis carrying the accumulator in `iter_args`; its body moves into the innermost loop
with `te.read` turned into `memref.load`. Each loop is tagged with its axis name
(`loop.axis = "i"`) and the outermost one with the compute's (`te.compute = "matmul"`), so
schedules find the nest. A compute whose result is returned writes straight
into that output argument; any other gets a `memref.alloc`, freed after its last use. A
tensor constant becomes a private constant `memref.global`, one per distinct value.
A reduction marked `{ziggurat.compute_at_consumer}` (by te-inline) gets no buffer: each
te.read of it becomes its reduce loops, run where the read was, in the reader's nest. A value
returned twice, or an argument or constant returned as is, is copied into the output by a
loop nest. `func.call` between such functions passes the output buffers too.

Control flow on tensors is bufferized too. `scf.if` gets a buffer per result, which each
branch writes (a value computed in the branch directly, any other by a copy), and loses
its results; `tensor.extract` becomes a load. `te.loop` becomes an `scf.for`: each carried
value lives in its result's buffer, copied there from its initial value before the loop
and from the yielded value at the end of each iteration, and each stacked value is copied
into its slot `[t, ...]`. What a loop body or a branch computes has its buffer allocated
before the function-level op that holds it and freed after it: a loop allocates nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf, tensor
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    FunctionType,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.combiners import combiner
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ALIGNMENT
from ziggurat.dialects.schedule import AXIS, COMPUTE
from ziggurat.dialects.te import ComputeOp, LoopOp, LoopYieldOp, ReadOp
from ziggurat.passes.te.te_inline import COMPUTE_AT_CONSUMER

OUTPUT = "ziggurat.output"


@dataclass(frozen=True)
class TeToLoop(ModulePass):
    """Lower te.compute functions over tensors to scf.for nests over memrefs."""

    name = "te-to-loop"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        functions = [f for f in op.ops if isinstance(f, func.FuncOp)]
        for function in functions:
            check_lowerable(function)
        constants = ConstantGlobals(op)
        for function in functions:
            lower_function(function, constants)


def has_tensor_type(op: Operation) -> bool:
    return any(isinstance(v.type, TensorType) for v in (*op.operands, *op.results))


def is_tensor_constant(op: Operation) -> bool:
    return isinstance(op, arith.ConstantOp) and isinstance(op.result.type, TensorType)


def check_lowerable(function: func.FuncOp) -> None:
    """Name the first op this pass cannot lower, before anything changes."""
    for result_type in function.function_type.outputs:
        if isinstance(result_type, TensorType) and not result_type.has_static_shape():
            raise ZigguratError(
                f"te-to-loop needs static result shapes, @{function.sym_name.data} "
                f"returns {result_type}",
                function,
            )
    if function.is_declaration:
        return
    if len(function.body.blocks) != 1:
        raise ZigguratError("te-to-loop needs a function body of one block", function)
    check_block(function.body.block)


# The ops that hold blocks of te-level ops, and their terminators.
CONTROL = (scf.IfOp, LoopOp)
TERMINATORS = (func.ReturnOp, scf.YieldOp, LoopYieldOp)


def check_block(block: Block) -> None:
    for op in block.ops:
        if isinstance(op, ComputeOp):
            for inner in op.body.walk():
                if not isinstance(inner, ReadOp) and has_tensor_type(inner):
                    raise ZigguratError(
                        f"te-to-loop cannot lower '{inner.name}' on tensors inside a te.compute",
                        inner,
                    )
        elif is_tensor_constant(op):
            assert isinstance(op, arith.ConstantOp)
            if not isinstance(op.value, DenseIntOrFPElementsAttr):
                raise ZigguratError(
                    f"te-to-loop lowers dense tensor constants only, got {op.value}", op
                )
        elif isinstance(op, CONTROL):
            for region in op.regions:
                for inner_block in region.blocks:
                    check_block(inner_block)
        elif not isinstance(op, (*TERMINATORS, func.CallOp, tensor.ExtractOp)):
            for inner in op.walk():
                if has_tensor_type(inner) or isinstance(inner, ComputeOp):
                    raise ZigguratError(f"te-to-loop cannot lower '{inner.name}'", inner)


class ConstantGlobals:
    """The module's `memref.global`s for tensor constants, one per distinct value."""

    def __init__(self, module: ModuleOp):
        self.module = module
        self.globals: dict[DenseIntOrFPElementsAttr, memref.GlobalOp] = {}
        self.taken = {
            name.data
            for op in module.ops
            if isinstance(name := op.properties.get("sym_name"), StringAttr)
        }

    def get(self, value: DenseIntOrFPElementsAttr) -> memref.GlobalOp:
        if value in self.globals:
            return self.globals[value]
        number = len(self.globals)
        while f"__constant_{number}" in self.taken:
            number += 1
        name = f"__constant_{number}"
        self.taken.add(name)
        tensor_type = value.get_type()
        assert isinstance(tensor_type, TensorType)
        global_op = memref.GlobalOp.get(
            StringAttr(name),
            memref_type(tensor_type),
            value,
            constant=UnitAttr(),
            alignment=ALIGNMENT,
        )
        # Globals come first, in the order they were made.
        previous = list(self.globals.values())
        if previous:
            Rewriter.insert_op(global_op, InsertPoint.after(previous[-1]))
        else:
            Rewriter.insert_op(global_op, InsertPoint.at_start(self.module.body.block))
        self.globals[value] = global_op
        return global_op


def memref_type(tensor_type: TensorType) -> MemRefType:
    return MemRefType(tensor_type.element_type, tensor_type.get_shape())


def lower_function(function: func.FuncOp, constants: ConstantGlobals) -> None:
    """Bufferize the signature and lower every op of the body in place."""
    outputs = convert_signature(function)
    if function.is_declaration:
        return
    block = function.body.block
    bufferizer = Bufferizer(constants, {arg: arg for arg in block.args})
    ops = list(block.ops)
    freed_after = last_uses(ops)
    returned = returned_values(ops[-1], outputs)
    for op in ops:
        previous = op.prev_op
        bufferizer.lower(op, returned)
        # Allocations go before all the code the op became (a loop allocates nothing).
        first = previous.next_op if previous else block.first_op
        assert first is not None
        Rewriter.insert_op(bufferizer.pending, InsertPoint.before(first))
        bufferizer.pending = []
        for value in freed_after.get(op, ()):
            if bufferizer.buffers.get(value) in bufferizer.allocated:
                dealloc = memref.DeallocOp.get(bufferizer.buffers[value])
                Rewriter.insert_op(dealloc, InsertPoint.before(op))
        # What an op's regions allocated lives as long as the op runs.
        for buffer in reversed(bufferizer.nested):
            Rewriter.insert_op(memref.DeallocOp.get(buffer), InsertPoint.after(op))
        bufferizer.nested.clear()
        if isinstance(op, func.ReturnOp):
            lower_return(op, outputs, bufferizer.buffers)
            scalars = [v for v, out in zip(op.arguments, outputs, strict=True) if out is None]
            Rewriter.replace_op(op, func.ReturnOp(*scalars))
    for op in reversed(bufferizer.lowered):
        Rewriter.erase_op(op)


class Bufferizer:
    """The buffer of each tensor of a function being lowered, and the te-level ops lowered
    so far (erased at the end, users first)."""

    def __init__(self, constants: ConstantGlobals, buffers: dict[SSAValue, SSAValue]):
        self.constants = constants
        self.buffers = buffers
        self.allocated: set[SSAValue] = set()
        self.nested: list[SSAValue] = []  # allocated for ops in regions
        self.pending: list[Operation] = []  # allocations to insert
        self.deferred: dict[SSAValue, ComputeOp] = {}
        self.lowered: list[Operation] = []

    def allocate(self, type: MemRefType, nested: bool) -> SSAValue:
        alloc = memref.AllocOp([], [], type, IntegerAttr(ALIGNMENT, 64))
        self.pending.append(alloc)
        self.allocated.add(alloc.memref)
        if nested:
            self.nested.append(alloc.memref)
        return alloc.memref

    def lower(
        self,
        op: Operation,
        returned: dict[SSAValue, SSAValue],
        nested: bool = False,
    ) -> None:
        """Lower `op`, writing each computed value `returned` maps into that buffer; an
        op in a region (`nested`) has its buffers freed after the function-level op."""

        def destination(value: SSAValue, before: Operation) -> SSAValue:
            """The buffer a computed tensor is written to: its output, or a new one."""
            if value in returned:
                return returned[value]
            assert isinstance(value.type, TensorType)
            buffer = self.allocate(memref_type(value.type), nested)
            buffer.name_hint = value.name_hint
            return buffer

        buffers = self.buffers
        if isinstance(op, CONTROL):
            self.lowered.append(op)  # before the ops of its regions, which use its values
            targets = [destination(r, op) for r in op.results]
            if isinstance(op, scf.IfOp):
                self.lower_if(op, targets)
            else:
                self.lower_loop(op, targets)
            return
        if isinstance(op, ComputeOp) and computed_at_consumer(op):
            self.deferred[op.result] = op
        elif isinstance(op, ComputeOp):
            buffers[op.result] = destination(op.result, op)
            lower_compute(op, buffers[op.result], buffers, self.deferred)
        elif is_tensor_constant(op):
            assert isinstance(op, arith.ConstantOp)
            assert isinstance(op.value, DenseIntOrFPElementsAttr)
            global_op = self.constants.get(op.value)
            get = memref.GetGlobalOp(global_op.sym_name.data, global_op.type)
            get.memref.name_hint = op.result.name_hint
            Rewriter.insert_op(get, InsertPoint.before(op))
            buffers[op.result] = get.memref
        elif isinstance(op, func.CallOp):
            lower_call(op, buffers, destination)
        elif isinstance(op, tensor.ExtractOp):
            load = memref.LoadOp.get(buffers[op.tensor], op.indices)
            Rewriter.insert_op(load, InsertPoint.before(op))
            op.result.replace_all_uses_with(load.res)
        else:
            return
        self.lowered.append(op)

    def lower_block(self, block: Block, targets: Sequence[SSAValue]) -> list[SSAValue]:
        """Lower the ops of a region's block, each value its terminator yields computed
        into its target where it is computed in the block; the buffers it yields."""
        terminator = block.last_op
        assert terminator is not None
        returned: dict[SSAValue, SSAValue] = {}
        for value, target in zip(terminator.operands, targets, strict=False):
            owner = value.owner
            computed = isinstance(owner, (ComputeOp, func.CallOp, *CONTROL))
            if computed and owner.parent_block() is block and value not in returned:
                returned[value] = target
        for op in list(block.ops):
            self.lower(op, returned, nested=True)
        return [self.buffers[v] for v in terminator.operands]

    def lower_if(self, op: scf.IfOp, targets: list[SSAValue]) -> None:
        """A branch on a scalar condition, each branch writing the results into `targets`."""
        for region in op.regions:
            block = region.block
            yielded = self.lower_block(block, targets)
            terminator = block.last_op
            assert terminator is not None
            for source, target in zip(yielded, targets, strict=True):
                if source is not target:
                    copy_buffer(source, target, InsertPoint.before(terminator))
            Rewriter.replace_op(terminator, scf.YieldOp())
        branch = scf.IfOp(op.cond, [], op.detach_region(0), op.detach_region(0))
        Rewriter.insert_op(branch, InsertPoint.before(op))
        self.buffers.update(zip(op.results, targets, strict=True))

    def lower_loop(self, op: LoopOp, targets: list[SSAValue]) -> None:
        """te.loop as an scf.for: each carried value lives in its target, copied there from
        the initial value before the loop and from the yielded one at the end of each
        iteration; each other yielded value is copied into its slot of its target."""
        carried = len(op.inits)
        before = InsertPoint.before(op)
        for init, target in zip(op.inits, targets, strict=False):
            copy_buffer(self.buffers[init], target, before)
        trip_count = op.trip_count.value.data
        bounds = index_constants([0, 1, trip_count], before)
        body = Block(arg_types=[IndexType()])
        Rewriter.insert_op(scf.ForOp(bounds[0], bounds[trip_count], bounds[1], [], body), before)
        index, *states = op.body.block.args
        body.args[0].name_hint = index.name_hint
        index.replace_all_uses_with(body.args[0])
        self.buffers.update(zip(states, targets, strict=False))
        for inner in list(op.body.block.ops):
            inner.detach()
            body.add_op(inner)
        terminator = body.last_op
        assert isinstance(terminator, LoopYieldOp)
        # Every value is computed into a buffer of its own (a state's next value into its
        # target directly would overwrite what later computes of the step still read),
        # then the states are copied back and the stacked values into their slots.
        yielded = self.lower_block(body, [])
        self.lowered.append(terminator)
        end = InsertPoint.before(terminator)
        for source, target in zip(yielded[carried:], targets[carried:], strict=True):
            copy_buffer(source, target, end, [body.args[0]])
        # A state yielded in another's place is saved first (a swap of two states).
        sources = []
        for source, target in zip(yielded, targets[:carried], strict=False):
            if source in targets[:carried] and source is not target:
                saved = self.allocate(source.type, nested=True)  # type: ignore[arg-type]
                copy_buffer(source, saved, end)
                source = saved
            sources.append(source)
        for source, target in zip(sources, targets, strict=False):
            if source is not target:
                copy_buffer(source, target, end)
        body.add_op(scf.YieldOp())
        self.buffers.update(zip(op.results, targets, strict=True))


def convert_signature(function: func.FuncOp) -> list[SSAValue | None]:
    """Make tensor arguments memrefs and tensor results output arguments; return, per
    original result, its output argument (None for a scalar result, or a declaration)."""
    old_type = function.function_type
    inputs = [memref_type(t) if isinstance(t, TensorType) else t for t in old_type.inputs]
    tensor_results = [isinstance(t, TensorType) for t in old_type.outputs]
    output_types = [memref_type(t) for t in old_type.outputs if isinstance(t, TensorType)]
    results = [t for t in old_type.outputs if not isinstance(t, TensorType)]
    function.function_type = FunctionType.from_lists([*inputs, *output_types], results)

    old_arg_attrs = function.arg_attrs.data if function.arg_attrs else ()
    arg_attrs = [*old_arg_attrs] or [DictionaryAttr({}) for _ in inputs]
    arg_attrs += [DictionaryAttr({OUTPUT: UnitAttr()}) for _ in output_types]
    function.arg_attrs = ArrayAttr(arg_attrs)
    if function.res_attrs is not None:
        kept = [
            a
            for a, tensor in zip(function.res_attrs.data, tensor_results, strict=True)
            if not tensor
        ]
        function.res_attrs = ArrayAttr(kept) if kept else None

    if function.is_declaration:
        return [None] * len(tensor_results)
    block = function.body.block
    for arg, new_type in zip(block.args, inputs, strict=True):
        if arg.type != new_type:
            Rewriter.replace_value_with_new_type(arg, new_type)
    outputs: list[SSAValue | None] = []
    for number, result_type in enumerate(old_type.outputs):
        if not isinstance(result_type, TensorType):
            outputs.append(None)
            continue
        arg = block.insert_arg(memref_type(result_type), len(block.args))
        arg.name_hint = f"out{number}"
        outputs.append(arg)
    return outputs


def last_uses(ops: Sequence[Operation]) -> dict[Operation, list[SSAValue]]:
    """For each top-level op, the tensors computed in this function it uses last (a tensor
    nothing uses is last used by the op that computes it)."""
    position = {op: n for n, op in enumerate(ops)}
    freed_after: dict[Operation, list[SSAValue]] = {}
    for op in ops:
        if not isinstance(op, (ComputeOp, func.CallOp, *CONTROL)):
            continue
        for value in op.results:
            if not isinstance(value.type, TensorType):
                continue
            users = [
                runs_at(top_level_ancestor(use.operation, position), position) for use in value.uses
            ]
            last = max(users, key=position.__getitem__, default=op)
            freed_after.setdefault(last, []).append(value)
    return freed_after


def runs_at(op: Operation, position: dict[Operation, int]) -> Operation:
    """The top-level op whose code does what `op` does: a reduction computed at its consumer
    runs in the last of its readers' nests, so what it reads lives until then."""
    if not (isinstance(op, ComputeOp) and computed_at_consumer(op)):
        return op
    readers = [runs_at(top_level_ancestor(u.operation, position), position) for u in op.result.uses]
    return max(readers, key=position.__getitem__, default=op)


def top_level_ancestor(op: Operation, position: dict[Operation, int]) -> Operation:
    current = op
    while current not in position:
        parent = current.parent_op()
        assert parent is not None
        current = parent
    return current


def returned_values(
    terminator: Operation, outputs: Sequence[SSAValue | None]
) -> dict[SSAValue, SSAValue]:
    """The computed tensors written straight into an output argument: each returned
    compute or call result, into the first output it is returned as."""
    returned: dict[SSAValue, SSAValue] = {}
    if not isinstance(terminator, func.ReturnOp):
        return returned
    for value, output in zip(terminator.arguments, outputs, strict=True):
        computed = isinstance(value.owner, (ComputeOp, func.CallOp, *CONTROL))
        if output is not None and computed and value not in returned:
            returned[value] = output
    return returned


def computed_at_consumer(compute: ComputeOp) -> bool:
    """Whether `compute` is a reduction marked to run inside its readers, and only te.reads
    in other computes use it."""
    return (
        COMPUTE_AT_CONSUMER in compute.attributes
        and compute.reduce_kind is not None
        and all(isinstance(u.operation, ReadOp | ComputeOp) for u in compute.result.uses)
    )


def lower_compute(
    compute: ComputeOp,
    destination: SSAValue,
    buffers: dict[SSAValue, SSAValue],
    deferred: dict[SSAValue, ComputeOp] | None = None,
) -> None:
    """Build, before `compute`, the loop nest that stores its elements into `destination`;
    reads of a `deferred` reduction compute its element in place."""
    shape = compute.result.type.get_shape()  # type: ignore[attr-defined]
    reduce_extents = compute.reduce_extent_values
    reads = [op for op in compute.body.walk() if isinstance(op, ReadOp)]
    at = InsertPoint.before(compute)
    extents = [*shape, *reduce_extents]
    bounds = index_constants([0, 1, *extents] if extents else [], at)
    if compute.init is not None:
        init = arith.ConstantOp(compute.init)
        init.result.name_hint = "init"
        Rewriter.insert_op(init, at)
    axes, inner = loop_nest(shape, compute.axis_names, bounds, at)

    yield_op = compute.yield_op
    if compute.reduce_kind is None:
        Rewriter.inline_block(compute.block, inner, axes)
        value = yield_op.value
    else:
        value = reduce(compute, axes, init.result, bounds, inner)
    Rewriter.insert_op(memref.StoreOp.get(value, destination, axes), inner)
    Rewriter.erase_op(yield_op)
    # Schedules find a compute's loop nest by this tag on its outermost loop.
    outermost = axes[0].owner.parent_op() if axes else value.owner
    if isinstance(outermost, scf.ForOp):
        outermost.attributes[COMPUTE] = compute.compute_name
    lower_reads(reads, buffers, deferred or {})


def reduce(
    compute: ComputeOp,
    axes: Sequence[SSAValue],
    init: SSAValue,
    bounds: dict[int, SSAValue],
    at: InsertPoint,
) -> SSAValue:
    """Build at `at` the reduce loops folding the body of `compute` at output indices
    `axes` into an accumulator from `init`; the reduced value (the yield is left)."""
    yield_op = compute.yield_op
    accumulator, reduce_axes, body_at, loops = reduction_loops(
        compute.reduce_extent_values, compute.reduce_axis_names, init, bounds, at
    )
    Rewriter.inline_block(compute.block, body_at, [*axes, *reduce_axes])
    combined = combiner(compute.reduce_kind.data, yield_op.value.type)(  # type: ignore[union-attr]
        accumulator, yield_op.value
    )
    Rewriter.insert_op([combined, scf.YieldOp(combined)], body_at)
    for outer, inner_loop in pairwise(loops):
        Rewriter.insert_op(scf.YieldOp(inner_loop), InsertPoint.at_end(outer.body.block))
    return loops[0].res[0]


def lower_reads(
    reads: Sequence[ReadOp],
    buffers: dict[SSAValue, SSAValue],
    deferred: dict[SSAValue, ComputeOp],
) -> None:
    """Each te.read becomes a load of its buffer, or the reduction it reads, in place."""
    for read in reads:
        producer = deferred.get(read.tensor)
        if producer is None:
            Rewriter.replace_op(read, memref.LoadOp.get(buffers[read.tensor], read.indices))
            continue
        producer_reads = [op for op in producer.body.walk() if isinstance(op, ReadOp)]
        at = InsertPoint.before(read)
        bounds = index_constants([0, 1, *producer.reduce_extent_values], at)
        init = arith.ConstantOp(producer.init)  # type: ignore[arg-type]
        init.result.name_hint = "init"
        Rewriter.insert_op(init, at)
        yield_op = producer.yield_op
        value = reduce(producer, read.indices, init.result, bounds, at)
        Rewriter.erase_op(yield_op)
        Rewriter.replace_op(read, [], [value])
        lower_reads(producer_reads, buffers, deferred)


def index_constants(values: Sequence[int], at: InsertPoint) -> dict[int, SSAValue]:
    """One `arith.constant ... : index` per distinct value, inserted at `at`."""
    constants: dict[int, SSAValue] = {}
    for value in values:
        if value not in constants:
            constant = arith.ConstantOp(IntegerAttr(value, IndexType()))
            constant.result.name_hint = f"c{value}"
            Rewriter.insert_op(constant, at)
            constants[value] = constant.result
    return constants


def loop_nest(
    extents: Sequence[int], names: Sequence[str], bounds: dict[int, SSAValue], at: InsertPoint
) -> tuple[list[SSAValue], InsertPoint]:
    """Nested `scf.for`s from 0 to each extent at `at`: their induction variables and the
    point at the end of the innermost body (before its yield)."""
    variables: list[SSAValue] = []
    for extent, name in zip(extents, names, strict=True):
        body = Block([scf.YieldOp()], arg_types=[IndexType()])
        body.args[0].name_hint = name
        loop = scf.ForOp(bounds[0], bounds[extent], bounds[1], [], body)
        loop.attributes[AXIS] = StringAttr(name)
        Rewriter.insert_op(loop, at)
        variables.append(body.args[0])
        at = InsertPoint.before(body.last_op)  # type: ignore[arg-type]
    return variables, at


def reduction_loops(
    extents: Sequence[int],
    names: Sequence[str],
    init: SSAValue,
    bounds: dict[int, SSAValue],
    at: InsertPoint,
) -> tuple[SSAValue, list[SSAValue], InsertPoint, list[scf.ForOp]]:
    """Nested `scf.for`s over the reduce axes threading the accumulator through iter_args:
    the innermost accumulator, the induction variables, the end of the innermost body (to
    be terminated by the caller) and the loops, outermost first."""
    accumulator = init
    variables: list[SSAValue] = []
    loops: list[scf.ForOp] = []
    for extent, name in zip(extents, names, strict=True):
        body = Block(arg_types=[IndexType(), init.type])
        body.args[0].name_hint = name
        body.args[1].name_hint = "acc"
        loop = scf.ForOp(bounds[0], bounds[extent], bounds[1], [accumulator], body)
        loop.attributes[AXIS] = StringAttr(name)
        Rewriter.insert_op(loop, at)
        variables.append(body.args[0])
        loops.append(loop)
        accumulator = body.args[1]
        at = InsertPoint.at_end(body)
    return accumulator, variables, at, loops


def lower_call(
    op: func.CallOp,
    buffers: dict[SSAValue, SSAValue],
    destination: Callable[[SSAValue, Operation], SSAValue],
) -> None:
    """Call the bufferized callee with the argument buffers and one output buffer per
    tensor result."""
    arguments = [buffers[v] if isinstance(v.type, TensorType) else v for v in op.arguments]
    tensors = [r for r in op.results if isinstance(r.type, TensorType)]
    scalars = [r for r in op.results if not isinstance(r.type, TensorType)]
    for result in tensors:
        buffers[result] = destination(result, op)
    outputs = [buffers[r] for r in tensors]
    call = func.CallOp(op.callee, [*arguments, *outputs], [r.type for r in scalars])
    Rewriter.insert_op(call, InsertPoint.before(op))
    for old, new in zip(scalars, call.results, strict=True):
        old.replace_all_uses_with(new)


def lower_return(
    op: func.ReturnOp, outputs: Sequence[SSAValue | None], buffers: dict[SSAValue, SSAValue]
) -> None:
    """Copy each returned tensor not already computed in its output argument into it."""
    for value, output in zip(op.arguments, outputs, strict=True):
        if output is None or buffers[value] is output:
            continue
        copy_buffer(buffers[value], output, InsertPoint.before(op))


def copy_buffer(
    source: SSAValue, target: SSAValue, at: InsertPoint, slot: Sequence[SSAValue] = ()
) -> None:
    """A loop nest copying `source` into `target` element by element, or into the slot of
    `target` at the leading indices `slot`."""
    shape = source.type.get_shape()  # type: ignore[attr-defined]
    bounds = index_constants([0, 1, *shape] if shape else [], at)
    names = [f"i{n}" for n in range(len(shape))]
    indices, inner = loop_nest(shape, names, bounds, at)
    load = memref.LoadOp.get(source, indices)
    Rewriter.insert_op([load, memref.StoreOp.get(load, target, [*slot, *indices])], inner)
