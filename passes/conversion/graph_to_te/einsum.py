"""Einsum: one compute whose axes are the output's letters and whose reduce axes are the
letters summed over; its body multiplies the operands read at their letters (a letter twice
in one operand reads its diagonal, an operand's extent of 1 broadcasts). A contraction that
is a matrix product in matmul's layout, A[b, i, k] by B[b, k, j] or B[b, j, k], is named
"matmul" so the target's matmul schedules take it.
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.passes.conversion.graph_to_te.body import Body, Reduction, compute, lowered, shape_of


def axis_name(letter: str) -> str:
    """A letter names its axis; an ellipsis dimension's digit d is "e<d>"."""
    return f"e{letter}" if letter.isdigit() else letter


def is_matmul(equation: graph.Equation) -> bool:
    """Whether the einsum is a (batched) matrix product as graph.matmul lowers one: output
    [b..., i, j] of A [b..., i, k] and B [b..., k, j] (or B [b..., j, k]), one k."""
    if len(equation.operands) != 2 or len(equation.reduced) != 1 or len(equation.output) < 2:
        return False
    a, b = equation.operands
    k = equation.reduced
    *batch, i, j = equation.output
    prefix = "".join(batch)
    return a == f"{prefix}{i}{k}" and b in (f"{prefix}{k}{j}", f"{prefix}{j}{k}")


class EinsumLowering(RewritePattern):
    lowers = graph.EinsumOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.EinsumOp, rewriter: PatternRewriter) -> None:
        equation = op.parsed()
        shapes = [shape_of(v) for v in op.inputs]
        extents = equation.extents(shapes)
        output, reduced = equation.output, equation.reduced
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            at = dict(zip(output + reduced, indices, strict=True))
            product: SSAValue | None = None
            for value, letters, shape in zip(op.inputs, equation.operands, shapes, strict=True):
                where = [0 if size == 1 else at[c] for c, size in zip(letters, shape, strict=True)]
                read = b.read(value, where)
                product = read if product is None else b.emit(arith.MulfOp(product, read))
            assert product is not None
            return product

        name = "matmul" if is_matmul(equation) else "einsum"
        axes = [axis_name(c) for c in output]
        reduction = None
        if any(extents[c] == 0 for c in reduced):  # an empty sum
            empty = compute(name, [], out_type, axes, lambda b, *indices: b.float(0.0))
            lowered(rewriter, op, [empty])
            return
        if reduced:
            extents_of = [extents[c] for c in reduced]
            reduction = Reduction("sum", [axis_name(c) for c in reduced], extents_of, 0.0)
        result = compute(name, list(op.inputs), out_type, axes, body, reduction)
        lowered(rewriter, op, [result])


PATTERNS = (EinsumLowering(),)
