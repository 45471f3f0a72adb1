"""`outline-parallel`: run `#loop.parallel` loops on the CPU's thread pool (the CPU target's,
before `loop-to-llvm`).

The outermost parallel `scf.for` of a nest becomes a private function running the
iterations in `[begin, end)`, and a call to the runtime's `ziggurat_parallel_for(fn,
context, lb, ub, step)`, which splits the iterations among the threads and returns when all
are done (targets/cpu/threads.py). The values the body uses from outside travel in a context
struct on the caller's stack; constants (and arith on constants) are cloned instead, so
LLVM still sees them. Parallel loops nested in a parallel loop run sequentially, in their
thread. A parallel loop cannot carry values (`iter_args`): it would be a reduction.

    scf.for %i = %lb to %ub step %c1 {
      ... %A ...
    } {loop.annotations = [#loop.parallel]}
    ->
    llvm.call @ziggurat_parallel_for(@f_parallel_0, %context, %lb, %ub, %c1)
    func.func private @f_parallel_0(%context: !llvm.ptr, %begin: index, %end: index) {
      ... %A loaded from %context ...
      scf.for %i = %begin to %end step %c1 { ... }
    }

A thread runs its iterations whole, one after the other, so `loop.barrier` (which holds a GPU
block's threads until all reach it) has nothing to wait for here and is erased.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, llvm, scf
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    IndexType,
    IntegerAttr,
    ModuleOp,
    UnrealizedConversionCastOp,
    i64,
)
from xdsl.ir import Block, Operation, OpResult, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.loop import ANNOTATIONS, BarrierOp, ParallelAttr, annotations
from ziggurat.passes.conversion.loop_to_llvm.common import PTR, llvm_type

RUNTIME_ENTRY = "ziggurat_parallel_for"


def is_parallel(op: Operation) -> bool:
    return isinstance(op, scf.ForOp) and any(isinstance(a, ParallelAttr) for a in annotations(op))


def outermost_parallel_loops(op: Operation) -> list[scf.ForOp]:
    found: list[scf.ForOp] = []
    for region in op.regions:
        for block in region.blocks:
            for inner in block.ops:
                if is_parallel(inner):
                    found.append(inner)  # type: ignore[arg-type]
                else:
                    found += outermost_parallel_loops(inner)
    return found


@dataclass(frozen=True)
class OutlineParallel(ModulePass):
    """Replace each outermost `#loop.parallel` loop by a call to the thread pool."""

    name = "outline-parallel"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for barrier in [o for o in op.walk() if isinstance(o, BarrierOp)]:
            Rewriter.erase_op(barrier)
        outline_parallel_loops(op)


def outline_parallel_loops(module: ModuleOp) -> None:
    names = {op.sym_name.data for op in module.ops if hasattr(op, "sym_name")}  # type: ignore[attr-defined]
    for function in [op for op in module.ops if isinstance(op, func.FuncOp)]:
        for loop in outermost_parallel_loops(function):
            name = fresh_name(f"{function.sym_name.data}_parallel", names)
            outline(module, function, loop, name)


def fresh_name(prefix: str, names: set[str]) -> str:
    index = 0
    while f"{prefix}_{index}" in names:
        index += 1
    names.add(f"{prefix}_{index}")
    return f"{prefix}_{index}"


def is_constant(value: SSAValue) -> bool:
    """Whether `value` is arith on constants, which the outlined body can recompute."""
    if not isinstance(value, OpResult):
        return False
    op = value.op
    return op.name.startswith("arith.") and not op.regions and all(map(is_constant, op.operands))


def captured_values(loop: scf.ForOp) -> list[SSAValue]:
    """The values defined outside `loop` that its body uses, in order of first use."""
    captured: dict[SSAValue, None] = {loop.step: None}
    for op in loop.body.walk():
        for operand in op.operands:
            owner = operand.owner
            defined_at = owner if isinstance(owner, Operation) else owner.parent_op()
            if defined_at is None or not loop.is_ancestor(defined_at):
                captured[operand] = None
    return list(captured)


def outline(module: ModuleOp, function: func.FuncOp, loop: scf.ForOp, name: str) -> None:
    if loop.iter_args:
        raise ZigguratError("a #loop.parallel loop cannot carry values (iter_args)", loop)
    captured = captured_values(loop)
    passed = [v for v in captured if not is_constant(v)]
    context_type = llvm.LLVMStructType.from_type_list([llvm_type(v.type) for v in passed])

    # The outlined function: unpack the context, recompute constants, run the chunk.
    entry = Block(arg_types=[PTR, IndexType(), IndexType()])
    context, begin, end = entry.args
    mapping: dict[SSAValue, SSAValue] = {}
    if passed:
        struct = llvm.LoadOp(context, context_type)
        entry.add_op(struct)
        for index, value in enumerate(passed):
            field = field_op(struct.dereferenced_value, index, llvm_type(value.type))
            entry.add_op(field)
            mapping[value] = cast_to(entry, field.results[0], value.type)

    def recompute(value: SSAValue) -> SSAValue:
        if value not in mapping:
            assert isinstance(value, OpResult)
            for operand in value.op.operands:
                recompute(operand)
            clone = value.op.clone(value_mapper=mapping)
            entry.add_op(clone)
            mapping.update(zip(value.op.results, clone.results, strict=True))
        return mapping[value]

    for value in captured:
        recompute(value)
    body = loop.detach_region(loop.body)
    chunk = scf.ForOp(begin, end, mapping[loop.step], [], body)
    kept = [a for a in annotations(loop) if not isinstance(a, ParallelAttr)]
    if kept:
        chunk.attributes[ANNOTATIONS] = ArrayAttr(kept)
    for value in captured:
        for use in list(value.uses):
            if chunk.is_ancestor(use.operation):
                use.operation.operands[use.index] = mapping[value]
    entry.add_ops([chunk, func.ReturnOp()])
    outlined = func.FuncOp(name, ([PTR, IndexType(), IndexType()], []), Region(entry), "private")
    Rewriter.insert_op(outlined, InsertPoint.after(function))

    # The call: the context lives in the caller's entry block, so a parallel loop inside a
    # sequential one does not grow the stack.
    at = InsertPoint.before(loop)
    if passed:
        function_entry = function.body.blocks[0]
        one = llvm.ConstantOp(IntegerAttr(1, i64), i64)
        slot = llvm.AllocaOp(one, context_type, alignment=8)
        Rewriter.insert_op([one, slot], InsertPoint.at_start(function_entry))
        struct_value: SSAValue = insert_op(llvm.UndefOp(context_type), at)
        for index, value in enumerate(passed):
            field = cast_at(value, llvm_type(value.type), at)
            position = DenseArrayBase.from_list(i64, [index])
            struct_value = insert_op(llvm.InsertValueOp(position, struct_value, field), at)
        Rewriter.insert_op(llvm.StoreOp(struct_value, slot.res), at)
        context_pointer: SSAValue = slot.res
    else:
        context_pointer = insert_op(llvm.ZeroOp(result_types=[PTR]), at)
    address = insert_op(llvm.AddressOfOp(name, PTR), at)
    bounds = [cast_at(v, i64, at) for v in (loop.lb, loop.ub, loop.step)]
    Rewriter.insert_op(llvm.CallOp(RUNTIME_ENTRY, address, context_pointer, *bounds), at)
    Rewriter.erase_op(loop)
    declare_runtime(module)


def field_op(struct: SSAValue, index: int, type: object) -> Operation:
    return llvm.ExtractValueOp(DenseArrayBase.from_list(i64, [index]), struct, type)  # type: ignore[arg-type]


def cast_to(block: Block, value: SSAValue, type: object) -> SSAValue:
    if value.type == type:
        return value
    cast = UnrealizedConversionCastOp.get([value], [type])  # type: ignore[list-item]
    block.add_op(cast)
    return cast.results[0]


def insert_op(op: Operation, at: InsertPoint) -> SSAValue:
    Rewriter.insert_op(op, at)
    return op.results[0]


def cast_at(value: SSAValue, type: object, at: InsertPoint) -> SSAValue:
    if value.type == type:
        return value
    return insert_op(UnrealizedConversionCastOp.get([value], [type]), at)  # type: ignore[list-item]


def declare_runtime(module: ModuleOp) -> None:
    for op in module.ops:
        if isinstance(op, llvm.FuncOp) and op.sym_name.data == RUNTIME_ENTRY:
            return
    signature = llvm.LLVMFunctionType([PTR, PTR, i64, i64, i64], llvm.LLVMVoidType())
    declaration = llvm.FuncOp(RUNTIME_ENTRY, signature, linkage=llvm.LinkageAttr("external"))
    Rewriter.insert_op(declaration, InsertPoint.at_start(module.body.block))
