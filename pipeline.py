"""The default pipeline: which level a module is at, and the passes that lower it further for
a target.

Every entry point (`ziggurat.compile`, the `ziggurat` driver) lowers through `lower`, so the
pipeline a user gets is spelled once, here, as a pass pipeline string they could hand to
`ziggurat-opt -p` themselves. What differs between targets the target says (targets/target.py).

At the graph level constants are folded (batch norms into the weights before them), the
target's graph passes run (the CPU's `pack-weights` lays constant weights out as its
schedules read them), common and dead ops are removed, and operators fused into groups, each
outlined into a function; at the te level each group's intermediates are inlined so that it
becomes one loop nest where it can, and after te-to-loop each nest gets the target's default
schedule for its kind (apply-default-schedules); from the loop level the target's lowering
takes the module to its hardware level (the CPU's: the llvm dialect). `fuse=False` leaves
fusion out: every operator is then its own (scheduled) loop nest writing its own buffer,
which is what fusion is measured against (benchmarks/fusion.py).
"""

from __future__ import annotations

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType

from ziggurat import progress
from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import pass_pipeline
from ziggurat.registry import make_context
from ziggurat.targets.target import Target, target_named

# The levels every target shares; each target adds its own below them (`Target.levels`).
LEVELS = ("graph", "te", "loop")

# The passes that fuse operators, left out by `fuse=False`.
FUSION = ("fuse-ops", "te-inline")

# Passes of the default pipeline that act on each function alone: `ziggurat.compile` leaves
# them, where they end the pipeline, to the target, which may run them as it compiles each
# function (Target.compile_functions; the CPU's, on every core).
FUNCTION_PASSES = ("apply-default-schedules",)


def steps(target: Target) -> dict[str, str]:
    """The passes that take a module from each level to the next, for `target`."""
    graph = ["canonicalize", "fold-constants", "fold-batch-norm", target.graph_passes()]
    graph += ["cse", "dce", "fuse-ops", "graph-to-te"]
    te = ["te-inline", "cse", "dce", "te-to-loop", f'apply-default-schedules{{target="{target}"}}']
    loop = ["canonicalize", "cse", target.lowering()]
    return {
        level: ",".join(p for p in passes if p)
        for level, passes in zip(LEVELS, (graph, te, loop), strict=True)
    }


def levels(target: Target) -> tuple[str, ...]:
    """The IR levels a module can be lowered to for `target`: the shared ones, then the one
    its lowering ends at."""
    return (*LEVELS, *target.levels[:1])


def level_of(module: ModuleOp) -> str:
    """The highest level any op of `module` belongs to ("llvm" past the loop level)."""
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
    return any(
        isinstance(t, TensorType)
        for op in module.walk()
        if isinstance(op, func.FuncOp)
        for t in (*op.function_type.inputs, *op.function_type.outputs)
    )


def pipeline_between(
    source: str, level: str, target: Target | str = "cpu", fuse: bool = True
) -> str:
    """The pass pipeline taking a module from level `source` down to `level` for `target`,
    with or without operator fusion."""
    target = target_named(target)
    known = levels(target)
    for name in (source, level):
        if name not in known:
            raise ZigguratError(f"unknown level '{name}', expected one of {', '.join(known)}")
    start, stop = known.index(source), known.index(level)
    if stop < start:
        raise ZigguratError(f"cannot raise a {source}-level module to the {level} level")
    by_level = steps(target)
    passes = ",".join(by_level[name] for name in known[start:stop]).split(",")
    return ",".join(p for p in passes if p and (fuse or p not in FUSION))


def lower(
    module: ModuleOp, level: str, target: Target | str = "cpu", fuse: bool = True
) -> ModuleOp:
    """Lower `module` in place to `level` with the default pipeline for `target` (without
    operator fusion if not `fuse`), each pass a phase of the compile (progress.py)."""
    run_passes(module, pipeline_between(level_of(module), level, target, fuse))
    return module


def lower_for_compile(module: ModuleOp, target: Target | str = "cpu", fuse: bool = True) -> str:
    """Lower `module` in place to the loop level as `lower` does, but for the passes that
    end the pipeline and act on each function alone (FUNCTION_PASSES): those are returned,
    for the target to run as it compiles each function."""
    spec = pipeline_between(level_of(module), "loop", target, fuse)
    passes = spec.split(",") if spec else []
    deferred: list[str] = []
    while passes and passes[-1].split("{", 1)[0] in FUNCTION_PASSES:
        deferred.insert(0, passes.pop())
    run_passes(module, ",".join(passes))
    return ",".join(deferred)


def run_passes(module: ModuleOp, spec: str) -> None:
    """Apply a pass pipeline, each pass a phase of the compile (progress.py)."""
    if spec:
        context = make_context()
        for module_pass in pass_pipeline(spec).passes:
            with progress.phase(module_pass.name):
                module_pass.apply(context, module)
