"""`loop-to-gpu`: the loop nests of a loop-level module as GPU kernels and their launches
(the CUDA target's first lowering step; the gpu level, dialects/gpu.py).

Each loop nest at the top of a function (what te-to-loop and a schedule make of one
te.compute) becomes a kernel in the module's `gpu.module @kernels`, named for its function
and its place there (`fused_dense_relu_0`), and a `gpu.launch_func` of it takes the nest's
place. The values the nest uses from outside become the kernel's arguments (buffers and
scalars); constants are cloned into it. A loop bound to a grid axis is no loop in the
kernel: its body runs once per block (thread) along that axis, its index read with
`gpu.block_id x` (`gpu.thread_id x`), and the launch's grid and block sizes are the extents
of the loops bound to each axis. A nest with no bound loop runs its outermost loop's
iterations as blocks of one thread where they are independent, else in one thread; a nest
whose results later ops use (a sum over every axis, then stored) runs with them in one. A
loop at the top over stages spread over the grid (an RNN's loop over time) or around calls
(ONNX Loop), of a known trip count and carrying nothing, stays on the host (`host_loop`):
its stages are kernels launched at each iteration.

Every thread of a kernel runs all that is not a bound loop. A loop bound to an axis inside
a loop bound to the same axis, whose body does not depend on the outer loop's index (the
cooperative copy of a cache_read into shared memory, in the compute's thread loops), reads
the same index: each thread copies its share, between `loop.barrier`s, which become
`gpu.barrier`. The launch gives each block the
`#loop.scope<shared>` buffers of its kernel as dynamic shared memory (`shared_memory`).

    scf.for %i = %c0 to %c4 step %c1 {
      scf.for %j = %c0 to %c256 step %c1 { ... %A[%i, %j] ... } {loop.annotations = [#loop.bind<"threadIdx.x">]}
    } {loop.annotations = [#loop.bind<"blockIdx.x">]}
    ->
    gpu.launch_func @kernels::@f_0 blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c0_i32 args(%A : memref<4x256xf32>)
    gpu.func @f_0(%A: memref<4x256xf32>) kernel {
      %i = gpu.block_id x
      %j = gpu.thread_id x
      ... %A[%i, %j] ...
    }

Errors, each at the op that causes it: a block of more than 1024 threads; a bound loop whose
extent is not its launch's along its axis; a loop bound to the axis of a loop around it
whose index it uses (an axis bound twice); a barrier under
a condition, or in a loop whose trip count, depends on the thread's index (threads that skip
it would never arrive); shared memory beyond what a block may have on the target's GPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    ArrayAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    UnitAttr,
    i32,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import VerifyException

from ziggurat.analysis.dependences import check_independent
from ziggurat.analysis.payload import is_pure, optional_bounds
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import gpu
from ziggurat.dialects.loop import ANNOTATIONS, BarrierOp, BindAttr, ScopeAttr, annotations
from ziggurat.dialects.schedule import AXIS
from ziggurat.passes.conversion.loop_to_llvm.common import byte_size
from ziggurat.targets.target import target_named
from ziggurat.transforms import ScheduleError

KERNELS = "kernels"
INDEX = IndexType()
# Bytes each shared buffer's offset in the block's shared memory is a multiple of: a vector
# of four floats.
SHARED_ALIGNMENT = 16
# Ops that stay on the host: buffers, calls, and the index arithmetic around them.
HOST_OPS = (
    memref.AllocOp,
    memref.DeallocOp,
    memref.GetGlobalOp,
    memref.CollapseShapeOp,
    memref.ExpandShapeOp,
    memref.ReinterpretCastOp,
    memref.SubviewOp,
    memref.CastOp,
    func.CallOp,
    func.ReturnOp,
)


@dataclass(frozen=True)
class LoopToGpu(ModulePass):
    """Outline each loop nest of each function as a kernel, launched in its place."""

    name = "loop-to-gpu"

    target: str = "cuda"  # whose limits (shared memory per block) the kernels keep to

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        limit = target_named(self.target).gpu.shared_memory_per_block  # type: ignore[attr-defined]
        kernels: list[gpu.FuncOp] = []
        for function in [f for f in op.ops if isinstance(f, func.FuncOp) and f.body.blocks]:
            its_kernels: list[gpu.FuncOp] = []
            outline_block(function.body.block, function.sym_name.data, limit, its_kernels)
            kernels += its_kernels
        if kernels:
            contents: list[Operation] = [*constants_of(kernels, op), *kernels]
            module = gpu.ModuleOp(StringAttr(KERNELS), Region(Block(contents)))  # type: ignore[arg-type]
            op.body.block.add_op(module)
            op.attributes[gpu.CONTAINER] = UnitAttr()


def outline_block(block: Block, function: str, limit: int, kernels: list[gpu.FuncOp]) -> None:
    """Outline each nest of a function's body (or of a loop kept on the host) as a kernel
    named `<function>_<n>`, n counting the function's kernels (`kernels`, so far)."""
    for top in list(block.ops):
        if top.parent is not None and not on_host(top) and not host_loop(top):
            with_its_users(top)
    for nest in [o for o in block.ops if not on_host(o)]:
        if host_loop(nest):
            outline_block(nest.regions[0].block, function, limit, kernels)
        else:
            kernels.append(outline(nest, f"{function}_{len(kernels)}", limit))


def host_loop(op: Operation) -> bool:
    """Whether `op` is a loop the host runs, launching the kernels of its body at each
    iteration: a loop over time around operators (an RNN's: stages spread over blocks and
    threads, each needing all of the one before; ONNX Loop's calls), of a known trip count
    and carrying nothing (its state is in buffers). A launch is a barrier for the grid."""
    if not isinstance(op, scf.ForOp) or bound_axis(op) is not None or op.iter_args:
        return False
    if optional_bounds(op) is None:
        return False
    stages = [o for o in op.body.block.ops if not on_host(o) and not isinstance(o, scf.YieldOp)]
    spread = any(bound_axis(o) is not None for stage in stages for o in stage.walk())
    calls = any(isinstance(o, func.CallOp) for o in op.body.block.ops)
    return calls or (spread and len(stages) > 1)


def constants_of(kernels: list[gpu.FuncOp], module: ModuleOp) -> list[memref.GlobalOp]:
    """Copies of the module's globals the kernels read (a constant tensor a nest indexes),
    for the module of kernels: the GPU's code has its own."""
    names = {
        o.name_.root_reference.data
        for kernel in kernels
        for o in kernel.walk()
        if isinstance(o, memref.GetGlobalOp)
    }
    return [
        o.clone() for o in module.ops if isinstance(o, memref.GlobalOp) and o.sym_name.data in names
    ]


def on_host(op: Operation) -> bool:
    """Whether a function's top-level op runs on the host rather than in a kernel."""
    if isinstance(op, memref.AllocOp):
        space = op.memref.type.memory_space
        if isinstance(space, ScopeAttr) and space.scope.data != "global":
            raise ZigguratError(
                f"a #loop.scope<{space.scope.data}> buffer belongs in a kernel, not at the top "
                "of a function",
                op,
            )
    return isinstance(op, HOST_OPS) or (is_pure(op) and not op.regions)


def with_its_users(nest: Operation) -> None:
    """Where ops after `nest` use its results (a sum over every axis, kept in a register,
    then stored), put it and them, and what lies between, in one loop of one iteration:
    one kernel, as a value cannot pass from one kernel to another."""
    needed = set(nest.results)
    last, op = nest, nest.next_op
    while op is not None and needed:
        if any(operand in needed for inner in op.walk() for operand in inner.operands):
            last = op
            needed.update(op.results)
        op = op.next_op
    if last is nest:
        return
    enclosed = [nest]
    while enclosed[-1] is not last:
        enclosed.append(enclosed[-1].next_op)  # type: ignore[arg-type]
    for op in enclosed:
        if isinstance(op, HOST_OPS):
            raise ZigguratError(
                f"'{nest.name}' runs in a kernel, but '{op.name}', which stays on the host, "
                "comes before the last use of its results",
                op,
            )
    zero = arith.ConstantOp(IntegerAttr(0, INDEX))
    one = arith.ConstantOp(IntegerAttr(1, INDEX))
    body = Block(arg_types=[INDEX])
    once = scf.ForOp(zero.result, one.result, one.result, [], Region(body))
    Rewriter.insert_op([zero, one, once], InsertPoint.before(nest))
    for op in enclosed:
        op.detach()
        body.add_op(op)
    body.add_op(scf.YieldOp())


def bound_axis(op: Operation) -> str | None:
    if not isinstance(op, scf.ForOp):
        return None
    axes = [a.axis.data for a in annotations(op) if isinstance(a, BindAttr)]
    return axes[0] if axes else None


def uses_index(inner: scf.ForOp, outer: scf.ForOp) -> bool:
    """Whether anything in `inner` depends on the index of `outer`. A loop bound to the
    axis of a loop around it reads the same index: that is the same computation only where
    its body does not depend on the outer index (each thread's share of a cooperative copy
    into shared memory, which every thread would otherwise make whole)."""
    source = outer.body.block.args[0]
    seen: dict[SSAValue, bool] = {}

    def depends(value: SSAValue) -> bool:
        if value is source:
            return True
        if value not in seen:
            seen[value] = False
            owner = value.owner
            if isinstance(owner, Operation) and outer.is_ancestor(owner):
                seen[value] = any(depends(o) for o in owner.operands)
        return seen[value]

    return any(depends(operand) for op in inner.walk() for operand in op.operands)


def describe(loop: Operation) -> str:
    name = loop.attributes.get(AXIS)
    return f"loop '{name.data}'" if isinstance(name, StringAttr) else f"'{loop.name}'"


# The launch ------------------------------------------------------------------------------


def launch_sizes(nest: Operation, name: str) -> dict[str, int]:
    """The extent of the loops bound to each axis in `nest`, checked to agree, with no
    axis bound twice in a stage."""
    sizes: dict[str, int] = {}
    first: dict[str, Operation] = {}
    for loop in nest.walk():
        axis = bound_axis(loop)
        if axis is None:
            continue
        assert isinstance(loop, scf.ForOp)
        b = optional_bounds(loop)
        if b is None:
            raise ZigguratError(f"{describe(loop)} is bound to {axis} but its bounds vary", loop)
        if loop.iter_args:
            raise ZigguratError(
                f"{describe(loop)} is bound to {axis} but carries values between iterations",
                loop,
            )
        outer = loop.parent_op()
        while outer is not None and outer is not nest.parent_op():
            if bound_axis(outer) == axis and uses_index(loop, outer):  # type: ignore[arg-type]
                raise ZigguratError(
                    f"{axis} is bound twice: {describe(loop)} is inside {describe(outer)}, "
                    f"bound to it too, and uses its index, but a thread has one index along "
                    f"{axis}",
                    loop,
                )
            outer = outer.parent_op()
        if axis not in sizes:
            sizes[axis], first[axis] = b.trip_count, loop
        elif b.trip_count != sizes[axis]:
            raise ZigguratError(
                f"{describe(loop)} is bound to {axis} with {b.trip_count} iterations, but kernel "
                f"'{name}' launches {sizes[axis]} along {axis} ({describe(first[axis])})",
                loop,
            )
    check_block(nest, name, sizes)
    return sizes


def check_block(nest: Operation, name: str, sizes: dict[str, int]) -> None:
    """An error naming the limit that the block `sizes` launch (threadIdx.x, y, z) breaks."""
    block = [sizes.get(f"threadIdx.{d}", 1) for d in gpu.DIMENSIONS]
    try:
        gpu.check_block_size(block)
    except VerifyException as error:
        raise ZigguratError(f"kernel '{name}' needs {error}", nest) from None


def check_warps(nest: Operation, name: str, sizes: dict[str, int]) -> None:
    """A kernel with warp-collective ops (gpu.mma_sync) has whole warps along threadIdx.x
    (32 lanes where no loop is bound to it), so that a warp's lanes share the indices along
    y and z that choose its tile."""
    warp_op = next((op for op in nest.walk() if isinstance(op, gpu.MmaSyncOp)), None)
    if warp_op is None:
        return
    lanes = sizes.setdefault("threadIdx.x", gpu.WARP)
    if lanes % gpu.WARP:
        block = [sizes.get(f"threadIdx.{d}", 1) for d in gpu.DIMENSIONS]
        raise ZigguratError(
            f"kernel '{name}' has warp-collective ops ('{warp_op.name}'), but its blocks of "
            f"{' x '.join(map(str, block))} threads are not whole warps along x: threadIdx.x "
            f"needs a multiple of {gpu.WARP} threads, not {lanes}",
            warp_op,
        )
    check_block(nest, name, sizes)
    check_reached_together(
        nest, gpu.MmaSyncOp, "threadIdx.x", "a warp's mma (gpu.mma_sync)", "lanes"
    )


def check_stages(nest: Operation, name: str) -> None:
    """An error for a loop that every thread runs (a loop over time) around stages of which
    some are spread over the threads and no barrier orders them: a stage would read what
    other threads have not written yet (barriers between such stages are not made yet)."""
    for loop in nest.walk():
        if not isinstance(loop, scf.ForOp) or bound_axis(loop) is not None:
            continue
        stages = [
            o for o in loop.body.block.ops if not is_pure(o) and o is not loop.body.block.last_op
        ]
        spread = [s for s in stages if any(bound_axis(o) is not None for o in s.walk())]
        ordered = any(isinstance(o, BarrierOp) for o in loop.walk())
        if spread and len(stages) > 1 and not ordered:
            raise ZigguratError(
                f"kernel '{name}': {describe(loop)} runs {len(stages)} stages one after the "
                f"other, {len(spread)} of them spread over blocks or threads, with no barrier "
                "between them (a loop over time around operators does not run on the GPU yet)",
                loop,
            )


def check_barriers(nest: Operation) -> None:
    """Every thread of a block reaches each barrier as often as the others."""
    check_reached_together(nest, BarrierOp, "threadIdx", "a barrier", "threads")


def check_reached_together(
    nest: Operation, kind: type[Operation], axes: str, what: str, who: str
) -> None:
    """An error for an op of `kind` under a condition, or in a loop whose trip count,
    depends on the index of a thread along `axes` (a prefix: threadIdx, threadIdx.x), or
    its lane: the threads (lanes) that skip it would never arrive."""
    varying: set[SSAValue] = set()
    for op in nest.walk():
        axis = bound_axis(op)
        if axis is not None and axis.startswith(axes):
            varying.add(op.regions[0].block.args[0])
        elif isinstance(op, scf.ForOp) and {op.lb, op.ub, op.step} & varying:
            varying.update(op.body.block.args)
        elif isinstance(op, gpu.LaneIdOp):
            varying.update(op.results)
        if any(operand in varying for operand in op.operands):
            varying.update(op.results)
    for found in nest.walk():
        if not isinstance(found, kind):
            continue
        holder = found.parent_op()
        while holder is not None and holder is not nest.parent_op():
            if isinstance(holder, scf.IfOp) and holder.cond in varying:
                raise ZigguratError(
                    f"{what} under a condition that depends on the thread's index: the "
                    f"{who} that skip it would never arrive",
                    found,
                )
            if isinstance(holder, scf.ForOp) and {holder.lb, holder.ub, holder.step} & varying:
                raise ZigguratError(
                    f"{what} in a loop whose trip count depends on the thread's index: "
                    f"{who} would wait at it a different number of times",
                    found,
                )
            holder = holder.parent_op()


def shared_buffers(kernel: Operation) -> list[tuple[memref.AllocOp, int]]:
    """Each `#loop.scope<shared>` buffer of a kernel and its offset in the block's shared
    memory, in the order the kernel allocates them (the same in every pass)."""
    found, offset = [], 0
    for op in kernel.walk():
        if isinstance(op, memref.AllocOp) and is_shared(op.memref.type):
            found.append((op, offset))
            offset += aligned(buffer_bytes(op))
    return found


def shared_memory(kernel: Operation) -> int:
    """The bytes of shared memory a block of `kernel` needs."""
    return sum(aligned(buffer_bytes(op)) for op, _ in shared_buffers(kernel))


def is_shared(type: MemRefType) -> bool:
    space = type.memory_space
    return isinstance(space, ScopeAttr) and space.scope.data == "shared"


def buffer_bytes(alloc: memref.AllocOp) -> int:
    type = alloc.memref.type
    if not type.has_static_shape():
        raise ZigguratError("a shared buffer needs a static shape", alloc)
    return math.prod(type.get_shape()) * byte_size(type.element_type, alloc)


def aligned(size: int) -> int:
    return -(-size // SHARED_ALIGNMENT) * SHARED_ALIGNMENT


# Outlining -------------------------------------------------------------------------------


def outline(nest: Operation, name: str, limit: int) -> gpu.FuncOp:
    """The kernel for `nest`, which a launch replaces."""
    for op in nest.walk():
        if isinstance(op, func.CallOp):
            holder = op.parent_op()
            raise ZigguratError(
                f"'{holder.name if holder else nest.name}' around a call of "
                f"'{op.callee.root_reference.data}': control flow around operators (ONNX If "
                "and Loop) does not run on the GPU yet",
                op,
            )
    if any(result.uses for result in nest.results):
        raise ZigguratError(
            f"'{nest.name}' runs in kernel '{name}', but the function uses its results after it",
            nest,
        )
    sizes = launch_sizes(nest, name)
    check_warps(nest, name, sizes)
    check_stages(nest, name)
    if not sizes and isinstance(nest, scf.ForOp) and independent(nest):
        bound = optional_bounds(nest)
        if bound is not None and bound.trip_count <= gpu.MOST_GRID_SIZE[0]:
            sizes = {"blockIdx.x": bound.trip_count}
            nest.attributes[ANNOTATIONS] = ArrayAttr([BindAttr(StringAttr("blockIdx.x"))])
    check_barriers(nest)
    needed = shared_memory(nest)
    if needed > limit:
        raise ZigguratError(
            f"kernel '{name}' needs {needed} bytes of shared memory, more than the {limit} a "
            "block may have on this GPU",
            nest,
        )
    arguments, constants = free_values(nest)
    kernel = gpu.FuncOp(
        name,
        ([a.type for a in arguments], []),
        kernel=True,
        known_block_size=[sizes.get(f"threadIdx.{d}", 1) for d in gpu.DIMENSIONS],
        known_grid_size=[sizes.get(f"blockIdx.{d}", 1) for d in gpu.DIMENSIONS],
    )
    body = kernel.body.block
    launch_in_place(nest, kernel, arguments, sizes, needed)
    mapping = dict(zip(arguments, body.args, strict=True))
    for value in constants:
        clone = value.owner.clone()  # type: ignore[union-attr]
        for index, operand in enumerate(clone.operands):
            clone.operands[index] = mapping[operand]
        body.add_op(clone)
        mapping[value] = clone.results[0]
    nest.detach()
    body.add_op(nest)
    for op in nest.walk():
        for index, operand in enumerate(op.operands):
            if operand in mapping:
                op.operands[index] = mapping[operand]
    for argument, value in zip(body.args, arguments, strict=True):
        argument.name_hint = value.name_hint
    body.add_op(gpu.ReturnOp([]))
    indices = {
        axis: (gpu.BlockIdOp if axis.startswith("block") else gpu.ThreadIdOp)(
            gpu.dimension(axis[-1])
        )
        for axis in sizes
    }
    for op in reversed(list(indices.values())):
        body.insert_op_before(op, body.first_op)  # type: ignore[arg-type]
    for loop in [o for o in nest.walk() if bound_axis(o) is not None]:
        run_once_per_index(loop, indices[bound_axis(loop)].result)  # type: ignore[index]
    for barrier in [o for o in kernel.walk() if isinstance(o, BarrierOp)]:
        Rewriter.replace_op(barrier, gpu.BarrierOp())
    for op in reversed(list(body.ops)):  # the clones the bound loops' bounds needed
        if is_pure(op) and not op.regions and not any(r.uses for r in op.results):
            Rewriter.erase_op(op)
    return kernel


def independent(loop: scf.ForOp) -> bool:
    try:
        check_independent(loop, "run in parallel")
    except ScheduleError:
        return False
    return True


def free_values(nest: Operation) -> tuple[list[SSAValue], list[SSAValue]]:
    """The values `nest` uses from outside: those passed to its kernel (buffers, scalars) and
    the constants (and arithmetic on them) cloned into it, in the order they are needed."""
    arguments: list[SSAValue] = []
    constants: list[SSAValue] = []

    def need(value: SSAValue) -> None:
        if value in arguments or value in constants:
            return
        if not computable(value):
            arguments.append(value)
            return
        for operand in value.owner.operands:  # type: ignore[union-attr]
            need(operand)
        constants.append(value)

    for op in nest.walk():
        for operand in op.operands:
            owner = operand.owner
            holder = owner if isinstance(owner, Operation) else owner.parent_op()
            if holder is None or not nest.is_ancestor(holder):
                need(operand)
    return arguments, constants


def computable(value: SSAValue) -> bool:
    """Whether `value` is a constant or pure arithmetic on constants."""
    owner = value.owner
    return (
        isinstance(owner, Operation)
        and is_pure(owner)
        and not owner.regions
        and not isinstance(value.type, MemRefType)
        and all(computable(operand) for operand in owner.operands)
    )


def launch_in_place(
    nest: Operation,
    kernel: gpu.FuncOp,
    arguments: list[SSAValue],
    sizes: dict[str, int],
    shared: int,
) -> None:
    """Insert the launch of `kernel` before `nest`."""
    at = InsertPoint.before(nest)

    def constant(value: int, name: str, type: Attribute = INDEX) -> SSAValue:
        op = arith.ConstantOp(IntegerAttr(value, type))
        op.result.name_hint = name
        Rewriter.insert_op(op, at)
        return op.result

    grid = [constant(sizes.get(f"blockIdx.{d}", 1), f"grid_{d}") for d in gpu.DIMENSIONS]
    block = [constant(sizes.get(f"threadIdx.{d}", 1), f"block_{d}") for d in gpu.DIMENSIONS]
    launch = gpu.LaunchFuncOp(
        SymbolRefAttr(KERNELS, [kernel.sym_name.data]),
        grid,
        block,
        kernelOperands=arguments,
        dynamicSharedMemorySize=constant(shared, "shared_bytes", i32),
    )
    launch.location = nest.location
    Rewriter.insert_op(launch, at)


def run_once_per_index(loop: Operation, index: SSAValue) -> None:
    """Replace a bound loop by its body, its iv the index of the block (thread) along its
    axis (times the step, plus the lower bound)."""
    assert isinstance(loop, scf.ForOp)
    bound = optional_bounds(loop)
    assert bound is not None
    at = InsertPoint.before(loop)
    value = index
    if bound.step != 1:
        step = arith.ConstantOp(IntegerAttr(bound.step, IndexType()))
        scaled = arith.MuliOp(value, step.result)
        Rewriter.insert_op([step, scaled], at)
        value = scaled.result
    if bound.lower != 0:
        lower = arith.ConstantOp(IntegerAttr(bound.lower, IndexType()))
        shifted = arith.AddiOp(value, lower.result)
        Rewriter.insert_op([lower, shifted], at)
        value = shifted.result
    block = loop.body.block
    terminator = block.last_op
    assert terminator is not None
    Rewriter.erase_op(terminator)
    Rewriter.inline_block(block, at, [value])
    Rewriter.erase_op(loop)
