"""A weight-stationary systolic array (`size` x `size` PEs), the second worked example of
docs/new-accelerator.md: its dialect (dialects/systolic.py), its intrinsic and schedule,
its lowering (passes/lower_to_systolic.py) and its simulator, registered as the target
`systolic{size=8}`. It runs int8 matmuls summed in int32 (MatMulInteger); the rest of a
model runs on the CPU (targets/offload.py).

    compiled = ziggurat.compile(model, target="systolic{size=8}")
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

from xdsl.dialects import memref
from xdsl.dialects.builtin import ModuleOp, StringAttr

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module, pass_pipeline, print_module, verify_module
from ziggurat.registry import make_context
from ziggurat.targets.offload import FALLBACK, OffloadModule, time
from ziggurat.targets.target import Target, target_named


@dataclass(frozen=True)
class SystolicTarget(Target):
    """A size x size weight-stationary array at `clock-mhz`; the CPU runs what it cannot."""

    name: ClassVar[str] = "systolic"
    levels: ClassVar[tuple[str, ...]] = ("systolic",)
    schedule_package: ClassVar[str | None] = "ziggurat.targets.systolic"

    size: int = 8
    clock_mhz: int = 200

    @property
    def fallback_target(self) -> Target:
        return target_named("cpu")

    def sized(self, text: str) -> str:
        """Text written for an 8 x 8 array, for this one."""
        return re.sub(r"(?<![0-9i])8(?![0-9])", str(self.size), text)

    def default_schedule(self, nest: Any) -> tuple[str, dict[str, Any]] | None:
        extents = nest.extents
        store = next((o for o in nest.root.walk() if isinstance(o, memref.StoreOp)), None)
        alone = store is not None and store.value is next(iter(nest.loops[-1].results), None)
        if (
            nest.kind == "integer_matmul"
            and alone
            and not (extents[1] % self.size or extents[2] % self.size)
        ):
            return "matmul.mlir", {}
        if nest.kind == "integer_matmul":
            reason = f"the array runs int8 matmuls alone, in blocks of {self.size}"
            nest.function.attributes[FALLBACK] = StringAttr(reason)
        return self.fallback_target.default_schedule(nest)

    def schedule_text(self, file: str) -> str:
        return self.sized(super().schedule_text(file))

    def intrinsics(self) -> ModuleOp | None:
        text = (resources.files(self.schedule_package) / "intrinsics.mlir").read_text()  # type: ignore[arg-type]
        module = parse_module(self.sized(text), "targets/systolic/intrinsics.mlir")
        verify_module(module)
        return module

    def lowering(self) -> str:
        return f"lower-to-systolic{{size={self.size} fallback=true}}"

    def lower(self, module: ModuleOp) -> ModuleOp:
        lowered = module.clone()
        pass_pipeline(self.lowering()).apply(make_context(), lowered)
        return lowered

    def emit(self, module: ModuleOp, level: str) -> str:
        if level != "systolic":
            raise ZigguratError(f"the systolic target emits systolic, not '{level}'")
        return print_module(self.lower(module))

    def compile(self, module: ModuleOp) -> Any:
        return OffloadModule(self.lower(module), self)

    def time(self, function: Any, arrays: Sequence[Any], runs: int) -> list[float]:
        return time(self, function, arrays, runs)

    # The runtime's hooks (targets/offload.py)

    def program_of(self, function: Any) -> Any:
        from ziggurat.dialects.systolic import ArrayOp

        return next((o for o in function.body.block.ops if isinstance(o, ArrayOp)), None)

    def run_program(self, program: Any, tensors: Any, trace: bool = False) -> Any:
        from ziggurat.targets.systolic.simulator import simulate

        return simulate(program, tensors)

    def summarize(self, results: Sequence[Any], notes: dict[str, str]) -> str:
        cycles = sum(r.cycles for r in results)
        used = sum(r.multiply_adds for r in results) / max(1, cycles * self.size**2)
        lines = [
            f"systolic array: {len(results)} run(s), {cycles} cycles, PEs {100 * used:.1f}% busy"
        ]
        return "\n".join(
            lines + [f"  note: {name} runs on cpu: {why}" for name, why in notes.items()]
        )
