"""Lower the 1-D `vector` ops the loop level uses to the `llvm` dialect. Used by `loop-to-llvm`.

A vector load or store is one LLVM load or store of the vector type at the address of its
first element, aligned as one element is, or as its `alignment` attribute says where a
target has proved more (LLVM raises the alignment where it can prove more); a broadcast is
an insertelement and a shufflevector; a reduction is LLVM's `llvm.vector.reduce.*`
intrinsic.

    %v = vector.load %A[%i] : memref<64xf32>, vector<16xf32>
    ->
    %p = llvm.getelementptr inbounds %aligned[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %v = llvm.load %p {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
"""

from __future__ import annotations

from xdsl.dialects import llvm, vector
from xdsl.dialects.builtin import AnyFloat, DenseArrayBase, FloatAttr, IntegerAttr, VectorType, i32
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.arith import call_intrinsic
from ziggurat.passes.conversion.loop_to_llvm.common import (
    Descriptor,
    byte_size,
    emit,
    intrinsic_suffix,
    llvm_type,
    replace,
)
from ziggurat.passes.conversion.loop_to_llvm.memref import declared_alignment

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


def alignment_of(op: vector.LoadOp | vector.StoreOp, type: VectorType) -> int:
    """The bytes a vector access is aligned to: an element's, or its `alignment`."""
    return max(byte_size(type.element_type, op), declared_alignment(op) or 0)


class LoadLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.LoadOp, rewriter: PatternRewriter):
        type = check_one_dimensional(op.result.type, op)
        address = Descriptor(rewriter, op.base, op).element_pointer(op.indices)
        alignment = alignment_of(op, type)
        load = llvm.LoadOp(address, llvm_type(type), alignment=alignment)
        replace(rewriter, op, [emit(rewriter, load)])


class StoreLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.StoreOp, rewriter: PatternRewriter):
        type = check_one_dimensional(op.vector.type, op)
        address = Descriptor(rewriter, op.base, op).element_pointer(op.indices)
        alignment = alignment_of(op, type)
        rewriter.insert(llvm.StoreOp(op.vector, address, alignment=alignment))
        rewriter.erase(op)


def broadcast(rewriter: PatternRewriter, value: SSAValue, type: VectorType) -> SSAValue:
    """`value` in every lane of a vector of `type`."""
    type = llvm_type(type)  # type: ignore[assignment]
    undef = emit(rewriter, llvm.UndefOp(type))
    zero = emit(rewriter, llvm.ConstantOp(IntegerAttr(0, i32), i32))
    first = emit(rewriter, llvm.InsertElementOp(undef, value, zero))
    mask = DenseArrayBase.from_list(i32, [0] * type.get_shape()[0])
    return emit(rewriter, llvm.ShuffleVectorOp(first, undef, mask, type))


class BroadcastLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.BroadcastOp, rewriter: PatternRewriter):
        type = check_one_dimensional(op.vector.type, op)
        if op.source.type == op.vector.type:
            replace(rewriter, op, [op.source])
            return
        if isinstance(op.source.type, VectorType):
            raise ZigguratError("vector.broadcast is lowered from scalars only", op)
        replace(rewriter, op, [broadcast(rewriter, op.source, type)])


class InsertLowering(RewritePattern):
    """A scalar into a 1-D vector at a constant position: llvm.insertelement."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.InsertOp, rewriter: PatternRewriter):
        check_one_dimensional(op.result.type, op)
        if op.dynamic_position or isinstance(op.source.type, VectorType):
            raise ZigguratError("vector.insert is lowered for a scalar at a constant position", op)
        (lane,) = op.static_position.get_values()
        position = emit(rewriter, llvm.ConstantOp(IntegerAttr(lane, i32), i32))
        replace(rewriter, op, [emit(rewriter, llvm.InsertElementOp(op.dest, op.source, position))])


class FMALowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.FMAOp, rewriter: PatternRewriter):
        type = check_one_dimensional(op.res.type, op)
        result = call_intrinsic(rewriter, "llvm.fma", [op.lhs, op.rhs, op.acc], type)
        replace(rewriter, op, [result])


class ReductionLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: vector.ReductionOp, rewriter: PatternRewriter):
        type = check_one_dimensional(op.vector.type, op)
        kind = op.kind.data.value
        is_float = isinstance(type.element_type, AnyFloat)
        name = REDUCTIONS[kind][0 if is_float else 1]
        if not name:
            raise ZigguratError(f"vector.reduction <{kind}> of {type} is not lowered", op)
        element = llvm_type(type.element_type)
        suffix = intrinsic_suffix(type)
        flags = llvm.FastMathAttr(op.fastmath.data if op.fastmath else None)
        if is_float and kind in ("add", "mul"):
            # The ordered form adds the lanes one by one; reassoc lets it use a tree.
            start = op.acc
            if start is None:
                identity = FloatAttr(0.0 if kind == "add" else 1.0, element)  # type: ignore[arg-type]
                start = emit(rewriter, llvm.ConstantOp(identity, element))
            call = llvm.CallIntrinsicOp(f"{name}.{suffix}", [start, op.vector], [element])
            call.properties["fastmathFlags"] = flags
            replace(rewriter, op, [emit(rewriter, call)])
            return
        call = llvm.CallIntrinsicOp(f"{name}.{suffix}", [op.vector], [element])
        reduced = emit(rewriter, call)
        if op.acc is not None:
            accumulate = ACCUMULATE[kind]
            if isinstance(accumulate, str):
                reduced = call_intrinsic(rewriter, accumulate, [op.acc, reduced], element)
            else:
                reduced = emit(rewriter, accumulate(op.acc, reduced))  # type: ignore[call-arg]
        replace(rewriter, op, [reduced])


VECTOR_PATTERNS: list[RewritePattern] = [
    LoadLowering(),
    StoreLowering(),
    BroadcastLowering(),
    InsertLowering(),
    FMALowering(),
    ReductionLowering(),
]

VECTOR_OPS: tuple[type[Operation], ...] = (
    vector.LoadOp,
    vector.StoreOp,
    vector.BroadcastOp,
    vector.InsertOp,
    vector.FMAOp,
    vector.ReductionOp,
)
