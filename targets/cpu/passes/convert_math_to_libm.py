"""`convert-math-to-libm`: the CPU lowers the `math` ops LLVM has no intrinsic for into calls
to the C library's functions (`erff`, `log1pf`, ...; the f32 one for f32), before
`loop-to-llvm` lowers the rest to intrinsics. As upstream MLIR's pass of the same name.

    %e = math.erf %x : f32    ->   %e = llvm.call @erff(%x) : (f32) -> f32
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import llvm, math
from xdsl.dialects.builtin import Float32Type, Float64Type, ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass

from ziggurat.diagnostics import ZigguratError
from ziggurat.passes.conversion.loop_to_llvm.common import Builder, Declarations, emit, replace

# Ops LLVM has no intrinsic for: the libm function of the double version.
LIBM: dict[type[Operation], str] = {
    math.ErfOp: "erf",
    math.ExpM1Op: "expm1",
    math.Log1pOp: "log1p",
    math.CbrtOp: "cbrt",
    math.AsinhOp: "asinh",
    math.AcoshOp: "acosh",
    math.AtanhOp: "atanh",
}


def lower_to_call(op: Operation, declarations: Declarations) -> None:
    type_ = op.results[0].type
    if not isinstance(type_, Float32Type | Float64Type):
        raise ZigguratError(f"'{op.name}' is lowered for scalar f32 and f64 only", op)
    name = LIBM[type(op)] + ("f" if isinstance(type_, Float32Type) else "")
    declarations.declare(name, [type_], type_)
    builder = Builder(op)
    replace(builder, op, [emit(builder, llvm.CallOp(name, *op.operands, return_type=type_))])


@dataclass(frozen=True)
class ConvertMathToLibm(ModulePass):
    """Call libm for the math ops LLVM has no intrinsic for."""

    name = "convert-math-to-libm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        declarations = Declarations(op)
        for inner in [o for o in op.walk() if type(o) in LIBM]:
            lower_to_call(inner, declarations)
