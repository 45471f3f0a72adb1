"""The accelerator target: a decoupled access-execute accelerator in the style of TVM's VTA,
run on its cycle simulator.

loop IR --lower-to-accel--> accel programs --insert-tokens--> with tokens --simulator--> arrays

Its options are its hardware description: the gemm core's `tile` (a vector of `tile` int8
values times a `tile` x `tile` block per cycle), the buffers' sizes in elements (int8
input and weight, int32 accumulator), the DMA's bandwidth and latency, the gemm's and
ALU's latency and the ALU's lanes per cycle, the token queues' depth, the clock (for
`time`), and `virtual-threads`, the default schedules' knob (1: monolithic, no overlap).
The default schedules (schedules/, knobs.py) tile int8 matmuls and convolutions to the
buffers and tensorize them with the gemm intrinsic (intrinsics.mlir); what the
accelerator cannot run goes to the `fallback` target (the CPU), with a note.

    target = target_named("accel{virtual-threads=1 dma-bytes-per-cycle=16}")
    compiled = target.compile(module)        # a loop-level module
    outputs = compiled.main(x)               # the accelerator's functions simulated
    compiled.results                         # each run's cycles and utilization
    print(compiled.report())                 # their sum, and what the CPU runs instead
    seconds = target.time(compiled.fused_conv_integer_requantize, arrays, 3)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import pass_pipeline, print_module
from ziggurat.registry import make_context
from ziggurat.targets.target import Target, target_named


@dataclass(frozen=True)
class AccelTarget(Target):
    """A VTA-like accelerator, described by its options (see the module docstring)."""

    name: ClassVar[str] = "accel"
    levels: ClassVar[tuple[str, ...]] = ("accel",)
    schedule_package: ClassVar[str | None] = "ziggurat.targets.accel"

    tile: int = 16
    input_buffer: int = 32768
    weight_buffer: int = 262144
    accumulator_buffer: int = 32768
    dma_bytes_per_cycle: int = 8
    dma_latency: int = 64
    gemm_latency: int = 4
    alu_lanes: int = 16
    alu_latency: int = 4
    token_depth: int = 256
    clock_mhz: int = 100
    virtual_threads: int = 2
    fallback: str = "cpu"

    def __post_init__(self) -> None:
        sizes = (self.tile, self.input_buffer, self.weight_buffer, self.accumulator_buffer)
        rates = (self.dma_bytes_per_cycle, self.alu_lanes, self.token_depth, self.clock_mhz)
        if min(*sizes, *rates) <= 0 or self.virtual_threads not in (1, 2):
            raise ValueError("sizes and rates must be positive, virtual-threads 1 or 2")

    @property
    def fallback_target(self) -> Target:
        return target_named(self.fallback)

    def lowering(self) -> str:
        return f'lower-to-accel{{target="{self}" fallback=true}},insert-tokens'

    def default_schedule(self, nest: Any) -> tuple[str, dict[str, Any]] | None:
        """The accelerator's schedule where its gemm runs the nest, else the fallback
        target's, named `<fallback>/<file>` (schedule_text finds it there)."""
        from ziggurat.targets.accel.knobs import plan

        found = plan(nest, self)
        if found is not None:
            return found
        fallback = self.fallback_target.default_schedule(nest)
        return None if fallback is None else (f"{self.fallback}/{fallback[0]}", fallback[1])

    def schedule_text(self, file: str) -> str:
        """A schedule file, the gemm's blocks (`split ... by 16`) set to this `tile`."""
        if file.startswith(f"{self.fallback}/"):
            return self.fallback_target.schedule_text(file.split("/", 1)[1])
        return super().schedule_text(file).replace(" by 16 :", f" by {self.tile} :")

    def intrinsics(self) -> ModuleOp | None:
        """intrinsics.mlir with the gemm's tile set to this accelerator's."""
        from ziggurat.ir_io import parse_module, verify_module

        text = (resources.files(self.schedule_package) / "intrinsics.mlir").read_text()  # type: ignore[arg-type]
        text = re.sub(r"(?<![0-9i])16(?![0-9])", str(self.tile), text)
        module = parse_module(text, "targets/accel/intrinsics.mlir")
        verify_module(module)
        return module

    def local_memory(self) -> int | None:
        return None  # the accelerator's buffers are checked by its lowering

    def lower(self, module: ModuleOp) -> ModuleOp:
        """A copy of a loop-level module with its accelerator functions as programs."""
        lowered = module.clone()
        pass_pipeline(self.lowering()).apply(make_context(), lowered)
        return lowered

    def emit(self, module: ModuleOp, level: str) -> str:
        if level != "accel":
            raise ZigguratError(f"the accel target emits accel, not '{level}'")
        return print_module(self.lower(module))

    def compile(self, module: ModuleOp) -> Any:
        from ziggurat.targets.offload import OffloadModule

        return OffloadModule(self.lower(module), self)

    # The runtime's hooks (targets/offload.py) ---------------------------------------------

    def program_of(self, function: Any) -> Any:
        """The accel.program a lowered function holds, if any."""
        from ziggurat.dialects.accel import ProgramOp

        return next((o for o in function.body.block.ops if isinstance(o, ProgramOp)), None)

    def run_program(self, program: Any, tensors: Any, trace: bool = False) -> Any:
        from ziggurat.targets.accel.simulator import simulate

        return simulate(program, tensors, self, trace)

    def chrome_trace(self, results: Sequence[Any]) -> str:
        """Traced runs (OffloadModule(trace=True)) as Chrome trace-event JSON."""
        from ziggurat.targets.accel.simulator import chrome_trace

        return chrome_trace(results)

    def summarize(self, results: Sequence[Any], notes: dict[str, str]) -> str:
        """Cycles and utilization of runs of the simulator, and why functions run elsewhere."""
        from ziggurat.targets.accel.simulator import combine

        lines = ["accelerator: it ran nothing"]
        if results:
            total = combine(results)
            lines = [
                f"accelerator: {len(results)} program run(s), {total.cycles} cycles "
                f"({total.cycles / (self.clock_mhz * 1e6) * 1e3:.3f} ms at {self.clock_mhz} "
                f"MHz), compute utilization {100 * total.utilization('compute'):.1f}%",
                f"  {total.summary()}",
            ]
        lines += [f"  note: {name} runs on {self.fallback}: {why}" for name, why in notes.items()]
        return "\n".join(lines)

    def time(
        self, function: Callable[..., Any], arrays: Sequence[np.ndarray], runs: int
    ) -> list[float]:
        """Simulated seconds of one run of a function on `arrays` (the simulator is
        exact: every run takes as long); a function the fallback target runs is timed
        there, one whose schedule the accelerator declined is an error."""
        from ziggurat.targets.offload import time

        return time(self, function, arrays, runs)
