"""The builder of te.compute bodies: `compute` makes one compute whose body a function
builds on a `Body`, which emits index arithmetic (folded where it is known statically),
reads, clamped windows and padded reads; `broadcast_compute` one of a function of its
operands' elements, broadcast.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.dialects import arith
from xdsl.dialects.builtin import FloatAttr, IndexType, IntegerAttr, IntegerType, TensorType, i64
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter

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
        return self.emit(arith.ConstantOp(element_attr(value, self.element)))

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


def element_attr(value: float, element: Attribute) -> FloatAttr | IntegerAttr:
    """`value` as a constant of `element`; for an integer type, truncated toward zero and
    saturated to its range (of its signedness: i1 and ui8 to ui64 are unsigned), so an
    infinity is its extreme (a clip of a ui8 at -1 clips nothing)."""
    if not isinstance(element, IntegerType):
        return FloatAttr(value, element)  # type: ignore[arg-type]
    width = element.width.data
    if graph.element_kind(element) in (graph.UNSIGNED, graph.BOOL):
        low, high = 0, 2**width - 1
    else:
        low, high = -(2 ** (width - 1)), 2 ** (width - 1) - 1
    whole = low if value == -math.inf else high if value == math.inf else int(value)
    return IntegerAttr(min(max(whole, low), high), element)


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
            element_attr(reduction.init, element),
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


def broadcast_compute(
    name: str,
    operands: Sequence[SSAValue],
    result_type: TensorType,
    function: Callable[..., SSAValue],
) -> ComputeOp:
    """One compute of `function` of the elements of `operands`, each broadcast to the result."""

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        return function(b, *(b.read(v, broadcast_indices(v, indices)) for v in operands))

    axes = generic_axes(len(result_type.get_shape()))
    return compute(name, list(dict.fromkeys(operands)), result_type, axes, body)


def axes_for(shape: Sequence[int]) -> list[str]:
    return ["n", "c", "h", "w"] if len(shape) == 4 else generic_axes(len(shape))


def lowered(rewriter: PatternRewriter, op: Operation, computes: Sequence[Operation]) -> None:
    """Replace `op` by `computes`, the last of which gives its result."""
    rewriter.replace(op, computes, [computes[-1].results[0]])
