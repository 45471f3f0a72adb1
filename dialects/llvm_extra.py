"""The `llvm` dialect: xDSL's ops plus the few LLVM instructions it lacks.

xDSL 0.74 has `llvm.sitofp` but not the other float/integer conversions; they are declared
here under their upstream MLIR names and form, and `LLVM` merges them with xDSL's dialect so
`llvm.fptosi` parses wherever `llvm.add` does.

    %i = llvm.fptosi %x : f32 to i32
"""

from __future__ import annotations

from xdsl.dialects import llvm
from xdsl.ir import Dialect
from xdsl.irdl import irdl_op_definition


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


LLVM = Dialect(
    "llvm",
    [*llvm.LLVM.operations, FPToSIOp, FPToUIOp, UIToFPOp],
    list(llvm.LLVM.attributes),
)
