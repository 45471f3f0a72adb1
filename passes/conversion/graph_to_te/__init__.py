"""`graph-to-te`: lower every graph op to one or more `te.compute` ops.

Each compute is named after its operator ("conv2d", "relu", ...) and its axes after what they
index (n, c, h, w; i, j, k; rc, ry, rx for reductions over channels and windows; i0, i1, ...
when the rank is arbitrary). Index arithmetic is `arith` on `index`, folded where it is
known statically. Padding is a clamped read chosen by `arith.select` on an in-bounds test,
so no read is ever out of bounds; a data-dependent index (gather) is clamped too. Some
operators need several computes: a bias is added by its own compute after a contraction, a
mean divides a sum, softmax is max, exp(x - max), sum and divide for numerical stability,
and split gives one compute per piece. `graph.constant` becomes a tensor `arith.constant`.
Integers are signless at the te level: a body reads an unsigned tensor with unsigned ops
(divui, cmpi ult, extui: `scalars`), and the pass ends by making every ui8..ui64 type the
i8..i64 of its width (`signless`).

    %y = graph.relu %x : tensor<8xf32>
becomes
    %y = te.compute "relu" (%x) axes ["i0"] : (tensor<8xf32>) -> tensor<8xf32> {
    ^bb0(%i0: index):
      %v = te.read %x[%i0] : tensor<8xf32>
      %zero = arith.constant 0.000000e+00 : f32
      %r = arith.maximumf %v, %zero : f32
      te.yield %r : f32
    }

The lowerings live beside this file by kind: `body` (the builder every lowering uses),
`scalars` (arithmetic on one element of any type), `elementwise`, `comparisons`,
`activations`, `contractions`, `pooling`, `normalization`, `shapes`, `reductions`,
`layouts`, `control` (graph.if and graph.loop), `recurrent` (rnn, gru, lstm), `indexing`
(gathers, scatters, one_hot, trilu, depth and space), `einsum`, `conv_transpose`, `resize`,
`quantization` (quantize and dequantize in floating point), `quantized` (integer
contractions and requantization) and `attention` (masked_softmax). Each pattern names the
graph op it lowers in `lowers`, and each module lists its patterns in its `PATTERNS`: a new
lowering is a pattern added to one module's list.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, UnregisteredOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import GreedyRewritePatternApplier, PatternRewriteWalker

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.graph_to_te import (
    activations,
    attention,
    comparisons,
    contractions,
    control,
    conv_transpose,
    einsum,
    elementwise,
    indexing,
    layouts,
    normalization,
    pooling,
    quantization,
    quantized,
    recurrent,
    reductions,
    resize,
    shapes,
)
from ziggurat.passes.conversion.graph_to_te.signless import make_signless

PATTERNS = (
    *elementwise.PATTERNS,
    *contractions.PATTERNS,
    *pooling.PATTERNS,
    *normalization.PATTERNS,
    *shapes.PATTERNS,
    *reductions.PATTERNS,
    *layouts.PATTERNS,
    *quantized.PATTERNS,
    *indexing.PATTERNS,
    *einsum.PATTERNS,
    *conv_transpose.PATTERNS,
    *resize.PATTERNS,
    *quantization.PATTERNS,
    *attention.PATTERNS,
    *comparisons.PATTERNS,
    *activations.PATTERNS,
    *control.PATTERNS,
    *recurrent.PATTERNS,
)

# The graph ops some pattern lowers: each pattern names its op (or ops) in `lowers`.
LOWERABLE = tuple(pattern.lowers for pattern in PATTERNS)


@dataclass(frozen=True)
class GraphToTe(ModulePass):
    """Lower graph ops to te.compute ops, one or more per operator."""

    name = "graph-to-te"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for inner in op.walk():
            name = inner.op_name.data if isinstance(inner, UnregisteredOp) else inner.name
            if name.startswith("graph.") and not isinstance(inner, LOWERABLE):
                raise ZigguratError(f"graph-to-te cannot lower '{name}'", inner)
        PatternRewriteWalker(
            GreedyRewritePatternApplier(list(PATTERNS)), apply_recursively=False
        ).rewrite_module(op)
        make_signless(op)
