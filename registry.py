"""Every Ziggurat dialect and pass, registered once for all entry points.

`ziggurat-opt`, `ziggurat.compile` and xDSL's own tools (through the `xdsl.universe` entry
point) all read these tables, so a new dialect or pass is added here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.context import Context
from xdsl.dialects import get_all_dialects as xdsl_dialects
from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.transforms import get_all_passes as xdsl_passes
from xdsl.universe import Universe


def _graph() -> Dialect:
    from ziggurat.dialects.graph import Graph

    return Graph


def _te() -> Dialect:
    from ziggurat.dialects.te import TE

    return TE


def _loop() -> Dialect:
    from ziggurat.dialects.loop import Loop

    return Loop


def _llvm() -> Dialect:
    from ziggurat.dialects.llvm_extra import LLVM

    return LLVM


def _transform() -> Dialect:
    from ziggurat.dialects.schedule import Transform

    return Transform


DIALECTS: dict[str, Callable[[], Dialect]] = {
    "graph": _graph,
    "te": _te,
    "loop": _loop,
    "llvm": _llvm,
    "transform": _transform,
}


def _fold_constants() -> type[ModulePass]:
    from ziggurat.passes.fold_constants import FoldConstants

    return FoldConstants


def _fold_batch_norm() -> type[ModulePass]:
    from ziggurat.passes.fold_batch_norm import FoldBatchNorm

    return FoldBatchNorm


def _pack_weights() -> type[ModulePass]:
    from ziggurat.passes.pack_weights import PackWeights

    return PackWeights


def _fuse_ops() -> type[ModulePass]:
    from ziggurat.passes.fuse_ops import FuseOps

    return FuseOps


def _alter_conv_layout() -> type[ModulePass]:
    from ziggurat.passes.alter_conv_layout import AlterConvLayout

    return AlterConvLayout


def _graph_to_te() -> type[ModulePass]:
    from ziggurat.passes.graph_to_te import GraphToTe

    return GraphToTe


def _te_inline() -> type[ModulePass]:
    from ziggurat.passes.te_inline import TeInline

    return TeInline


def _te_to_loop() -> type[ModulePass]:
    from ziggurat.passes.te_to_loop import TeToLoop

    return TeToLoop


def _apply_schedule() -> type[ModulePass]:
    from ziggurat.passes.apply_schedule import ApplySchedule

    return ApplySchedule


def _apply_default_schedules() -> type[ModulePass]:
    from ziggurat.passes.apply_default_schedules import ApplyDefaultSchedules

    return ApplyDefaultSchedules


def _loop_to_llvm() -> type[ModulePass]:
    from ziggurat.passes.loop_to_llvm import LoopToLlvm

    return LoopToLlvm


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "fold-constants": _fold_constants,
    "fold-batch-norm": _fold_batch_norm,
    "pack-weights": _pack_weights,
    "fuse-ops": _fuse_ops,
    "alter-conv-layout": _alter_conv_layout,
    "graph-to-te": _graph_to_te,
    "te-inline": _te_inline,
    "te-to-loop": _te_to_loop,
    "apply-schedule": _apply_schedule,
    "apply-default-schedules": _apply_default_schedules,
    "loop-to-llvm": _loop_to_llvm,
}

# xDSL rejects two universes defining one name, so xDSL's own tools keep their `llvm` and
# `transform` dialects; ours (xDSL's plus a few casts, xDSL's plus the schedule ops)
# replace them in our tools only.
UNIVERSE = Universe(
    all_dialects={
        name: load for name, load in DIALECTS.items() if name not in ("llvm", "transform")
    },
    all_passes=PASSES,
)


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    """xDSL's dialects and ours; ours win where a name is shared."""
    return {**xdsl_dialects(), **DIALECTS}


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """xDSL's passes and ours."""
    return {**xdsl_passes(), **PASSES}


def make_context(allow_unregistered: bool = False) -> Context:
    """A context that knows every dialect, loaded lazily on first use."""
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, load in all_dialects().items():
        ctx.register_dialect(name, load)
    return ctx
