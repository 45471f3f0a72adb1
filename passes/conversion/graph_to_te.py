"""`graph-to-te`: lower every graph op to one or more `te.compute` ops.

Each compute is named after its operator ("conv2d", "relu", ...) and its axes after what they
index (n, c, h, w; i, j, k; rc, ry, rx for reductions over channels and windows; i0, i1, ...
when the rank is arbitrary). Index arithmetic is `arith` on `index`, folded where it is
known statically. Padding is a clamped read chosen by `arith.select` on an in-bounds test,
so no read is ever out of bounds; a data-dependent index (gather) is clamped too. Some
operators need several computes: a bias is added by its own compute after a contraction, a
mean divides a sum, softmax is max, exp(x - max), sum and divide for numerical stability,
and split gives one compute per piece. `graph.constant` becomes a tensor `arith.constant`.

    %y = graph.relu %x : tensor<8xf32>
becomes
    %y = te.compute "relu" (%x) axes ["i0"] : (tensor<8xf32>) -> tensor<8xf32> {
    ^bb0(%i0: index):
      %v = te.read %x[%i0] : tensor<8xf32>
      %zero = arith.constant 0.000000e+00 : f32
      %r = arith.maximumf %v, %zero : f32
      te.yield %r : f32
    }
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import (
    Float16Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    TensorType,
    UnregisteredOp,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import arith_extra, graph
from ziggurat.dialects.te import ComputeOp, ReadOp, YieldOp

# An index known statically (an int) or computed in the body (an SSA value).
Index = SSAValue | int


class Body:
    """Appends ops to a te.compute body; index arithmetic on ints is done in Python."""

    def __init__(self, block: Block, element: Attribute):
        self.block = block
        self.element = element
        self.constants: dict[int, SSAValue] = {}

    def emit(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def index(self, value: Index) -> SSAValue:
        if isinstance(value, SSAValue):
            return value
        if value not in self.constants:
            self.constants[value] = self.emit(arith.ConstantOp(IntegerAttr(value, IndexType())))
        return self.constants[value]

    def add(self, a: Index, b: Index) -> Index:
        if isinstance(a, int) and isinstance(b, int):
            return a + b
        if b == 0 or a == 0:
            return b if a == 0 else a
        return self.emit(arith.AddiOp(self.index(a), self.index(b)))

    def sub(self, a: Index, b: Index) -> Index:
        if isinstance(a, int) and isinstance(b, int):
            return a - b
        return a if b == 0 else self.emit(arith.SubiOp(self.index(a), self.index(b)))

    def mul(self, a: Index, b: Index) -> Index:
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if a == 1 or b == 1:
            return b if a == 1 else a
        return self.emit(arith.MuliOp(self.index(a), self.index(b)))

    def div(self, a: Index, b: int) -> Index:
        """Quotient of a non-negative index."""
        if isinstance(a, int):
            return a // b
        return a if b == 1 else self.emit(arith.DivUIOp(a, self.index(b)))

    def rem(self, a: Index, b: int) -> Index:
        """Remainder of a non-negative index."""
        if isinstance(a, int):
            return a % b
        return 0 if b == 1 else self.emit(arith.RemUIOp(a, self.index(b)))

    def min(self, a: Index, b: Index) -> Index:
        if isinstance(a, int) and isinstance(b, int):
            return min(a, b)
        return self.emit(arith.MinSIOp(self.index(a), self.index(b)))

    def max(self, a: Index, b: Index) -> Index:
        if isinstance(a, int) and isinstance(b, int):
            return max(a, b)
        return self.emit(arith.MaxSIOp(self.index(a), self.index(b)))

    def less(self, a: Index, b: Index) -> SSAValue:
        return self.emit(arith_extra.CmpiOp(self.index(a), self.index(b), "slt"))

    def at_least(self, a: Index, b: Index) -> SSAValue:
        return self.emit(arith_extra.CmpiOp(self.index(a), self.index(b), "sge"))

    def all(self, conditions: Sequence[SSAValue]) -> SSAValue:
        result = conditions[0]
        for condition in conditions[1:]:
            result = self.emit(arith.AndIOp(result, condition))
        return result

    def select(self, condition: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(arith_extra.SelectOp(condition, a, b))

    def read(self, tensor: SSAValue, indices: Sequence[Index]) -> SSAValue:
        return self.emit(ReadOp(tensor, [self.index(i) for i in indices]))

    def float(self, value: float) -> SSAValue:
        return self.emit(arith.ConstantOp(FloatAttr(value, self.element)))  # type: ignore[arg-type]

    def constant(self, value: float) -> SSAValue:
        """`value` as an element: a float, or an integer for integer tensors."""
        if isinstance(self.element, IntegerType):
            return self.emit(arith.ConstantOp(IntegerAttr(int(value), self.element)))
        return self.float(value)

    def to_float(self, value: Index) -> SSAValue:
        if isinstance(value, int):
            return self.float(value)
        count = self.emit(arith_extra.IndexCastOp(value, i64))
        return self.emit(arith_extra.SIToFPOp(count, self.element))

    def window(
        self, window: Window, position: Index, offset: Index
    ) -> tuple[Index, list[SSAValue]]:
        """The input index under `offset` in the window at output `position`, clamped into
        the input, and the tests that it was in bounds (only those that can fail)."""
        raw = self.add(self.mul(position, window.stride), self.mul(offset, window.dilation))
        raw = self.sub(raw, window.before)
        conditions = []
        if window.before > 0:
            conditions.append(self.at_least(raw, 0))
            raw = self.max(raw, 0)
        if window.reaches_past_end:
            conditions.append(self.less(raw, window.size))
            raw = self.min(raw, window.size - 1)
        return raw, conditions

    def padded_read(
        self, tensor: SSAValue, indices: Sequence[Index], conditions: list[SSAValue], pad: float
    ) -> SSAValue:
        """A read that gives `pad` where any of `conditions` fails."""
        value = self.read(tensor, indices)
        if not conditions:
            return value
        return self.select(self.all(conditions), value, self.constant(pad))


@dataclass(frozen=True)
class Window:
    """One spatial dimension of a sliding window: at output position p and offset r it
    covers input p * stride + r * dilation - before, in an input of extent `size`."""

    size: int
    out: int
    kernel: int
    stride: int
    dilation: int
    before: int

    @property
    def reaches_past_end(self) -> bool:
        last = (self.out - 1) * self.stride + (self.kernel - 1) * self.dilation - self.before
        return last > self.size - 1


def windows(
    op: graph.Conv2dOp | graph.Pool2dOp, kernel: Sequence[int], dilation: Sequence[int]
) -> tuple[Window, Window]:
    """The row and column windows of a 2-D convolution or pool."""
    _, _, height, width = shape_of(op.input)
    _, _, out_h, out_w = shape_of(op.output)
    stride_h, stride_w = op.strides.get_values()
    top, left, _, _ = op.padding.get_values()
    return (
        Window(height, out_h, kernel[0], stride_h, dilation[0], top),
        Window(width, out_w, kernel[1], stride_w, dilation[1], left),
    )


@dataclass(frozen=True)
class Reduction:
    kind: str
    axes: Sequence[str]
    extents: Sequence[int]
    init: float


BodyFunction = Callable[..., SSAValue]


def compute(
    name: str,
    inputs: Sequence[SSAValue],
    result_type: TensorType,
    axes: Sequence[str],
    body: BodyFunction,
    reduction: Reduction | None = None,
) -> ComputeOp:
    """A te.compute whose body is built by `body(Body, *axis_indices)`."""
    element = result_type.element_type
    if reduction is None:
        op, block = ComputeOp.build(name, inputs, result_type, axes)
    else:
        op, block = ComputeOp.build(
            name,
            inputs,
            result_type,
            axes,
            reduction.kind,
            reduction.axes,
            reduction.extents,
            FloatAttr(reduction.init, element),  # type: ignore[arg-type]
        )
    builder = Body(block, element)
    block.add_op(YieldOp(body(builder, *block.args)))
    return op


def shape_of(value: SSAValue) -> tuple[int, ...]:
    return graph.shape_of(value)


def generic_axes(rank: int, prefix: str = "i") -> list[str]:
    return [f"{prefix}{d}" for d in range(rank)]


def broadcast_indices(value: SSAValue, indices: Sequence[Index]) -> list[Index]:
    """Indices into `value` broadcast to the output indexed by `indices` (numpy rules)."""
    return broadcast_into(shape_of(value), indices)


def broadcast_into(shape: Sequence[int], indices: Sequence[Index]) -> list[Index]:
    """Indices into a `shape` broadcast to the output indexed by `indices` (numpy rules)."""
    aligned = indices[len(indices) - len(shape) :]
    return [0 if size == 1 else index for size, index in zip(shape, aligned, strict=True)]


def axes_for(shape: Sequence[int]) -> list[str]:
    return ["n", "c", "h", "w"] if len(shape) == 4 else generic_axes(len(shape))


def lowered(rewriter: PatternRewriter, op: Operation, computes: Sequence[Operation]) -> None:
    """Replace `op` by `computes`, the last of which gives its result."""
    rewriter.replace(op, computes, [computes[-1].results[0]])


# Patterns -----------------------------------------------------------------------------------


class ConstantLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ConstantOp, rewriter: PatternRewriter) -> None:
        lowered(rewriter, op, [arith.ConstantOp(op.value)])


def erf(b: Body, x: SSAValue) -> SSAValue:
    """math.erf, computed in f32 for f16 (targets call libm's erff and erf)."""
    if not isinstance(x.type, Float16Type):
        return b.emit(math_dialect.ErfOp(x))
    wide = b.emit(math_dialect.ErfOp(b.emit(arith.ExtFOp(x, f32))))
    return b.emit(arith.TruncFOp(wide, x.type))


UNARY: dict[type[graph.UnaryOp], Callable[[Body, SSAValue], SSAValue]] = {
    graph.ReluOp: lambda b, x: b.emit(arith.MaximumfOp(x, b.float(0.0))),
    graph.SigmoidOp: lambda b, x: b.emit(
        arith.DivfOp(
            b.float(1.0),
            b.emit(arith.AddfOp(b.float(1.0), b.emit(math_dialect.ExpOp(b.emit(arith.NegfOp(x)))))),
        )
    ),
    graph.TanhOp: lambda b, x: b.emit(math_dialect.TanhOp(x)),
    graph.ExpOp: lambda b, x: b.emit(math_dialect.ExpOp(x)),
    graph.SqrtOp: lambda b, x: b.emit(math_dialect.SqrtOp(x)),
    graph.ErfOp: erf,
    graph.NegOp: lambda b, x: b.emit(arith.NegfOp(x)),
    graph.AbsOp: lambda b, x: b.emit(math_dialect.AbsFOp(x)),
    graph.LogOp: lambda b, x: b.emit(math_dialect.LogOp(x)),
    graph.ReciprocalOp: lambda b, x: b.emit(arith.DivfOp(b.float(1.0), x)),
}


def unary_function(op: graph.UnaryOp) -> Callable[[Body, SSAValue], SSAValue]:
    """What `op` computes from one element."""
    if isinstance(op, graph.LeakyReluOp):
        alpha = op.alpha.value.data

        def leaky_relu(b: Body, x: SSAValue) -> SSAValue:
            positive = b.emit(arith_extra.CmpfOp(x, b.float(0.0), "oge"))
            return b.select(positive, x, b.emit(arith.MulfOp(x, b.float(alpha))))

        return leaky_relu
    if isinstance(op, graph.ClipOp):
        low, high = op.min, op.max

        def clip(b: Body, x: SSAValue) -> SSAValue:
            # maximumf and minimumf keep NaN; max last, so min > max gives max.
            if low is not None:
                x = b.emit(arith.MaximumfOp(x, b.float(low.value.data)))
            if high is not None:
                x = b.emit(arith.MinimumfOp(x, b.float(high.value.data)))
            return x

        return clip
    return UNARY[type(op)]


class UnaryLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.UnaryOp, rewriter: PatternRewriter) -> None:
        function = unary_function(op)
        result_type = graph.tensor(op.output)

        def body(b: Body, *axes: SSAValue) -> SSAValue:
            return function(b, b.read(op.input, axes))

        name = op.name.removeprefix("graph.")
        axes = generic_axes(len(shape_of(op.input)))
        lowered(rewriter, op, [compute(name, [op.input], result_type, axes, body)])


def power(b: Body, base: SSAValue, exponent: SSAValue) -> SSAValue:
    """C's pow, spelled so every target gives a negative base's signed power for integral
    exponents: pow(|base|, exponent), negated for odd exponents, NaN for fractional ones."""
    magnitude = b.emit(math_dialect.PowFOp(b.emit(math_dialect.AbsFOp(base)), exponent))
    whole = b.emit(math_dialect.TruncOp(exponent))
    integral = b.emit(arith_extra.CmpfOp(whole, exponent, "oeq"))
    half = b.emit(arith.MulfOp(exponent, b.float(0.5)))
    odd = b.emit(arith_extra.CmpfOp(b.emit(math_dialect.TruncOp(half)), half, "one"))
    signed = b.select(odd, b.emit(arith.NegfOp(magnitude)), magnitude)
    of_negative = b.select(integral, signed, b.float(math.nan))
    negative = b.emit(arith_extra.CmpfOp(base, b.float(0.0), "olt"))
    return b.select(negative, of_negative, magnitude)


def arith_binary(
    operation: type[arith.FloatingPointLikeBinaryOperation],
) -> Callable[[Body, SSAValue, SSAValue], SSAValue]:
    return lambda b, x, y: b.emit(operation(x, y))


BINARY: dict[type[graph.BinaryOp], Callable[[Body, SSAValue, SSAValue], SSAValue]] = {
    graph.AddOp: arith_binary(arith.AddfOp),
    graph.SubOp: arith_binary(arith.SubfOp),
    graph.MulOp: arith_binary(arith.MulfOp),
    graph.DivOp: arith_binary(arith.DivfOp),
    graph.PowOp: power,
    graph.MaximumOp: arith_binary(arith.MaximumfOp),
    graph.MinimumOp: arith_binary(arith.MinimumfOp),
}


class BinaryLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.BinaryOp, rewriter: PatternRewriter) -> None:
        combine = BINARY[type(op)]
        result_type = graph.tensor(op.output)

        def body(b: Body, *axes: SSAValue) -> SSAValue:
            lhs = b.read(op.lhs, broadcast_indices(op.lhs, axes))
            rhs = b.read(op.rhs, broadcast_indices(op.rhs, axes))
            return combine(b, lhs, rhs)

        name = op.name.removeprefix("graph.")
        axes = generic_axes(len(result_type.get_shape()))
        lowered(rewriter, op, [compute(name, [op.lhs, op.rhs], result_type, axes, body)])


def convert(b: Body, value: SSAValue, target: Attribute) -> SSAValue:
    """`value` converted to the element type `target` as numpy's astype converts."""
    source = value.type
    if source == target:
        return value
    if target == IntegerType(1):
        if isinstance(source, IntegerType):
            zero = b.emit(arith.ConstantOp(IntegerAttr(0, source)))
            return b.emit(arith_extra.CmpiOp(value, zero, "ne"))
        zero = b.emit(arith.ConstantOp(FloatAttr(0.0, source)))  # type: ignore[arg-type]
        return b.emit(arith_extra.CmpfOp(value, zero, "une"))  # NaN is true, as in numpy
    if isinstance(source, IntegerType) and isinstance(target, IntegerType):
        if source == IntegerType(1):
            return b.emit(arith_extra.ExtUIOp(value, target))
        if source.width.data < target.width.data:
            return b.emit(arith_extra.ExtSIOp(value, target))
        return b.emit(arith_extra.TruncIOp(value, target))
    if isinstance(source, IntegerType):
        if source == IntegerType(1):
            return b.emit(arith_extra.UIToFPOp(value, target))  # type: ignore[arg-type]
        return b.emit(arith_extra.SIToFPOp(value, target))  # type: ignore[arg-type]
    if isinstance(target, IntegerType):
        return b.emit(arith_extra.FPToSIOp(value, target))
    if source.bitwidth < target.bitwidth:  # type: ignore[attr-defined]
        return b.emit(arith.ExtFOp(value, target))
    if isinstance(source, Float64Type) and isinstance(target, Float16Type):
        value = round_to_odd_f32(b, value)
    return b.emit(arith.TruncFOp(value, target))


def round_to_odd_f32(b: Body, value: SSAValue) -> SSAValue:
    """An f64 as the f32 nearest it toward zero with its last bit set when inexact, so
    that rounding it to f16 rounds the f64 once. CPUs have no f64 -> f16 instruction and
    the JIT has no `__truncdfhf2`; through a plain f32 a value just past an f16 tie would
    round twice, onto the tie and then to even."""
    nearest = b.emit(arith.TruncFOp(value, f32))
    back = b.emit(arith.ExtFOp(nearest, value.type))
    inexact = b.emit(arith_extra.CmpfOp(back, value, "one"))
    magnitudes = (b.emit(math_dialect.AbsFOp(v)) for v in (back, value))
    away = b.all([inexact, b.emit(arith_extra.CmpfOp(*magnitudes, "ogt"))])
    bits = b.emit(arith.BitcastOp(nearest, i32))
    one = b.emit(arith.ConstantOp(IntegerAttr(1, i32)))
    bits = b.select(away, b.emit(arith.SubiOp(bits, one)), bits)
    bits = b.select(inexact, b.emit(arith.OrIOp(bits, one)), bits)
    return b.emit(arith.BitcastOp(bits, f32))


class CastLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.CastOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            return convert(b, b.read(op.input, indices), out_type.element_type)

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("cast", [op.input], out_type, axes, body)])


def bias_add(
    value: SSAValue, bias: SSAValue, axes: Sequence[str], scale: float = 1.0, channel: int = -1
) -> ComputeOp:
    """`value + scale * bias`, the bias broadcast (numpy rules, or along axis `channel`)."""

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        where = [indices[channel]] if channel >= 0 else broadcast_indices(bias, indices)
        term = b.read(bias, where)
        if scale != 1.0:
            term = b.emit(arith.MulfOp(term, b.float(scale)))
        return b.emit(arith.AddfOp(b.read(value, indices), term))

    return compute("bias_add", [value, bias], graph.tensor(value), axes, body)


class DenseLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.DenseOp, rewriter: PatternRewriter) -> None:
        trans_a, trans_b = op.trans_a is not None, op.trans_b is not None
        alpha, beta = op.alpha.value.data, op.beta.value.data
        a_shape = shape_of(op.a)
        extent = a_shape[0] if trans_a else a_shape[1]

        def body(b: Body, i: SSAValue, j: SSAValue, k: SSAValue) -> SSAValue:
            a = b.read(op.a, [k, i] if trans_a else [i, k])
            w = b.read(op.b, [j, k] if trans_b else [k, j])
            product = b.emit(arith.MulfOp(a, w))
            if alpha != 1.0:
                product = b.emit(arith.MulfOp(product, b.float(alpha)))
            return product

        dense = compute(
            "dense",
            [op.a, op.b],
            graph.tensor(op.output),
            ["i", "j"],
            body,
            Reduction("sum", ["k"], [extent], 0.0),
        )
        if op.bias is None:
            lowered(rewriter, op, [dense])
        else:
            lowered(rewriter, op, [dense, bias_add(dense.result, op.bias, ["i", "j"], beta)])


class MatmulLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.MatmulOp, rewriter: PatternRewriter) -> None:
        a_shape, b_shape = shape_of(op.a), shape_of(op.b)
        result_type = graph.tensor(op.output)
        rows, columns = len(a_shape) > 1, len(b_shape) > 1
        batch = len(result_type.get_shape()) - rows - columns
        axes = generic_axes(batch, "b") + ["i"] * rows + ["j"] * columns

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            *outer, k = indices
            batch_indices = outer[:batch]
            i = [outer[batch]] if rows else []
            j = [outer[batch + rows]] if columns else []
            a_batch = broadcast_into(a_shape[:-2], batch_indices)
            b_batch = broadcast_into(b_shape[:-2], batch_indices)
            a = b.read(op.a, [*a_batch, *i, k])
            w = b.read(op.b, [*b_batch, k, *j])
            return b.emit(arith.MulfOp(a, w))

        reduction = Reduction("sum", ["k"], [a_shape[-1]], 0.0)
        lowered(rewriter, op, [compute("matmul", [op.a, op.b], result_type, axes, body, reduction)])


class Conv2dLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dOp, rewriter: PatternRewriter) -> None:
        out_channels, group_channels, kernel_h, kernel_w = op.weight_shape()
        layout = op.weight_layout.data
        groups = op.groups.value.data
        rows, columns = windows(op, (kernel_h, kernel_w), op.dilation.get_values())

        def body(b: Body, n: SSAValue, c: SSAValue, h: SSAValue, w: SSAValue, rc, ry, rx):
            channel: Index = rc
            if groups > 1:
                group = b.div(c, out_channels // groups)
                channel = b.add(b.mul(group, group_channels), rc)
            y, y_ok = b.window(rows, h, ry)
            x, x_ok = b.window(columns, w, rx)
            value = b.padded_read(op.input, [n, channel, y, x], y_ok + x_ok, 0.0)
            where = dict(zip("OIHW", (c, rc, ry, rx), strict=True))
            return b.emit(arith.MulfOp(value, b.read(op.weight, [where[d] for d in layout])))

        reduction = Reduction("sum", ["rc", "ry", "rx"], [group_channels, kernel_h, kernel_w], 0.0)
        axes = ["n", "c", "h", "w"]
        conv = compute(
            "conv2d", [op.input, op.weight], graph.tensor(op.output), axes, body, reduction
        )
        if op.bias is None:
            lowered(rewriter, op, [conv])
        else:
            lowered(rewriter, op, [conv, bias_add(conv.result, op.bias, axes, channel=1)])


class Pool2dLowering(RewritePattern):
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
        reduction = Reduction("max" if is_max else "sum", ["ry", "rx"], [kernel_h, kernel_w], pad)
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


def along(indices: Sequence[Index], axis: int, k: Index) -> list[Index]:
    """`indices` with the one on `axis` replaced by `k`."""
    return [*indices[:axis], k, *indices[axis + 1 :]]


def max_along(name: str, op: graph.AlongAxisOp, axis: int) -> ComputeOp:
    """The maximum of `op`'s input along `axis`, kept with extent 1."""
    shape = shape_of(op.input)
    element = graph.tensor(op.input).element_type
    kept_type = TensorType(element, [*shape[:axis], 1, *shape[axis + 1 :]])

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        return b.read(op.input, along(indices[:-1], axis, indices[-1]))

    reduction = Reduction("max", ["k"], [shape[axis]], -math.inf)
    return compute(name, [op.input], kept_type, generic_axes(len(shape)), body, reduction)


class SoftmaxLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.SoftmaxOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        full_type = graph.tensor(op.input)
        maximum = max_along("softmax_max", op, axis)
        kept_type = graph.tensor(maximum.result)
        axes = generic_axes(len(shape))

        def exp_body(b: Body, *indices: SSAValue) -> SSAValue:
            shifted = arith.SubfOp(
                b.read(op.input, indices), b.read(maximum.result, along(indices, axis, 0))
            )
            return b.emit(math_dialect.ExpOp(b.emit(shifted)))

        exp = compute("softmax_exp", [op.input, maximum.result], full_type, axes, exp_body)

        def sum_body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.read(exp.result, along(indices[:-1], axis, indices[-1]))

        total = compute(
            "softmax_sum",
            [exp.result],
            kept_type,
            axes,
            sum_body,
            Reduction("sum", ["k"], [shape[axis]], 0.0),
        )

        def divide(b: Body, *indices: SSAValue) -> SSAValue:
            value = b.read(exp.result, indices)
            return b.emit(arith.DivfOp(value, b.read(total.result, along(indices, axis, 0))))

        softmax = compute("softmax", [exp.result, total.result], full_type, axes, divide)
        lowered(rewriter, op, [maximum, exp, total, softmax])


class LogSoftmaxLowering(RewritePattern):
    """The max along the axis, the sum of exp(x - max), and x - max - log(sum)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LogSoftmaxOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        maximum = max_along("log_softmax_max", op, axis)
        axes = generic_axes(len(shape))

        def exp_body(b: Body, *indices: SSAValue) -> SSAValue:
            x = b.read(op.input, along(indices[:-1], axis, indices[-1]))
            shifted = b.emit(arith.SubfOp(x, b.read(maximum.result, indices[:-1])))
            return b.emit(math_dialect.ExpOp(shifted))

        total = compute(
            "log_softmax_sum",
            [op.input, maximum.result],
            graph.tensor(maximum.result),
            axes,
            exp_body,
            Reduction("sum", ["k"], [shape[axis]], 0.0),
        )

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            kept = along(indices, axis, 0)
            shifted = b.emit(arith.SubfOp(b.read(op.input, indices), b.read(maximum.result, kept)))
            log_sum = b.emit(math_dialect.LogOp(b.read(total.result, kept)))
            return b.emit(arith.SubfOp(shifted, log_sum))

        inputs = [op.input, maximum.result, total.result]
        log_softmax = compute("log_softmax", inputs, graph.tensor(op.output), axes, body)
        lowered(rewriter, op, [maximum, total, log_softmax])


class LrnLowering(RewritePattern):
    """The sum of squares over a window of channels (zero outside), then the division."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LrnOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        size = op.size.value.data
        channels = Window(shape[1], shape[1], size, 1, 1, (size - 1) // 2)
        full_type = graph.tensor(op.input)
        axes = axes_for(shape)

        def square_body(b: Body, *indices: SSAValue) -> SSAValue:
            *outer, offset = indices
            channel, inside = b.window(channels, outer[1], offset)
            value = b.padded_read(op.input, along(outer, 1, channel), inside, 0.0)
            return b.emit(arith.MulfOp(value, value))

        reduction = Reduction("sum", ["rc"], [size], 0.0)
        squares = compute("lrn_square_sum", [op.input], full_type, axes, square_body, reduction)
        scale = op.alpha.value.data / size
        bias, beta = op.bias.value.data, op.beta.value.data

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            scaled = b.emit(arith.MulfOp(b.read(squares.result, indices), b.float(scale)))
            base = b.emit(arith.AddfOp(scaled, b.float(bias)))
            divisor = b.emit(math_dialect.PowFOp(base, b.float(beta)))
            return b.emit(arith.DivfOp(b.read(op.input, indices), divisor))

        lrn = compute("lrn", [op.input, squares.result], full_type, axes, body)
        lowered(rewriter, op, [squares, lrn])


class BatchNormLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.BatchNormOp, rewriter: PatternRewriter) -> None:
        epsilon = op.epsilon.value.data
        inputs = [op.input, op.scale, op.bias, op.mean, op.variance]

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            x, scale, bias, mean, variance = (
                b.read(v, indices if v is op.input else [indices[1]]) for v in inputs
            )
            deviation = b.emit(
                math_dialect.SqrtOp(b.emit(arith.AddfOp(variance, b.float(epsilon))))
            )
            factor = b.emit(arith.DivfOp(scale, deviation))
            centered = b.emit(arith.SubfOp(x, mean))
            return b.emit(arith.AddfOp(b.emit(arith.MulfOp(centered, factor)), bias))

        result_type = graph.tensor(op.output)
        axes = axes_for(result_type.get_shape())
        lowered(rewriter, op, [compute("batch_norm", inputs, result_type, axes, body)])


class LayerNormLowering(RewritePattern):
    """A sum, the mean, a sum of squared deviations from it, and the normalized result."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LayerNormOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        rank = len(shape)
        axis = graph.normalize_axis(op.axis.value.data, rank)
        normalized = shape[axis:]
        count = math.prod(normalized)
        full_type = graph.tensor(op.input)
        kept_type = TensorType(full_type.element_type, [*shape[:axis], *[1] * len(normalized)])
        axes = generic_axes(rank)
        reduction = Reduction("sum", generic_axes(len(normalized), "r"), normalized, 0.0)
        epsilon = op.epsilon.value.data

        def kept(indices: Sequence[SSAValue]) -> list[Index]:
            return [*indices[:axis], *[0] * len(normalized)]

        def sum_body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.read(op.input, [*indices[:axis], *indices[rank:]])

        total = compute("layer_norm_sum", [op.input], kept_type, axes, sum_body, reduction)

        def mean_body(b: Body, *indices: SSAValue) -> SSAValue:
            return b.emit(arith.DivfOp(b.read(total.result, indices), b.float(count)))

        mean = compute("layer_norm_mean", [total.result], kept_type, axes, mean_body)

        def square_body(b: Body, *indices: SSAValue) -> SSAValue:
            x = b.read(op.input, [*indices[:axis], *indices[rank:]])
            deviation = b.emit(arith.SubfOp(x, b.read(mean.result, indices[:rank])))
            return b.emit(arith.MulfOp(deviation, deviation))

        squares = compute(
            "layer_norm_square_sum",
            [op.input, mean.result],
            kept_type,
            axes,
            square_body,
            reduction,
        )

        def normalize(b: Body, *indices: SSAValue) -> SSAValue:
            centered = b.emit(
                arith.SubfOp(b.read(op.input, indices), b.read(mean.result, kept(indices)))
            )
            variance = b.emit(arith.DivfOp(b.read(squares.result, kept(indices)), b.float(count)))
            deviation = b.emit(
                math_dialect.SqrtOp(b.emit(arith.AddfOp(variance, b.float(epsilon))))
            )
            scale = b.read(op.scale, broadcast_indices(op.scale, indices))
            value = b.emit(arith.MulfOp(b.emit(arith.DivfOp(centered, deviation)), scale))
            if op.bias is None:
                return value
            return b.emit(arith.AddfOp(value, b.read(op.bias, broadcast_indices(op.bias, indices))))

        inputs = [op.input, mean.result, squares.result, op.scale, *([op.bias] if op.bias else [])]
        layer_norm = compute("layer_norm", inputs, full_type, axes, normalize)
        lowered(rewriter, op, [total, mean, squares, layer_norm])


def delinearize(b: Body, linear: Index, shape: Sequence[int]) -> list[Index]:
    """Row-major indices of the element at `linear` in a tensor of `shape`."""
    indices: list[Index] = []
    for d in range(len(shape)):
        stride = math.prod(shape[d + 1 :])
        if shape[d] == 1:
            indices.append(0)
            continue
        index = b.div(linear, stride)
        # The leading index needs no remainder: `linear` is in bounds.
        indices.append(index if d == 0 else b.rem(index, shape[d]))
    return indices


def reassociation(source: Sequence[int], target: Sequence[int]) -> list[tuple[range, range]]:
    """The smallest groups of consecutive dimensions of `source` and `target` with equal
    sizes, in order (MLIR's reassociation of expand_shape and collapse_shape): a reshape
    maps each group of the one to its group of the other. One group of everything where a
    size is 0."""
    if 0 in source or 0 in target or math.prod(source) != math.prod(target):
        return [(range(len(source)), range(len(target)))]
    groups: list[tuple[range, range]] = []
    i = j = 0
    while i < len(source) or j < len(target):
        first_i, first_j, p, q = i, j, 1, 1
        if i < len(source):
            p, i = source[i], i + 1
        if j < len(target):
            q, j = target[j], j + 1
        while p != q:
            if p < q:
                p, i = p * source[i], i + 1
            else:
                q, j = q * target[j], j + 1
        groups.append((range(first_i, i), range(first_j, j)))
    return groups


class ReshapeLowering(RewritePattern):
    """graph.reshape and graph.flatten: within each group of dimensions the reshape merges
    or splits (`reassociation`), linearize the output indices and delinearize them, so that
    the dimensions it keeps are read as they are (and a split dimension costs one division,
    not a division per dimension)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(
        self, op: graph.ReshapeOp | graph.FlattenOp, rewriter: PatternRewriter
    ) -> None:
        in_shape, out_type = shape_of(op.input), graph.tensor(op.output)
        out_shape = out_type.get_shape()
        groups = reassociation(in_shape, out_shape)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            source: list[Index] = []
            for inputs, outputs in groups:
                linear: Index = 0
                for d in outputs:
                    stride = math.prod(out_shape[d + 1 : outputs.stop])
                    linear = b.add(linear, b.mul(indices[d], stride))
                source.extend(delinearize(b, linear, [in_shape[d] for d in inputs]))
            return b.read(op.input, source)

        name = op.name.removeprefix("graph.")
        axes = generic_axes(len(out_shape))
        lowered(rewriter, op, [compute(name, [op.input], out_type, axes, body)])


class TransposeLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.TransposeOp, rewriter: PatternRewriter) -> None:
        perm = op.perm.get_values()
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            source: list[Index] = [0] * len(perm)
            for d, p in enumerate(perm):
                source[p] = indices[d]
            return b.read(op.input, source)

        axes = generic_axes(len(perm))
        lowered(rewriter, op, [compute("transpose", [op.input], out_type, axes, body)])


class SliceLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.SliceOp, rewriter: PatternRewriter) -> None:
        offsets, steps = op.offsets.get_values(), op.steps.get_values()
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            source = [
                b.add(b.mul(index, step), offset)
                for index, offset, step in zip(indices, offsets, steps, strict=True)
            ]
            return b.read(op.input, source)

        axes = generic_axes(len(offsets))
        lowered(rewriter, op, [compute("slice", [op.input], out_type, axes, body)])


class ConcatLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ConcatOp, rewriter: PatternRewriter) -> None:
        out_type = graph.tensor(op.output)
        axis = graph.normalize_axis(op.axis.value.data, len(out_type.get_shape()))
        sizes = [shape_of(v)[axis] for v in op.inputs]
        offsets = [sum(sizes[:t]) for t in range(len(sizes))]
        total = sum(sizes)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            position = indices[axis]
            value: SSAValue | None = None
            # From the last input back, each earlier input wins below its end offset.
            for t in reversed(range(len(sizes))):
                index = b.sub(position, offsets[t])
                if offsets[t] > 0:
                    index = b.max(index, 0)
                if offsets[t] + sizes[t] < total:
                    index = b.min(index, sizes[t] - 1)
                where = [*indices[:axis], index, *indices[axis + 1 :]]
                read = b.read(op.inputs[t], where)
                end = offsets[t] + sizes[t]
                value = read if value is None else b.select(b.less(position, end), read, value)
            assert value is not None
            return value

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("concat", list(op.inputs), out_type, axes, body)])


class SplitLowering(RewritePattern):
    """One compute per piece, reading the input at an offset along the axis."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.SplitOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        axis = graph.normalize_axis(op.axis.value.data, len(shape))
        axes = generic_axes(len(shape))
        offsets = [0]
        for size in op.sizes.get_values():
            offsets.append(offsets[-1] + size)

        def piece(offset: int) -> BodyFunction:
            def body(b: Body, *indices: SSAValue) -> SSAValue:
                where = [*indices[:axis], b.add(indices[axis], offset), *indices[axis + 1 :]]
                return b.read(op.input, where)

            return body

        computes = [
            compute("split", [op.input], graph.tensor(output), axes, piece(offset))
            for output, offset in zip(op.outputs, offsets, strict=False)
        ]
        rewriter.replace(op, computes, [c.result for c in computes])


class GatherLowering(RewritePattern):
    """Read the index, count it from the end when negative, clamp it into the axis (so no
    read is out of bounds), and read the data there."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.GatherOp, rewriter: PatternRewriter) -> None:
        data_shape = shape_of(op.data)
        axis = graph.normalize_axis(op.axis.value.data, len(data_shape))
        extent = data_shape[axis]
        index_rank = len(shape_of(op.indices))
        out_type = graph.tensor(op.output)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            raw = b.read(op.indices, indices[axis : axis + index_rank])
            index = b.emit(arith_extra.IndexCastOp(raw, IndexType()))
            index = b.select(b.less(index, 0), b.emit(arith.AddiOp(index, b.index(extent))), index)
            index = b.max(b.min(index, extent - 1), 0)
            where = [*indices[:axis], index, *indices[axis + index_rank :]]
            return b.read(op.data, where)

        axes = generic_axes(len(out_type.get_shape()))
        lowered(rewriter, op, [compute("gather", [op.data, op.indices], out_type, axes, body)])


class PadLowering(RewritePattern):
    """Each padded dimension maps the output index to an input index: clamped and tested
    (constant), clamped (edge), or folded into the input by a remainder (reflect, wrap)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.PadOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        pads = op.pads.get_values()
        mode = op.mode.data
        out_type = graph.tensor(op.output)

        def source(b: Body, index: SSAValue, size: int, before: int, after: int):
            """The input index for output `index` and the tests that it is inside."""
            if before == 0 and after == 0:
                return index, []
            if mode == "constant":
                return b.window(Window(size, size + before + after, 1, 1, 1, before), index, 0)
            if mode == "edge":
                position = b.sub(index, before)
                position = b.max(position, 0) if before > 0 else position
                return (b.min(position, size - 1) if after > 0 else position), []
            # Reflect is periodic in 2 (size - 1) and mirrored within a period; wrap is
            # periodic in size. Shift by whole periods so the remainder's operand is >= 0.
            period = 2 * (size - 1) if mode == "reflect" else size
            if period <= 1:
                return 0, []
            shifted = b.add(index, -before % period)
            folded = b.rem(shifted, period)
            if mode == "reflect":
                folded = b.min(folded, b.sub(period, folded))
            return folded, []

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            where: list[Index] = []
            conditions: list[SSAValue] = []
            for d, (index, size) in enumerate(zip(indices, shape, strict=True)):
                position, inside = source(b, index, size, pads[d], pads[len(shape) + d])
                where.append(position)
                conditions += inside
            return b.padded_read(op.input, where, conditions, op.value.value.data)

        axes = generic_axes(len(shape))
        lowered(rewriter, op, [compute("pad", [op.input], out_type, axes, body)])


class ReduceLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.ReduceOp, rewriter: PatternRewriter) -> None:
        shape = shape_of(op.input)
        reduced = op.reduced_axes()
        keepdims = op.keepdims is not None
        out_type = graph.tensor(op.output)
        axes = generic_axes(len(out_type.get_shape()))
        reduce_axes = generic_axes(len(reduced), "r")
        is_max = isinstance(op, graph.ReduceMaxOp)
        init = -math.inf if is_max else 0.0

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            outer, inner = list(indices[: len(axes)]), list(indices[len(axes) :])
            source: list[Index] = []
            for d in range(len(shape)):
                if d in reduced:
                    source.append(inner.pop(0))
                    if keepdims:
                        outer.pop(0)
                else:
                    source.append(outer.pop(0))
            return b.read(op.input, source)

        reduction = Reduction(
            "max" if is_max else "sum", reduce_axes, [shape[d] for d in reduced], init
        )
        name = op.name.removeprefix("graph.")
        if not isinstance(op, graph.ReduceMeanOp):
            lowered(rewriter, op, [compute(name, [op.input], out_type, axes, body, reduction)])
            return
        total = compute(f"{name}_sum", [op.input], out_type, axes, body, reduction)
        count = math.prod(shape[d] for d in reduced)

        def divide(b: Body, *indices: SSAValue) -> SSAValue:
            return b.emit(arith.DivfOp(b.read(total.result, indices), b.float(count)))

        lowered(rewriter, op, [total, compute(name, [total.result], out_type, axes, divide)])


PATTERNS: tuple[RewritePattern, ...] = (
    ConstantLowering(),
    DenseLowering(),
    MatmulLowering(),
    Conv2dLowering(),
    BinaryLowering(),
    UnaryLowering(),
    SoftmaxLowering(),
    LogSoftmaxLowering(),
    BatchNormLowering(),
    LrnLowering(),
    Pool2dLowering(),
    GlobalPool2dLowering(),
    ReshapeLowering(),
    TransposeLowering(),
    SliceLowering(),
    ConcatLowering(),
    SplitLowering(),
    GatherLowering(),
    PadLowering(),
    LayerNormLowering(),
    CastLowering(),
    ReduceLowering(),
)


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


LOWERABLE = (
    graph.ConstantOp,
    graph.DenseOp,
    graph.MatmulOp,
    graph.Conv2dOp,
    graph.BinaryOp,
    graph.UnaryOp,
    graph.SoftmaxOp,
    graph.LogSoftmaxOp,
    graph.BatchNormOp,
    graph.LrnOp,
    graph.Pool2dOp,
    graph.GlobalPool2dOp,
    graph.ReshapeOp,
    graph.FlattenOp,
    graph.TransposeOp,
    graph.SliceOp,
    graph.ConcatOp,
    graph.SplitOp,
    graph.GatherOp,
    graph.PadOp,
    graph.LayerNormOp,
    graph.CastOp,
    graph.ReduceOp,
)


# Data layouts (alter-conv-layout) -----------------------------------------------------------


def layout_axes(layout: graph.Layout) -> list[str]:
    """A primal axis is named by its lower-case letter, its block by the letter and "b"."""
    return [axis.lower() + ("b" if factor else "") for axis, factor in layout.items]


class LayoutTransformLowering(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.LayoutTransformOp, rewriter: PatternRewriter) -> None:
        source = graph.Layout.parse(op.src_layout.data)
        target = graph.Layout.parse(op.dst_layout.data)

        def body(b: Body, *indices: SSAValue) -> SSAValue:
            outer: dict[str, Index] = {}
            inner: dict[str, Index] = {}
            for (axis, factor), index in zip(target.items, indices, strict=True):
                (inner if factor else outer)[axis] = index
            # The element's coordinate along each primal axis, then where the source has it.
            coordinate = {
                axis: b.add(b.mul(outer[axis], target.factor(axis)), inner.get(axis, 0))
                for axis in outer
            }
            where = [
                b.rem(coordinate[axis], factor)
                if factor
                else b.div(coordinate[axis], source.factor(axis))
                for axis, factor in source.items
            ]
            return b.read(op.input, where)

        out_type = graph.tensor(op.output)
        transform = compute("layout_transform", [op.input], out_type, layout_axes(target), body)
        lowered(rewriter, op, [transform])


class Conv2dNchwcLowering(RewritePattern):
    """conv2d_nchwc: the reduction runs over input channel blocks, the window, then the
    channels of a block, innermost."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.Conv2dNchwcOp, rewriter: PatternRewriter) -> None:
        _, in_blocks, height, width, in_block = shape_of(op.input)
        _, _, kernel_h, kernel_w, _, _ = shape_of(op.weight)
        _, _, out_h, out_w, _ = shape_of(op.output)
        stride_h, stride_w = op.strides.get_values()
        top, left, _, _ = op.padding.get_values()
        dilation_h, dilation_w = op.dilation.get_values()
        rows = Window(height, out_h, kernel_h, stride_h, dilation_h, top)
        columns = Window(width, out_w, kernel_w, stride_w, dilation_w, left)

        def body(b: Body, n, c, h, w, cb, rc, ry, rx, rcb) -> SSAValue:
            y, y_ok = b.window(rows, h, ry)
            x, x_ok = b.window(columns, w, rx)
            value = b.padded_read(op.input, [n, rc, y, x, rcb], y_ok + x_ok, 0.0)
            return b.emit(arith.MulfOp(value, b.read(op.weight, [c, rc, ry, rx, rcb, cb])))

        axes = ["n", "c", "h", "w", "cb"]
        reduction = Reduction(
            "sum", ["rc", "ry", "rx", "rcb"], [in_blocks, kernel_h, kernel_w, in_block], 0.0
        )
        out_type = graph.tensor(op.output)
        conv = compute("conv2d_nchwc", [op.input, op.weight], out_type, axes, body, reduction)
        bias = op.bias
        if bias is None:
            lowered(rewriter, op, [conv])
            return

        def add_bias(b: Body, n, c, h, w, cb) -> SSAValue:
            value = b.read(conv.result, [n, c, h, w, cb])
            return b.emit(arith.AddfOp(value, b.read(bias, [c, cb])))

        lowered(
            rewriter, op, [conv, compute("bias_add", [conv.result, bias], out_type, axes, add_bias)]
        )


PATTERNS = (*PATTERNS, LayoutTransformLowering(), Conv2dNchwcLowering())
LOWERABLE = (*LOWERABLE, graph.LayoutTransformOp, graph.Conv2dNchwcOp)
