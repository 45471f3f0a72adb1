"""`fuse-ops`: group graph ops by pattern kind (TVM's rules) and outline each group.

Within a function, each graph op fuses into its immediate post-dominator (the first op that
every path from it to the function's results passes through) when the ops on those paths
allow it, in TVM's order:

1. An out-elementwise-fusable op (conv2d, dense, matmul, pools) takes the elementwise and
   broadcast ops after it as its epilogue, when the edge to its post-dominator is
   elementwise and every op on the way is at most broadcast.
2. An elementwise or broadcast op fuses into a post-dominator reached through injective
   edges, or into a reduction (as its prologue); the last op may already be in a group.
3. Injective ops (reshape, transpose, concat) fuse with injective ops after them, once
   every out-elementwise-fusable op has taken its epilogue.

A reduction ends a group and an opaque op (softmax) stands alone. An op with regions
(graph.if, graph.loop) stays where it is, and the ops of each of its blocks are fused
among themselves: no group crosses into or out of a region. Fusing only into a
post-dominator, with every op on the paths in between, never creates a cycle, and a value
used outside its group is an output of the group. A value the function returns has no
post-dominator, so it ends its group.

Each group becomes `func.func private @fused_<op names>` marked `{ziggurat.fused}`, and
`{ziggurat.anchor = "conv2d"}` naming the op of the group's highest pattern kind when that
is a reduction, an out-elementwise-fusable or an opaque op; it is called from where it was
with `func.call`; constants and values from other groups are arguments. Groups that are
the same up to their inputs share one function.

    %y = graph.conv2d %x, %w : (...) -> tensor<1x8x6x6xf32>
    %z = graph.relu %y : tensor<1x8x6x6xf32>
becomes
    func.func private @fused_conv2d_relu(%x: ..., %w: ...) -> tensor<1x8x6x6xf32>
        attributes {ziggurat.fused} {...}
    ...
    %z = func.call @fused_conv2d_relu(%x, %w) : (...) -> tensor<1x8x6x6xf32>
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, StringAttr, UnitAttr
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import IsTerminator

from ziggurat.dialects.graph import ConstantOp, PatternKind, pattern_kind, shape_of

FUSED = "ziggurat.fused"
ANCHOR = "ziggurat.anchor"
"""On a fused function: the op its group is built around (conv2d, dense, a reduction,
softmax), which tells the default schedules what its loop nest computes."""

# Groups are named after their first few ops; the rest only lengthen the name.
NAMED_OPS = 6


def is_node(op: Operation) -> bool:
    """Whether `op` takes part in fusion: every graph op but constants, control flow (an
    op with regions stays where it is; the ops of each of its blocks fuse among
    themselves) and its terminators."""
    return (
        op.name.startswith("graph.")
        and not isinstance(op, ConstantOp)
        and not op.regions
        and not op.has_trait(IsTerminator)
    )


def blocks_to_fuse(function: func.FuncOp) -> list[Block]:
    """The function's blocks, then those of the graph ops with regions in it."""
    nested = [
        block
        for op in function.walk()
        if op.name.startswith("graph.") and op.regions
        for region in op.regions
        for block in region.blocks
    ]
    return [*function.body.blocks, *nested]


@dataclass(eq=False)
class Node:
    """One graph op, its pattern kind, and the edges to the nodes that use its results."""

    op: Operation
    index: int
    kind: PatternKind
    outputs: list[tuple[Node, PatternKind]] = field(default_factory=list)
    extern: bool = False  # a result is used by something that is not a node (a return)


def edge_kind(value: SSAValue, consumer: Operation) -> PatternKind:
    """The consumer's kind, except that broadcasting an operand already of the result's
    shape is elementwise."""
    kind = pattern_kind(consumer)
    if kind == PatternKind.BROADCAST and shape_of(value) == shape_of(consumer.results[0]):
        return PatternKind.ELEMENTWISE
    return kind


def dataflow(block: Block) -> list[Node]:
    """The nodes of `block` in program order (a topological order), with their edges."""
    nodes = {op: Node(op, n, pattern_kind(op)) for n, op in enumerate(filter(is_node, block.ops))}
    for node in nodes.values():
        for result in node.op.results:
            for use in result.uses:
                consumer = nodes.get(use.operation)
                if consumer is None:
                    node.extern = True
                else:
                    node.outputs.append((consumer, edge_kind(result, use.operation)))
    return list(nodes.values())


@dataclass(eq=False)
class DominatorNode:
    """A node of the post-dominator tree: its parent, depth, and the combined kind of the
    edges on the paths from the node to its parent."""

    parent: DominatorNode | None
    depth: int
    kind: PatternKind
    node: Node | None = None


def post_dominators(nodes: Sequence[Node]) -> list[DominatorNode]:
    """Each node's place in the post-dominator tree; a node the function returns, or
    whose uses share no post-dominator, is a root."""
    tree: list[DominatorNode | None] = [None] * len(nodes)
    for node in reversed(nodes):
        parent, kind = None, PatternKind.OPAQUE
        if not node.extern and node.outputs:
            parent, kind = common_post_dominator(node, tree)
        entry = DominatorNode(parent, parent.depth + 1 if parent else 1, kind, node)
        tree[node.index] = entry
    return tree  # type: ignore[return-value]


def common_post_dominator(
    node: Node, tree: list[DominatorNode | None]
) -> tuple[DominatorNode | None, PatternKind]:
    first, kind = node.outputs[0]
    parent: DominatorNode | None = tree[first.index]
    for consumer, edge in node.outputs[1:]:
        kind = max(kind, edge)
        other = tree[consumer.index]
        while parent is not other:
            if parent is None or other is None:
                return None, kind
            if parent.depth < other.depth:
                kind, other = max(kind, other.kind), other.parent
            elif other.depth < parent.depth:
                kind, parent = max(kind, parent.kind), parent.parent
            else:
                kind = max(kind, parent.kind, other.kind)
                parent, other = parent.parent, other.parent
    return parent, kind


@dataclass(eq=False)
class Group:
    """A union-find set of nodes; the root's fields describe the whole group."""

    kind: PatternKind
    anchor: Node | None
    size: int = 1
    parent: Group | None = None

    def root(self) -> Group:
        group = self
        while group.parent is not None:
            group = group.parent
        return group


Condition = Callable[[PatternKind, bool], bool]


class Partition:
    """TVM's fusion of a dataflow graph into groups, given its post-dominator tree."""

    def __init__(self, nodes: Sequence[Node], max_group_size: int):
        self.nodes = nodes
        self.max_group_size = max_group_size
        self.groups = [
            Group(n.kind, n if n.kind == PatternKind.OUT_ELEMENTWISE_FUSABLE else None)
            for n in nodes
        ]

    def run(self) -> list[list[Node]]:
        tree = post_dominators(self.nodes)
        for phase in (0, 1):
            for node in self.nodes:
                self.fuse(node, tree[node.index], phase)
        members: dict[int, list[Node]] = {}
        for node in self.nodes:
            members.setdefault(id(self.groups[node.index].root()), []).append(node)
        return list(members.values())

    def fuse(self, node: Node, dominator: DominatorNode, phase: int) -> None:
        group = self.groups[node.index]
        if group.kind == PatternKind.OPAQUE or dominator.parent is None:
            return
        sink = dominator.parent.node
        assert sink is not None
        if group.root() is self.groups[sink.index].root():
            return
        kind = group.kind
        if kind == PatternKind.OUT_ELEMENTWISE_FUSABLE:
            if phase == 0 and dominator.kind == PatternKind.ELEMENTWISE:
                self.fuse_if(node, sink, lambda k, _: k <= PatternKind.BROADCAST)
        elif kind <= PatternKind.BROADCAST:
            if dominator.kind <= PatternKind.INJECTIVE or dominator.kind == PatternKind.REDUCTION:
                self.fuse_if(node, sink, into_anchor)
        elif kind == PatternKind.INJECTIVE and phase == 1:
            self.fuse_if(node, sink, lambda k, _: k <= PatternKind.INJECTIVE)

    def fuse_if(self, source: Node, sink: Node, condition: Condition) -> None:
        """Merge every node on the paths from `source` to `sink` into the sink's group if
        `condition` holds for the group of each (and, flagged, of the sink)."""
        visited: set[int] = set()

        def check(node: Node) -> bool:
            if node.index in visited:
                return True
            visited.add(node.index)
            if not condition(self.groups[node.index].root().kind, node is sink):
                return False
            return node is sink or all(check(n) for n, _ in node.outputs)

        if not all(check(n) for n, _ in source.outputs):
            return
        merged = {id(g): g for g in (self.groups[i].root() for i in (*visited, source.index))}
        if sum(g.size for g in merged.values()) > self.max_group_size:
            return
        target = self.groups[sink.index]
        visited.clear()

        def commit(node: Node) -> None:
            if node is sink or node.index in visited:
                return
            visited.add(node.index)
            self.merge(self.groups[node.index], target)
            for n, _ in node.outputs:
                commit(n)

        commit(source)

    @staticmethod
    def merge(child: Group, parent: Group) -> None:
        child, parent = child.root(), parent.root()
        if child is parent:
            return
        parent.size += child.size
        child.parent = parent
        if child.anchor is not None:
            parent.anchor = child.anchor
            parent.kind = max(child.kind, parent.kind)


def into_anchor(kind: PatternKind, is_sink: bool) -> bool:
    """Ops on the way may be injective; the sink may already anchor any fusable group."""
    if not is_sink:
        return kind <= PatternKind.INJECTIVE
    return kind <= PatternKind.INJECTIVE or kind in (
        PatternKind.REDUCTION,
        PatternKind.OUT_ELEMENTWISE_FUSABLE,
    )


class Outliner:
    """Moves groups into `fused_*` functions of the module, sharing identical ones."""

    def __init__(self, module: ModuleOp):
        self.module = module
        self.taken = {
            name.data
            for op in module.ops
            if isinstance(name := op.properties.get("sym_name"), StringAttr)
        }
        self.functions: list[func.FuncOp] = [
            op for op in module.ops if isinstance(op, func.FuncOp) and FUSED in op.attributes
        ]

    def outline(self, caller: func.FuncOp, ops: Sequence[Operation]) -> None:
        """Replace `ops` (a group, in program order) by a call of their function. Only the
        group's last op (its post-dominator) has users outside, all after it: the call
        goes there."""
        members = set(ops)
        inputs: list[SSAValue] = []
        for op in ops:
            for operand in op.operands:
                if operand.owner not in members and operand not in inputs:
                    inputs.append(operand)
        outputs = [
            r for op in ops for r in op.results if any(u.operation not in members for u in r.uses)
        ]
        if not outputs:
            return
        callee = self.function_for(caller, ops, inputs, outputs)
        call = func.CallOp(callee.sym_name.data, inputs, [r.type for r in outputs])
        for old, new in zip(outputs, call.results, strict=True):
            new.name_hint = old.name_hint
        Rewriter.insert_op(call, InsertPoint.after(ops[-1]))
        for old, new in zip(outputs, call.results, strict=True):
            old.replace_all_uses_with(new)
        for op in reversed(ops):
            Rewriter.erase_op(op)

    def function_for(
        self,
        caller: func.FuncOp,
        ops: Sequence[Operation],
        inputs: Sequence[SSAValue],
        outputs: Sequence[SSAValue],
    ) -> func.FuncOp:
        """A private function computing `outputs` from `inputs` by `ops`; an existing one
        if it is the same."""
        block = Block(arg_types=[v.type for v in inputs])
        mapping: dict[SSAValue, SSAValue] = {}
        for arg, value in zip(block.args, inputs, strict=True):
            arg.name_hint = value.name_hint
            mapping[value] = arg
        for op in ops:
            block.add_op(op.clone(value_mapper=mapping))
        block.add_op(func.ReturnOp(*(mapping[v] for v in outputs)))
        base = "fused_" + "_".join(op.name.removeprefix("graph.") for op in ops[:NAMED_OPS])
        if len(ops) > NAMED_OPS:
            base += f"_and_{len(ops) - NAMED_OPS}_more"
        signature = ([v.type for v in inputs], [v.type for v in outputs])
        function = func.FuncOp(base, signature, Region(block), visibility="private")
        for existing in self.functions:
            if (
                existing.function_type == function.function_type
                and existing.body.is_structurally_equivalent(function.body)
            ):
                return existing
        name, number = base, 0
        while name in self.taken:
            number += 1
            name = f"{base}_{number}"
        self.taken.add(name)
        function.sym_name = StringAttr(name)
        function.attributes[FUSED] = UnitAttr()
        anchor = max(ops, key=pattern_kind)
        if pattern_kind(anchor) >= PatternKind.REDUCTION:
            function.attributes[ANCHOR] = StringAttr(anchor.name.removeprefix("graph."))
        function.location = ops[0].location
        Rewriter.insert_op(function, InsertPoint.before(caller))
        self.functions.append(function)
        return function


@dataclass(frozen=True)
class FuseOps(ModulePass):
    """Fuse graph ops by pattern kind and outline each group into a private function."""

    name = "fuse-ops"

    max_group_size: int = 256
    """No group grows past this many ops."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        outliner = Outliner(op)
        callers = [
            f
            for f in op.ops
            if isinstance(f, func.FuncOp) and not f.is_declaration and FUSED not in f.attributes
        ]
        for caller in callers:
            for block in blocks_to_fuse(caller):
                for group in Partition(dataflow(block), self.max_group_size).run():
                    outliner.outline(caller, [node.op for node in group])
