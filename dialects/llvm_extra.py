"""The `llvm` dialect: xDSL's ops plus the few LLVM instructions it lacks.

xDSL 0.74 has `llvm.sitofp` but not the other float/integer conversions, nor the cast
between address spaces a GPU kernel needs (global, shared and local memory are address
spaces 1, 3 and 5 on NVPTX); they are declared here under their upstream MLIR names and
form, and `LLVM` merges them with xDSL's dialect so `llvm.fptosi` parses wherever
`llvm.add` does. Its `llvm.fcmp` compares scalars only; the
one here compares vectors too, giving a vector of i1, and `llvm.select` takes one, as
upstream's do.

    %i = llvm.fptosi %x : f32 to i32
    %p = llvm.addrspacecast %global : !llvm.ptr<1> to !llvm.ptr
    %m = llvm.fcmp "olt" %a, %b : vector<16xf32>
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    I1,
    I64,
    AnyAttr,
    AnyFloatConstr,
    IntegerAttr,
    IntegerType,
    VectorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, Dialect, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
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


@irdl_op_definition
class FPToSIOp(llvm.GenericCastOp):
    """Float to signed integer, rounding toward zero: `llvm.fptosi %x : f32 to i32`."""

    name = "llvm.fptosi"


@irdl_op_definition
class FPToUIOp(llvm.GenericCastOp):
    """Float to unsigned integer, rounding toward zero: `llvm.fptoui %x : f32 to i32`."""

    name = "llvm.fptoui"


@irdl_op_definition
class UIToFPOp(llvm.GenericCastOp):
    """Unsigned integer to float: `llvm.uitofp %i : i32 to f32`."""

    name = "llvm.uitofp"


@irdl_op_definition
class AddrSpaceCastOp(llvm.GenericCastOp):
    """A pointer into another address space: `llvm.addrspacecast %p : !llvm.ptr<3> to !llvm.ptr`."""

    name = "llvm.addrspacecast"


@irdl_op_definition
class FCmpOp(IRDLOperation):
    """Compare floats, or vectors of floats lane by lane: `llvm.fcmp "olt" %a, %b : f32`."""

    name = "llvm.fcmp"

    T: ClassVar = VarConstraint("T", AnyFloatConstr | VectorType.constr(AnyFloatConstr))

    lhs = operand_def(T)
    rhs = operand_def(T)
    res = result_def(I1 | VectorType[I1])
    predicate = prop_def(IntegerAttr[I64])
    fastmathFlags = prop_def(llvm.FastMathAttr, default_value=llvm.FastMathAttr(None))

    traits = traits_def(Pure())

    irdl_options = (ParsePropInAttrDict(),)

    def __init__(
        self,
        lhs: SSAValue,
        rhs: SSAValue,
        predicate: str | IntegerAttr[IntegerType],
        attributes: dict[str, Attribute] | None = None,
    ):
        if isinstance(predicate, str):
            predicate = IntegerAttr(llvm.FCmpPredicateFlag(predicate).to_int(), i64)
        result: Attribute = i1
        if isinstance(lhs.type, VectorType):
            result = VectorType(i1, lhs.type.get_shape())
        super().__init__(
            operands=[lhs, rhs],
            result_types=[result],
            attributes=attributes or {},
            properties={"predicate": predicate},
        )

    @classmethod
    def parse(cls, parser: Parser) -> FCmpOp:
        flag = llvm.FCmpPredicateFlag(parser.parse_str_literal())
        lhs = parser.parse_unresolved_operand()
        parser.parse_characters(",")
        rhs = parser.parse_unresolved_operand()
        attributes = parser.parse_optional_attr_dict()
        parser.parse_characters(":")
        type = parser.parse_type()
        operands = parser.resolve_operands([lhs, rhs], [type, type], parser.pos)
        return cls(operands[0], operands[1], flag.value, attributes)

    def print(self, printer: Printer) -> None:
        flag = llvm.FCmpPredicateFlag.from_int(self.predicate.value.data)
        printer.print_string(f' "{flag}" ')
        printer.print_ssa_value(self.lhs)
        printer.print_string(", ")
        printer.print_ssa_value(self.rhs)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.lhs.type)


@irdl_op_definition
class SelectOp(IRDLOperation):
    """`cond ? lhs : rhs`, lane by lane for a vector of i1 condition:
    `llvm.select %m, %a, %b : vector<16xi1>, vector<16xf32>`."""

    name = "llvm.select"

    T: ClassVar = VarConstraint("T", AnyAttr())

    cond = operand_def(I1 | VectorType[I1])
    lhs = operand_def(T)
    rhs = operand_def(T)
    res = result_def(T)
    fastmathFlags = prop_def(llvm.FastMathAttr, default_value=llvm.FastMathAttr(None))

    traits = traits_def(Pure())

    assembly_format = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` type($res)"

    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, cond: SSAValue, lhs: SSAValue, rhs: SSAValue):
        super().__init__(operands=[cond, lhs, rhs], result_types=[lhs.type])


LLVM = Dialect(
    "llvm",
    [
        *(op for op in llvm.LLVM.operations if op not in (llvm.FCmpOp, llvm.SelectOp)),
        FPToSIOp,
        FPToUIOp,
        UIToFPOp,
        AddrSpaceCastOp,
        FCmpOp,
        SelectOp,
    ],
    list(llvm.LLVM.attributes),
)
