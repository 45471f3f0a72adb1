"""The graph level: whole operators on immutable tensors with static shapes.

A value is a ranked tensor (`tensor<1x3x224x224xf32>`); an op is a whole operator such as a
convolution, a matrix product, an elementwise function or a reshape. Every op infers its
result type from its operands and properties (its constructor does, its verifier checks it)
and declares its *pattern kind*, which drives operator fusion. Axes may be negative, counted
from the end, as in ONNX and numpy.

    %w = graph.constant dense<0.5> : tensor<4x3x3x3xf32>
    %y = graph.conv2d %x, %w strides [2, 2] padding [1, 1, 1, 1]
           : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
    %r = graph.relu %y : tensor<1x4x4x4xf32>
    %z = graph.add %r, %b : (tensor<1x4x4x4xf32>, tensor<4x1x1xf32>) -> tensor<1x4x4x4xf32>
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    TensorType,
    UnitAttr,
    f32,
    f64,
    i32,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    VarConstraint,
    base,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsTerminator, OpTrait, Pure, RecursiveMemoryEffect
from xdsl.utils.exceptions import VerifyException

# Pattern kinds and shape rules ---------------------------------------------------------


class PatternKind(IntEnum):
    """How an op's output elements depend on its inputs; TVM's numbering, lower fuses more."""

    ELEMENTWISE = 0
    BROADCAST = 1
    INJECTIVE = 2
    REDUCTION = 3
    OUT_ELEMENTWISE_FUSABLE = 4
    OPAQUE = 8


@dataclass(frozen=True)
class Pattern(OpTrait):
    """The pattern kind of an op, read by operator fusion through `pattern_kind`."""

    kind: PatternKind


def pattern_kind(op: Operation) -> PatternKind:
    """The pattern kind of any op; ops that do not declare one are opaque."""
    trait = op.get_trait(Pattern)
    return trait.kind if trait is not None else PatternKind.OPAQUE


Shape = tuple[int, ...]


def ints(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, values)


def tensor(value: SSAValue | Attribute) -> TensorType:
    """The static tensor type of a value (or a type), or a VerifyException."""
    value_type = value.type if isinstance(value, SSAValue) else value
    if not isinstance(value_type, TensorType):
        raise VerifyException(f"expected a tensor, got {value_type}")
    if not value_type.has_static_shape():
        raise VerifyException(f"expected a static shape, got {value_type}")
    return value_type  # type: ignore[return-value]


def shape_of(value: SSAValue | Attribute) -> Shape:
    return tuple(tensor(value).get_shape())


# The kinds of element the graph level computes with, as ONNX has them: f16, f32 and f64;
# i1 (a boolean); signless integers of 8 to 64 bits, which are signed; and unsigned ones
# (ui8 to ui64). Signedness lives in the type here, as in ONNX; at the te level and below
# integers are signless and the ops say how they read them (divui, cmpi ult, extui).
FLOAT, BOOL, SIGNED, UNSIGNED = "floating-point", "boolean", "signed integer", "unsigned integer"
INTEGERS = (BOOL, SIGNED, UNSIGNED)
NUMBERS = (FLOAT, SIGNED, UNSIGNED)


def element_kind(element: Attribute) -> str | None:
    """FLOAT, BOOL, SIGNED or UNSIGNED, or None for a type the graph level does not have."""
    if isinstance(element, Float16Type | Float32Type | Float64Type):
        return FLOAT
    if not isinstance(element, IntegerType):
        return None
    width, signedness = element.width.data, element.signedness.data
    if width == 1 and signedness == Signedness.SIGNLESS:
        return BOOL
    if width not in (8, 16, 32, 64):
        return None
    return {Signedness.SIGNLESS: SIGNED, Signedness.UNSIGNED: UNSIGNED}.get(signedness)


def shared_element(values: Sequence[SSAValue], kinds: Sequence[str]) -> Attribute:
    """The element type shared by `values`, of one of `kinds`, or a VerifyException."""
    element = tensor(values[0]).element_type
    if element_kind(element) not in kinds:
        described = ", ".join(kinds[:-1]) + (" or " if len(kinds) > 1 else "") + kinds[-1]
        raise VerifyException(f"expected {described} tensors, got {values[0].type}")
    for value in values[1:]:
        if tensor(value).element_type != element:
            raise VerifyException(f"element types differ: {values[0].type} and {value.type}")
    return element


def float_element(*values: SSAValue) -> Attribute:
    """The floating-point element type shared by `values`, or a VerifyException."""
    return shared_element(values, (FLOAT,))


def is_cast_type(element: Attribute) -> bool:
    """Whether graph.cast converts to and from `element`: f16, f32, f64, i1 (a boolean),
    signed (signless) and unsigned integers of 8, 16, 32 or 64 bits."""
    return element_kind(element) is not None


def normalize_axis(axis: int, rank: int) -> int:
    """`axis` in [0, rank), counting negative axes from the end."""
    if not -rank <= axis < rank:
        raise VerifyException(f"axis {axis} is out of range for rank {rank}")
    return axis % rank


def broadcast_shapes(*shapes: Shape) -> Shape:
    """numpy broadcasting of `shapes`, or a VerifyException."""
    rank = max(len(s) for s in shapes)
    result = []
    for dims in zip(*((1,) * (rank - len(s)) + tuple(s) for s in shapes), strict=True):
        sizes = {d for d in dims if d != 1}
        if len(sizes) > 1:
            raise VerifyException(f"shapes {' and '.join(map(str, shapes))} do not broadcast")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def broadcasts_to(shape: Shape, target: Shape) -> bool:
    """Whether `shape` broadcasts to `target` without changing it (ONNX's unidirectional)."""
    if len(shape) > len(target):
        return False
    aligned = target[len(target) - len(shape) :]
    return all(d in (1, t) for d, t in zip(shape, aligned, strict=True))


def window_output_size(
    size: int, kernel: int, stride: int, before: int, after: int, dilation: int, ceil: bool
) -> int:
    """Output extent of a sliding window; with `ceil`, no window starts past the padding."""
    span = dilation * (kernel - 1) + 1
    room = size + before + after - span
    if room < 0:
        raise VerifyException(
            f"window of extent {span} does not fit in {size} padded by {before} and {after}"
        )
    count = -(-room // stride) + 1 if ceil else room // stride + 1
    if ceil and (count - 1) * stride >= size + before:
        count -= 1
    return count


def check_window(name: str, values: Sequence[int], length: int, minimum: int) -> None:
    if len(values) != length:
        raise VerifyException(f"{name} needs {length} values, got {list(values)}")
    if any(v < minimum for v in values):
        adjective = "positive" if minimum == 1 else "non-negative"
        raise VerifyException(f"{name} must be {adjective}, got {list(values)}")


class GraphOp(IRDLOperation):
    """An op whose verifier checks its result type against the one it infers."""

    def inferred_type(self) -> TensorType:
        raise NotImplementedError

    def verify_(self) -> None:
        expected = self.inferred_type()
        if self.results[0].type != expected:
            raise VerifyException(f"{self.name} should give {expected}, not {self.results[0].type}")


# Constants ------------------------------------------------------------------------------


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A tensor whose elements are known at compile time.

    %w = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
    """

    name = "graph.constant"

    value = prop_def(DenseIntOrFPElementsAttr)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))

    def __init__(self, value: DenseIntOrFPElementsAttr):
        super().__init__(properties={"value": value}, result_types=[value.get_type()])

    def verify_(self) -> None:
        if self.value.get_type() != self.output.type:
            raise VerifyException(
                f"graph.constant of {self.value.get_type()} gives {self.output.type}"
            )
        tensor(self.output)

    def print(self, printer: Printer) -> None:
        printer.print_op_attributes(self.attributes)
        printer.print_string(" ")
        printer.print_attribute(self.value)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        attributes = parser.parse_optional_attr_dict()
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr):
            parser.raise_error(f"graph.constant needs dense elements, got {value}")
        op = ConstantOp(value)
        op.attributes |= attributes
        return op


# Contractions: dense, matmul, conv2d -----------------------------------------------------

ONE = FloatAttr(1.0, f32)


@irdl_op_definition
class DenseOp(GraphOp):
    """ONNX Gemm: alpha * op(a) @ op(b) + beta * bias, op transposing where asked; the
    bias is optional and broadcasts to the output.

    %y = graph.dense %a, %b, %c trans_b : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    """

    name = "graph.dense"

    a = operand_def(TensorType)
    b = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    output = result_def(TensorType)
    trans_a = opt_prop_def(UnitAttr)
    trans_b = opt_prop_def(UnitAttr)
    alpha = prop_def(FloatAttr[Float32Type], default_value=ONE)
    beta = prop_def(FloatAttr[Float32Type], default_value=ONE)

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = (
        "$a `,` $b (`,` $bias^)? (`trans_a` $trans_a^)? (`trans_b` $trans_b^)? "
        "(`alpha` $alpha^)? (`beta` $beta^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        a: SSAValue,
        b: SSAValue,
        bias: SSAValue | None = None,
        trans_a: bool = False,
        trans_b: bool = False,
        alpha: float = 1.0,
        beta: float = 1.0,
    ):
        properties: dict[str, Attribute] = {
            "alpha": FloatAttr(alpha, f32),
            "beta": FloatAttr(beta, f32),
        }
        if trans_a:
            properties["trans_a"] = UnitAttr()
        if trans_b:
            properties["trans_b"] = UnitAttr()
        result = DenseOp.infer_result_type(a, b, bias, trans_a, trans_b)
        super().__init__(
            operands=[a, b, [bias] if bias else []],
            result_types=[result],
            properties=properties,
        )

    @staticmethod
    def infer_result_type(
        a: SSAValue, b: SSAValue, bias: SSAValue | None, trans_a: bool, trans_b: bool
    ) -> TensorType:
        element = float_element(a, b, *([bias] if bias else []))
        a_shape, b_shape = shape_of(a), shape_of(b)
        if len(a_shape) != 2 or len(b_shape) != 2:
            raise VerifyException(f"graph.dense needs matrices, got {a.type} and {b.type}")
        m, k = a_shape[::-1] if trans_a else a_shape
        k2, n = b_shape[::-1] if trans_b else b_shape
        if k != k2:
            raise VerifyException(
                f"graph.dense contracts {k} with {k2} elements ({a.type} and {b.type})"
            )
        if bias is not None and not broadcasts_to(shape_of(bias), (m, n)):
            raise VerifyException(f"bias {bias.type} does not broadcast to {m}x{n}")
        return TensorType(element, (m, n))

    def inferred_type(self) -> TensorType:
        return DenseOp.infer_result_type(
            self.a, self.b, self.bias, self.trans_a is not None, self.trans_b is not None
        )


def matmul_shape(a: Shape, b: Shape) -> Shape:
    """numpy.matmul's result shape, or a VerifyException."""
    if not a or not b:
        raise VerifyException("graph.matmul needs operands of rank 1 or more")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise VerifyException(f"graph.matmul contracts {a2[-1]} with {b2[-2]} elements")
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    return batch + a2[-2:-1] * (len(a) > 1) + b2[-1:] * (len(b) > 1)


@irdl_op_definition
class MatmulOp(GraphOp):
    """numpy.matmul: batched matrix product, batch dimensions broadcast, 1-D operands
    taken as a row (left) or a column (right) that is then dropped.

    %y = graph.matmul %a, %b : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>
    """

    name = "graph.matmul"

    a = operand_def(TensorType)
    b = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = "$a `,` $b attr-dict `:` functional-type(operands, results)"

    def __init__(self, a: SSAValue, b: SSAValue):
        super().__init__(operands=[a, b], result_types=[MatmulOp.infer_result_type(a, b)])

    @staticmethod
    def infer_result_type(a: SSAValue, b: SSAValue) -> TensorType:
        element = float_element(a, b)
        return TensorType(element, matmul_shape(shape_of(a), shape_of(b)))

    def inferred_type(self) -> TensorType:
        return MatmulOp.infer_result_type(self.a, self.b)


# The weight layouts a conv2d reads: where each of O, I, H and W sits among the weight's
# dimensions. IHWO is OIHW with the output channels innermost, as a CPU schedule packs them
# (pack-weights lays out constant weights so at compile time).
WEIGHT_LAYOUTS: dict[str, tuple[int, int, int, int]] = {
    "OIHW": (0, 1, 2, 3),
    "IHWO": (3, 0, 1, 2),
}


def oihw(shape: Sequence[int], layout: str) -> tuple[int, int, int, int]:
    """A conv2d weight's shape in `layout`, as (O, I, H, W)."""
    if layout not in WEIGHT_LAYOUTS:
        raise VerifyException(f"unknown weight layout '{layout}', expected one of OIHW, IHWO")
    o, i, h, w = (shape[p] for p in WEIGHT_LAYOUTS[layout])
    return o, i, h, w


def conv2d_shape(
    input: SSAValue,
    weight: SSAValue,
    bias: SSAValue | None,
    strides: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    groups: int,
    name: str,
    weight_layout: str = "OIHW",
) -> Shape:
    """The NCHW output shape of a 2-D convolution (graph.conv2d's or conv_integer's)."""
    check_window("strides", strides, 2, 1)
    check_window("padding", padding, 4, 0)
    check_window("dilation", dilation, 2, 1)
    x, w = shape_of(input), shape_of(weight)
    if len(x) != 4 or len(w) != 4:
        raise VerifyException(
            f"{name} needs an NCHW input and an {weight_layout} weight, got "
            f"{input.type} and {weight.type}"
        )
    w = oihw(w, weight_layout)
    n, channels, height, width = x
    out_channels = w[0]
    if groups < 1 or channels % groups or out_channels % groups:
        raise VerifyException(
            f"groups {groups} must divide the {channels} input and {out_channels} output channels"
        )
    if w[1] * groups != channels:
        raise VerifyException(
            f"weight has {w[1]} input channels per group, expected "
            f"{channels // groups} ({channels} channels in {groups} groups)"
        )
    if bias is not None and shape_of(bias) != (out_channels,):
        raise VerifyException(f"bias must be tensor<{out_channels}x...>, got {bias.type}")
    top, left, bottom, right = padding
    out_height = window_output_size(height, w[2], strides[0], top, bottom, dilation[0], False)
    out_width = window_output_size(width, w[3], strides[1], left, right, dilation[1], False)
    return (n, out_channels, out_height, out_width)


@irdl_op_definition
class Conv2dOp(GraphOp):
    """2-D convolution (cross-correlation) of an NCHW input with an OIHW weight (or IHWO:
    `weight_layout "IHWO"`), plus an optional bias per output channel; padding is [top,
    left, bottom, right].

    %y = graph.conv2d %x, %w, %b strides [2, 2] padding [1, 1, 0, 0] groups 2 : (...) -> ...
    """

    name = "graph.conv2d"

    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    output = result_def(TensorType)
    strides = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    padding = prop_def(DenseArrayBase[I64], default_value=ints([0, 0, 0, 0]))
    dilation = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    groups = prop_def(IntegerAttr[I64], default_value=IntegerAttr(1, i64))
    weight_layout = prop_def(StringAttr, default_value=StringAttr("OIHW"))

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = (
        "$input `,` $weight (`,` $bias^)? (`strides` $strides^)? (`padding` $padding^)? "
        "(`dilation` $dilation^)? (`groups` $groups^)? (`weight_layout` $weight_layout^)? "
        "attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None = None,
        strides: Sequence[int] = (1, 1),
        padding: Sequence[int] = (0, 0, 0, 0),
        dilation: Sequence[int] = (1, 1),
        groups: int = 1,
        weight_layout: str = "OIHW",
    ):
        result = Conv2dOp.infer_result_type(
            input, weight, bias, strides, padding, dilation, groups, weight_layout
        )
        super().__init__(
            operands=[input, weight, [bias] if bias else []],
            result_types=[result],
            properties={
                "strides": ints(strides),
                "padding": ints(padding),
                "dilation": ints(dilation),
                "groups": IntegerAttr(groups, i64),
                "weight_layout": StringAttr(weight_layout),
            },
        )

    @staticmethod
    def infer_result_type(
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None,
        strides: Sequence[int],
        padding: Sequence[int],
        dilation: Sequence[int],
        groups: int,
        weight_layout: str = "OIHW",
    ) -> TensorType:
        element = float_element(input, weight, *([bias] if bias else []))
        shape = conv2d_shape(
            input, weight, bias, strides, padding, dilation, groups, "graph.conv2d", weight_layout
        )
        return TensorType(element, shape)

    def inferred_type(self) -> TensorType:
        return Conv2dOp.infer_result_type(
            self.input,
            self.weight,
            self.bias,
            self.strides.get_values(),
            self.padding.get_values(),
            self.dilation.get_values(),
            self.groups.value.data,
            self.weight_layout.data,
        )

    def weight_shape(self) -> tuple[int, int, int, int]:
        """The weight's shape as (O, I, H, W), whatever its layout."""
        return oihw(shape_of(self.weight), self.weight_layout.data)

    def with_weights(
        self, weight: SSAValue, bias: SSAValue | None, weight_layout: str | None = None
    ) -> Conv2dOp:
        """The same convolution of the same input with other weights (and bias)."""
        return Conv2dOp(
            self.input,
            weight,
            bias,
            self.strides.get_values(),
            self.padding.get_values(),
            self.dilation.get_values(),
            self.groups.value.data,
            weight_layout or self.weight_layout.data,
        )


# Elementwise and broadcasting arithmetic --------------------------------------------------


class BinaryOp(GraphOp):
    """lhs (op) rhs elementwise, with numpy broadcasting, on numbers (ELEMENTS says which)."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    output = result_def(TensorType)

    ELEMENTS: ClassVar[tuple[str, ...]] = NUMBERS

    traits = traits_def(Pure(), Pattern(PatternKind.BROADCAST))

    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        super().__init__(operands=[lhs, rhs], result_types=[self.infer_result_type(lhs, rhs)])

    @classmethod
    def infer_result_type(cls, lhs: SSAValue, rhs: SSAValue) -> TensorType:
        element = shared_element((lhs, rhs), cls.ELEMENTS)
        return TensorType(element, broadcast_shapes(shape_of(lhs), shape_of(rhs)))

    def inferred_type(self) -> TensorType:
        return self.infer_result_type(self.lhs, self.rhs)


@irdl_op_definition
class AddOp(BinaryOp):
    """Sum, broadcasting.

    %z = graph.add %x, %y : (tensor<7x1x13xf32>, tensor<13xf32>) -> tensor<7x1x13xf32>
    """

    name = "graph.add"


@irdl_op_definition
class SubOp(BinaryOp):
    """Difference, broadcasting.

    %z = graph.sub %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    """

    name = "graph.sub"


@irdl_op_definition
class MulOp(BinaryOp):
    """Product, broadcasting.

    %z = graph.mul %x, %y : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    """

    name = "graph.mul"


@irdl_op_definition
class DivOp(BinaryOp):
    """Quotient, broadcasting.

    %z = graph.div %x, %y : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    """

    name = "graph.div"


@irdl_op_definition
class PowOp(BinaryOp):
    """lhs raised to the power rhs, broadcasting; a negative base with an integral exponent
    gives the signed power (C's pow).

    %z = graph.pow %x, %e : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    """

    name = "graph.pow"


@irdl_op_definition
class MaximumOp(BinaryOp):
    """The larger element, broadcasting; NaN if either is NaN.

    %z = graph.maximum %x, %y : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    """

    name = "graph.maximum"


@irdl_op_definition
class MinimumOp(BinaryOp):
    """The smaller element, broadcasting; NaN if either is NaN.

    %z = graph.minimum %x, %y : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    """

    name = "graph.minimum"


class UnaryOp(GraphOp):
    """A function applied to each element, of floats unless ELEMENTS says otherwise."""

    T: ClassVar = VarConstraint("T", base(TensorType))
    input = operand_def(T)
    output = result_def(T)

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT,)

    traits = traits_def(Pure(), Pattern(PatternKind.ELEMENTWISE))

    assembly_format = "$input attr-dict `:` type($input)"

    def __init__(self, input: SSAValue):
        super().__init__(operands=[input], result_types=[input.type])

    def inferred_type(self) -> TensorType:
        shared_element((self.input,), self.ELEMENTS)
        return tensor(self.input)


@irdl_op_definition
class ReluOp(UnaryOp):
    """max(x, 0).

    %y = graph.relu %x : tensor<4xf32>
    """

    name = "graph.relu"

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT, SIGNED)


@irdl_op_definition
class SigmoidOp(UnaryOp):
    """1 / (1 + exp(-x)).

    %y = graph.sigmoid %x : tensor<4xf32>
    """

    name = "graph.sigmoid"


@irdl_op_definition
class TanhOp(UnaryOp):
    """Hyperbolic tangent.

    %y = graph.tanh %x : tensor<4xf32>
    """

    name = "graph.tanh"


@irdl_op_definition
class ExpOp(UnaryOp):
    """Exponential.

    %y = graph.exp %x : tensor<4xf32>
    """

    name = "graph.exp"


@irdl_op_definition
class SqrtOp(UnaryOp):
    """Square root.

    %y = graph.sqrt %x : tensor<4xf32>
    """

    name = "graph.sqrt"


@irdl_op_definition
class ErfOp(UnaryOp):
    """The error function.

    %y = graph.erf %x : tensor<4xf32>
    """

    name = "graph.erf"


@irdl_op_definition
class NegOp(UnaryOp):
    """-x.

    %y = graph.neg %x : tensor<4xf32>
    """

    name = "graph.neg"

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT, SIGNED)


@irdl_op_definition
class AbsOp(UnaryOp):
    """|x|.

    %y = graph.abs %x : tensor<4xf32>
    """

    name = "graph.abs"

    ELEMENTS: ClassVar[tuple[str, ...]] = NUMBERS


@irdl_op_definition
class LogOp(UnaryOp):
    """Natural logarithm.

    %y = graph.log %x : tensor<4xf32>
    """

    name = "graph.log"


@irdl_op_definition
class ReciprocalOp(UnaryOp):
    """1 / x.

    %y = graph.reciprocal %x : tensor<4xf32>
    """

    name = "graph.reciprocal"


@irdl_op_definition
class LeakyReluOp(UnaryOp):
    """x if x >= 0, else alpha * x.

    %y = graph.leaky_relu %x alpha 1.000000e-01 : tensor<4xf32>
    """

    name = "graph.leaky_relu"

    alpha = prop_def(FloatAttr[Float32Type], default_value=FloatAttr(0.01, f32))

    assembly_format = "$input (`alpha` $alpha^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, alpha: float = 0.01):
        super().__init__(x)
        self.alpha = FloatAttr(alpha, f32)


@irdl_op_definition
class ClipOp(UnaryOp):
    """x limited to [min, max], either bound optional; NaN stays NaN, and where min > max
    every element becomes max (ONNX and numpy.clip).

    %y = graph.clip %x min 0.000000e+00 max 6.000000e+00 : tensor<4xf32>
    """

    name = "graph.clip"

    ELEMENTS: ClassVar[tuple[str, ...]] = NUMBERS

    min = opt_prop_def(FloatAttr[Float64Type])
    max = opt_prop_def(FloatAttr[Float64Type])

    assembly_format = "$input (`min` $min^)? (`max` $max^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, min: float | None = None, max: float | None = None):
        super().__init__(x)
        if min is not None:
            self.min = FloatAttr(min, f64)
        if max is not None:
            self.max = FloatAttr(max, f64)


@irdl_op_definition
class CastOp(GraphOp):
    """Each element converted to the result's element type (f16, f32, f64, i1, i8, i16,
    i32, i64) as numpy's astype does: floats round to nearest, floats become integers by
    truncation toward zero, integers wrap or sign-extend, and i1 is `x != 0`.

    %y = graph.cast %x : (tensor<4xf32>) -> tensor<4xi64>
    """

    name = "graph.cast"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.ELEMENTWISE))

    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, element_type: Attribute):
        result = CastOp.infer_result_type(x, element_type)
        super().__init__(operands=[x], result_types=[result])

    @staticmethod
    def infer_result_type(input: SSAValue, element_type: Attribute) -> TensorType:
        for element in (tensor(input).element_type, element_type):
            if not is_cast_type(element):
                raise VerifyException(f"graph.cast cannot convert {element}")
        return TensorType(element_type, shape_of(input))

    def inferred_type(self) -> TensorType:
        return CastOp.infer_result_type(self.input, tensor(self.output).element_type)


class AlongAxisOp(GraphOp):
    """A normalization along one axis; the result has the input's type."""

    T: ClassVar = VarConstraint("T", base(TensorType))
    input = operand_def(T)
    output = result_def(T)
    axis = prop_def(IntegerAttr[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))

    assembly_format = "$input `axis` $axis attr-dict `:` type($input)"

    def __init__(self, input: SSAValue, axis: int):
        super().__init__(
            operands=[input],
            result_types=[input.type],
            properties={"axis": IntegerAttr(axis, i64)},
        )
        self.inferred_type()

    def inferred_type(self) -> TensorType:
        float_element(self.input)
        normalize_axis(self.axis.value.data, len(shape_of(self.input)))
        return tensor(self.input)


@irdl_op_definition
class SoftmaxOp(AlongAxisOp):
    """exp(x) / sum(exp(x)) along one axis.

    %y = graph.softmax %x axis 1 : tensor<2x10xf32>
    """

    name = "graph.softmax"


@irdl_op_definition
class LogSoftmaxOp(AlongAxisOp):
    """log(softmax(x)) along one axis, as x - max - log(sum(exp(x - max))).

    %y = graph.log_softmax %x axis -1 : tensor<2x10xf32>
    """

    name = "graph.log_softmax"


@irdl_op_definition
class BatchNormOp(GraphOp):
    """Inference batch normalization over axis 1: (x - mean) * scale / sqrt(var + eps) + bias.

    %y = graph.batch_norm %x, %scale, %bias, %mean, %var epsilon 1.0e-03 : (...) -> ...
    """

    name = "graph.batch_norm"

    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    mean = operand_def(TensorType)
    variance = operand_def(TensorType)
    output = result_def(TensorType)
    epsilon = prop_def(FloatAttr[Float32Type], default_value=FloatAttr(1e-5, f32))

    traits = traits_def(Pure(), Pattern(PatternKind.BROADCAST))

    assembly_format = (
        "$input `,` $scale `,` $bias `,` $mean `,` $variance (`epsilon` $epsilon^)? "
        "attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        scale: SSAValue,
        bias: SSAValue,
        mean: SSAValue,
        variance: SSAValue,
        epsilon: float = 1e-5,
    ):
        super().__init__(
            operands=[input, scale, bias, mean, variance],
            result_types=[input.type],
            properties={"epsilon": FloatAttr(epsilon, f32)},
        )

    def inferred_type(self) -> TensorType:
        float_element(self.input, self.scale, self.bias, self.mean, self.variance)
        x = shape_of(self.input)
        if len(x) < 2:
            raise VerifyException(f"graph.batch_norm needs rank 2 or more, got {self.input.type}")
        for parameter in (self.scale, self.bias, self.mean, self.variance):
            if shape_of(parameter) != (x[1],):
                raise VerifyException(
                    f"batch_norm parameters must have one element per channel ({x[1]}), "
                    f"got {parameter.type}"
                )
        return tensor(self.input)


@irdl_op_definition
class LayerNormOp(GraphOp):
    """ONNX LayerNormalization: (x - mean) / sqrt(variance + epsilon) * scale + bias, mean
    and variance over the dimensions from `axis` on; scale and bias broadcast to the input
    (to the normalized dimensions for ONNX's; per channel for an instance norm, axis 2).

    %y = graph.layer_norm %x, %scale, %bias axis -1 epsilon 1.000000e-03 : (...) -> ...
    """

    name = "graph.layer_norm"

    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    epsilon = prop_def(FloatAttr[Float32Type], default_value=FloatAttr(1e-5, f32))

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))

    assembly_format = (
        "$input `,` $scale (`,` $bias^)? `axis` $axis (`epsilon` $epsilon^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self,
        x: SSAValue,
        scale: SSAValue,
        bias: SSAValue | None = None,
        axis: int = -1,
        epsilon: float = 1e-5,
    ):
        LayerNormOp.infer_result_type(x, scale, bias, axis)
        super().__init__(
            operands=[x, scale, [bias] if bias else []],
            result_types=[x.type],
            properties={"axis": IntegerAttr(axis, i64), "epsilon": FloatAttr(epsilon, f32)},
        )

    @staticmethod
    def infer_result_type(
        input: SSAValue, scale: SSAValue, bias: SSAValue | None, axis: int
    ) -> TensorType:
        float_element(input, scale, *([bias] if bias else []))
        x = shape_of(input)
        normalize_axis(axis, len(x))
        for parameter in (scale, bias):
            if parameter is not None and not broadcasts_to(shape_of(parameter), x):
                raise VerifyException(f"{parameter.type} does not broadcast to {input.type}")
        return tensor(input)

    def inferred_type(self) -> TensorType:
        return LayerNormOp.infer_result_type(
            self.input, self.scale, self.bias, self.axis.value.data
        )


@irdl_op_definition
class LrnOp(GraphOp):
    """ONNX LRN across channels (axis 1): x / (bias + alpha / size * s)^beta, s the sum of
    squares over the `size` channels around (floor((size - 1) / 2) before, the rest after).

    %y = graph.lrn %x size 5 alpha 1.000000e-04 beta 7.500000e-01 bias 1.000000e+00 : tensor<1x8x7x7xf32>
    """

    name = "graph.lrn"

    T: ClassVar = VarConstraint("T", base(TensorType))
    input = operand_def(T)
    output = result_def(T)
    size = prop_def(IntegerAttr[I64])
    alpha = prop_def(FloatAttr[Float32Type], default_value=FloatAttr(1e-4, f32))
    beta = prop_def(FloatAttr[Float32Type], default_value=FloatAttr(0.75, f32))
    bias = prop_def(FloatAttr[Float32Type], default_value=ONE)

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))

    assembly_format = (
        "$input `size` $size (`alpha` $alpha^)? (`beta` $beta^)? (`bias` $bias^)? attr-dict "
        "`:` type($input)"
    )

    def __init__(
        self,
        x: SSAValue,
        size: int,
        alpha: float = 1e-4,
        beta: float = 0.75,
        bias: float = 1.0,
    ):
        super().__init__(
            operands=[x],
            result_types=[x.type],
            properties={
                "size": IntegerAttr(size, i64),
                "alpha": FloatAttr(alpha, f32),
                "beta": FloatAttr(beta, f32),
                "bias": FloatAttr(bias, f32),
            },
        )
        self.inferred_type()

    def inferred_type(self) -> TensorType:
        float_element(self.input)
        if len(shape_of(self.input)) < 2:
            raise VerifyException(f"graph.lrn needs channels on axis 1, got {self.input.type}")
        if self.size.value.data < 1:
            raise VerifyException(f"graph.lrn size must be positive, got {self.size.value.data}")
        return tensor(self.input)


# Pooling ----------------------------------------------------------------------------------


class Pool2dOp(GraphOp):
    """A sliding window over the H and W of an NCHW tensor; padding is [top, left, bottom,
    right]; `ceil_mode` rounds the output size up."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    kernel = prop_def(DenseArrayBase[I64])
    strides = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    padding = prop_def(DenseArrayBase[I64], default_value=ints([0, 0, 0, 0]))
    ceil_mode = opt_prop_def(UnitAttr)

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT,)

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    def window_dilation(self) -> Sequence[int]:
        return (1, 1)

    def inferred_type(self) -> TensorType:
        return infer_pool_type(
            self.name,
            self.input,
            self.kernel.get_values(),
            self.strides.get_values(),
            self.padding.get_values(),
            self.window_dilation(),
            self.ceil_mode is not None,
            self.ELEMENTS,
        )


def infer_pool_type(
    name: str,
    input: SSAValue,
    kernel: Sequence[int],
    strides: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    ceil_mode: bool,
    elements: Sequence[str] = (FLOAT,),
) -> TensorType:
    """The result type of a 2-D pool, or a VerifyException."""
    element = shared_element((input,), elements)
    check_window("kernel", kernel, 2, 1)
    check_window("strides", strides, 2, 1)
    check_window("padding", padding, 4, 0)
    check_window("dilation", dilation, 2, 1)
    x = shape_of(input)
    if len(x) != 4:
        raise VerifyException(f"{name} needs an NCHW input, got {input.type}")
    top, left, bottom, right = padding
    height = window_output_size(x[2], kernel[0], strides[0], top, bottom, dilation[0], ceil_mode)
    width = window_output_size(x[3], kernel[1], strides[1], left, right, dilation[1], ceil_mode)
    return TensorType(element, (x[0], x[1], height, width))


def pool_properties(
    kernel: Sequence[int], strides: Sequence[int], padding: Sequence[int], ceil_mode: bool
) -> dict[str, Attribute]:
    properties: dict[str, Attribute] = {
        "kernel": ints(kernel),
        "strides": ints(strides),
        "padding": ints(padding),
    }
    if ceil_mode:
        properties["ceil_mode"] = UnitAttr()
    return properties


@irdl_op_definition
class MaxPool2dOp(Pool2dOp):
    """Maximum over each window, of any numbers; padding never wins.

    %y = graph.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : (...) -> ...
    """

    name = "graph.max_pool2d"

    dilation = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))

    ELEMENTS: ClassVar[tuple[str, ...]] = NUMBERS

    assembly_format = (
        "$input `kernel` $kernel (`strides` $strides^)? (`padding` $padding^)? "
        "(`dilation` $dilation^)? (`ceil_mode` $ceil_mode^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        kernel: Sequence[int],
        strides: Sequence[int] = (1, 1),
        padding: Sequence[int] = (0, 0, 0, 0),
        dilation: Sequence[int] = (1, 1),
        ceil_mode: bool = False,
    ):
        properties = pool_properties(kernel, strides, padding, ceil_mode)
        properties["dilation"] = ints(dilation)
        result = infer_pool_type(
            MaxPool2dOp.name, input, kernel, strides, padding, dilation, ceil_mode, NUMBERS
        )
        super().__init__(operands=[input], result_types=[result], properties=properties)

    def window_dilation(self) -> Sequence[int]:
        return self.dilation.get_values()


@irdl_op_definition
class AvgPool2dOp(Pool2dOp):
    """Mean over each window; `count_include_pad` counts padded elements in the divisor.

    %y = graph.avg_pool2d %x kernel [2, 2] strides [2, 2] count_include_pad : (...) -> ...
    """

    name = "graph.avg_pool2d"

    count_include_pad = opt_prop_def(UnitAttr)

    assembly_format = (
        "$input `kernel` $kernel (`strides` $strides^)? (`padding` $padding^)? "
        "(`ceil_mode` $ceil_mode^)? (`count_include_pad` $count_include_pad^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        kernel: Sequence[int],
        strides: Sequence[int] = (1, 1),
        padding: Sequence[int] = (0, 0, 0, 0),
        ceil_mode: bool = False,
        count_include_pad: bool = False,
    ):
        properties = pool_properties(kernel, strides, padding, ceil_mode)
        if count_include_pad:
            properties["count_include_pad"] = UnitAttr()
        result = infer_pool_type(
            AvgPool2dOp.name, input, kernel, strides, padding, (1, 1), ceil_mode
        )
        super().__init__(operands=[input], result_types=[result], properties=properties)


class GlobalPool2dOp(GraphOp):
    """A reduction over all of H and W of an NCHW tensor, kept as 1x1."""

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue):
        result = GlobalPool2dOp.infer_result_type(self.name, input)
        super().__init__(operands=[input], result_types=[result])

    @staticmethod
    def infer_result_type(name: str, input: SSAValue) -> TensorType:
        element = float_element(input)
        x = shape_of(input)
        if len(x) != 4:
            raise VerifyException(f"{name} needs an NCHW input, got {input.type}")
        return TensorType(element, (x[0], x[1], 1, 1))

    def inferred_type(self) -> TensorType:
        return GlobalPool2dOp.infer_result_type(self.name, self.input)


@irdl_op_definition
class GlobalAvgPool2dOp(GlobalPool2dOp):
    """Mean over all of H and W of an NCHW tensor, kept as 1x1.

    %y = graph.global_avg_pool2d %x : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
    """

    name = "graph.global_avg_pool2d"


@irdl_op_definition
class GlobalMaxPool2dOp(GlobalPool2dOp):
    """Maximum over all of H and W of an NCHW tensor, kept as 1x1.

    %y = graph.global_max_pool2d %x : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
    """

    name = "graph.global_max_pool2d"


# Data movement ----------------------------------------------------------------------------


@irdl_op_definition
class ReshapeOp(GraphOp):
    """The same elements in row-major order under a new shape (the result type's).

    %y = graph.reshape %x : (tensor<2x6xf32>) -> tensor<3x4xf32>
    """

    name = "graph.reshape"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, shape: Sequence[int]):
        result = ReshapeOp.infer_result_type(input, shape)
        super().__init__(operands=[input], result_types=[result])

    @staticmethod
    def infer_result_type(input: SSAValue, shape: Sequence[int]) -> TensorType:
        """The reshaped type; one dimension may be -1, inferred from the element count."""
        count = math.prod(shape_of(input))
        known = math.prod(d for d in shape if d != -1)
        if list(shape).count(-1) > 1 or any(d < -1 for d in shape):
            raise VerifyException(f"cannot reshape to {list(shape)}")
        if -1 in shape and known == 0:
            raise VerifyException(f"cannot infer the -1 of {list(shape)}: other dimensions are 0")
        resolved = [count // known if d == -1 else d for d in shape]
        if math.prod(resolved) != count:
            raise VerifyException(f"cannot reshape {input.type} to {list(shape)}")
        return TensorType(tensor(input).element_type, resolved)

    def inferred_type(self) -> TensorType:
        output = tensor(self.output)
        if math.prod(output.get_shape()) != math.prod(shape_of(self.input)):
            raise VerifyException(f"cannot reshape {self.input.type} into {output}")
        return TensorType(tensor(self.input).element_type, output.get_shape())


@irdl_op_definition
class TransposeOp(GraphOp):
    """Permute the dimensions: result dimension i is input dimension perm[i].

    %y = graph.transpose %x perm [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
    """

    name = "graph.transpose"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    perm = prop_def(DenseArrayBase[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = "$input `perm` $perm attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, perm: Sequence[int]):
        super().__init__(
            operands=[input],
            result_types=[TransposeOp.infer_result_type(input, perm)],
            properties={"perm": ints(perm)},
        )

    @staticmethod
    def infer_result_type(input: SSAValue, perm: Sequence[int]) -> TensorType:
        x = shape_of(input)
        if sorted(perm) != list(range(len(x))):
            raise VerifyException(f"perm {list(perm)} is not a permutation of rank {len(x)}")
        return TensorType(tensor(input).element_type, [x[p] for p in perm])

    def inferred_type(self) -> TensorType:
        return TransposeOp.infer_result_type(self.input, self.perm.get_values())


@irdl_op_definition
class SliceOp(GraphOp):
    """A strided box of the input: element i of dimension d is input element offsets[d] +
    i * steps[d] (a negative step runs backwards); the result type gives the sizes.

    %y = graph.slice %x offsets [0, 7] steps [1, -2] : (tensor<4x8xf32>) -> tensor<4x3xf32>
    """

    name = "graph.slice"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    offsets = prop_def(DenseArrayBase[I64])
    steps = prop_def(DenseArrayBase[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$input `offsets` $offsets `steps` $steps attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self, input: SSAValue, offsets: Sequence[int], sizes: Sequence[int], steps: Sequence[int]
    ):
        element = tensor(input).element_type
        super().__init__(
            operands=[input],
            result_types=[TensorType(element, list(sizes))],
            properties={"offsets": ints(offsets), "steps": ints(steps)},
        )

    def verify_(self) -> None:
        x, y = shape_of(self.input), shape_of(self.output)
        offsets, steps = self.offsets.get_values(), self.steps.get_values()
        if not len(x) == len(y) == len(offsets) == len(steps):
            raise VerifyException(
                f"graph.slice of rank {len(x)} needs {len(x)} offsets and steps and a result "
                f"of that rank, got {len(offsets)}, {len(steps)} and {len(y)}"
            )
        if tensor(self.input).element_type != tensor(self.output).element_type:
            raise VerifyException("graph.slice keeps the element type")
        for d, (extent, size, offset, step) in enumerate(zip(x, y, offsets, steps, strict=True)):
            if step == 0:
                raise VerifyException(f"step of dimension {d} is 0")
            last = offset + (size - 1) * step
            if size and not (0 <= offset < extent and 0 <= last < extent):
                raise VerifyException(
                    f"dimension {d}: {size} elements from {offset} by {step} leave [0, {extent})"
                )


@irdl_op_definition
class FlattenOp(GraphOp):
    """ONNX Flatten: a matrix of the dimensions before `axis` by those from `axis` on.

    %y = graph.flatten %x axis 1 : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
    """

    name = "graph.flatten"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = "$input `axis` $axis attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, axis: int = 1):
        super().__init__(
            operands=[input],
            result_types=[FlattenOp.infer_result_type(input, axis)],
            properties={"axis": IntegerAttr(axis, i64)},
        )

    @staticmethod
    def flatten_axis(axis: int, rank: int) -> int:
        """`axis` in [0, rank]: unlike other axes it may equal the rank."""
        return normalize_axis(axis, rank + 1) if axis >= 0 else normalize_axis(axis, rank)

    @staticmethod
    def infer_result_type(input: SSAValue, axis: int) -> TensorType:
        x = shape_of(input)
        axis = FlattenOp.flatten_axis(axis, len(x))
        shape = (math.prod(x[:axis]), math.prod(x[axis:]))
        return TensorType(tensor(input).element_type, shape)

    def inferred_type(self) -> TensorType:
        return FlattenOp.infer_result_type(self.input, self.axis.value.data)


@irdl_op_definition
class ConcatOp(GraphOp):
    """Join tensors along one axis; all other dimensions agree.

    %y = graph.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    """

    name = "graph.concat"

    inputs = var_operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = "$inputs `axis` $axis attr-dict `:` functional-type(operands, results)"

    def __init__(self, inputs: Sequence[SSAValue], axis: int):
        super().__init__(
            operands=[inputs],
            result_types=[ConcatOp.infer_result_type(inputs, axis)],
            properties={"axis": IntegerAttr(axis, i64)},
        )

    @staticmethod
    def infer_result_type(inputs: Sequence[SSAValue], axis: int) -> TensorType:
        if not inputs:
            raise VerifyException("graph.concat needs at least one input")
        first = shape_of(inputs[0])
        axis = normalize_axis(axis, len(first))
        element = tensor(inputs[0]).element_type
        for value in inputs:
            shape = shape_of(value)
            if tensor(value).element_type != element:
                raise VerifyException(f"element types differ: {inputs[0].type} and {value.type}")
            if len(shape) != len(first) or any(
                a != b for d, (a, b) in enumerate(zip(shape, first, strict=True)) if d != axis
            ):
                raise VerifyException(
                    f"cannot concatenate {inputs[0].type} and {value.type} on axis {axis}"
                )
        size = sum(shape_of(v)[axis] for v in inputs)
        return TensorType(element, (*first[:axis], size, *first[axis + 1 :]))

    def inferred_type(self) -> TensorType:
        return ConcatOp.infer_result_type(self.inputs, self.axis.value.data)


@irdl_op_definition
class SplitOp(IRDLOperation):
    """Cut a tensor along one axis into consecutive pieces of the given sizes.

    %a, %b = graph.split %x axis 1 sizes [2, 3] : (tensor<4x5xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>)
    """

    name = "graph.split"

    input = operand_def(TensorType)
    outputs = var_result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    sizes = prop_def(DenseArrayBase[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$input `axis` $axis `sizes` $sizes attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, x: SSAValue, axis: int, sizes: Sequence[int]):
        super().__init__(
            operands=[x],
            result_types=[SplitOp.infer_result_types(x, axis, sizes)],
            properties={"axis": IntegerAttr(axis, i64), "sizes": ints(sizes)},
        )

    @staticmethod
    def infer_result_types(input: SSAValue, axis: int, sizes: Sequence[int]) -> list[TensorType]:
        x = shape_of(input)
        axis = normalize_axis(axis, len(x))
        if not sizes or any(size < 0 for size in sizes):
            raise VerifyException(f"split sizes must be given and not negative, got {list(sizes)}")
        if sum(sizes) != x[axis]:
            raise VerifyException(
                f"split sizes {list(sizes)} do not add up to {x[axis]}, the extent of axis {axis}"
            )
        element = tensor(input).element_type
        return [TensorType(element, (*x[:axis], size, *x[axis + 1 :])) for size in sizes]

    def verify_(self) -> None:
        expected = SplitOp.infer_result_types(
            self.input, self.axis.value.data, self.sizes.get_values()
        )
        actual = [result.type for result in self.outputs]
        if actual != expected:
            raise VerifyException(
                f"graph.split should give {', '.join(map(str, expected))}, "
                f"not {', '.join(map(str, actual))}"
            )


@irdl_op_definition
class GatherOp(GraphOp):
    """ONNX Gather (numpy.take): the slices of `data` along `axis` at `indices` (i32 or
    i64, of any rank), negative indices counting from the end; an index out of range reads
    the nearest slice instead.

    %y = graph.gather %data, %indices axis 0 : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
    """

    name = "graph.gather"

    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$data `,` $indices `axis` $axis attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, data: SSAValue, indices: SSAValue, axis: int = 0):
        super().__init__(
            operands=[data, indices],
            result_types=[GatherOp.infer_result_type(data, indices, axis)],
            properties={"axis": IntegerAttr(axis, i64)},
        )

    @staticmethod
    def infer_result_type(data: SSAValue, indices: SSAValue, axis: int) -> TensorType:
        x = shape_of(data)
        axis = normalize_axis(axis, len(x))
        index_type = tensor(indices).element_type
        if index_type not in (IntegerType(32), IntegerType(64)):
            raise VerifyException(f"graph.gather needs i32 or i64 indices, got {indices.type}")
        shape = (*x[:axis], *shape_of(indices), *x[axis + 1 :])
        return TensorType(tensor(data).element_type, shape)

    def inferred_type(self) -> TensorType:
        return GatherOp.infer_result_type(self.data, self.indices, self.axis.value.data)


PAD_MODES = ("constant", "reflect", "edge", "wrap")


@irdl_op_definition
class PadOp(GraphOp):
    """numpy.pad: dimension d grows by pads[d] before and pads[rank + d] after (ONNX's
    order), filled with `value` (constant), the mirror image without the edge (reflect),
    the edge repeated (edge) or the other end (wrap).

    %y = graph.pad %x pads [0, 1, 0, 2] mode "reflect" : (tensor<3x4xf32>) -> tensor<3x7xf32>
    """

    name = "graph.pad"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    pads = prop_def(DenseArrayBase[I64])
    value = prop_def(FloatAttr[Float64Type], default_value=FloatAttr(0.0, f64))
    mode = prop_def(StringAttr, default_value=StringAttr("constant"))

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$input `pads` $pads (`value` $value^)? (`mode` $mode^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self, x: SSAValue, pads: Sequence[int], value: float = 0.0, mode: str = "constant"
    ):
        super().__init__(
            operands=[x],
            result_types=[PadOp.infer_result_type(x, pads, value, mode)],
            properties={
                "pads": ints(pads),
                "value": FloatAttr(value, f64),
                "mode": StringAttr(mode),
            },
        )

    @staticmethod
    def infer_result_type(
        input: SSAValue, pads: Sequence[int], value: float, mode: str
    ) -> TensorType:
        x = shape_of(input)
        check_window("pads", pads, 2 * len(x), 0)
        if mode not in PAD_MODES:
            raise VerifyException(f"unknown pad mode '{mode}', expected one of {PAD_MODES}")
        element = tensor(input).element_type
        if isinstance(element, IntegerType) and value != int(value):
            raise VerifyException(f"cannot pad {input.type} with {value}")
        ends = zip(x, pads[: len(x)], pads[len(x) :], strict=True)
        shape = [size + before + after for size, before, after in ends]
        return TensorType(element, shape)

    def inferred_type(self) -> TensorType:
        return PadOp.infer_result_type(
            self.input, self.pads.get_values(), self.value.value.data, self.mode.data
        )


# Reductions -------------------------------------------------------------------------------


class ReduceOp(GraphOp):
    """A reduction over the listed axes, which are dropped unless `keepdims`; of numbers
    unless ELEMENTS says otherwise. Over no axes, each element is reduced alone (ONNX's
    noop_with_empty_axes: a sum of squares squares it)."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    axes = prop_def(DenseArrayBase[I64])
    keepdims = opt_prop_def(UnitAttr)

    ELEMENTS: ClassVar[tuple[str, ...]] = NUMBERS

    traits = traits_def(Pure(), Pattern(PatternKind.REDUCTION))

    assembly_format = (
        "$input `axes` $axes (`keepdims` $keepdims^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, input: SSAValue, axes: Sequence[int], keepdims: bool = False):
        properties: dict[str, Attribute] = {"axes": ints(axes)}
        if keepdims:
            properties["keepdims"] = UnitAttr()
        result = self.infer_result_type(input, axes, keepdims)
        super().__init__(operands=[input], result_types=[result], properties=properties)

    @staticmethod
    def normalize_axes(axes: Sequence[int], rank: int) -> list[int]:
        """The reduced axes, in [0, rank), sorted."""
        normalized = [normalize_axis(a, rank) for a in axes]
        if len(set(normalized)) != len(normalized):
            raise VerifyException(f"reduction axes must be distinct, got {list(axes)}")
        return sorted(normalized)

    @classmethod
    def infer_result_type(cls, input: SSAValue, axes: Sequence[int], keepdims: bool) -> TensorType:
        element = shared_element((input,), cls.ELEMENTS)
        x = shape_of(input)
        reduced = ReduceOp.normalize_axes(axes, len(x))
        if keepdims:
            shape = [1 if d in reduced else size for d, size in enumerate(x)]
        else:
            shape = [size for d, size in enumerate(x) if d not in reduced]
        return TensorType(element, shape)

    def reduced_axes(self) -> list[int]:
        return ReduceOp.normalize_axes(self.axes.get_values(), len(shape_of(self.input)))

    def inferred_type(self) -> TensorType:
        return self.infer_result_type(self.input, self.axes.get_values(), self.keepdims is not None)


@irdl_op_definition
class ReduceSumOp(ReduceOp):
    """Sum over axes.

    %y = graph.reduce_sum %x axes [1] : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_sum"


@irdl_op_definition
class ReduceMeanOp(ReduceOp):
    """Mean over axes.

    %y = graph.reduce_mean %x axes [0, 1] keepdims : (tensor<2x3xf32>) -> tensor<1x1xf32>
    """

    name = "graph.reduce_mean"

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT,)


@irdl_op_definition
class ReduceMaxOp(ReduceOp):
    """Maximum over axes.

    %y = graph.reduce_max %x axes [-1] : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_max"

    ELEMENTS: ClassVar[tuple[str, ...]] = (*NUMBERS, BOOL)


# Comparisons, selection, integers and more activations and reductions ---------------------
#
# The operators ONNX models use beyond classic CNNs (issue 12): comparisons giving i1,
# selection by them, bitwise and logical ops, remainders, rounding, the activations of
# mobile nets and transformers, arg max/min, the other reductions, cumulative sums,
# broadcasting and tiling, and group and RMS normalization.

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")


@irdl_op_definition
class CompareOp(GraphOp):
    """lhs (predicate) rhs elementwise, broadcasting, as an i1 tensor; with numpy's rules
    for NaN: only `ne` is true where either side is NaN. Integers compare as their
    signedness says (i1 as unsigned: false < true).

    %m = graph.compare "lt", %x, %y : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
    """

    name = "graph.compare"

    predicate = prop_def(StringAttr)
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.BROADCAST))

    assembly_format = (
        "$predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, predicate: str, lhs: SSAValue, rhs: SSAValue):
        super().__init__(
            operands=[lhs, rhs],
            result_types=[CompareOp.infer_result_type(predicate, lhs, rhs)],
            properties={"predicate": StringAttr(predicate)},
        )

    @staticmethod
    def infer_result_type(predicate: str, lhs: SSAValue, rhs: SSAValue) -> TensorType:
        if predicate not in COMPARISONS:
            raise VerifyException(
                f"unknown comparison '{predicate}', expected one of {', '.join(COMPARISONS)}"
            )
        shared_element((lhs, rhs), (*NUMBERS, BOOL))
        return TensorType(IntegerType(1), broadcast_shapes(shape_of(lhs), shape_of(rhs)))

    def inferred_type(self) -> TensorType:
        return CompareOp.infer_result_type(self.predicate.data, self.lhs, self.rhs)


@irdl_op_definition
class SelectOp(GraphOp):
    """ONNX Where: where the i1 condition holds the element of `a`, else that of `b`, all
    three broadcasting.

    %y = graph.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    """

    name = "graph.select"

    condition = operand_def(TensorType)
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.BROADCAST))

    assembly_format = "$condition `,` $a `,` $b attr-dict `:` functional-type(operands, results)"

    def __init__(self, condition: SSAValue, a: SSAValue, b: SSAValue):
        super().__init__(
            operands=[condition, a, b], result_types=[SelectOp.infer_result_type(condition, a, b)]
        )

    @staticmethod
    def infer_result_type(condition: SSAValue, a: SSAValue, b: SSAValue) -> TensorType:
        shared_element((condition,), (BOOL,))
        element = shared_element((a, b), (*NUMBERS, BOOL))
        return TensorType(element, broadcast_shapes(*(shape_of(v) for v in (condition, a, b))))

    def inferred_type(self) -> TensorType:
        return SelectOp.infer_result_type(self.condition, self.a, self.b)


@irdl_op_definition
class AndOp(BinaryOp):
    """Bitwise and, broadcasting: logical and on i1.

    %z = graph.and %x, %y : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    """

    name = "graph.and"

    ELEMENTS: ClassVar[tuple[str, ...]] = INTEGERS


@irdl_op_definition
class OrOp(BinaryOp):
    """Bitwise or, broadcasting: logical or on i1.

    %z = graph.or %x, %y : (tensor<4xi1>, tensor<1xi1>) -> tensor<4xi1>
    """

    name = "graph.or"

    ELEMENTS: ClassVar[tuple[str, ...]] = INTEGERS


@irdl_op_definition
class XorOp(BinaryOp):
    """Bitwise exclusive or, broadcasting: logical xor on i1.

    %z = graph.xor %x, %y : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    """

    name = "graph.xor"

    ELEMENTS: ClassVar[tuple[str, ...]] = INTEGERS


@irdl_op_definition
class ModOp(BinaryOp):
    """The remainder of lhs / rhs, broadcasting: with the sign of the divisor (numpy.mod,
    Python's %), or with `fmod` that of the dividend (C's fmod, truncated division).

    %z = graph.mod %x, %y fmod : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    """

    name = "graph.mod"

    fmod = opt_prop_def(UnitAttr)

    assembly_format = (
        "$lhs `,` $rhs (`fmod` $fmod^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue, fmod: bool = False):
        super().__init__(lhs, rhs)
        if fmod:
            self.fmod = UnitAttr()


@irdl_op_definition
class PReluOp(BinaryOp):
    """x where x >= 0, else slope * x, the slope broadcasting (ONNX PRelu).

    %y = graph.prelu %x, %slope : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
    """

    name = "graph.prelu"

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT, SIGNED)


@irdl_op_definition
class NotOp(UnaryOp):
    """Bitwise complement: logical not on i1.

    %y = graph.not %x : tensor<4xi1>
    """

    name = "graph.not"

    ELEMENTS: ClassVar[tuple[str, ...]] = INTEGERS


@irdl_op_definition
class SignOp(UnaryOp):
    """-1, 0 or 1 as x is negative, zero or positive; NaN stays NaN.

    %y = graph.sign %x : tensor<4xf32>
    """

    name = "graph.sign"

    ELEMENTS: ClassVar[tuple[str, ...]] = NUMBERS


@irdl_op_definition
class FloorOp(UnaryOp):
    """The largest integer not above x.

    %y = graph.floor %x : tensor<4xf32>
    """

    name = "graph.floor"


@irdl_op_definition
class CeilOp(UnaryOp):
    """The smallest integer not below x.

    %y = graph.ceil %x : tensor<4xf32>
    """

    name = "graph.ceil"


@irdl_op_definition
class RoundOp(UnaryOp):
    """The nearest integer, halves to even (numpy.round).

    %y = graph.round %x : tensor<4xf32>
    """

    name = "graph.round"


@irdl_op_definition
class SinOp(UnaryOp):
    """Sine.

    %y = graph.sin %x : tensor<4xf32>
    """

    name = "graph.sin"


@irdl_op_definition
class CosOp(UnaryOp):
    """Cosine.

    %y = graph.cos %x : tensor<4xf32>
    """

    name = "graph.cos"


@irdl_op_definition
class SoftplusOp(UnaryOp):
    """log(1 + exp(x)), computed as max(x, 0) + log(1 + exp(-|x|)) so it never overflows.

    %y = graph.softplus %x : tensor<4xf32>
    """

    name = "graph.softplus"


@irdl_op_definition
class SoftsignOp(UnaryOp):
    """x / (1 + |x|).

    %y = graph.softsign %x : tensor<4xf32>
    """

    name = "graph.softsign"


@irdl_op_definition
class MishOp(UnaryOp):
    """x * tanh(softplus(x)).

    %y = graph.mish %x : tensor<4xf32>
    """

    name = "graph.mish"


def f32_attr(value: float) -> FloatAttr:
    return FloatAttr(value, f32)


@irdl_op_definition
class EluOp(UnaryOp):
    """x if x >= 0, else alpha * (exp(x) - 1).

    %y = graph.elu %x alpha 1.000000e+00 : tensor<4xf32>
    """

    name = "graph.elu"

    alpha = prop_def(FloatAttr[Float32Type], default_value=ONE)

    assembly_format = "$input (`alpha` $alpha^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, alpha: float = 1.0):
        super().__init__(x)
        self.alpha = f32_attr(alpha)


SELU_ALPHA = 1.67326319217681884765625
SELU_GAMMA = 1.05070102214813232421875


@irdl_op_definition
class SeluOp(UnaryOp):
    """gamma * x if x > 0, else gamma * alpha * (exp(x) - 1).

    %y = graph.selu %x alpha 1.673263e+00 gamma 1.050701e+00 : tensor<4xf32>
    """

    name = "graph.selu"

    alpha = prop_def(FloatAttr[Float32Type], default_value=f32_attr(SELU_ALPHA))
    gamma = prop_def(FloatAttr[Float32Type], default_value=f32_attr(SELU_GAMMA))

    assembly_format = "$input (`alpha` $alpha^)? (`gamma` $gamma^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, alpha: float = SELU_ALPHA, gamma: float = SELU_GAMMA):
        super().__init__(x)
        self.alpha, self.gamma = f32_attr(alpha), f32_attr(gamma)


@irdl_op_definition
class CeluOp(UnaryOp):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    %y = graph.celu %x alpha 2.000000e+00 : tensor<4xf32>
    """

    name = "graph.celu"

    alpha = prop_def(FloatAttr[Float32Type], default_value=ONE)

    assembly_format = "$input (`alpha` $alpha^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, alpha: float = 1.0):
        super().__init__(x)
        self.alpha = f32_attr(alpha)


@irdl_op_definition
class HardSigmoidOp(UnaryOp):
    """max(0, min(1, alpha * x + beta)).

    %y = graph.hard_sigmoid %x alpha 2.000000e-01 beta 5.000000e-01 : tensor<4xf32>
    """

    name = "graph.hard_sigmoid"

    alpha = prop_def(FloatAttr[Float32Type], default_value=f32_attr(0.2))
    beta = prop_def(FloatAttr[Float32Type], default_value=f32_attr(0.5))

    assembly_format = "$input (`alpha` $alpha^)? (`beta` $beta^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, alpha: float = 0.2, beta: float = 0.5):
        super().__init__(x)
        self.alpha, self.beta = f32_attr(alpha), f32_attr(beta)


@irdl_op_definition
class ThresholdedReluOp(UnaryOp):
    """x if x > alpha, else 0.

    %y = graph.thresholded_relu %x alpha 1.000000e+00 : tensor<4xf32>
    """

    name = "graph.thresholded_relu"

    alpha = prop_def(FloatAttr[Float32Type], default_value=ONE)

    assembly_format = "$input (`alpha` $alpha^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, alpha: float = 1.0):
        super().__init__(x)
        self.alpha = f32_attr(alpha)


@irdl_op_definition
class GeluOp(UnaryOp):
    """x * (1 + erf(x / sqrt(2))) / 2; with `tanh`, the approximation
    x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))) / 2.

    %y = graph.gelu %x tanh : tensor<4xf32>
    """

    name = "graph.gelu"

    tanh = opt_prop_def(UnitAttr)

    assembly_format = "$input (`tanh` $tanh^)? attr-dict `:` type($input)"

    def __init__(self, x: SSAValue, tanh: bool = False):
        super().__init__(x)
        if tanh:
            self.tanh = UnitAttr()


@irdl_op_definition
class BroadcastToOp(GraphOp):
    """The input broadcast (numpy's rules) to the result's shape.

    %y = graph.broadcast_to %x : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
    """

    name = "graph.broadcast_to"

    input = operand_def(TensorType)
    output = result_def(TensorType)

    traits = traits_def(Pure(), Pattern(PatternKind.BROADCAST))

    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, shape: Sequence[int]):
        element = tensor(input).element_type
        super().__init__(operands=[input], result_types=[TensorType(element, list(shape))])

    def inferred_type(self) -> TensorType:
        shape = shape_of(self.output)
        if not broadcasts_to(shape_of(self.input), shape):
            raise VerifyException(f"{self.input.type} does not broadcast to {self.output.type}")
        return TensorType(tensor(self.input).element_type, shape)


@irdl_op_definition
class TileOp(GraphOp):
    """The input repeated `repeats[d]` times along each dimension d (numpy.tile).

    %y = graph.tile %x repeats [2, 1] : (tensor<3x4xf32>) -> tensor<6x4xf32>
    """

    name = "graph.tile"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    repeats = prop_def(DenseArrayBase[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = "$input `repeats` $repeats attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, repeats: Sequence[int]):
        super().__init__(
            operands=[input],
            result_types=[TileOp.infer_result_type(input, repeats)],
            properties={"repeats": ints(repeats)},
        )

    @staticmethod
    def infer_result_type(input: SSAValue, repeats: Sequence[int]) -> TensorType:
        x = shape_of(input)
        check_window("repeats", repeats, len(x), 0)
        shape = [size * count for size, count in zip(x, repeats, strict=True)]
        return TensorType(tensor(input).element_type, shape)

    def inferred_type(self) -> TensorType:
        return TileOp.infer_result_type(self.input, self.repeats.get_values())


class ArgReduceOp(GraphOp):
    """The i64 index along `axis` of the extreme element, the first one of equals (the
    last with `select_last_index`), the axis dropped unless `keepdims`."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    keepdims = opt_prop_def(UnitAttr)
    select_last_index = opt_prop_def(UnitAttr)

    traits = traits_def(Pure(), Pattern(PatternKind.REDUCTION))

    assembly_format = (
        "$input `axis` $axis (`keepdims` $keepdims^)? (`select_last_index` "
        "$select_last_index^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self, input: SSAValue, axis: int, keepdims: bool = False, select_last_index: bool = False
    ):
        properties: dict[str, Attribute] = {"axis": IntegerAttr(axis, i64)}
        if keepdims:
            properties["keepdims"] = UnitAttr()
        if select_last_index:
            properties["select_last_index"] = UnitAttr()
        result = ArgReduceOp.infer_result_type(input, axis, keepdims)
        super().__init__(operands=[input], result_types=[result], properties=properties)

    @staticmethod
    def infer_result_type(input: SSAValue, axis: int, keepdims: bool) -> TensorType:
        shared_element((input,), NUMBERS)
        x = shape_of(input)
        axis = normalize_axis(axis, len(x))
        if x[axis] == 0:
            raise VerifyException(f"no element to choose along axis {axis} of {input.type}")
        shape = [*x[:axis], *([1] if keepdims else []), *x[axis + 1 :]]
        return TensorType(i64, shape)

    def inferred_type(self) -> TensorType:
        return ArgReduceOp.infer_result_type(
            self.input, self.axis.value.data, self.keepdims is not None
        )


@irdl_op_definition
class ArgMaxOp(ArgReduceOp):
    """Index of the maximum along an axis.

    %i = graph.arg_max %x axis 1 keepdims : (tensor<3x4xf32>) -> tensor<3x1xi64>
    """

    name = "graph.arg_max"


@irdl_op_definition
class ArgMinOp(ArgReduceOp):
    """Index of the minimum along an axis.

    %i = graph.arg_min %x axis 0 select_last_index : (tensor<3x4xf32>) -> tensor<4xi64>
    """

    name = "graph.arg_min"


@irdl_op_definition
class ReduceMinOp(ReduceOp):
    """Minimum over axes.

    %y = graph.reduce_min %x axes [1] : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_min"

    ELEMENTS: ClassVar[tuple[str, ...]] = (*NUMBERS, BOOL)


@irdl_op_definition
class ReduceProdOp(ReduceOp):
    """Product over axes.

    %y = graph.reduce_prod %x axes [0] : (tensor<2x3xf32>) -> tensor<3xf32>
    """

    name = "graph.reduce_prod"


@irdl_op_definition
class ReduceL1Op(ReduceOp):
    """Sum of absolute values over axes.

    %y = graph.reduce_l1 %x axes [1] : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_l1"


@irdl_op_definition
class ReduceL2Op(ReduceOp):
    """Square root of the sum of squares over axes.

    %y = graph.reduce_l2 %x axes [1] keepdims : (tensor<2x3xf32>) -> tensor<2x1xf32>
    """

    name = "graph.reduce_l2"

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT,)


@irdl_op_definition
class ReduceSumSquareOp(ReduceOp):
    """Sum of squares over axes.

    %y = graph.reduce_sum_square %x axes [1] : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_sum_square"


@irdl_op_definition
class ReduceLogSumOp(ReduceOp):
    """Logarithm of the sum over axes.

    %y = graph.reduce_log_sum %x axes [1] : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_log_sum"

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT,)


@irdl_op_definition
class ReduceLogSumExpOp(ReduceOp):
    """log(sum(exp(x))) over axes, as m + log(sum(exp(x - m))) with m the maximum, so that
    no exp overflows.

    %y = graph.reduce_log_sum_exp %x axes [1] : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_log_sum_exp"

    ELEMENTS: ClassVar[tuple[str, ...]] = (FLOAT,)


@irdl_op_definition
class CumSumOp(GraphOp):
    """Running sums along `axis`: element i sums elements 0 to i (to i - 1 if `exclusive`),
    or from the end with `reverse` (i to the last, or i + 1 on).

    %y = graph.cumsum %x axis 1 exclusive : (tensor<2x5xf32>) -> tensor<2x5xf32>
    """

    name = "graph.cumsum"

    T: ClassVar = VarConstraint("T", base(TensorType))
    input = operand_def(T)
    output = result_def(T)
    axis = prop_def(IntegerAttr[I64])
    exclusive = opt_prop_def(UnitAttr)
    reverse = opt_prop_def(UnitAttr)

    traits = traits_def(Pure(), Pattern(PatternKind.REDUCTION))

    assembly_format = (
        "$input `axis` $axis (`exclusive` $exclusive^)? (`reverse` $reverse^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, x: SSAValue, axis: int, exclusive: bool = False, reverse: bool = False):
        properties: dict[str, Attribute] = {"axis": IntegerAttr(axis, i64)}
        if exclusive:
            properties["exclusive"] = UnitAttr()
        if reverse:
            properties["reverse"] = UnitAttr()
        super().__init__(operands=[x], result_types=[x.type], properties=properties)
        self.inferred_type()

    def inferred_type(self) -> TensorType:
        shared_element((self.input,), NUMBERS)
        normalize_axis(self.axis.value.data, len(shape_of(self.input)))
        return tensor(self.input)


@irdl_op_definition
class GroupNormOp(GraphOp):
    """ONNX GroupNormalization: the channels (axis 1) in `groups` consecutive groups, each
    group of each item normalized over its channels and the dimensions after them, (x -
    mean) / sqrt(variance + epsilon), then scaled and shifted per channel.

    %y = graph.group_norm %x, %scale, %bias groups 4 : (tensor<2x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x5x5xf32>
    """

    name = "graph.group_norm"

    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    output = result_def(TensorType)
    groups = prop_def(IntegerAttr[I64])
    epsilon = prop_def(FloatAttr[Float32Type], default_value=FloatAttr(1e-5, f32))

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))

    assembly_format = (
        "$input `,` $scale `,` $bias `groups` $groups (`epsilon` $epsilon^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self, x: SSAValue, scale: SSAValue, bias: SSAValue, groups: int, epsilon: float = 1e-5
    ):
        super().__init__(
            operands=[x, scale, bias],
            result_types=[x.type],
            properties={"groups": IntegerAttr(groups, i64), "epsilon": FloatAttr(epsilon, f32)},
        )
        self.inferred_type()

    def inferred_type(self) -> TensorType:
        float_element(self.input, self.scale, self.bias)
        x = shape_of(self.input)
        groups = self.groups.value.data
        if len(x) < 2 or groups < 1 or x[1] % groups:
            raise VerifyException(
                f"{groups} groups do not divide the channels (axis 1) of {self.input.type}"
            )
        for parameter in (self.scale, self.bias):
            if shape_of(parameter) != (x[1],):
                raise VerifyException(
                    f"group_norm parameters must have one element per channel ({x[1]}), "
                    f"got {parameter.type}"
                )
        return tensor(self.input)


@irdl_op_definition
class RmsNormOp(GraphOp):
    """ONNX RMSNormalization: x / sqrt(mean(x^2) + epsilon) * scale, the mean over the
    dimensions from `axis` on, the scale broadcasting to the input.

    %y = graph.rms_norm %x, %scale axis -1 epsilon 1.000000e-05 : (...) -> ...
    """

    name = "graph.rms_norm"

    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    epsilon = prop_def(FloatAttr[Float32Type], default_value=FloatAttr(1e-5, f32))

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))

    assembly_format = (
        "$input `,` $scale `axis` $axis (`epsilon` $epsilon^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, x: SSAValue, scale: SSAValue, axis: int = -1, epsilon: float = 1e-5):
        LayerNormOp.infer_result_type(x, scale, None, axis)
        super().__init__(
            operands=[x, scale],
            result_types=[x.type],
            properties={"axis": IntegerAttr(axis, i64), "epsilon": FloatAttr(epsilon, f32)},
        )

    def inferred_type(self) -> TensorType:
        return LayerNormOp.infer_result_type(self.input, self.scale, None, self.axis.value.data)


# Indexing, scattering and rearranging (issue 12) -------------------------------------------
#
# Data-dependent reads and writes: an index is i32 or i64, negative counts from the end, and
# one out of range reads (or writes) the nearest element instead, as graph.gather does.

SCATTER_REDUCTIONS = ("none", "add", "mul", "max", "min")


def index_element(indices: SSAValue, name: str) -> None:
    """A VerifyException unless `indices` holds i32 or i64 elements."""
    if tensor(indices).element_type not in (IntegerType(32), IntegerType(64)):
        raise VerifyException(f"{name} needs i32 or i64 indices, got {indices.type}")


def same_element(a: SSAValue, b: SSAValue) -> Attribute:
    element = tensor(a).element_type
    if tensor(b).element_type != element:
        raise VerifyException(f"element types differ: {a.type} and {b.type}")
    return element


@irdl_op_definition
class GatherElementsOp(GraphOp):
    """ONNX GatherElements (numpy.take_along_axis): output[i] is data at i with its `axis`
    index replaced by indices[i].

    %y = graph.gather_elements %data, %indices axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    """

    name = "graph.gather_elements"

    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$data `,` $indices `axis` $axis attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, data: SSAValue, indices: SSAValue, axis: int = 0):
        super().__init__(
            operands=[data, indices],
            result_types=[GatherElementsOp.infer_result_type(data, indices, axis)],
            properties={"axis": IntegerAttr(axis, i64)},
        )

    @staticmethod
    def infer_result_type(data: SSAValue, indices: SSAValue, axis: int) -> TensorType:
        x, i = shape_of(data), shape_of(indices)
        normalize_axis(axis, len(x))
        index_element(indices, "graph.gather_elements")
        if len(i) != len(x) or any(
            a > b for d, (a, b) in enumerate(zip(i, x, strict=True)) if d != axis % len(x)
        ):
            raise VerifyException(f"indices {indices.type} do not fit in {data.type}")
        return TensorType(tensor(data).element_type, i)

    def inferred_type(self) -> TensorType:
        return GatherElementsOp.infer_result_type(self.data, self.indices, self.axis.value.data)


def gather_nd_shape(data: Shape, indices: Shape, batch_dims: int) -> Shape:
    """GatherND's result shape (ScatterND's updates shape), or a VerifyException."""
    if not indices or not 0 <= batch_dims < min(len(data), len(indices)):
        raise VerifyException(
            f"batch_dims {batch_dims} must be below the ranks of data and indices "
            f"({len(data)} and {len(indices)})"
        )
    if data[:batch_dims] != indices[:batch_dims]:
        raise VerifyException(f"the {batch_dims} batch dimensions of data and indices differ")
    depth = indices[-1]
    if not 1 <= depth <= len(data) - batch_dims:
        raise VerifyException(
            f"index tuples of {depth} elements do not index {len(data) - batch_dims} dimensions"
        )
    return (*indices[:-1], *data[batch_dims + depth :])


@irdl_op_definition
class GatherNdOp(GraphOp):
    """ONNX GatherND: the slices of `data` at the index tuples on indices' last dimension,
    the first `batch_dims` dimensions shared by both.

    %y = graph.gather_nd %data, %indices batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
    """

    name = "graph.gather_nd"

    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    output = result_def(TensorType)
    batch_dims = prop_def(IntegerAttr[I64], default_value=IntegerAttr(0, i64))

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$data `,` $indices (`batch_dims` $batch_dims^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, data: SSAValue, indices: SSAValue, batch_dims: int = 0):
        super().__init__(
            operands=[data, indices],
            result_types=[GatherNdOp.infer_result_type(data, indices, batch_dims)],
            properties={"batch_dims": IntegerAttr(batch_dims, i64)},
        )

    @staticmethod
    def infer_result_type(data: SSAValue, indices: SSAValue, batch_dims: int) -> TensorType:
        index_element(indices, "graph.gather_nd")
        shape = gather_nd_shape(shape_of(data), shape_of(indices), batch_dims)
        return TensorType(tensor(data).element_type, shape)

    def inferred_type(self) -> TensorType:
        return GatherNdOp.infer_result_type(self.data, self.indices, self.batch_dims.value.data)


class ScatterOp(GraphOp):
    """A copy of `data` with `updates` written (or, by `reduction`, combined) where
    `indices` say; for "none" a later update of one element wins over an earlier one."""

    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    updates = operand_def(TensorType)
    output = result_def(TensorType)
    reduction = prop_def(StringAttr, default_value=StringAttr("none"))

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))

    def check_operands(self) -> None:
        same_element(self.data, self.updates)
        index_element(self.indices, self.name)
        if self.reduction.data not in SCATTER_REDUCTIONS:
            raise VerifyException(
                f"unknown reduction '{self.reduction.data}', expected one of {SCATTER_REDUCTIONS}"
            )


@irdl_op_definition
class ScatterElementsOp(ScatterOp):
    """ONNX ScatterElements: updates[i] goes to data at i with its `axis` index replaced by
    indices[i].

    %y = graph.scatter_elements %data, %indices, %updates axis 0 reduction "add" : (...) -> tensor<3x3xf32>
    """

    name = "graph.scatter_elements"

    axis = prop_def(IntegerAttr[I64], default_value=IntegerAttr(0, i64))

    assembly_format = (
        "$data `,` $indices `,` $updates (`axis` $axis^)? (`reduction` $reduction^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self,
        data: SSAValue,
        indices: SSAValue,
        updates: SSAValue,
        axis: int = 0,
        reduction: str = "none",
    ):
        super().__init__(
            operands=[data, indices, updates],
            result_types=[data.type],
            properties={"axis": IntegerAttr(axis, i64), "reduction": StringAttr(reduction)},
        )

    def inferred_type(self) -> TensorType:
        self.check_operands()
        x, i = shape_of(self.data), shape_of(self.indices)
        normalize_axis(self.axis.value.data, len(x))
        if shape_of(self.updates) != i or len(i) != len(x):
            raise VerifyException(
                f"indices {self.indices.type} and updates {self.updates.type} must have one "
                f"shape, of the rank of {self.data.type}"
            )
        if any(a > b for d, (a, b) in enumerate(zip(i, x, strict=True)) if d != self.axis_index):
            raise VerifyException(f"indices {self.indices.type} do not fit in {self.data.type}")
        return tensor(self.data)

    @property
    def axis_index(self) -> int:
        return normalize_axis(self.axis.value.data, len(shape_of(self.data)))


@irdl_op_definition
class ScatterNdOp(ScatterOp):
    """ONNX ScatterND: updates' slice at i goes to data at the index tuple indices[i].

    %y = graph.scatter_nd %data, %indices, %updates reduction "mul" : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
    """

    name = "graph.scatter_nd"

    assembly_format = (
        "$data `,` $indices `,` $updates (`reduction` $reduction^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self, data: SSAValue, indices: SSAValue, updates: SSAValue, reduction: str = "none"
    ):
        super().__init__(
            operands=[data, indices, updates],
            result_types=[data.type],
            properties={"reduction": StringAttr(reduction)},
        )

    def inferred_type(self) -> TensorType:
        self.check_operands()
        expected = gather_nd_shape(shape_of(self.data), shape_of(self.indices), 0)
        if shape_of(self.updates) != expected:
            raise VerifyException(
                f"updates must be tensor<{'x'.join(map(str, expected))}x...>, "
                f"got {self.updates.type}"
            )
        return tensor(self.data)


@irdl_op_definition
class OneHotOp(GraphOp):
    """ONNX OneHot: values[1] where the new dimension `axis` (of extent `depth`) equals the
    index (negative counting from the end), values[0] elsewhere and for an index out of
    [-depth, depth); indices of any number type, truncated to integers.

    %y = graph.one_hot %indices, %values axis -1 depth 5 : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x5xf32>
    """

    name = "graph.one_hot"

    indices = operand_def(TensorType)
    values = operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64], default_value=IntegerAttr(-1, i64))
    depth = prop_def(IntegerAttr[I64])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$indices `,` $values (`axis` $axis^)? `depth` $depth attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, indices: SSAValue, values: SSAValue, depth: int, axis: int = -1):
        super().__init__(
            operands=[indices, values],
            result_types=[OneHotOp.infer_result_type(indices, values, depth, axis)],
            properties={"axis": IntegerAttr(axis, i64), "depth": IntegerAttr(depth, i64)},
        )

    @staticmethod
    def infer_result_type(indices: SSAValue, values: SSAValue, depth: int, axis: int) -> TensorType:
        i = shape_of(indices)
        if shape_of(values) != (2,):
            raise VerifyException(f"values must be [off, on], got {values.type}")
        if depth < 1:
            raise VerifyException(f"depth must be positive, got {depth}")
        position = normalize_axis(axis, len(i) + 1)
        return TensorType(tensor(values).element_type, (*i[:position], depth, *i[position:]))

    def inferred_type(self) -> TensorType:
        return OneHotOp.infer_result_type(
            self.indices, self.values, self.depth.value.data, self.axis.value.data
        )


@irdl_op_definition
class TriluOp(GraphOp):
    """ONNX Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of each matrix in
    the last two dimensions, zeros elsewhere; k is the property or, given, the scalar %k.

    %y = graph.trilu %x upper k 1 : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
    """

    name = "graph.trilu"

    input = operand_def(TensorType)
    k_value = opt_operand_def(TensorType)
    output = result_def(TensorType)
    upper = opt_prop_def(UnitAttr)
    k = prop_def(IntegerAttr[I64], default_value=IntegerAttr(0, i64))

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$input (`,` $k_value^)? (`upper` $upper^)? (`k` $k^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(
        self, input: SSAValue, upper: bool = True, k: int = 0, k_value: SSAValue | None = None
    ):
        properties: dict[str, Attribute] = {"k": IntegerAttr(k, i64)}
        if upper:
            properties["upper"] = UnitAttr()
        super().__init__(
            operands=[input, [k_value] if k_value else []],
            result_types=[input.type],
            properties=properties,
        )

    def inferred_type(self) -> TensorType:
        if len(shape_of(self.input)) < 2:
            raise VerifyException(f"graph.trilu needs matrices, got {self.input.type}")
        if self.k_value is not None:
            index_element(self.k_value, "graph.trilu")
            if shape_of(self.k_value) not in ((), (1,)) or self.k.value.data != 0:
                raise VerifyException("graph.trilu takes k as one scalar operand or property")
        return tensor(self.input)


DEPTH_TO_SPACE_MODES = ("DCR", "CRD")


class BlockRearrangeOp(GraphOp):
    """Moves blocks of blocksize x blocksize pixels of an NCHW tensor into channels or out
    of them; `mode` says where a pixel's channel goes: depth-column-row (DCR) or
    column-row-depth (CRD)."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    blocksize = prop_def(IntegerAttr[I64])
    mode = prop_def(StringAttr, default_value=StringAttr("DCR"))

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$input `blocksize` $blocksize (`mode` $mode^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, input: SSAValue, blocksize: int, mode: str = "DCR"):
        properties = {"blocksize": IntegerAttr(blocksize, i64), "mode": StringAttr(mode)}
        result = self.infer_result_type(input, blocksize, mode)
        super().__init__(operands=[input], result_types=[result], properties=properties)

    @classmethod
    def infer_result_type(cls, input: SSAValue, blocksize: int, mode: str) -> TensorType:
        x = shape_of(input)
        if len(x) != 4:
            raise VerifyException(f"{cls.name} needs an NCHW input, got {input.type}")
        if blocksize < 1:
            raise VerifyException(f"blocksize must be positive, got {blocksize}")
        if mode not in DEPTH_TO_SPACE_MODES:
            raise VerifyException(f"unknown mode '{mode}', expected DCR or CRD")
        return TensorType(tensor(input).element_type, cls.rearranged(x, blocksize))

    @staticmethod
    def rearranged(shape: Shape, blocksize: int) -> Shape:
        raise NotImplementedError

    def inferred_type(self) -> TensorType:
        return self.infer_result_type(self.input, self.blocksize.value.data, self.mode.data)


@irdl_op_definition
class DepthToSpaceOp(BlockRearrangeOp):
    """ONNX DepthToSpace: each pixel's channels become a block of pixels.

    %y = graph.depth_to_space %x blocksize 2 mode "CRD" : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
    """

    name = "graph.depth_to_space"

    @staticmethod
    def rearranged(shape: Shape, blocksize: int) -> Shape:
        n, c, h, w = shape
        if c % (blocksize * blocksize):
            raise VerifyException(
                f"{c} channels do not split into blocks of {blocksize}x{blocksize}"
            )
        return (n, c // blocksize**2, h * blocksize, w * blocksize)


@irdl_op_definition
class SpaceToDepthOp(BlockRearrangeOp):
    """ONNX SpaceToDepth: each block of pixels becomes the channels of one pixel.

    %y = graph.space_to_depth %x blocksize 2 : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
    """

    name = "graph.space_to_depth"

    @staticmethod
    def rearranged(shape: Shape, blocksize: int) -> Shape:
        n, c, h, w = shape
        if h % blocksize or w % blocksize:
            raise VerifyException(f"{h}x{w} pixels do not split into blocks of {blocksize}")
        return (n, c * blocksize**2, h // blocksize, w // blocksize)


# Einsum (issue 12) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Equation:
    """A parsed einsum equation: each operand's letters and the output's, an ellipsis spelled
    out as the digits '0', '1', ... of the broadcast dimensions it stands for (aligned at
    the right, as numpy broadcasts)."""

    operands: tuple[str, ...]
    output: str

    @staticmethod
    def parse(text: str, shapes: Sequence[Shape]) -> Equation:
        left, arrow, right = text.replace(" ", "").partition("->")
        terms = left.split(",")
        if len(terms) != len(shapes):
            raise VerifyException(f"equation '{text}' has {len(terms)} operands, not {len(shapes)}")
        for term in (*terms, right):
            named = term.replace("...", "", 1)
            if not all(c.isascii() and c.isalpha() for c in named):
                raise VerifyException(f"equation '{text}' is malformed")
        pairs = list(zip(terms, shapes, strict=True))
        covered = [len(shape) - len(term.replace("...", "")) for term, shape in pairs]
        spans = [count for (term, _), count in zip(pairs, covered, strict=True) if "..." in term]
        digits = "0123456789"[: max(spans, default=0)]
        if max(spans, default=0) > 10:
            raise VerifyException(f"equation '{text}': an ellipsis of more than 10 dimensions")
        operands = []
        for term, shape, count in zip(terms, shapes, covered, strict=True):
            letters = term.replace("...", digits[len(digits) - count :] if count >= 0 else "")
            if len(letters) != len(shape):
                raise VerifyException(
                    f"term '{term}' of equation '{text}' does not fit an operand of rank "
                    f"{len(shape)}"
                )
            operands.append(letters)
        used = "".join(operands)
        if arrow:
            output = right.replace("...", digits)
        else:
            once = sorted(c for c in dict.fromkeys(used) if c.isalpha() and used.count(c) == 1)
            output = digits + "".join(once)
        if len(set(output)) != len(output) or any(c not in used for c in output):
            raise VerifyException(f"equation '{text}': output letters repeat or are unknown")
        return Equation(tuple(operands), output)

    def extents(self, shapes: Sequence[Shape]) -> dict[str, int]:
        """The extent of each letter, broadcasting extents of 1 (ellipsis dimensions)."""
        extents: dict[str, int] = {}
        for letters, shape in zip(self.operands, shapes, strict=True):
            for letter, size in zip(letters, shape, strict=True):
                known = extents.get(letter, size)
                if known != size and 1 not in (known, size):
                    raise VerifyException(f"'{letter}' has extents {known} and {size}")
                extents[letter] = size if known == 1 else known
        return extents

    @property
    def reduced(self) -> str:
        """The letters summed over, in order of first appearance."""
        seen = dict.fromkeys("".join(self.operands))
        return "".join(c for c in seen if c not in self.output)


@irdl_op_definition
class EinsumOp(GraphOp):
    """ONNX Einsum: the sum, over the letters the output lacks, of the product of the
    operands indexed by their letters; an ellipsis broadcasts.

    %y = graph.einsum %a, %b equation "bij,bjk->bik" : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    """

    name = "graph.einsum"

    inputs = var_operand_def(TensorType)
    output = result_def(TensorType)
    equation = prop_def(StringAttr)

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = (
        "$inputs `equation` $equation attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, inputs: Sequence[SSAValue], equation: str):
        super().__init__(
            operands=[inputs],
            result_types=[EinsumOp.infer_result_type(inputs, equation)],
            properties={"equation": StringAttr(equation)},
        )

    @staticmethod
    def infer_result_type(inputs: Sequence[SSAValue], equation: str) -> TensorType:
        if not inputs:
            raise VerifyException("graph.einsum needs an operand")
        element = float_element(*inputs)
        shapes = [shape_of(v) for v in inputs]
        parsed = Equation.parse(equation, shapes)
        extents = parsed.extents(shapes)
        return TensorType(element, [extents[c] for c in parsed.output])

    def parsed(self) -> Equation:
        return Equation.parse(self.equation.data, [shape_of(v) for v in self.inputs])

    def inferred_type(self) -> TensorType:
        return EinsumOp.infer_result_type(self.inputs, self.equation.data)


# Transposed convolution and resizing (issue 12) -----------------------------------------------


@irdl_op_definition
class Conv2dTransposeOp(GraphOp):
    """ONNX ConvTranspose in 2-D: the gradient of graph.conv2d with respect to its input, of
    an NCHW input and an (I, O/groups, H, W) weight, plus an optional bias per output
    channel; padding [top, left, bottom, right] crops the full output (a negative one
    extends it with zeros), output_padding [h, w] extends it at the end.

    %y = graph.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] : (...) -> ...
    """

    name = "graph.conv2d_transpose"

    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    output = result_def(TensorType)
    strides = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    padding = prop_def(DenseArrayBase[I64], default_value=ints([0, 0, 0, 0]))
    dilation = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    output_padding = prop_def(DenseArrayBase[I64], default_value=ints([0, 0]))
    groups = prop_def(IntegerAttr[I64], default_value=IntegerAttr(1, i64))

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = (
        "$input `,` $weight (`,` $bias^)? (`strides` $strides^)? (`padding` $padding^)? "
        "(`dilation` $dilation^)? (`output_padding` $output_padding^)? (`groups` $groups^)? "
        "attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None = None,
        strides: Sequence[int] = (1, 1),
        padding: Sequence[int] = (0, 0, 0, 0),
        dilation: Sequence[int] = (1, 1),
        output_padding: Sequence[int] = (0, 0),
        groups: int = 1,
    ):
        result = Conv2dTransposeOp.infer_result_type(
            input, weight, bias, strides, padding, dilation, output_padding, groups
        )
        super().__init__(
            operands=[input, weight, [bias] if bias else []],
            result_types=[result],
            properties={
                "strides": ints(strides),
                "padding": ints(padding),
                "dilation": ints(dilation),
                "output_padding": ints(output_padding),
                "groups": IntegerAttr(groups, i64),
            },
        )

    @staticmethod
    def infer_result_type(
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None,
        strides: Sequence[int],
        padding: Sequence[int],
        dilation: Sequence[int],
        output_padding: Sequence[int],
        groups: int,
    ) -> TensorType:
        element = float_element(input, weight, *([bias] if bias else []))
        check_window("strides", strides, 2, 1)
        check_window("dilation", dilation, 2, 1)
        check_window("output_padding", output_padding, 2, 0)
        if len(padding) != 4:
            raise VerifyException(f"padding needs 4 values, got {list(padding)}")
        x, w = shape_of(input), shape_of(weight)
        if len(x) != 4 or len(w) != 4:
            raise VerifyException(
                f"graph.conv2d_transpose needs an NCHW input and an IOHW weight, got "
                f"{input.type} and {weight.type}"
            )
        n, channels, height, width = x
        if groups < 1 or channels % groups or w[0] != channels:
            raise VerifyException(
                f"weight {weight.type} must have the {channels} input channels, in groups of "
                f"{groups}"
            )
        out_channels = w[1] * groups
        if bias is not None and shape_of(bias) != (out_channels,):
            raise VerifyException(f"bias must be tensor<{out_channels}x...>, got {bias.type}")
        sizes = []
        for d, size in enumerate((height, width)):
            full = strides[d] * (size - 1) + dilation[d] * (w[2 + d] - 1) + 1
            extent = full + output_padding[d] - padding[d] - padding[d + 2]
            if extent < 1:
                raise VerifyException(f"padding {list(padding)} leaves no output")
            sizes.append(extent)
        return TensorType(element, (n, out_channels, *sizes))

    def inferred_type(self) -> TensorType:
        return Conv2dTransposeOp.infer_result_type(
            self.input,
            self.weight,
            self.bias,
            self.strides.get_values(),
            self.padding.get_values(),
            self.dilation.get_values(),
            self.output_padding.get_values(),
            self.groups.value.data,
        )


RESIZE_MODES = ("nearest", "linear", "cubic")
COORDINATE_MODES = (
    "half_pixel",
    "half_pixel_symmetric",
    "pytorch_half_pixel",
    "align_corners",
    "asymmetric",
    "tf_crop_and_resize",
)
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


@irdl_op_definition
class ResizeOp(GraphOp):
    """ONNX Resize: each output element interpolates the input around the point that
    `coordinate_mode` maps it to, axis by axis (nearest, N-linear or N-cubic), with the
    per-axis `scales` (output over input extent) and, for tf_crop_and_resize, `roi` (all
    starts, then all ends, as fractions of the input); the result type gives the sizes.

    %y = graph.resize %x mode "linear" scales [1.0, 1.0, 2.0, 2.0] : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
    """

    name = "graph.resize"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    scales = prop_def(DenseArrayBase[Float64Type])
    mode = prop_def(StringAttr, default_value=StringAttr("nearest"))
    coordinate_mode = prop_def(StringAttr, default_value=StringAttr("half_pixel"))
    nearest_mode = prop_def(StringAttr, default_value=StringAttr("round_prefer_floor"))
    cubic_coeff_a = prop_def(FloatAttr[Float64Type], default_value=FloatAttr(-0.75, f64))
    exclude_outside = opt_prop_def(UnitAttr)
    antialias = opt_prop_def(UnitAttr)
    extrapolation_value = prop_def(FloatAttr[Float64Type], default_value=FloatAttr(0.0, f64))
    roi = opt_prop_def(DenseArrayBase[Float64Type])

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$input (`mode` $mode^)? (`coordinate_mode` $coordinate_mode^)? "
        "(`nearest_mode` $nearest_mode^)? (`cubic_coeff_a` $cubic_coeff_a^)? "
        "(`exclude_outside` $exclude_outside^)? (`antialias` $antialias^)? "
        "(`extrapolation_value` $extrapolation_value^)? `scales` $scales (`roi` $roi^)? "
        "attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        sizes: Sequence[int],
        scales: Sequence[float],
        mode: str = "nearest",
        coordinate_mode: str = "half_pixel",
        nearest_mode: str = "round_prefer_floor",
        cubic_coeff_a: float = -0.75,
        exclude_outside: bool = False,
        antialias: bool = False,
        extrapolation_value: float = 0.0,
        roi: Sequence[float] | None = None,
    ):
        properties: dict[str, Attribute] = {
            "scales": DenseArrayBase.from_list(f64, list(scales)),
            "mode": StringAttr(mode),
            "coordinate_mode": StringAttr(coordinate_mode),
            "nearest_mode": StringAttr(nearest_mode),
            "cubic_coeff_a": FloatAttr(cubic_coeff_a, f64),
            "extrapolation_value": FloatAttr(extrapolation_value, f64),
        }
        if exclude_outside:
            properties["exclude_outside"] = UnitAttr()
        if antialias:
            properties["antialias"] = UnitAttr()
        if roi is not None:
            properties["roi"] = DenseArrayBase.from_list(f64, list(roi))
        element = tensor(input).element_type
        super().__init__(
            operands=[input],
            result_types=[TensorType(element, list(sizes))],
            properties=properties,
        )

    def inferred_type(self) -> TensorType:
        element = float_element(self.input)
        x, y = shape_of(self.input), shape_of(self.output)
        rank = len(x)
        choices = (
            ("mode", self.mode, RESIZE_MODES),
            ("coordinate_mode", self.coordinate_mode, COORDINATE_MODES),
            ("nearest_mode", self.nearest_mode, NEAREST_MODES),
        )
        for what, value, allowed in choices:
            if value.data not in allowed:
                raise VerifyException(f"unknown {what} '{value.data}', expected one of {allowed}")
        scales = self.scales.get_values()
        if len(y) != rank or len(scales) != rank or any(s <= 0 for s in scales):
            raise VerifyException(
                f"graph.resize of rank {rank} needs {rank} positive scales and a result of "
                f"that rank, got {list(scales)} and {self.output.type}"
            )
        roi = self.roi.get_values() if self.roi else None
        if (self.coordinate_mode.data == "tf_crop_and_resize") != (roi is not None) or (
            roi is not None and len(roi) != 2 * rank
        ):
            raise VerifyException(f"tf_crop_and_resize and only it needs {2 * rank} roi values")
        return TensorType(element, y)


# Quantization (issue 12) ----------------------------------------------------------------------
#
# Quantized tensors hold integers of 8 to 32 bits, signless (signed) or unsigned, that stand
# for scale * (q - zero_point); the arithmetic stays in floating point (QDQ models).


def quantized_element(value: SSAValue | Attribute, what: str) -> IntegerType:
    """The element type of a quantized tensor (i8, ui8, i16, ui16 or i32), or a
    VerifyException."""
    element = tensor(value).element_type
    if (
        not isinstance(element, IntegerType)
        or element.width.data not in (8, 16, 32)
        or element.signedness.data == Signedness.SIGNED
    ):
        raise VerifyException(f"{what} must hold 8-, 16- or 32-bit integers, got {element}")
    return element


def quantization_shape(x: Shape, scale: Shape, axis: int, block_size: int) -> tuple[int, int]:
    """The normalized axis and block size of a scale of shape `scale` over x: per tensor
    (a scalar: block size 0), per axis (1-D: block size 1) or blocked."""
    if scale in ((), (1,)) and (block_size == 0 or len(x) == 0):
        return 0, 0
    axis = normalize_axis(axis, len(x))
    if block_size == 0:
        if scale != (x[axis],):
            raise VerifyException(f"a per-axis scale of axis {axis} must have shape ({x[axis]},)")
        return axis, 1
    blocks = -(-x[axis] // block_size)
    if scale != (*x[:axis], blocks, *x[axis + 1 :]):
        raise VerifyException(
            f"a scale of blocks of {block_size} along axis {axis} must have shape "
            f"{(*x[:axis], blocks, *x[axis + 1 :])}"
        )
    return axis, block_size


class LinearQuantizationOp(GraphOp):
    """A (de)quantization with a scale and an optional zero point of one shape: per tensor,
    per `axis`, or in blocks of `block_size` along it."""

    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    zero_point = opt_operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64], default_value=IntegerAttr(1, i64))
    block_size = prop_def(IntegerAttr[I64], default_value=IntegerAttr(0, i64))

    traits = traits_def(Pure(), Pattern(PatternKind.BROADCAST))

    assembly_format = (
        "$input `,` $scale (`,` $zero_point^)? (`axis` $axis^)? (`block_size` $block_size^)? "
        "attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        scale: SSAValue,
        zero_point: SSAValue | None,
        result_element: Attribute,
        axis: int = 1,
        block_size: int = 0,
    ):
        super().__init__(
            operands=[input, scale, [zero_point] if zero_point else []],
            result_types=[TensorType(result_element, shape_of(input))],
            properties={"axis": IntegerAttr(axis, i64), "block_size": IntegerAttr(block_size, i64)},
        )

    def granularity(self) -> tuple[int, int]:
        """The normalized axis and block size: (0, 0) per tensor, block size 1 per axis."""
        if self.block_size.value.data < 0:
            raise VerifyException(
                f"block_size must not be negative, got {self.block_size.value.data}"
            )
        if self.zero_point is not None and shape_of(self.zero_point) != shape_of(self.scale):
            raise VerifyException(
                f"zero point {self.zero_point.type} and scale {self.scale.type} differ in shape"
            )
        return quantization_shape(
            shape_of(self.input),
            shape_of(self.scale),
            self.axis.value.data,
            self.block_size.value.data,
        )


@irdl_op_definition
class QuantizeLinearOp(LinearQuantizationOp):
    """ONNX QuantizeLinear: x / scale rounded half to even, plus the zero point, saturated
    to the result's integer type.

    %q = graph.quantize_linear %x, %scale, %zp : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
    """

    name = "graph.quantize_linear"

    def inferred_type(self) -> TensorType:
        float_element(self.input)
        float_element(self.scale)
        self.granularity()
        element = quantized_element(self.output, "the result")
        if self.zero_point is not None and tensor(self.zero_point).element_type != element:
            raise VerifyException(f"zero point {self.zero_point.type} must hold {element}")
        return TensorType(element, shape_of(self.input))


@irdl_op_definition
class DequantizeLinearOp(LinearQuantizationOp):
    """ONNX DequantizeLinear: (x - zero point) * scale, in the result's floating-point type.

    %x = graph.dequantize_linear %q, %scale, %zp axis 0 : (tensor<3x4xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x4xf32>
    """

    name = "graph.dequantize_linear"

    def inferred_type(self) -> TensorType:
        element = quantized_element(self.input, "the input")
        float_element(self.scale)
        self.granularity()
        if self.zero_point is not None and tensor(self.zero_point).element_type != element:
            raise VerifyException(f"zero point {self.zero_point.type} must hold {element}")
        return TensorType(float_element(self.output), shape_of(self.input))


# Attention (issue 12) ----------------------------------------------------------------------
#
# ONNX's Attention is imported as the graph ops it is made of (matmuls, a bias, this
# softmax): fusion and the targets' matmul and softmax schedules take them as they are.


@irdl_op_definition
class MaskedSoftmaxOp(AlongAxisOp):
    """Softmax along one axis where a slice that is -inf everywhere (an attention row with
    every key masked) gives zeros instead of NaN.

    %y = graph.masked_softmax %x axis -1 : tensor<2x4x6xf32>
    """

    name = "graph.masked_softmax"


# Control flow: if and loop ----------------------------------------------------------------
#
# Their regions are not isolated: a branch or a loop body may use any value defined before
# the op (ONNX's outer scope). Each ends in graph.yield; fusion never crosses a region.


def one_element_bool(value: SSAValue) -> None:
    condition = tensor(value)
    if condition.element_type != IntegerType(1) or math.prod(condition.get_shape()) != 1:
        raise VerifyException(f"a condition is one i1 element, got {value.type}")


def yielded_types(region: Region) -> list[Attribute]:
    terminator = region.block.last_op
    if not isinstance(terminator, YieldOp):
        raise VerifyException("the region must end in graph.yield")
    return [v.type for v in terminator.values]


@irdl_op_definition
class IfOp(IRDLOperation):
    """The values the `then` region yields if the condition (one i1 element) holds, else
    those of the `else` region; both branches yield the result types.

    %y = graph.if %c : tensor<i1> -> (tensor<4xf32>) { graph.yield %a : ... } else { ... }
    """

    name = "graph.if"

    condition = operand_def(TensorType)
    outputs = var_result_def(TensorType)
    then_region = region_def("single_block")
    else_region = region_def("single_block")

    traits = traits_def(RecursiveMemoryEffect(), Pattern(PatternKind.OPAQUE))

    def __init__(
        self, condition: SSAValue, result_types: Sequence[Attribute], then: Region, other: Region
    ):
        super().__init__(operands=[condition], result_types=[result_types], regions=[then, other])

    def verify_(self) -> None:
        one_element_bool(self.condition)
        expected = [tensor(r) for r in self.outputs]
        for branch, region in (("then", self.then_region), ("else", self.else_region)):
            yielded = yielded_types(region)
            if yielded != expected:
                raise VerifyException(
                    f"the {branch} branch yields {', '.join(map(str, yielded))}, the "
                    f"results are {', '.join(map(str, expected))}"
                )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.condition)
        printer.print_string(" : ")
        printer.print_attribute(self.condition.type)
        printer.print_string(" -> (")
        printer.print_list(self.outputs.types, printer.print_attribute)
        printer.print_string(") ")
        printer.print_region(self.then_region, print_entry_block_args=False)
        printer.print_string(" else ")
        printer.print_region(self.else_region, print_entry_block_args=False)
        printer.print_op_attributes(self.attributes, print_keyword=True)

    @classmethod
    def parse(cls, parser: Parser) -> IfOp:
        condition = parser.parse_unresolved_operand()
        parser.parse_punctuation(":")
        condition_type = parser.parse_type()
        parser.parse_punctuation("->")
        result_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        then = parser.parse_region()
        parser.parse_keyword("else")
        other = parser.parse_region()
        attributes = parser.parse_optional_attr_dict_with_keyword()
        op = IfOp(parser.resolve_operand(condition, condition_type), result_types, then, other)
        if attributes is not None:
            op.attributes |= attributes.data
        return op


ITERATION = TensorType(i64, ())


@irdl_op_definition
class LoopOp(IRDLOperation):
    """ONNX Loop with a static trip count: the body runs `trip_count` times on the iteration
    number (a tensor<i64>) and the carried values (first the operands, then what the body
    yielded last); the results are the carried values after the last iteration, then each
    further yielded value stacked over the iterations along a new first dimension.

    %h, %ys = graph.loop 5 (%h0) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<5x3xf32>) {...}
    """

    name = "graph.loop"

    inits = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    trip_count = prop_def(IntegerAttr[I64])
    body = region_def("single_block")

    traits = traits_def(RecursiveMemoryEffect(), Pattern(PatternKind.OPAQUE))

    def __init__(
        self,
        trip_count: int,
        inits: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        body: Region,
    ):
        super().__init__(
            operands=[inits],
            result_types=[result_types],
            properties={"trip_count": IntegerAttr(trip_count, i64)},
            regions=[body],
        )

    @staticmethod
    def result_types_for(
        trip_count: int, carried: Sequence[Attribute], scanned: Sequence[Attribute]
    ) -> list[TensorType]:
        """The results of a loop carrying values of types `carried` and yielding `scanned`
        per iteration."""
        stacked = [TensorType(tensor(t).element_type, (trip_count, *shape_of(t))) for t in scanned]
        return [*map(tensor, carried), *stacked]

    def verify_(self) -> None:
        trip_count = self.trip_count.value.data
        if trip_count < 1:
            raise VerifyException(f"graph.loop runs at least once, not {trip_count} times")
        carried = [tensor(v) for v in self.inits]
        arguments = [a.type for a in self.body.block.args]
        if arguments != [ITERATION, *carried]:
            raise VerifyException(
                f"the body takes the iteration number ({ITERATION}) and the carried values "
                f"({', '.join(map(str, carried))}), not {', '.join(map(str, arguments))}"
            )
        yielded = yielded_types(self.body)
        if yielded[: len(carried)] != carried:
            raise VerifyException(
                f"the body yields {', '.join(map(str, yielded))}; its first values are the "
                f"carried ones ({', '.join(map(str, carried))})"
            )
        expected = LoopOp.result_types_for(trip_count, carried, yielded[len(carried) :])
        if list(self.outputs.types) != expected:
            raise VerifyException(
                f"graph.loop should give {', '.join(map(str, expected))}, not "
                f"{', '.join(map(str, self.outputs.types))}"
            )

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.trip_count.value.data} (")
        printer.print_list(self.inits, printer.print_operand)
        printer.print_string(")")
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" : (")
        printer.print_list(self.inits.types, printer.print_attribute)
        printer.print_string(") -> (")
        printer.print_list(self.outputs.types, printer.print_attribute)
        printer.print_string(") ")
        printer.print_region(self.body, print_entry_block_args=True)

    @classmethod
    def parse(cls, parser: Parser) -> LoopOp:
        trip_count = parser.parse_integer(allow_boolean=False)
        inits = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, parser.parse_unresolved_operand
        )
        attributes = parser.parse_optional_attr_dict_with_keyword()
        parser.parse_punctuation(":")
        init_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        parser.parse_punctuation("->")
        result_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        operands = parser.resolve_operands(inits, init_types, parser.pos)
        op = LoopOp(trip_count, operands, result_types, parser.parse_region())
        if attributes is not None:
            op.attributes |= attributes.data
        return op


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The values a graph.if branch or a graph.loop iteration gives.

    graph.yield %h, %y : tensor<3xf32>, tensor<3xf32>
    """

    name = "graph.yield"

    values = var_operand_def(TensorType)

    traits = traits_def(IsTerminator(), HasParent(IfOp, LoopOp), Pure())

    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[values])


# Recurrent networks: rnn, gru, lstm --------------------------------------------------------
#
# ONNX's RNN, GRU and LSTM in layout 0: X is [sequence, batch, input], W [directions, gates
# x hidden, input], R [directions, gates x hidden, hidden], B [directions, 2 x gates x
# hidden] (the W biases, then the R biases), initial states [directions, batch, hidden]; Y
# is [sequence, directions, batch, hidden], Y_h (and Y_c) [directions, batch, hidden]. A
# step t >= sequence_lens[b] leaves batch b's state as it was and gives zeros in Y; the
# reverse direction runs each sequence from its own last step. Each activation is applied
# with its own alpha and beta (unused by most).

# The activations ONNX defines for recurrent networks, by their ONNX names.
ACTIVATIONS = (
    "Relu",
    "Tanh",
    "Sigmoid",
    "Affine",
    "LeakyRelu",
    "ThresholdedRelu",
    "ScaledTanh",
    "HardSigmoid",
    "Elu",
    "Softsign",
    "Softplus",
)

DIRECTIONS = ("forward", "reverse", "bidirectional")


class RecurrentOp(IRDLOperation):
    """What RNN, GRU and LSTM share: inputs, directions, activations, clip."""

    GATES: ClassVar[int]
    ACTIVATION_COUNT: ClassVar[int]  # activations per direction
    OPTIONAL_OPERANDS: ClassVar[tuple[str, ...]] = ("bias", "sequence_lens", "initial_h")
    FLAGS: ClassVar[tuple[str, ...]] = ()  # unit properties

    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    recurrence = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    sequence_lens = opt_operand_def(TensorType)
    initial_h = opt_operand_def(TensorType)
    output = result_def(TensorType)
    output_h = result_def(TensorType)
    direction = prop_def(StringAttr, default_value=StringAttr("forward"))
    activations = prop_def(ArrayAttr[StringAttr])
    activation_alpha = prop_def(DenseArrayBase[Float32Type])
    activation_beta = prop_def(DenseArrayBase[Float32Type])
    clip = opt_prop_def(FloatAttr[Float32Type])

    traits = traits_def(Pure(), Pattern(PatternKind.OPAQUE))
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    @property
    def directions(self) -> int:
        return 2 if self.direction.data == "bidirectional" else 1

    @property
    def hidden_size(self) -> int:
        return shape_of(self.recurrence)[-1]

    @property
    def activation_names(self) -> list[str]:
        return [a.data for a in self.activations.data]

    def activation(self, direction: int, index: int) -> tuple[str, float, float]:
        """The name, alpha and beta of activation `index` (f, g, h) of a direction."""
        at = direction * self.ACTIVATION_COUNT + index
        alpha = self.activation_alpha.get_values()[at]
        beta = self.activation_beta.get_values()[at]
        return self.activation_names[at], float(alpha), float(beta)

    def state_inputs(self) -> dict[str, SSAValue | None]:
        """The initial states by name, each [directions, batch, hidden] (or None)."""
        return {"initial_h": self.initial_h}

    def verify_(self) -> None:
        self.verify_properties()
        expected = self.inferred_types()
        if [r.type for r in self.results] != expected:
            raise VerifyException(
                f"{self.name} should give {', '.join(map(str, expected))}, not "
                f"{', '.join(str(r.type) for r in self.results)}"
            )

    def verify_properties(self) -> None:
        """The direction is known, and each activation too, with an alpha and a beta."""
        if self.direction.data not in DIRECTIONS:
            raise VerifyException(
                f"direction must be one of {', '.join(DIRECTIONS)}, not '{self.direction.data}'"
            )
        names = self.activation_names
        count = self.ACTIVATION_COUNT * self.directions
        if len(names) != count:
            raise VerifyException(f"{self.name} {self.direction.data} needs {count} activations")
        unknown = [n for n in names if n not in ACTIVATIONS]
        if unknown:
            raise VerifyException(f"unknown activation '{unknown[0]}'")
        for field in ("activation_alpha", "activation_beta"):
            if len(getattr(self, field).get_values()) != count:
                raise VerifyException(f"{field} needs one value per activation ({count})")

    def inferred_types(self) -> list[TensorType]:
        """Y, then each final state, from X, W and R; every other input checked against
        them."""
        element = float_element(self.input, self.weight, self.recurrence)
        x, w, r = shape_of(self.input), shape_of(self.weight), shape_of(self.recurrence)
        if len(x) != 3 or len(w) != 3 or len(r) != 3:
            raise VerifyException(
                f"{self.name} needs X, W and R of rank 3, got {self.input.type}, "
                f"{self.weight.type} and {self.recurrence.type}"
            )
        sequence, batch, size = x
        directions, gates, hidden = self.directions, self.GATES * r[2], r[2]
        expected = {
            "W": (self.weight, (directions, gates, size)),
            "R": (self.recurrence, (directions, gates, hidden)),
            "B": (self.bias, (directions, 2 * gates)),
            "P": (getattr(self, "peepholes", None), (directions, 3 * hidden)),
        }
        for name, state in self.state_inputs().items():
            expected[name] = (state, (directions, batch, hidden))
        for what, (value, shape) in expected.items():
            if value is not None and tensor(value) != TensorType(element, shape):
                raise VerifyException(
                    f"{what} should be {TensorType(element, shape)}, not {value.type}"
                )
        lengths = self.sequence_lens
        if lengths is not None and tensor(lengths) not in (
            TensorType(IntegerType(32), (batch,)),
            TensorType(IntegerType(64), (batch,)),
        ):
            raise VerifyException(f"sequence_lens should be {batch} i32 or i64, not {lengths.type}")
        state = TensorType(element, (directions, batch, hidden))
        outputs = TensorType(element, (sequence, directions, batch, hidden))
        return [outputs, *[state] * len(self.state_inputs())]

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list([self.input, self.weight, self.recurrence], printer.print_operand)
        for name in self.OPTIONAL_OPERANDS:
            value = getattr(self, name)
            if value is not None:
                printer.print_string(f" {name} ")
                printer.print_operand(value)
        printer.print_string(f' direction "{self.direction.data}" activations ')
        printer.print_attribute(self.activations)
        printer.print_string(" alpha ")
        printer.print_attribute(self.activation_alpha)
        printer.print_string(" beta ")
        printer.print_attribute(self.activation_beta)
        if self.clip is not None:
            printer.print_string(f" clip {self.clip.value.data!r}")
        for name in self.FLAGS:
            if name in self.properties:
                printer.print_string(f" {name}")
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" : ")
        printer.print_function_type(self.operand_types, self.result_types)

    @classmethod
    def parse(cls, parser: Parser) -> RecurrentOp:
        names = ["input", "weight", "recurrence"]
        operands = parser.parse_comma_separated_list(
            parser.Delimiter.NONE, parser.parse_unresolved_operand
        )
        for name in cls.OPTIONAL_OPERANDS:
            if parser.parse_optional_keyword(name):
                names.append(name)
                operands.append(parser.parse_unresolved_operand())
        parser.parse_keyword("direction")
        properties: dict[str, Attribute] = {"direction": StringAttr(parser.parse_str_literal())}
        for keyword, name in (
            ("activations", "activations"),
            ("alpha", "activation_alpha"),
            ("beta", "activation_beta"),
        ):
            parser.parse_keyword(keyword)
            properties[name] = parser.parse_attribute()
        if parser.parse_optional_keyword("clip"):
            properties["clip"] = FloatAttr(parser.parse_float(), f32)
        for name in cls.FLAGS:
            if parser.parse_optional_keyword(name):
                properties[name] = UnitAttr()
        attributes = parser.parse_optional_attr_dict_with_keyword()
        parser.parse_punctuation(":")
        pos = parser.pos
        function_type = parser.parse_function_type()
        inputs = parser.resolve_operands(operands, function_type.inputs.data, pos)
        present = [int(n in names) for n in ("input", "weight", "recurrence")]
        present += [int(n in names) for n in cls.OPTIONAL_OPERANDS]
        properties["operandSegmentSizes"] = DenseArrayBase.from_list(i32, present)
        op = cls.create(
            operands=inputs, result_types=function_type.outputs.data, properties=properties
        )
        if attributes is not None:
            op.attributes |= attributes.data
        return op

    @classmethod
    def build(
        cls,
        operands: Sequence[SSAValue | None],
        direction: str,
        activations: Sequence[tuple[str, float, float]],
        clip: float | None,
        **flags: bool,
    ) -> RecurrentOp:
        """The op on `operands` (in ONNX's order, None where absent), with each
        activation's name, alpha and beta."""
        x, _, r = operands[:3]
        assert x is not None and r is not None
        sequence, batch, _ = shape_of(x)
        element = tensor(x).element_type
        directions = 2 if direction == "bidirectional" else 1
        hidden = shape_of(r)[-1]
        state = TensorType(element, (directions, batch, hidden))
        results = [TensorType(element, (sequence, directions, batch, hidden))]
        results += [state] * (len(cls.get_irdl_definition().results) - 1)
        properties: dict[str, Attribute] = {
            "direction": StringAttr(direction),
            "activations": ArrayAttr(StringAttr(name) for name, _, _ in activations),
            "activation_alpha": DenseArrayBase.from_list(f32, [a for _, a, _ in activations]),
            "activation_beta": DenseArrayBase.from_list(f32, [b for _, _, b in activations]),
        }
        if clip is not None:
            properties["clip"] = FloatAttr(clip, f32)
        properties |= {name: UnitAttr() for name, value in flags.items() if value}
        present = [int(v is not None) for v in operands]
        properties["operandSegmentSizes"] = DenseArrayBase.from_list(i32, present)
        return cls.create(
            operands=[v for v in operands if v is not None],
            result_types=results,
            properties=properties,
        )


@irdl_op_definition
class RnnOp(RecurrentOp):
    """ONNX RNN: H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb).

    %y, %yh = graph.rnn %x, %w, %r activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (...) -> (...)
    """

    name = "graph.rnn"

    GATES: ClassVar[int] = 1
    ACTIVATION_COUNT: ClassVar[int] = 1


@irdl_op_definition
class GruOp(RecurrentOp):
    """ONNX GRU, gates z, r, h in that order in W, R and B: z and r by f, the candidate
    by g (its recurrence applied after the reset gate where `linear_before_reset`), and
    H_t = (1 - z) * candidate + z * H_{t-1}.

    %y, %yh = graph.gru %x, %w, %r bias %b activations ["Sigmoid", "Tanh"] alpha ... beta ... linear_before_reset : (...) -> (...)
    """

    name = "graph.gru"

    GATES: ClassVar[int] = 3
    ACTIVATION_COUNT: ClassVar[int] = 2

    linear_before_reset = opt_prop_def(UnitAttr)

    FLAGS: ClassVar[tuple[str, ...]] = ("linear_before_reset",)


@irdl_op_definition
class LstmOp(RecurrentOp):
    """ONNX LSTM, gates i, o, f, c in that order in W, R and B (peepholes P: i, o, f): i, o
    and f by f, the cell candidate by g, C_t = f * C_{t-1} + i * candidate and H_t = o *
    h(C_t); `input_forget` couples the forget gate to 1 - i.

    %y, %yh, %yc = graph.lstm %x, %w, %r activations ["Sigmoid", "Tanh", "Tanh"] alpha ... beta ... : (...) -> (...)
    """

    name = "graph.lstm"

    GATES: ClassVar[int] = 4
    ACTIVATION_COUNT: ClassVar[int] = 3

    # All operands and results again, in ONNX's order: a subclass's fields come first.
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    recurrence = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    sequence_lens = opt_operand_def(TensorType)
    initial_h = opt_operand_def(TensorType)
    initial_c = opt_operand_def(TensorType)
    peepholes = opt_operand_def(TensorType)
    output = result_def(TensorType)
    output_h = result_def(TensorType)
    output_c = result_def(TensorType)
    input_forget = opt_prop_def(UnitAttr)

    OPTIONAL_OPERANDS: ClassVar[tuple[str, ...]] = (
        "bias",
        "sequence_lens",
        "initial_h",
        "initial_c",
        "peepholes",
    )
    FLAGS: ClassVar[tuple[str, ...]] = ("input_forget",)

    def state_inputs(self) -> dict[str, SSAValue | None]:
        return {"initial_h": self.initial_h, "initial_c": self.initial_c}


# Integer contractions and requantization (quantized models, the accelerator's) ------------
#
# ONNX's integer operators become these: MatMulInteger and ConvInteger an int8 product
# summed in int32 (zero points subtracted first), QLinearMatMul and QLinearConv that sum
# (plus QLinearConv's int32 bias) followed by `graph.requantize` back to int8.


def int8_elements(*values: SSAValue) -> None:
    """Check that `values` are int8 tensors."""
    for value in values:
        if tensor(value).element_type != IntegerType(8):
            raise VerifyException(f"expected int8 tensors, got {value.type}")


@irdl_op_definition
class MatmulIntegerOp(GraphOp):
    """numpy.matmul of int8 tensors less their zero points, summed in int32.

    %y = graph.matmul_integer %a, %b zero_points [0, 3] : (tensor<4x8xi8>, tensor<8x16xi8>) -> tensor<4x16xi32>
    """

    name = "graph.matmul_integer"

    a = operand_def(TensorType)
    b = operand_def(TensorType)
    output = result_def(TensorType)
    zero_points = prop_def(DenseArrayBase[I64], default_value=ints([0, 0]))

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = (
        "$a `,` $b (`zero_points` $zero_points^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, a: SSAValue, b: SSAValue, zero_points: Sequence[int] = (0, 0)):
        super().__init__(
            operands=[a, b],
            result_types=[MatmulIntegerOp.infer_result_type(a, b)],
            properties={"zero_points": ints(zero_points)},
        )

    @staticmethod
    def infer_result_type(a: SSAValue, b: SSAValue) -> TensorType:
        int8_elements(a, b)
        return TensorType(IntegerType(32), matmul_shape(shape_of(a), shape_of(b)))

    def inferred_type(self) -> TensorType:
        if len(self.zero_points.get_values()) != 2:
            raise VerifyException("graph.matmul_integer needs two zero points, a's and b's")
        return MatmulIntegerOp.infer_result_type(self.a, self.b)


@irdl_op_definition
class ConvIntegerOp(GraphOp):
    """graph.conv2d of an int8 input and an OIHW int8 weight less their zero points,
    summed in int32, plus an optional int32 bias per output channel.

    %y = graph.conv_integer %x, %w, %b padding [1, 1, 1, 1] : (tensor<1x16x8x8xi8>, tensor<16x16x3x3xi8>, tensor<16xi32>) -> tensor<1x16x8x8xi32>
    """

    name = "graph.conv_integer"

    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    output = result_def(TensorType)
    strides = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    padding = prop_def(DenseArrayBase[I64], default_value=ints([0, 0, 0, 0]))
    dilation = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    groups = prop_def(IntegerAttr[I64], default_value=IntegerAttr(1, i64))
    zero_points = prop_def(DenseArrayBase[I64], default_value=ints([0, 0]))

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = (
        "$input `,` $weight (`,` $bias^)? (`strides` $strides^)? (`padding` $padding^)? "
        "(`dilation` $dilation^)? (`groups` $groups^)? (`zero_points` $zero_points^)? "
        "attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None = None,
        strides: Sequence[int] = (1, 1),
        padding: Sequence[int] = (0, 0, 0, 0),
        dilation: Sequence[int] = (1, 1),
        groups: int = 1,
        zero_points: Sequence[int] = (0, 0),
    ):
        shape = conv2d_shape(
            input, weight, bias, strides, padding, dilation, groups, "graph.conv_integer"
        )
        super().__init__(
            operands=[input, weight, [bias] if bias else []],
            result_types=[TensorType(IntegerType(32), shape)],
            properties={
                "strides": ints(strides),
                "padding": ints(padding),
                "dilation": ints(dilation),
                "groups": IntegerAttr(groups, i64),
                "zero_points": ints(zero_points),
            },
        )

    def inferred_type(self) -> TensorType:
        int8_elements(self.input, self.weight)
        if self.bias is not None and tensor(self.bias).element_type != IntegerType(32):
            raise VerifyException(f"the bias must be an int32 tensor, got {self.bias.type}")
        if len(self.zero_points.get_values()) != 2:
            raise VerifyException(
                "graph.conv_integer needs two zero points, the input's and weight's"
            )
        shape = conv2d_shape(
            self.input,
            self.weight,
            self.bias,
            self.strides.get_values(),
            self.padding.get_values(),
            self.dilation.get_values(),
            self.groups.value.data,
            self.name,
        )
        return TensorType(IntegerType(32), shape)

    def weight_shape(self) -> tuple[int, int, int, int]:
        return oihw(shape_of(self.weight), "OIHW")


@irdl_op_definition
class RequantizeOp(GraphOp):
    """An int32 tensor scaled back to int8 as onnxruntime does: x * scale (f32) rounded
    half to even, plus the zero point, saturated; one scale, or one per index of `axis`.

    %y = graph.requantize %x scale [3.906250e-03] zero_point 0 : (tensor<4x16xi32>) -> tensor<4x16xi8>
    """

    name = "graph.requantize"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    scale = prop_def(DenseArrayBase[Float32Type])
    zero_point = prop_def(IntegerAttr[I64], default_value=IntegerAttr(0, i64))
    axis = prop_def(IntegerAttr[I64], default_value=IntegerAttr(1, i64))

    traits = traits_def(Pure(), Pattern(PatternKind.ELEMENTWISE))

    assembly_format = (
        "$input `scale` $scale (`zero_point` $zero_point^)? (`axis` $axis^)? attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, x: SSAValue, scale: Sequence[float], zero_point: int = 0, axis: int = 1):
        super().__init__(
            operands=[x],
            result_types=[TensorType(IntegerType(8), shape_of(x))],
            properties={
                "scale": DenseArrayBase.from_list(f32, scale),
                "zero_point": IntegerAttr(zero_point, i64),
                "axis": IntegerAttr(axis, i64),
            },
        )

    def scales(self) -> tuple[float, ...]:
        return tuple(self.scale.get_values())

    def inferred_type(self) -> TensorType:
        x = tensor(self.input)
        if x.element_type != IntegerType(32):
            raise VerifyException(f"graph.requantize needs an int32 tensor, got {x}")
        scales = self.scales()
        if not scales or any(not s > 0 for s in scales):
            raise VerifyException(f"scales must be positive, got {list(scales)}")
        if len(scales) > 1:
            axis = normalize_axis(self.axis.value.data, len(x.get_shape()))
            if x.get_shape()[axis] != len(scales):
                raise VerifyException(
                    f"{len(scales)} scales for axis {axis} of extent {x.get_shape()[axis]}"
                )
        if not -128 <= self.zero_point.value.data <= 127:
            raise VerifyException(f"the zero point {self.zero_point.value.data} is not an int8")
        return TensorType(IntegerType(8), x.get_shape())


Graph = Dialect(
    "graph",
    [
        ConstantOp,
        DenseOp,
        MatmulOp,
        Conv2dOp,
        AddOp,
        SubOp,
        MulOp,
        DivOp,
        PowOp,
        MaximumOp,
        MinimumOp,
        ReluOp,
        SigmoidOp,
        TanhOp,
        ExpOp,
        SqrtOp,
        ErfOp,
        NegOp,
        AbsOp,
        LogOp,
        ReciprocalOp,
        LeakyReluOp,
        ClipOp,
        CastOp,
        SoftmaxOp,
        LogSoftmaxOp,
        BatchNormOp,
        LayerNormOp,
        LrnOp,
        MaxPool2dOp,
        AvgPool2dOp,
        GlobalAvgPool2dOp,
        GlobalMaxPool2dOp,
        ReshapeOp,
        TransposeOp,
        SliceOp,
        FlattenOp,
        ConcatOp,
        SplitOp,
        GatherOp,
        PadOp,
        ReduceSumOp,
        ReduceMeanOp,
        ReduceMaxOp,
        # Issue 12: indexing, einsum, transposed convolution, resizing, quantization.
        GatherElementsOp,
        GatherNdOp,
        ScatterElementsOp,
        ScatterNdOp,
        OneHotOp,
        TriluOp,
        DepthToSpaceOp,
        SpaceToDepthOp,
        EinsumOp,
        Conv2dTransposeOp,
        ResizeOp,
        QuantizeLinearOp,
        DequantizeLinearOp,
        MaskedSoftmaxOp,
        # Comparisons, selection, integers, more activations and reductions (issue 12).
        CompareOp,
        SelectOp,
        AndOp,
        OrOp,
        XorOp,
        ModOp,
        PReluOp,
        NotOp,
        SignOp,
        FloorOp,
        CeilOp,
        RoundOp,
        SinOp,
        CosOp,
        SoftplusOp,
        SoftsignOp,
        MishOp,
        EluOp,
        SeluOp,
        CeluOp,
        HardSigmoidOp,
        ThresholdedReluOp,
        GeluOp,
        BroadcastToOp,
        TileOp,
        ArgMaxOp,
        ArgMinOp,
        ReduceMinOp,
        ReduceProdOp,
        ReduceL1Op,
        ReduceL2Op,
        ReduceSumSquareOp,
        ReduceLogSumOp,
        ReduceLogSumExpOp,
        CumSumOp,
        GroupNormOp,
        RmsNormOp,
        # control flow and recurrent networks
        IfOp,
        LoopOp,
        YieldOp,
        RnnOp,
        GruOp,
        LstmOp,
        # Integer contractions and requantization
        MatmulIntegerOp,
        ConvIntegerOp,
        RequantizeOp,
    ],
    [],
)


# Data layouts (alter-conv-layout) -----------------------------------------------------------
#
# A layout names a tensor's dimensions in order, as TVM spells it: an upper-case letter is a
# whole (primal) axis, `<factor><lower-case letter>` the inner block of that axis split by
# the factor. "NCHW8c" is NCHW with the channels in blocks of 8, the block innermost;
# "OIHW8i4o" a convolution weight with blocks of 8 input and 4 output channels.


@dataclass(frozen=True)
class Layout:
    """A parsed layout: per dimension, its axis letter and its block factor (0: primal)."""

    items: tuple[tuple[str, int], ...]

    @staticmethod
    def parse(text: str) -> Layout:
        items: list[tuple[str, int]] = []
        digits = ""
        for char in text:
            if char.isdigit():
                digits += char
            elif char.isalpha() and char.isascii() and (char.isupper() != bool(digits)):
                items.append((char.upper(), int(digits) if digits else 0))
                digits = ""
            else:
                raise VerifyException(f"invalid layout '{text}'")
        letters = [(axis, factor > 0) for axis, factor in items]
        if digits or len(set(letters)) != len(letters):
            raise VerifyException(f"invalid layout '{text}'")
        primal = {axis for axis, factor in items if factor == 0}
        if any(axis not in primal or factor < 1 for axis, factor in items if factor):
            raise VerifyException(f"invalid layout '{text}': a block needs its axis, factor >= 1")
        return Layout(tuple(items))

    def __str__(self) -> str:
        return "".join(f"{f}{a.lower()}" if f else a for a, f in self.items)

    @property
    def primal(self) -> tuple[str, ...]:
        return tuple(axis for axis, factor in self.items if factor == 0)

    def factor(self, axis: str) -> int:
        """The block size of `axis` (1 if it is not split)."""
        return next((f for a, f in self.items if a == axis and f), 1)

    def extents(self, shape: Sequence[int]) -> dict[str, int]:
        """The extent of each primal axis of a tensor of `shape` in this layout."""
        if len(shape) != len(self.items):
            raise VerifyException(f"layout {self} needs rank {len(self.items)}, got {list(shape)}")
        for (axis, factor), size in zip(self.items, shape, strict=True):
            if factor and size != factor:
                raise VerifyException(
                    f"the {factor}{axis.lower()} block of layout {self} has extent {size}"
                )
        pairs = zip(self.items, shape, strict=True)
        return {a: size * self.factor(a) for (a, f), size in pairs if not f}

    def shape(self, extents: dict[str, int]) -> tuple[int, ...]:
        """The shape of a tensor with these primal extents in this layout."""
        shape = []
        for axis, factor in self.items:
            if not factor and extents[axis] % self.factor(axis):
                raise VerifyException(
                    f"axis {axis} of extent {extents[axis]} does not split into blocks of "
                    f"{self.factor(axis)} ({self})"
                )
            shape.append(factor or extents[axis] // self.factor(axis))
        return tuple(shape)


@irdl_op_definition
class LayoutTransformOp(GraphOp):
    """The same tensor with its dimensions in another layout (same primal axes).

    %y = graph.layout_transform %x from "NCHW" to "NCHW8c" : (tensor<1x16x5x5xf32>) -> tensor<1x2x5x5x8xf32>
    """

    name = "graph.layout_transform"

    input = operand_def(TensorType)
    output = result_def(TensorType)
    src_layout = prop_def(StringAttr)
    dst_layout = prop_def(StringAttr)

    traits = traits_def(Pure(), Pattern(PatternKind.INJECTIVE))

    assembly_format = (
        "$input `from` $src_layout `to` $dst_layout attr-dict "
        "`:` functional-type(operands, results)"
    )

    def __init__(self, input: SSAValue, src_layout: str, dst_layout: str):
        super().__init__(
            operands=[input],
            result_types=[LayoutTransformOp.infer_result_type(input, src_layout, dst_layout)],
            properties={"src_layout": StringAttr(src_layout), "dst_layout": StringAttr(dst_layout)},
        )

    @staticmethod
    def infer_result_type(input: SSAValue, src_layout: str, dst_layout: str) -> TensorType:
        src, dst = Layout.parse(src_layout), Layout.parse(dst_layout)
        if sorted(src.primal) != sorted(dst.primal):
            raise VerifyException(f"layouts {src} and {dst} have different axes")
        extents = src.extents(shape_of(input))
        return TensorType(tensor(input).element_type, dst.shape(extents))

    def inferred_type(self) -> TensorType:
        return LayoutTransformOp.infer_result_type(
            self.input, self.src_layout.data, self.dst_layout.data
        )


@irdl_op_definition
class Conv2dNchwcOp(GraphOp):
    """conv2d in blocked layouts: input NCHW[x]c, weight OIHW[x]i[y]o, output NCHW[y]c,
    and an optional bias as (O/y)x[y]; padding is [top, left, bottom, right].

    %y = graph.conv2d_nchwc %x, %w padding [1, 1, 1, 1] : (tensor<1x2x8x8x8xf32>, tensor<4x2x3x3x8x4xf32>) -> tensor<1x4x8x8x4xf32>
    """

    name = "graph.conv2d_nchwc"

    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    output = result_def(TensorType)
    strides = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))
    padding = prop_def(DenseArrayBase[I64], default_value=ints([0, 0, 0, 0]))
    dilation = prop_def(DenseArrayBase[I64], default_value=ints([1, 1]))

    traits = traits_def(Pure(), Pattern(PatternKind.OUT_ELEMENTWISE_FUSABLE))

    assembly_format = (
        "$input `,` $weight (`,` $bias^)? (`strides` $strides^)? (`padding` $padding^)? "
        "(`dilation` $dilation^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None = None,
        strides: Sequence[int] = (1, 1),
        padding: Sequence[int] = (0, 0, 0, 0),
        dilation: Sequence[int] = (1, 1),
    ):
        result = Conv2dNchwcOp.infer_result_type(input, weight, bias, strides, padding, dilation)
        super().__init__(
            operands=[input, weight, [bias] if bias else []],
            result_types=[result],
            properties={
                "strides": ints(strides),
                "padding": ints(padding),
                "dilation": ints(dilation),
            },
        )

    @staticmethod
    def infer_result_type(
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue | None,
        strides: Sequence[int],
        padding: Sequence[int],
        dilation: Sequence[int],
    ) -> TensorType:
        element = float_element(input, weight, *([bias] if bias else []))
        check_window("strides", strides, 2, 1)
        check_window("padding", padding, 4, 0)
        check_window("dilation", dilation, 2, 1)
        x, w = shape_of(input), shape_of(weight)
        if len(x) != 5 or len(w) != 6:
            raise VerifyException(
                f"graph.conv2d_nchwc needs an NCHW[x]c input and an OIHW[x]i[y]o weight, got "
                f"{input.type} and {weight.type}"
            )
        n, in_blocks, height, width, in_block = x
        out_blocks, weight_blocks, kernel_h, kernel_w, weight_block, out_block = w
        if (weight_blocks, weight_block) != (in_blocks, in_block):
            raise VerifyException(
                f"weight {weight.type} does not take the input's {in_blocks} blocks of "
                f"{in_block} channels"
            )
        if bias is not None and shape_of(bias) != (out_blocks, out_block):
            raise VerifyException(
                f"bias must be tensor<{out_blocks}x{out_block}x...>, got {bias.type}"
            )
        top, left, bottom, right = padding
        out_h = window_output_size(height, kernel_h, strides[0], top, bottom, dilation[0], False)
        out_w = window_output_size(width, kernel_w, strides[1], left, right, dilation[1], False)
        return TensorType(element, (n, out_blocks, out_h, out_w, out_block))

    def inferred_type(self) -> TensorType:
        return Conv2dNchwcOp.infer_result_type(
            self.input,
            self.weight,
            self.bias,
            self.strides.get_values(),
            self.padding.get_values(),
            self.dilation.get_values(),
        )


Graph = Dialect("graph", [*Graph.operations, LayoutTransformOp, Conv2dNchwcOp], [])
