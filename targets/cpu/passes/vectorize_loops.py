"""`vectorize-loops`: turn innermost `#loop.vectorize<W>` loops into `vector` ops (the CPU
target's, before `loop-to-llvm`).

LLVM's loop vectorizer takes the annotation as a hint, but its full unroller runs first and
often unrolls a loop of 16 iterations into scalars before the vectorizer sees it; here the
vector code is written out, so what the schedule asked for is what LLVM gets.

The loop runs W iterations at a time: a load whose last index is the induction variable plus
something loop-invariant becomes a `vector.load` of W elements (the index it computes is
lane 0's), a store likewise; loop-invariant values stay scalar and are broadcast where a
vector op uses them; arith and math ops on vectors are the same ops on vector types. A value
carried by the loop that only accumulates (`%acc + x`, `max(%acc, x)`, ...) is carried as W
partial results and combined after the loop: the annotation allows that reordering. When W
does not divide the trip count, what is left runs in vectors of W/2, W/4, ... down to 4
lanes where the trip count is known (12 iterations at W = 16 are a vector of 8 and one of
4), then in a scalar loop; a vector loop of one iteration is no loop at all. A load at
twice the induction variable along the last dimension (a stride-2 convolution's or pool's
row) is two vector loads, the second ending at the last lane's element, whose even and odd
lanes a shuffle takes. A load along another dimension (or a strided one) is W scalar loads
gathered into a vector (a register tile written back across its layout); a loop with
anything else (a nested loop, a call, a scattering or strided store, a store to a fixed
address, an index that is not the induction variable, or twice it, plus something
invariant) keeps its annotation for LLVM's vectorizer.

    scf.for %j = %c0 to %c32 step %c1 {
      %b = memref.load %B[%k, %j] : memref<64x32xf32>
      %y = arith.mulf %a, %b : f32
      memref.store %y, %C[%i, %j] : memref<64x32xf32>
    } {loop.annotations = [#loop.vectorize<16>]}
    ->
    scf.for %j = %c0 to %c32 step %c16 {
      %b = vector.load %B[%k, %j] : memref<64x32xf32>, vector<16xf32>
      %a16 = vector.broadcast %a : f32 to vector<16xf32>
      %y = arith.mulf %a16, %b : vector<16xf32>
      vector.store %y, %C[%i, %j] : memref<64x32xf32>, vector<16xf32>
    }
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, math, memref, scf, vector
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DenseArrayBase,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    VectorType,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.combiners import COMBINERS, width_of
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import ANNOTATIONS, VectorizeAttr, annotations
from ziggurat.elements import static_strides
from ziggurat.passes.conversion.loop_to_llvm.memref import constant_index
from ziggurat.targets.cpu.passes.convert_math_to_libm import LIBM

UNIFORM, LINEAR, VECTOR, GATHER = "uniform", "linear", "vector", "gather"
# 2 * the induction variable plus a uniform value: lane k reads element 2k past lane 0's.
DOUBLED, DEINTERLEAVE = "doubled", "deinterleave"
MIN_LANES = 4  # the narrowest vector a rest runs in (128 bits of f32)
SCALAR_ONLY = (math.RsqrtOp, math.FPowIOp)


@dataclass(frozen=True)
class VectorizeLoops(ModulePass):
    """Write every innermost `#loop.vectorize` loop whose body allows it as vector ops."""

    name = "vectorize-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        vectorize_loops(op)


def vectorize_loops(module: ModuleOp) -> None:
    for loop in [op for op in module.walk() if isinstance(op, scf.ForOp)]:
        widths = [a.width.data for a in annotations(loop) if isinstance(a, VectorizeAttr)]
        if not widths or widths[0] <= 1:
            continue
        width, rest = widths[0], loop
        # What W lanes leave, narrower vectors take.
        while rest is not None and width >= min(widths[0], MIN_LANES):
            kinds = classify(rest)
            if kinds is None:
                break
            rest = vectorize(rest, width, kinds)
            width //= 2


def is_scalar(type: Attribute) -> bool:
    return isinstance(type, AnyFloat | IntegerType | IndexType)


def access_kind(type: Attribute, index_kinds: list[str]) -> str | None:
    """A load or store at these indices: the same element each iteration (uniform), W
    consecutive elements (vector), every other one of 2W - 1 consecutive elements
    (deinterleave: loads only), W elements a fixed stride apart (gather: loads only), or
    something else (None)."""
    if all(kind == UNIFORM for kind in index_kinds):
        return UNIFORM
    if not isinstance(type, MemRefType) or not is_scalar(type.element_type):
        return None
    if isinstance(type.element_type, IntegerType) and type.element_type.width.data % 8:
        return None  # a vector of i1 in memory is packed bits, a memref of i1 is bytes
    varying = [kind for kind in index_kinds if kind != UNIFORM]
    if len(varying) != 1 or varying[0] not in (LINEAR, DOUBLED):
        return None
    if index_kinds[-1] != UNIFORM and static_strides(type)[-1] == 1:
        return VECTOR if index_kinds[-1] == LINEAR else DEINTERLEAVE
    return GATHER


def classify(loop: scf.ForOp) -> dict[SSAValue, str] | None:
    """Whether each value of the body is uniform across iterations, the induction variable
    plus a uniform value, or per lane; None if the loop cannot be vectorized here."""
    block = loop.body.block
    if constant_index(loop.step) != 1 or reductions(loop) is None:
        return None
    kinds: dict[SSAValue, str] = {block.args[0]: LINEAR}
    kinds.update({arg: VECTOR for arg in block.args[1:]})
    return kinds if classify_ops(block, kinds) else None


def classify_ops(block: Block, kinds: dict[SSAValue, str]) -> bool:
    """Classify the values of `block` into `kinds`; whether all of it can be vectorized.
    An `scf.if` on a uniform condition (a split tail's guard) runs all lanes or none."""
    for op in block.ops:
        operand_kinds = [kinds.get(v, UNIFORM) for v in op.operands]
        kind: str | None
        if isinstance(op, scf.YieldOp):
            continue
        if isinstance(op, scf.IfOp):
            if operand_kinds[0] != UNIFORM or op.results:
                return False
            if not all(classify_ops(b, kinds) for r in op.regions for b in r.blocks):
                return False
            continue
        if isinstance(op, memref.LoadOp):
            kind = access_kind(op.memref.type, operand_kinds[1:])
            kind = VECTOR if kind in (GATHER, DEINTERLEAVE) else kind
        elif isinstance(op, memref.StoreOp):
            if operand_kinds[0] in (LINEAR, DOUBLED):
                return False
            if access_kind(op.memref.type, operand_kinds[2:]) != VECTOR:
                return False
            continue
        elif LINEAR in operand_kinds or DOUBLED in operand_kinds:
            kind = index_kind(op, operand_kinds)
        elif elementwise(op):
            kind = VECTOR if VECTOR in operand_kinds else UNIFORM
        else:
            return False
        if kind is None:
            return False
        kinds.update({result: kind for result in op.results})
    return True


def index_kind(op: Operation, operand_kinds: list[str]) -> str | None:
    """An index op on the induction variable: i + uniform, uniform + i and i - uniform stay
    lane 0's index (of i or of 2i: a strided convolution's or pool's column), i * 2 and
    2 * i are doubled; None for anything else."""
    varying = operand_kinds[0] if operand_kinds[0] != UNIFORM else operand_kinds[-1]
    if isinstance(op, arith.AddiOp) and sorted(operand_kinds) == sorted([varying, UNIFORM]):
        return varying
    if isinstance(op, arith.SubiOp) and operand_kinds == [varying, UNIFORM]:
        return varying
    if isinstance(op, arith.MuliOp) and sorted(operand_kinds) == [LINEAR, UNIFORM]:
        factor = op.operands[operand_kinds.index(UNIFORM)]
        return DOUBLED if constant_index(factor) == 2 else None
    return None


def elementwise(op: Operation) -> bool:
    """An arith or math op on scalars that is the same op on vectors; not the math functions
    lowered to scalar libm calls."""
    return (
        op.name.startswith(("arith.", "math."))
        and not op.regions
        and type(op) not in SCALAR_ONLY
        and type(op) not in LIBM
        and all(is_scalar(t) for t in op.result_types)
    )


def reductions(loop: scf.ForOp) -> list[Operation] | None:
    """The op accumulating each loop-carried value, or None if one does something else."""
    block = loop.body.block
    yielded = block.last_op
    assert isinstance(yielded, scf.YieldOp)
    combiners = []
    for arg, value in zip(block.args[1:], yielded.operands, strict=True):
        op = value.owner
        if not (
            isinstance(op, Operation)
            and type(op) in COMBINERS
            and op.parent_block() is block
            and [use.operation for use in arg.uses] == [op]
            and len(list(value.uses)) == 1
            and is_scalar(arg.type)
        ):
            return None
        combiners.append(op)
    return combiners


def vectorize(loop: scf.ForOp, width: int, kinds: dict[SSAValue, str]) -> scf.ForOp | None:
    """Run `loop` W iterations at a time; the scalar loop of the iterations left when their
    number is known (`loop` itself when it is below W), else None."""
    lower, upper = constant_index(loop.lb), constant_index(loop.ub)
    combiners = reductions(loop)
    assert combiners is not None
    # What combines each accumulator's lanes, read before the body is rewritten.
    accumulators = [(COMBINERS[type(op)], reduction_flags(op)) for op in combiners]
    before = InsertPoint.before(loop)

    def index(value: int) -> SSAValue:
        constant = arith.ConstantOp(IntegerAttr.from_index_int_value(value))
        Rewriter.insert_op(constant, before)
        return constant.result

    # The vector loop ends at the last multiple of W iterations; a scalar loop does the rest.
    if lower is not None and upper is not None:
        vector_trips = max(upper - lower, 0) // width
        if vector_trips == 0:
            return loop
        vector_end = index(lower + vector_trips * width)
        remainder = (upper - lower) % width != 0
    else:
        span = arith.SubiOp(loop.ub, loop.lb)
        positive = arith.MaxSIOp(span, index(0))
        quotient = arith.DivSIOp(positive, index(width))
        whole = arith.MuliOp(quotient, index(width))
        end = arith.AddiOp(loop.lb, whole)
        Rewriter.insert_op([span, positive, quotient, whole, end], before)
        vector_end, vector_trips, remainder = end.result, None, True
    rest = loop.clone() if remainder else None

    block = loop.body.block
    vectorize_body(block, width, kinds)
    initial = []
    for init, (combiner, _) in zip(loop.iter_args, accumulators, strict=True):
        initial.append(splat(combiner.identity(init.type), init.type, width, before))
    body = loop.detach_region(loop.body)
    vector_loop = scf.ForOp(loop.lb, vector_end, index(width), initial, body)
    kept = [a for a in annotations(loop) if not isinstance(a, VectorizeAttr)]
    if kept:
        vector_loop.attributes[ANNOTATIONS] = ArrayAttr(kept)
    Rewriter.insert_op(vector_loop, before)

    # Combine the lanes of each accumulator with the value the loop started from.
    results: list[SSAValue] = []
    for result, init, (combiner, flags) in zip(
        vector_loop.results, loop.iter_args, accumulators, strict=True
    ):
        # xDSL's ReductionOp constructor gives the result the vector's type.
        properties: dict[str, Attribute] = {
            "kind": vector.CombiningKindAttr(vector.CombiningKindFlag(combiner.kind))
        }
        if flags is not None:
            properties["fastmath"] = flags
        reduced = vector.ReductionOp.create(
            operands=[result, init], result_types=[init.type], properties=properties
        )
        Rewriter.insert_op(reduced, before)
        results.append(reduced.dest)
    if rest is not None:
        rest.operands = [vector_end, rest.ub, rest.step, *results]
        rest.attributes.pop(ANNOTATIONS, None)
        Rewriter.insert_op(rest, before)
        results = list(rest.results)
    for old, new in zip(loop.results, results, strict=True):
        old.replace_all_uses_with(new)
    Rewriter.erase_op(loop)
    if vector_trips == 1:
        inline_single_iteration(vector_loop)
    return rest if vector_trips is not None else None


def reduction_flags(combiner: Operation) -> arith.FastMathFlagsAttr | None:
    """A float combiner's own flags plus `reassoc`: the lanes are combined in any order."""
    if not isinstance(combiner.result_types[0], AnyFloat):
        return None
    own = combiner.properties.get("fastmath")
    flags = {arith.FastMathFlag.REASSOC, *(own.data if own is not None else ())}  # type: ignore[attr-defined]
    return arith.FastMathFlagsAttr(flags)


def splat(value: float | int, type: Attribute, width: int, at: InsertPoint) -> SSAValue:
    """A vector constant with every lane `value`."""
    if isinstance(type, AnyFloat):
        scalar: Operation = arith.ConstantOp(FloatAttr(value, type))
    else:
        bits = width_of(type)
        wrapped = value % (1 << bits)
        signed = wrapped - (1 << bits) if wrapped >= 1 << (bits - 1) else wrapped
        scalar = arith.ConstantOp(IntegerAttr(signed, type))  # type: ignore[arg-type]
    broadcast = vector.BroadcastOp(scalar, VectorType(type, [width]))
    Rewriter.insert_op([scalar, broadcast], at)
    return broadcast.vector


def vectorize_body(block: Block, width: int, kinds: dict[SSAValue, str]) -> None:
    """Rewrite the body in place: per-lane values become vectors of W lanes."""
    vectors: dict[SSAValue, SSAValue] = {}
    for arg in block.args[1:]:
        carried = Rewriter.replace_value_with_new_type(arg, VectorType(arg.type, [width]))
        vectors[carried] = carried
    replaced: list[tuple[Operation, Operation]] = []
    rewrite_ops(block, width, kinds, vectors, replaced)
    for op, new in reversed(replaced):
        for old, value in zip(op.results, new.results, strict=True):
            old.replace_all_uses_with(value)
        Rewriter.erase_op(op)


def rewrite_ops(
    block: Block,
    width: int,
    kinds: dict[SSAValue, str],
    vectors: dict[SSAValue, SSAValue],
    replaced: list[tuple[Operation, Operation]],
) -> None:
    """Insert the vector form of each per-lane op of `block` before it, recording the pair
    in `replaced`; `vectors` maps values to their vectors (broadcasts made in this block
    included). The blocks of an `scf.if` get a copy: what is made there stays there."""

    def as_vector(value: SSAValue, at: Operation) -> SSAValue:
        if value not in vectors:
            broadcast = vector.BroadcastOp(value, VectorType(value.type, [width]))
            Rewriter.insert_op(broadcast, InsertPoint.before(at))
            vectors[value] = broadcast.vector
        return vectors[value]

    for op in list(block.ops):
        if isinstance(op, scf.IfOp):
            for region in op.regions:
                for inner in region.blocks:
                    rewrite_ops(inner, width, kinds, dict(vectors), replaced)
            continue
        if isinstance(op, scf.YieldOp):
            new: Operation = scf.YieldOp(*[vectors.get(v, v) for v in op.operands])
        elif isinstance(op, memref.StoreOp):
            new = vector.StoreOp(as_vector(op.value, op), op.memref, op.indices)
        elif not op.results or kinds[op.results[0]] != VECTOR:
            continue
        elif isinstance(op, memref.LoadOp):
            index_kinds = [kinds.get(v, UNIFORM) for v in op.indices]
            access = access_kind(op.memref.type, index_kinds)
            if access == DEINTERLEAVE:
                new = deinterleave(op, width)
                vectors[op.res] = new.results[0]
                replaced.append((op, new))
                continue
            if access == GATHER:
                axis = next(i for i, k in enumerate(index_kinds) if k != UNIFORM)
                new = gather(op, axis, width, 2 if index_kinds[axis] == DOUBLED else 1)
                vectors[op.res] = new.results[0]
                replaced.append((op, new))
                continue
            new = vector.LoadOp(op.memref, op.indices, VectorType(op.res.type, [width]))
        else:
            # xDSL's casts and comparisons take scalars only; ours take vectors too.
            new = arith_extra.XDSL.get(type(op), type(op)).create(
                operands=[as_vector(v, op) for v in op.operands],
                result_types=[VectorType(t, [width]) for t in op.result_types],
                properties=dict(op.properties),
                attributes=dict(op.attributes),
            )
        Rewriter.insert_op(new, InsertPoint.before(op))
        vectors.update(zip(op.results, new.results, strict=True))
        replaced.append((op, new))


def deinterleave(load: memref.LoadOp, width: int) -> Operation:
    """Lane k reading element 2k past lane 0's: a vector load at lane 0's element and one
    ending at lane W-1's (so nothing past it is read), their even and odd lanes shuffled
    together, before `load`; the shuffle."""
    at = InsertPoint.before(load)
    type = VectorType(load.res.type, [width])
    indices = list(load.indices)
    offset = arith.ConstantOp(IntegerAttr.from_index_int_value(width - 1))
    moved = arith.AddiOp(indices[-1], offset)
    first = vector.LoadOp(load.memref, indices, type)
    second = vector.LoadOp(load.memref, [*indices[:-1], moved.result], type)
    # Lane k < W/2 is element 2k of the first; lane k >= W/2 element 2k + 1 - W of the
    # second, which the shuffle numbers 2k + 1.
    lanes = [2 * k + (k >= width // 2) for k in range(width)]
    mask = DenseArrayBase.from_list(i64, lanes)
    shuffle = vector.ShuffleOp(first.result, second.result, mask, result_type=type)
    Rewriter.insert_op([offset, moved, first, second, shuffle], at)
    return shuffle


def gather(load: memref.LoadOp, axis: int, width: int, stride: int = 1) -> Operation:
    """W scalar loads, lane k's at index `axis` plus k times `stride`, inserted into a
    vector, before `load`; the last insert (the vector)."""
    at = InsertPoint.before(load)
    result: SSAValue | None = None
    last: Operation | None = None
    for lane in range(width):
        indices = list(load.indices)
        if lane:
            offset = arith.ConstantOp(IntegerAttr.from_index_int_value(lane * stride))
            moved = arith.AddiOp(indices[axis], offset)
            Rewriter.insert_op([offset, moved], at)
            indices[axis] = moved.result
        scalar = memref.LoadOp.get(load.memref, indices)
        if result is None:
            last = vector.BroadcastOp(scalar.res, VectorType(load.res.type, [width]))
        else:
            last = vector.InsertOp(scalar.res, result, [lane])  # type: ignore[call-arg]
        Rewriter.insert_op([scalar, last], at)
        result = last.results[0]
    assert last is not None
    return last


def inline_single_iteration(loop: scf.ForOp) -> None:
    """Replace a loop that runs once by its body."""
    block = loop.body.block
    yielded = block.last_op
    assert isinstance(yielded, scf.YieldOp)
    block.args[0].replace_all_uses_with(loop.lb)
    for arg, init in zip(block.args[1:], loop.iter_args, strict=True):
        arg.replace_all_uses_with(init)
    for result, value in zip(loop.results, yielded.operands, strict=True):
        result.replace_all_uses_with(value)
    Rewriter.erase_op(yielded)
    for op in list(block.ops):
        op.detach()
        Rewriter.insert_op(op, InsertPoint.before(loop))
    Rewriter.erase_op(loop)
