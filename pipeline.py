"""The default pipeline: which level a module is at, and the passes that lower it further.

Every entry point (`ziggurat.compile`, the `ziggurat` driver) lowers through `lower`, so the
pipeline a user gets is spelled once, here, as a pass pipeline string they could hand to
`ziggurat-opt -p` themselves.

At the graph level constants are folded (batch norms into the weights before them), constant
weights laid out as the CPU schedules read them (pack-weights), common and dead ops removed, and operators fused into groups, each outlined into a function; at
the te level each group's intermediates are inlined so that it becomes one loop nest where
it can, and after te-to-loop each nest gets the CPU's default schedule for its kind
(apply-default-schedules: targets/cpu/schedules). `fuse=False` leaves fusion out: every
operator is then its own (scheduled) loop nest writing its own buffer, which is what fusion
is measured against (benchmarks/fusion.py).
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp, TensorType

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import pass_pipeline
from ziggurat.registry import make_context

LEVELS = ("graph", "te", "loop", "llvm")

# The passes that take a module from one level to the next.
STEPS: dict[str, str] = {
    "graph": "canonicalize,fold-constants,fold-batch-norm,pack-weights,cse,dce,fuse-ops,graph-to-te",
    "te": "te-inline,cse,dce,te-to-loop,apply-default-schedules",
    "loop": "canonicalize,cse,lower-affine,expand-math,vectorize-loops,outline-parallel,"
    "convert-math-to-libm,lower-allocations,loop-to-llvm",
}


def level_of(module: ModuleOp) -> str:
    """The highest level any op of `module` belongs to."""
    found = "loop"
    for op in module.walk():
        dialect = op.name.split(".", 1)[0]
        if dialect == "graph":
            return "graph"
        if dialect == "te":
            found = "te"
        elif dialect == "llvm" and found == "loop":
            found = "llvm"
    if found == "loop" and _has_tensor_signature(module):
        # A function over tensors with no graph or te op is still at the te level.
        return "te"
    return found


def _has_tensor_signature(module: ModuleOp) -> bool:
    from xdsl.dialects import func

    return any(
        isinstance(t, TensorType)
        for op in module.walk()
        if isinstance(op, func.FuncOp)
        for t in (*op.function_type.inputs, *op.function_type.outputs)
    )


# The passes that fuse operators, left out by `fuse=False`.
FUSION = ("fuse-ops", "te-inline")


def pipeline_between(source: str, target: str, fuse: bool = True) -> str:
    """The pass pipeline taking a module from level `source` down to level `target`, with
    or without operator fusion."""
    if source not in LEVELS or target not in LEVELS:
        raise ZigguratError(f"unknown level '{target}', expected one of {', '.join(LEVELS)}")
    start, stop = LEVELS.index(source), LEVELS.index(target)
    if stop < start:
        raise ZigguratError(f"cannot raise a {source}-level module to the {target} level")
    passes = ",".join(STEPS[level] for level in LEVELS[start:stop]).split(",")
    return ",".join(p for p in passes if p and (fuse or p not in FUSION))


def lower(module: ModuleOp, target: str, fuse: bool = True) -> ModuleOp:
    """Lower `module` in place to level `target` with the default pipeline (without
    operator fusion if not `fuse`)."""
    spec = pipeline_between(level_of(module), target, fuse)
    if spec:
        pass_pipeline(spec).apply(make_context(), module)
    return module
