"""The `arith` dialect: xDSL's ops, with its casts and comparisons over vectors too, and
`arith.remf`, which xDSL 0.74 lacks.

xDSL 0.74's `arith.fptosi`, `arith.sitofp`, `arith.extsi`, `arith.trunci`, `arith.index_cast`
(and their unsigned forms) take scalars only, and its `arith.cmpf` and `arith.cmpi` give an
`i1` even for vectors; upstream MLIR's convert and compare vectors lane by lane (a vector of
i1), and `arith.select` chooses lane by lane with one. Vector loops (`vectorize-loops`) need
all of them. They are declared here under the same names and form, for scalars and vectors,
and `Arith` puts them in place of xDSL's, so the text of either parses and prints the same.

    %i = arith.fptosi %x : vector<16xf32> to vector<16xi32>
    %m = arith.cmpf olt, %a, %b : vector<16xf32>
    %y = arith.select %m, %a, %b : vector<16xi1>, vector<16xf32>
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, IntegerType, VectorType, i1
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    EqAttrConstraint,
    IRDLOperation,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

FLOATS = arith.floatingPointLike
INTEGERS = arith.signlessIntegerLike


def element_and_lanes(type: Attribute) -> tuple[Attribute, tuple[int, ...]]:
    """A scalar type and no lanes, or a vector's element type and shape."""
    if isinstance(type, VectorType):
        return type.element_type, tuple(type.get_shape())
    return type, ()


class CastOp(IRDLOperation):
    """One cast per lane: operand and result have the same lanes (none for scalars)."""

    input = operand_def(INTEGERS)
    result = result_def(INTEGERS)

    traits = traits_def(Pure())

    assembly_format = "$input attr-dict `:` type($input) `to` type($result)"

    def __init__(self, input: SSAValue | Operation, target_type: Attribute):
        super().__init__(operands=[input], result_types=[target_type])

    def verify_(self) -> None:
        source, lanes = element_and_lanes(self.input.type)
        target, target_lanes = element_and_lanes(self.result.type)
        if lanes != target_lanes:
            raise VerifyException(
                f"'{self.name}' casts {self.input.type} to {self.result.type}: "
                "both must be scalars or vectors of one shape"
            )
        self.verify_elements(source, target)

    def verify_elements(self, source: Attribute, target: Attribute) -> None:
        """What the element types must be beyond what the operand definitions say."""


def width(type: Attribute) -> int:
    return type.width.data if isinstance(type, IntegerType) else 64


class IntegerWidthCastOp(CastOp):
    WIDER: ClassVar[bool] = True

    def verify_elements(self, source: Attribute, target: Attribute) -> None:
        if not isinstance(source, IntegerType) or not isinstance(target, IntegerType):
            raise VerifyException(f"'{self.name}' casts integers, not index")
        if (width(target) > width(source)) != self.WIDER or width(target) == width(source):
            relation = "larger" if self.WIDER else "smaller"
            raise VerifyException(
                f"'{self.name}': the result's bit width must be {relation} than the input's"
            )


@irdl_op_definition
class ExtSIOp(IntegerWidthCastOp):
    """Sign-extend an integer: `arith.extsi %b : i8 to i32`."""

    name = "arith.extsi"


@irdl_op_definition
class ExtUIOp(IntegerWidthCastOp):
    """Zero-extend an integer: `arith.extui %b : i8 to i32`."""

    name = "arith.extui"


@irdl_op_definition
class TruncIOp(IntegerWidthCastOp):
    """Keep an integer's low bits: `arith.trunci %w : i32 to i8`."""

    name = "arith.trunci"

    WIDER: ClassVar[bool] = False


@irdl_op_definition
class IndexCastOp(CastOp):
    """Between index and an integer type: `arith.index_cast %i : index to i64`."""

    name = "arith.index_cast"

    def verify_elements(self, source: Attribute, target: Attribute) -> None:
        if isinstance(source, IndexType) == isinstance(target, IndexType):
            raise VerifyException(
                f"'{self.name}': exactly one of {source} and {target} must be index"
            )


class FloatToIntegerOp(CastOp):
    input = operand_def(FLOATS)
    result = result_def(INTEGERS)


class IntegerToFloatOp(CastOp):
    input = operand_def(INTEGERS)
    result = result_def(FLOATS)


@irdl_op_definition
class FPToSIOp(FloatToIntegerOp):
    """Float to signed integer, rounding toward zero: `arith.fptosi %x : f32 to i32`."""

    name = "arith.fptosi"


@irdl_op_definition
class FPToUIOp(FloatToIntegerOp):
    """Float to unsigned integer, rounding toward zero: `arith.fptoui %x : f32 to i32`."""

    name = "arith.fptoui"


@irdl_op_definition
class SIToFPOp(IntegerToFloatOp):
    """Signed integer to float: `arith.sitofp %i : i32 to f32`."""

    name = "arith.sitofp"


@irdl_op_definition
class UIToFPOp(IntegerToFloatOp):
    """Unsigned integer to float: `arith.uitofp %i : i32 to f32`."""

    name = "arith.uitofp"


# Comparisons ---------------------------------------------------------------------------------

BOOLEANS = EqAttrConstraint(i1) | VectorType.constr(EqAttrConstraint(i1))


def booleans_like(type: Attribute) -> Attribute:
    """i1 for a scalar, a vector of i1 of the same shape for a vector."""
    if isinstance(type, VectorType):
        return VectorType(i1, type.get_shape())
    return i1


class ComparisonOp(IRDLOperation):
    PREDICATES: ClassVar[list[str]] = []

    def __init__(
        self,
        lhs: SSAValue | Operation,
        rhs: SSAValue | Operation,
        predicate: int | str,
        fastmath: arith.FastMathFlagsAttr | None = None,
    ):
        lhs, rhs = SSAValue.get(lhs), SSAValue.get(rhs)
        if isinstance(predicate, str):
            predicate = self.PREDICATES.index(predicate)
        properties: dict[str, Attribute] = {"predicate": IntegerAttr(predicate, 64)}
        if fastmath is not None:
            properties["fastmath"] = fastmath
        super().__init__(
            operands=[lhs, rhs], result_types=[booleans_like(lhs.type)], properties=properties
        )

    def verify_(self) -> None:
        if self.lhs.type != self.rhs.type:
            raise VerifyException(f"'{self.name}' compares values of one type")
        if self.result.type != booleans_like(self.lhs.type):
            raise VerifyException(
                f"'{self.name}' of {self.lhs.type} gives {booleans_like(self.lhs.type)}"
            )


@irdl_op_definition
class CmpiOp(ComparisonOp):
    """Compare integers, lane by lane for vectors: `arith.cmpi slt, %a, %b : i32`."""

    name = "arith.cmpi"

    PREDICATES: ClassVar[list[str]] = arith.CMPI_COMPARISON_OPERATIONS

    predicate = prop_def(IntegerAttr)
    lhs = operand_def(INTEGERS)
    rhs = operand_def(INTEGERS)
    result = result_def(BOOLEANS)

    traits = traits_def(Pure())

    parse = classmethod(arith.CmpiOp.parse.__func__)  # type: ignore[attr-defined]
    print = arith.CmpiOp.print


@irdl_op_definition
class CmpfOp(ComparisonOp):
    """Compare floats, lane by lane for vectors: `arith.cmpf olt, %a, %b : vector<8xf32>`."""

    name = "arith.cmpf"

    PREDICATES: ClassVar[list[str]] = arith.CMPF_COMPARISON_OPERATIONS

    predicate = prop_def(IntegerAttr)
    lhs = operand_def(FLOATS)
    rhs = operand_def(FLOATS)
    fastmath = prop_def(arith.FastMathFlagsAttr, default_value=arith.FastMathFlagsAttr("none"))
    result = result_def(BOOLEANS)

    traits = traits_def(Pure())

    parse = classmethod(arith.CmpfOp.parse.__func__)  # type: ignore[attr-defined]
    print = arith.CmpfOp.print


@irdl_op_definition
class SelectOp(IRDLOperation):
    """Choose by a condition, lane by lane for a vector of them:
    `arith.select %m, %a, %b : vector<8xi1>, vector<8xf32>`."""

    name = "arith.select"

    T: ClassVar = VarConstraint("T", AnyAttr())

    cond = operand_def(BOOLEANS)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure())

    def __init__(
        self, cond: SSAValue | Operation, lhs: SSAValue | Operation, rhs: SSAValue | Operation
    ):
        lhs = SSAValue.get(lhs)
        super().__init__(operands=[cond, lhs, rhs], result_types=[lhs.type])

    @classmethod
    def parse(cls, parser: Parser) -> SelectOp:
        # As upstream: `: T` for an i1 condition, `: vector<NxI1>, T` for a vector of them.
        operands = parser.parse_comma_separated_list(
            parser.Delimiter.NONE, parser.parse_unresolved_operand
        )
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        if len(operands) != 3 or len(types) not in (1, 2):
            parser.raise_error("expected `arith.select %cond, %a, %b : [condition type,] type`")
        condition = types[0] if len(types) == 2 else i1
        cond, lhs, rhs = parser.resolve_operands(
            operands, [condition, types[-1], types[-1]], parser.pos
        )
        op = cls(cond, lhs, rhs)
        op.attributes |= attributes
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list(self.operands, printer.print_operand)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        if self.cond.type != i1:
            printer.print_attribute(self.cond.type)
            printer.print_string(", ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        if isinstance(self.cond.type, VectorType) and self.cond.type != booleans_like(
            self.result.type
        ):
            raise VerifyException(
                f"'arith.select' chooses {self.result.type} by {booleans_like(self.result.type)}"
                f", not {self.cond.type}"
            )


# An op xDSL lacks ------------------------------------------------------------------------------


@irdl_op_definition
class RemFOp(arith.FloatingPointLikeBinaryOperation):
    """The remainder of a float division truncated toward zero, with the dividend's sign
    (C's fmod), lane by lane for vectors: `arith.remf %a, %b : f32`."""

    name = "arith.remf"

    traits = traits_def(Pure())


CASTS = (ExtSIOp, ExtUIOp, TruncIOp, IndexCastOp, FPToSIOp, FPToUIOp, SIToFPOp, UIToFPOp)
OPS = (*CASTS, CmpiOp, CmpfOp, SelectOp)
REPLACED = {op.name for op in OPS}
# xDSL's class of each op above, and ours: xDSL's own passes (lower-affine, canonicalize)
# still build theirs, which passes after them accept as well.
XDSL = {getattr(arith, op.__name__): op for op in OPS}

Arith = Dialect(
    "arith",
    [*(op for op in arith.Arith.operations if op.name not in REPLACED), *OPS, RemFOp],
    list(arith.Arith.attributes),
)
