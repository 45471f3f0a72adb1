"""The interpreter of graph-level modules: functions, calls, control flow; each op by its
rule in `rules.RULES`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Block, Operation, SSAValue

from ziggurat.diagnostics import ZigguratError, describe_location
from ziggurat.dialects import graph
from ziggurat.elements import element_dtype
from ziggurat.reference.rules import RULES


def evaluate(module: ModuleOp, name: str, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run function `name` of a graph-level `module` on `inputs`; its results in order."""
    functions = {op.sym_name.data: op for op in module.walk() if isinstance(op, func.FuncOp)}
    if name not in functions:
        raise ZigguratError(f"the module has no function @{name}")
    return Interpreter(functions).call(name, list(inputs))


class Interpreter:
    def __init__(self, functions: dict[str, func.FuncOp]):
        self.functions = functions

    def call(self, name: str, arguments: list[np.ndarray]) -> list[np.ndarray]:
        function = self.functions[name]
        where = describe_location(function)
        if function.is_declaration:
            raise ZigguratError(f"@{name} has no body to evaluate", where)
        block = function.body.block
        if len(arguments) != len(block.args):
            raise ZigguratError(
                f"@{name} takes {len(block.args)} arguments, not {len(arguments)}", where
            )
        values: dict[SSAValue, np.ndarray] = {}
        for index, (arg, array) in enumerate(zip(block.args, arguments, strict=True)):
            expected = tuple(arg.type.get_shape()) if isinstance(arg.type, TensorType) else None
            if expected is not None and tuple(np.shape(array)) != expected:
                raise ZigguratError(
                    f"@{name} argument {index} should have shape {list(expected)}, "
                    f"not {list(np.shape(array))}",
                    where,
                )
            values[arg] = np.asarray(array)
        terminator = block.last_op
        if not isinstance(terminator, func.ReturnOp):
            raise ZigguratError(f"@{name} does not end in func.return", where)
        results = self.run(block, values)
        return [cast(a, v) for a, v in zip(results, terminator.arguments, strict=True)]

    def run(self, block: Block, values: dict[SSAValue, np.ndarray]) -> list[np.ndarray]:
        """Run the ops of `block`, whose outer values `values` holds; the values its
        terminator gives."""
        for op in block.ops:
            if isinstance(op, func.ReturnOp | graph.YieldOp):
                return [values[v] for v in op.operands]
            if isinstance(op, func.CallOp):
                results = self.call(op.callee.string_value(), [values[v] for v in op.arguments])
            elif isinstance(op, graph.IfOp):
                taken = op.then_region if values[op.condition].reshape(-1)[0] else op.else_region
                results = self.run(taken.block, values)
            elif isinstance(op, graph.LoopOp):
                results = self.loop(op, values)
            else:
                results = evaluate_op(op, [values[v] for v in op.operands])
            for result, array in zip(op.results, results, strict=True):
                values[result] = array
        return []

    def loop(self, op: graph.LoopOp, values: dict[SSAValue, np.ndarray]) -> list[np.ndarray]:
        """graph.loop: the carried values after the last iteration, then the others stacked."""
        carried = [values[v] for v in op.inits]
        scanned: list[list[np.ndarray]] = []
        for iteration in range(op.trip_count.value.data):
            arguments = [np.array(iteration, np.int64), *carried]
            values.update(zip(op.body.block.args, arguments, strict=True))
            yielded = self.run(op.body.block, values)
            carried = yielded[: len(carried)]
            scanned.append(yielded[len(carried) :])
        return [*carried, *(np.stack(s) for s in zip(*scanned, strict=True))]


def cast(array: np.ndarray, value: SSAValue) -> np.ndarray:
    """`array` as the element type and shape `value`'s tensor type declares."""
    if not isinstance(value.type, TensorType):
        return array
    dtype = element_dtype(value.type.element_type, "")
    with np.errstate(over="ignore"):  # too large for the type is infinity, as on targets
        return np.asarray(array).astype(dtype).reshape(value.type.get_shape())


def evaluate_op(op: Operation, args: list[np.ndarray]) -> list[np.ndarray]:
    """The results of `op`; a rule gives an array, or a list of them for several results."""
    rule = RULES.get(type(op))
    if rule is None:
        raise ZigguratError(f"the numpy reference cannot evaluate {op.name}", describe_location(op))
    wide = [a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a for a in args]
    value = rule(op, *wide)
    return [np.asarray(v) for v in value] if len(op.results) != 1 else [np.asarray(value)]
