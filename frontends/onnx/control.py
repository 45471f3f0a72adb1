"""Control flow, and what Ziggurat refuses because shapes would depend on data.

If becomes graph.if with both branches compiled and the condition read at run time (a
condition known at import time imports the taken branch only); both branches must give
outputs of the same static shapes. Loop becomes graph.loop when its trip count is known at
compile time and its condition stays true (absent, a constant true, and passed on or made
true again by the body); its body is imported once, as the op's region. A body whose
shapes need the iteration number's value (a Slice at the iteration number) is imported
once per iteration instead, up to UNROLL_LIMIT iterations. Branches and bodies read the
values of the graphs around them, as ONNX allows.

NonZero, NonMaxSuppression, Unique and Compress give outputs whose shapes depend on the
values of their inputs: refused, unless those are constants (then folded at import).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import NameLoc, StringAttr, UnknownLoc
from xdsl.ir import Block, Region, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value, dense

HANDLERS = Handlers()

# A loop body that needs its iteration number as a constant is unrolled up to this many
# iterations; past it, the code would grow with the trip count.
UNROLL_LIMIT = 32


def as_value(node: Node, value: Value, block: Block) -> SSAValue:
    """`value` as an SSA value in `block`: a constant array becomes a graph.constant."""
    if isinstance(value, SSAValue):
        return value
    op = graph.ConstantOp(dense(value, node.where))
    op.location = NameLoc(StringAttr(node.where), UnknownLoc())
    block.add_op(op)
    return op.output


def is_true(value: Value) -> bool:
    return isinstance(value, np.ndarray) and value.size == 1 and bool(value.reshape(-1)[0])


# If ------------------------------------------------------------------------------------------


@HANDLERS.handles("If")
def if_(node: Node) -> list[Value]:
    branches = {"then": node.attribute("then_branch"), "else": node.attribute("else_branch")}
    name = node.proto.input[0]
    known = node.importer.constants.get(name)
    if known is not None:
        if known.size != 1:
            raise node.error(f"the condition must have one element, got shape {known.shape}")
        taken = "then" if bool(known.reshape(-1)[0]) else "else"
        return node.importer.subgraph(
            branches[taken], node.importer.block, {}, f"the {taken} branch of {node.where}"
        )
    regions: list[Region] = []
    yielded: list[list[SSAValue]] = []
    for branch, body in branches.items():
        block = Block()
        where = f"the {branch} branch of {node.where}"
        outputs = node.importer.subgraph(body, block, {}, where)
        values = [as_value(node, v, block) for v in outputs]
        block.add_op(graph.YieldOp(*values))
        regions.append(Region(block))
        yielded.append(values)
    then_types = [v.type for v in yielded[0]]
    else_types = [v.type for v in yielded[1]]
    if len(then_types) != len(else_types):
        raise node.error("the branches give different numbers of outputs")
    for index, (a, b) in enumerate(zip(then_types, else_types, strict=True)):
        if a != b:
            raise node.error(
                f"output {index} is {a} in the then branch and {b} in the else branch: "
                "Ziggurat compiles static shapes"
            )
    return list(node.emit_results(graph.IfOp(node.input(0), then_types, *regions)))


# Loop ----------------------------------------------------------------------------------------


def trip_count(node: Node) -> int:
    if not node.has(0):
        raise node.error(
            "a Loop without a trip count ends when its condition does, at run time: "
            "Ziggurat compiles loops with a trip count known at compile time"
        )
    name = node.proto.input[0]
    count = node.importer.constants.get(name)
    if count is None:
        raise node.error(
            f"the trip count '{name}' is computed at run time: Ziggurat compiles loops with "
            "a trip count known at compile time"
        )
    return int(np.asarray(count).reshape(-1)[0])


def initial_condition(node: Node) -> bool:
    if not node.has(1):
        return True
    name = node.proto.input[1]
    condition = node.importer.constants.get(name)
    if condition is None:
        raise node.error(
            f"the condition '{name}' is computed at run time, so the number of iterations is "
            "too: Ziggurat compiles loops with a trip count known at compile time"
        )
    return bool(np.asarray(condition).reshape(-1)[0])


def check_condition(node: Node, value: Value) -> None:
    if not is_true(value):
        raise node.error(
            "the body computes the loop's condition, so the number of iterations depends on "
            "the data: Ziggurat compiles loops with a trip count known at compile time"
        )


@HANDLERS.handles("Loop")
def loop(node: Node) -> list[Value]:
    body = node.attribute("body")
    count = trip_count(node)
    runs = initial_condition(node)
    carried = [node.input(i) for i in range(2, len(node.proto.input))]
    if count < 1 or not runs:
        raise node.error("a Loop that never runs gives empty scan outputs: not supported")
    try:
        return loop_region(node, body, count, carried)
    except ZigguratError:
        if count > UNROLL_LIMIT:
            raise
    # With the iteration number known more folds: what still fails says more.
    return unrolled(node, body, count, carried)


def body_inputs(body, iteration: Value, carried: list[Value]) -> dict[str, Value]:
    names = [value.name for value in body.input]
    # The condition a body reads is true: the loop runs only while it is.
    values = [iteration, np.array(True), *carried]
    if len(names) != len(values):
        raise ZigguratError(f"the loop body takes {len(names)} inputs, not {len(values)}")
    return dict(zip(names, values, strict=True))


def loop_region(node: Node, body, count: int, carried: list[SSAValue]) -> list[Value]:
    """The loop as graph.loop, its body imported once."""
    block = Block(arg_types=[graph.ITERATION, *(v.type for v in carried)])
    where = f"the body of {node.where}"
    inputs = body_inputs(body, block.args[0], list(block.args[1:]))
    condition, *outputs = node.importer.subgraph(body, block, inputs, where)
    check_condition(node, condition)
    values = [as_value(node, v, block) for v in outputs]
    for value, initial in zip(values, carried, strict=False):
        if value.type != initial.type:
            raise node.error(
                f"a loop-carried value enters the body as {initial.type} and leaves it as "
                f"{value.type}: Ziggurat compiles static shapes"
            )
    block.add_op(graph.YieldOp(*values))
    scanned = [v.type for v in values[len(carried) :]]
    result_types = graph.LoopOp.result_types_for(count, [v.type for v in carried], scanned)
    return list(node.emit_results(graph.LoopOp(count, carried, result_types, Region(block))))


def unrolled(node: Node, body, count: int, carried: list[SSAValue]) -> list[Value]:
    """The loop's body imported once per iteration, the iteration number a constant."""
    state: list[Value] = list(carried)
    scans: list[list[Value]] = []
    for iteration in range(count):
        where = f"iteration {iteration} of the body of {node.where}"
        inputs = body_inputs(body, np.array(iteration, np.int64), state)
        condition, *outputs = node.importer.subgraph(body, node.importer.block, inputs, where)
        check_condition(node, condition)
        state, scanned = outputs[: len(carried)], outputs[len(carried) :]
        scans.append(scanned)
    results = list(state)
    for steps in zip(*scans, strict=True):
        if all(isinstance(s, np.ndarray) for s in steps):
            results.append(np.stack(steps))  # type: ignore[arg-type]
            continue
        rows = []
        for step in steps:
            value = as_value(node, step, node.importer.block)
            rows.append(node.emit(graph.ReshapeOp(value, [1, *graph.shape_of(value)])))
        results.append(node.emit(graph.ConcatOp(rows, 0)))
    return results


# Outputs whose shapes depend on data -----------------------------------------------------------


@HANDLERS.handles("NonZero", "NonMaxSuppression", "Unique", "Compress")
def data_dependent(node: Node) -> list[Value]:
    raise node.error(
        "the shape of its output depends on the values of its inputs: Ziggurat compiles "
        "static shapes"
    )
