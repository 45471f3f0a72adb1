"""The walk `loop-to-llvm` lowers a function with: each op visited once, in order, and its
lowering (a function chosen by the op's class) emits llvm ops into the new function's blocks.

The old function is left as it is while the new one is built: what each old value became
is a table (`values`), so a lowering still sees the old types (a memref's static sizes and
strides) while its new ops use the llvm values, and no casts are made to fold away later.
Structured control flow becomes blocks as it is met: an op that owns a region lowers the
region's ops into new blocks and handles its terminator (`scf.yield`, `scf.condition`)
itself. Ops already in the llvm dialect (what a target's lowering made before) move over
with their operands renamed; `builtin.unrealized_conversion_cast` between a type and its
llvm type is the value it casts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from xdsl.dialects import scf
from xdsl.dialects.builtin import UnrealizedConversionCastOp
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.transforms.dead_code_elimination import would_be_trivially_dead

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.common import Declarations, llvm_type

# The lowering of one kind of op: emits its llvm ops and records what its results became.
Lower = Callable[["Lowering", Operation], None]

# Terminators that belong to the op owning their region, which lowers them.
STRUCTURED_TERMINATORS = (scf.YieldOp, scf.ConditionOp, scf.ReduceOp)


class Lowering:
    """One function being lowered: the block new ops go to, what each old value and block
    became, the lowerings by op class and the module's declared functions."""

    def __init__(self, lowerings: dict[type[Operation], Lower], declarations: Declarations):
        self.lowerings = lowerings
        self.declarations = declarations
        self.removable: dict[type[Operation], bool] = {}
        self.region = Region()
        self.block = Block()
        self.values: dict[SSAValue, SSAValue] = {}
        self.blocks: dict[Block, Block] = {}

    # Building ----------------------------------------------------------------------------

    def insert(self, op: Operation) -> None:
        """Append `op` to the current block (the builder protocol of common.py)."""
        self.block.add_op(op)

    def start(self, block: Block) -> None:
        """Append `block` to the function and emit into it from now on."""
        self.region.add_block(block)
        self.block = block

    def new_block(self, types: Iterable[Attribute] = ()) -> Block:
        """A block (not yet placed) taking arguments of the llvm types of `types`."""
        return Block(arg_types=[llvm_type(t) for t in types])

    # Values ------------------------------------------------------------------------------

    def value(self, old: SSAValue) -> SSAValue:
        """What `old` became (an llvm value is itself)."""
        return self.values.get(old, old)

    def operands(self, old: Sequence[SSAValue]) -> list[SSAValue]:
        return [self.values.get(v, v) for v in old]

    def map(self, old: Sequence[SSAValue], new: Sequence[SSAValue]) -> None:
        """Record that each of `old` became the value beside it; a new value without a name
        takes the old one's."""
        for before, after in zip(old, new, strict=True):
            self.values[before] = after
            if after.name_hint is None:
                after.name_hint = before.name_hint

    def result(self, op: Operation, value: SSAValue) -> None:
        """Record what the single result of `op` became."""
        self.map(op.results, [value])

    # Walking -----------------------------------------------------------------------------

    def lower_ops(self, block: Block) -> Operation | None:
        """Lower the ops of `block` into the current block, in order; a structured terminator
        is returned, unlowered, to the op that owns the region."""
        op = block.first_op
        while op is not None:
            following = op.next_op
            lower = self.lowerings.get(type(op))
            if lower is not None:
                lower(self, op)
            elif isinstance(op, STRUCTURED_TERMINATORS):
                return op
            elif isinstance(op, UnrealizedConversionCastOp):
                self.reconcile(op)
            elif op.name.startswith("llvm."):
                self.move(op)
            else:
                raise ZigguratError(f"loop-to-llvm cannot lower '{op.name}'", op)
            op = following
        return None

    def lower_region(
        self, region: Region, into_current: bool, terminator: Callable[[Operation], None]
    ) -> Block | None:
        """Lower the blocks of `region` into new blocks, each placed as it is lowered; with
        `into_current` the first one's ops go to the current block (its arguments mapped
        already). A structured terminator goes to `terminator`. Returns the new first
        block (None with `into_current`)."""
        old_blocks = list(region.blocks)
        for index, old in enumerate(old_blocks):
            if index == 0 and into_current:
                continue
            new = self.new_block(a.type for a in old.args)
            self.map(old.args, new.args)
            self.blocks[old] = new
        first = None if into_current else self.blocks[old_blocks[0]]
        for index, old in enumerate(old_blocks):
            if index or not into_current:
                self.start(self.blocks[old])
            last = self.lower_ops(old)
            if last is not None:
                terminator(last)
        return first

    def move(self, op: Operation) -> None:
        """Move an op already in the llvm dialect over, renaming its operands and
        successors."""
        operands = self.operands(op.operands)
        if any(new is not old for new, old in zip(operands, op.operands, strict=True)):
            op.operands = operands
        if op.successors:
            op.successors = [self.blocks.get(b, b) for b in op.successors]
        op.detach()
        self.block.add_op(op)

    def reconcile(self, op: UnrealizedConversionCastOp) -> None:
        """A cast between a type and its llvm type is the value it casts."""
        for source, result in zip(op.inputs, op.outputs, strict=True):
            value = self.value(source)
            if value.type != llvm_type(result.type):
                raise ZigguratError(
                    f"loop-to-llvm cannot lower a cast from {source.type} to {result.type}", op
                )
            self.map([result], [value])

    def erase_dead_ops(self) -> None:
        """Erase the ops whose results nothing uses and which do nothing else (the index
        constants a static size replaced, a descriptor no access reads), last first so a
        chain of them goes at once."""
        for block in reversed(self.region.blocks):
            op = block.last_op
            while op is not None:
                previous = op.prev_op
                if op.results and all(r.first_use is None for r in op.results):
                    kind = type(op)
                    removable = self.removable.get(kind)
                    if removable is None:
                        removable = self.removable[kind] = would_be_trivially_dead(op)
                    if removable:
                        block.erase_op(op)
                op = previous
