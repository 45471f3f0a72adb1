"""`fold-constants`: a graph op whose operands are all `graph.constant` becomes one.

The value is computed with the numpy reference (ziggurat/reference), in float64 and cast
to the op's element type at the end, so a folded f32 tensor holds what numpy's float32
cast of the exact result holds. A fold that would grow the data (a broadcast of a small
constant into a large tensor) is skipped past `size_limit` elements: such a tensor costs
memory in the binary and bandwidth at run time, and computing it is cheap.

    %c = graph.constant dense<2.0> : tensor<4xf32>
    %d = graph.exp %c : tensor<4xf32>
becomes
    %d = graph.constant dense<7.389056e+00> : tensor<4xf32>
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from ziggurat.dialects import graph
from ziggurat.elements import array_to_dense, dense_to_array
from ziggurat.reference import RULES, evaluate_op


def constant_operands(op: Operation) -> list[np.ndarray] | None:
    """The values of `op`'s operands if each is a graph.constant, else None."""
    arrays = []
    for operand in op.operands:
        if not isinstance(operand.owner, graph.ConstantOp):
            return None
        arrays.append(dense_to_array(operand.owner.value))
    return arrays


@dataclass
class FoldConstant(RewritePattern):
    size_limit: int

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if (
            isinstance(op, graph.ConstantOp)
            or type(op) not in RULES
            or not op.operands
            or not all(isinstance(r.type, TensorType) for r in op.results)
        ):
            return
        size = sum(math.prod(graph.shape_of(r)) for r in op.results)
        if size > self.size_limit and size > sum(math.prod(graph.shape_of(v)) for v in op.operands):
            return
        arrays = constant_operands(op)
        if arrays is None:
            return
        values = evaluate_op(op, arrays)
        folded = [
            graph.ConstantOp(array_to_dense(v, graph.tensor(r)))
            for v, r in zip(values, op.results, strict=True)
        ]
        sources = {v.owner for v in op.operands}
        rewriter.replace(op, folded, [f.output for f in folded])
        for source in sources:
            if isinstance(source, Operation) and not source.results[0].uses:
                rewriter.erase(source)


@dataclass(frozen=True)
class FoldConstants(ModulePass):
    """Replace graph ops on constants by the constants they compute."""

    name = "fold-constants"

    size_limit: int = 1 << 16
    """A fold whose result is larger than its operands together and than this many
    elements is left to run time."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(FoldConstant(self.size_limit)).rewrite_module(op)
