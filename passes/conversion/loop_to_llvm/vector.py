"""Lower the 1-D `vector` ops the loop level uses to the `llvm` dialect. Used by `loop-to-llvm`.

A vector load or store is one LLVM load or store of the vector type at the address of its
first element, aligned as one element is, or as its `alignment` attribute says where a
target has proved more (LLVM raises the alignment where it can prove more); a broadcast is
an insertelement and a shufflevector, a shuffle a shufflevector; a reduction is LLVM's
`llvm.vector.reduce.*` intrinsic.

    %v = vector.load %A[%i] : memref<64xf32>, vector<16xf32>
    ->
    %p = llvm.getelementptr inbounds %aligned[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %v = llvm.load %p {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
"""

from __future__ import annotations

from xdsl.dialects import llvm, vector
from xdsl.dialects.builtin import AnyFloat, DenseArrayBase, FloatAttr, IntegerAttr, VectorType, i32
from xdsl.ir import Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.arith import call_intrinsic
from ziggurat.passes.conversion.loop_to_llvm.common import (
    Builder,
    byte_size,
    emit,
    intrinsic_suffix,
    llvm_type,
    load,
    store,
)
from ziggurat.passes.conversion.loop_to_llvm.lowering import Lower, Lowering
from ziggurat.passes.conversion.loop_to_llvm.memref import declared_alignment, descriptor

# vector.reduction kinds: LLVM's reduction intrinsic (for floats, for integers) and the
# intrinsic or instruction that folds in the accumulator.
REDUCTIONS: dict[str, tuple[str, str]] = {
    "add": ("llvm.vector.reduce.fadd", "llvm.vector.reduce.add"),
    "mul": ("llvm.vector.reduce.fmul", "llvm.vector.reduce.mul"),
    "maximumf": ("llvm.vector.reduce.fmaximum", ""),
    "minimumf": ("llvm.vector.reduce.fminimum", ""),
    "maxnumf": ("llvm.vector.reduce.fmax", ""),
    "minnumf": ("llvm.vector.reduce.fmin", ""),
    "and": ("", "llvm.vector.reduce.and"),
    "or": ("", "llvm.vector.reduce.or"),
    "xor": ("", "llvm.vector.reduce.xor"),
    "maxsi": ("", "llvm.vector.reduce.smax"),
    "minsi": ("", "llvm.vector.reduce.smin"),
    "maxui": ("", "llvm.vector.reduce.umax"),
    "minui": ("", "llvm.vector.reduce.umin"),
}

# Folding the accumulator into a reduced value (fadd and fmul take it as the start value).
ACCUMULATE: dict[str, type[Operation] | str] = {
    "add": llvm.AddOp,
    "mul": llvm.MulOp,
    "maximumf": "llvm.maximum",
    "minimumf": "llvm.minimum",
    "maxnumf": "llvm.maxnum",
    "minnumf": "llvm.minnum",
    "and": llvm.AndOp,
    "or": llvm.OrOp,
    "xor": llvm.XOrOp,
    "maxsi": "llvm.smax",
    "minsi": "llvm.smin",
    "maxui": "llvm.umax",
    "minui": "llvm.umin",
}


def check_one_dimensional(type: object, where: Operation) -> VectorType:
    if not isinstance(type, VectorType) or type.get_num_dims() != 1:
        raise ZigguratError(f"'{where.name}' is lowered for 1-D vectors only, got {type}", where)
    return type


def lower_load(lower: Lowering, op: vector.LoadOp) -> None:
    type = check_one_dimensional(op.result.type, op)
    address = descriptor(lower, op.base, op).element_pointer(lower.operands(op.indices))
    alignment = max(byte_size(type.element_type, op), declared_alignment(op) or 0)
    lower.result(op, load(lower, address, llvm_type(type), alignment))


def lower_store(lower: Lowering, op: vector.StoreOp) -> None:
    type = check_one_dimensional(op.vector.type, op)
    address = descriptor(lower, op.base, op).element_pointer(lower.operands(op.indices))
    alignment = max(byte_size(type.element_type, op), declared_alignment(op) or 0)
    store(lower, lower.value(op.vector), address, alignment)


def broadcast(builder: Builder, value: SSAValue, type: VectorType) -> SSAValue:
    """`value` in every lane of a vector of `type`."""
    type = llvm_type(type)  # type: ignore[assignment]
    undef = emit(builder, llvm.UndefOp(type))
    zero = emit(builder, llvm.ConstantOp(IntegerAttr(0, i32), i32))
    first = emit(builder, llvm.InsertElementOp(undef, value, zero))
    mask = DenseArrayBase.from_list(i32, [0] * type.get_shape()[0])
    return emit(builder, llvm.ShuffleVectorOp(first, undef, mask, type))


def lower_broadcast(lower: Lowering, op: vector.BroadcastOp) -> None:
    type = check_one_dimensional(op.vector.type, op)
    if op.source.type == op.vector.type:
        lower.result(op, lower.value(op.source))
        return
    if isinstance(op.source.type, VectorType):
        raise ZigguratError("vector.broadcast is lowered from scalars only", op)
    lower.result(op, broadcast(lower, lower.value(op.source), type))


def lower_insert(lower: Lowering, op: vector.InsertOp) -> None:
    """A scalar into a 1-D vector at a constant position: llvm.insertelement."""
    check_one_dimensional(op.result.type, op)
    if op.dynamic_position or isinstance(op.source.type, VectorType):
        raise ZigguratError("vector.insert is lowered for a scalar at a constant position", op)
    (lane,) = op.static_position.get_values()
    position = emit(lower, llvm.ConstantOp(IntegerAttr(lane, i32), i32))
    insert = llvm.InsertElementOp(lower.value(op.dest), lower.value(op.source), position)
    lower.result(op, emit(lower, insert))


def lower_shuffle(lower: Lowering, op: vector.ShuffleOp) -> None:
    """Lanes of two 1-D vectors picked by a constant mask: llvm.shufflevector."""
    type = check_one_dimensional(op.result.type, op)
    check_one_dimensional(op.v1.type, op)
    mask = DenseArrayBase.from_list(i32, list(op.mask.get_values()))
    first, second = lower.operands([op.v1, op.v2])
    shuffle = llvm.ShuffleVectorOp(first, second, mask, llvm_type(type))
    lower.result(op, emit(lower, shuffle))


def lower_fma(lower: Lowering, op: vector.FMAOp) -> None:
    type = check_one_dimensional(op.res.type, op)
    args = lower.operands([op.lhs, op.rhs, op.acc])
    lower.result(op, call_intrinsic(lower, "llvm.fma", args, type))


def lower_reduction(lower: Lowering, op: vector.ReductionOp) -> None:
    type = check_one_dimensional(op.vector.type, op)
    kind = op.kind.data.value
    is_float = isinstance(type.element_type, AnyFloat)
    name = REDUCTIONS[kind][0 if is_float else 1]
    if not name:
        raise ZigguratError(f"vector.reduction <{kind}> of {type} is not lowered", op)
    element = llvm_type(type.element_type)
    suffix = intrinsic_suffix(type)
    flags = llvm.FastMathAttr(op.fastmath.data if op.fastmath else None)
    vector_value = lower.value(op.vector)
    accumulator = lower.value(op.acc) if op.acc is not None else None
    if is_float and kind in ("add", "mul"):
        # The ordered form adds the lanes one by one; reassoc lets it use a tree.
        start = accumulator
        if start is None:
            identity = FloatAttr(0.0 if kind == "add" else 1.0, element)  # type: ignore[arg-type]
            start = emit(lower, llvm.ConstantOp(identity, element))
        call = llvm.CallIntrinsicOp(f"{name}.{suffix}", [start, vector_value], [element])
        call.properties["fastmathFlags"] = flags
        lower.result(op, emit(lower, call))
        return
    reduced = emit(lower, llvm.CallIntrinsicOp(f"{name}.{suffix}", [vector_value], [element]))
    if accumulator is not None:
        accumulate = ACCUMULATE[kind]
        if isinstance(accumulate, str):
            reduced = call_intrinsic(lower, accumulate, [accumulator, reduced], element)
        else:
            reduced = emit(lower, accumulate(accumulator, reduced))  # type: ignore[call-arg]
    lower.result(op, reduced)


VECTOR_LOWERINGS: dict[type[Operation], Lower] = {
    vector.LoadOp: lower_load,
    vector.StoreOp: lower_store,
    vector.BroadcastOp: lower_broadcast,
    vector.InsertOp: lower_insert,
    vector.ShuffleOp: lower_shuffle,
    vector.FMAOp: lower_fma,
    vector.ReductionOp: lower_reduction,
}

VECTOR_OPS: tuple[type[Operation], ...] = tuple(VECTOR_LOWERINGS)
