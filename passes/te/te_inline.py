"""`te-inline`: keep a function's intermediate tensors out of memory where they need not be.

TVM's compute_inline: a `te.compute` without reduction whose result only other computes of
the function read is substituted into them, each `te.read` of it replaced by its body at
the read's indices, and then erased. Elementwise and injective chains become one compute.

A reduction read by one non-reduction compute, at that compute's own output indices (a
conv2d, dense or pool and its elementwise epilogue), cannot be substituted: it is marked
`{ziggurat.compute_at_consumer}`, and te-to-loop then computes each of its elements inside
the consumer's loop nest, in a scalar accumulator, so the pair is one loop nest with one
store.

    %r = te.compute "relu" (%y) axes ["i"] : ... {
      %v = te.read %y[%i] : tensor<8xf32>   // %y is te.compute "exp" (%x) ...
becomes
    %r = te.compute "relu" (%x) axes ["i"] : ... {
      %x0 = te.read %x[%i] : tensor<8xf32>
      %v = math.exp %x0 : f32
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, scf
from xdsl.dialects.builtin import ModuleOp, UnitAttr
from xdsl.ir import Block, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.dialects.te import ComputeOp, LoopOp, ReadOp

COMPUTE_AT_CONSUMER = "ziggurat.compute_at_consumer"


def enclosing_compute(op: ReadOp) -> ComputeOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, ComputeOp):
        parent = parent.parent_op()
    return parent


def readers(value: SSAValue) -> list[ReadOp] | None:
    """The te.reads of `value` if computes are all that use it (as an input they read),
    else None."""
    users = [use.operation for use in value.uses]
    if not users or not all(isinstance(u, ReadOp | ComputeOp) for u in users):
        return None
    return [u for u in users if isinstance(u, ReadOp)]


def substitute(producer: ComputeOp, read: ReadOp) -> None:
    """Replace `read` of the producer's result by the producer's body at its indices."""
    consumer = enclosing_compute(read)
    assert consumer is not None
    mapping: dict[SSAValue, SSAValue] = dict(zip(producer.block.args, read.indices, strict=True))
    for op in producer.block.ops:
        if op is producer.yield_op:
            break
        Rewriter.insert_op(op.clone(value_mapper=mapping), InsertPoint.before(read))
    read.result.replace_all_uses_with(mapping.get(producer.yield_op.value, producer.yield_op.value))
    Rewriter.erase_op(read)
    still_read = any(
        isinstance(o, ReadOp) and o.tensor is producer.result for o in consumer.body.walk()
    )
    # The producer's inputs take its place among the consumer's.
    inputs: list[SSAValue] = []
    for value in consumer.inputs:
        if value is producer.result:
            inputs += [v for v in producer.inputs if v not in inputs and v not in consumer.inputs]
            if not still_read:
                continue
        inputs.append(value)
    consumer.operands = inputs


def inline_block(block: Block) -> None:
    for op in reversed(list(block.ops)):
        if not isinstance(op, ComputeOp) or op.reduce_kind is not None:
            continue
        reads = readers(op.result)
        if reads is None:
            continue
        for read in reads:
            substitute(op, read)
        Rewriter.erase_op(op)
    for op in block.ops:
        if isinstance(op, ComputeOp) and op.reduce_kind is not None and reads_at_own_indices(op):
            op.attributes[COMPUTE_AT_CONSUMER] = UnitAttr()


def reads_at_own_indices(reduction: ComputeOp) -> bool:
    """Whether one non-reduction compute reads `reduction`, once, at its output indices."""
    reads = readers(reduction.result)
    if reads is None or len(reads) != 1:
        return False
    (read,) = reads
    consumer = enclosing_compute(read)
    assert consumer is not None
    shape = reduction.result.type.get_shape()  # type: ignore[attr-defined]
    if (
        consumer.reduce_kind is not None
        or read.parent_block() is not consumer.block
        or consumer.result.type.get_shape() != shape  # type: ignore[attr-defined]
    ):
        return False
    # An index into a dimension of extent 1 can only be 0, whatever computes it.
    return all(
        index is axis or extent == 1
        for index, axis, extent in zip(read.indices, consumer.block.args, shape, strict=False)
    )


@dataclass(frozen=True)
class TeInline(ModulePass):
    """Inline computes without reduction into their readers; mark reductions to compute in
    their elementwise consumer's loop nest."""

    name = "te-inline"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in op.ops:
            if isinstance(function, func.FuncOp) and not function.is_declaration:
                for block in function.body.blocks:
                    inline_block(block)
                # The bodies of loops and branches, each on its own.
                for inner in function.walk():
                    if isinstance(inner, LoopOp | scf.IfOp):
                        for region in inner.regions:
                            for block in region.blocks:
                                inline_block(block)
