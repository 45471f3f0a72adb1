"""`lower-affine-if-present`: xDSL's `lower-affine` (affine ops to scf, arith and memref),
run only where the module holds an affine op.

Ziggurat's own passes never make affine ops; they come only from loop-level IR written the
way upstream MLIR writes it. xDSL's pass is a pattern rewriter, which tries its patterns on
every op even where none applies: on a CPU compile of DenseNet-121 0.4 s of CPU time for
nothing. One walk finds whether there is anything to lower.

    ziggurat-opt loops.mlir -p lower-affine-if-present
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.transforms.lower_affine import LowerAffinePass


@dataclass(frozen=True)
class LowerAffineIfPresent(ModulePass):
    """xDSL's lower-affine, where the module has an affine op."""

    name = "lower-affine-if-present"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if any(o.name.startswith("affine.") for o in op.walk()):
            LowerAffinePass().apply(ctx, op)
