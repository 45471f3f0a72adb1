"""2-D pools over windows and global pools: a max, or a sum then the division by the number
of elements each window counts.
"""

from __future__ import annotations

import math

from xdsl.dialects import arith
from xdsl.ir import SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import graph
from ziggurat.passes.conversion.graph_to_te import scalars
from ziggurat.passes.conversion.graph_to_te.body import (
    Body,
    Index,
    Reduction,
    Window,
    compute,
    lowered,
    shape_of,
    windows,
)


class Pool2dLowering(RewritePattern):
    lowers = graph.Pool2dOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Pool2dOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)
        kernel_h, kernel_w = op.kernel.get_values()
        rows, columns = windows(op, (kernel_h, kernel_w), op.window_dilation())
        _, _, bottom, right = op.padding.get_values()
        is_max = isinstance(op, graph.MaxPool2dOp)
        pad = -math.inf if is_max else 0.0

        def body(b: Body, n: SSAValue, c: SSAValue, h: SSAValue, w: SSAValue, ry, rx):
            y, y_ok = b.window(rows, h, ry)
            x, x_ok = b.window(columns, w, rx)
            return b.padded_read(op.input, [n, c, y, x], y_ok + x_ok, pad)

        axes = ["n", "c", "h", "w"]
        # Unsigned integers (max pools of any numbers) compare as such.
        kind = ("umax" if scalars.unsigned(out_type.element_type) else "max") if is_max else "sum"
        reduction = Reduction(kind, ["ry", "rx"], [kernel_h, kernel_w], pad)
        name = "max_pool2d" if is_max else "avg_pool2d_sum"
        pool = compute(name, [op.input], out_type, axes, body, reduction)
        if is_max:
            lowered(rewriter, op, [pool])
            return
        include_pad = isinstance(op, graph.AvgPool2dOp) and op.count_include_pad is not None

        def window_size(b: Body, window: Window, position: SSAValue, after: int) -> Index:
            """How many elements the window at `position` counts: those from its start
            (or 0, without padding) to its end clipped at `limit` (PyTorch's divisor)."""
            limit = window.size + after if include_pad else window.size
            clip_start = not include_pad and window.before > 0
            clip_end = (window.out - 1) * window.stride - window.before + window.kernel > limit
            if not clip_start and not clip_end:
                return window.kernel
            start = b.sub(b.mul(position, window.stride), window.before)
            end = b.add(start, window.kernel)
            if clip_end:
                end = b.min(end, limit)
            if clip_start:
                start = b.max(start, 0)
            return b.sub(end, start)

        def divide(b: Body, n: SSAValue, c: SSAValue, h: SSAValue, w: SSAValue) -> SSAValue:
            count_h = window_size(b, rows, h, bottom)
            count_w = window_size(b, columns, w, right)
            count = b.to_float(b.mul(count_h, count_w))
            return b.emit(arith.DivfOp(b.read(pool.result, [n, c, h, w]), count))

        average = compute("avg_pool2d", [pool.result], out_type, axes, divide)
        lowered(rewriter, op, [pool, average])


class GlobalPool2dLowering(RewritePattern):
    lowers = graph.GlobalPool2dOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.GlobalPool2dOp, rewriter: PatternRewriter) -> None:
        _, _, height, width = shape_of(op.input)
        out_type = graph.tensor(op.output)
        axes = ["n", "c", "h", "w"]

        def body(b: Body, n: SSAValue, c: SSAValue, h, w, ry: SSAValue, rx: SSAValue):
            return b.read(op.input, [n, c, ry, rx])

        if isinstance(op, graph.GlobalMaxPool2dOp):
            reduction = Reduction("max", ["ry", "rx"], [height, width], -math.inf)
            pool = compute("global_max_pool2d", [op.input], out_type, axes, body, reduction)
            lowered(rewriter, op, [pool])
            return
        reduction = Reduction("sum", ["ry", "rx"], [height, width], 0.0)
        total = compute("global_avg_pool2d_sum", [op.input], out_type, axes, body, reduction)

        def divide(b: Body, *indices: SSAValue) -> SSAValue:
            value = b.read(total.result, indices)
            return b.emit(arith.DivfOp(value, b.float(height * width)))

        average = compute("global_avg_pool2d", [total.result], out_type, axes, divide)
        lowered(rewriter, op, [total, average])


PATTERNS = (
    Pool2dLowering(),
    GlobalPool2dLowering(),
)
