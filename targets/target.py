"""What a target is: the one object that owns everything specific to a kind of hardware.

A target is named as a pass is, with its options in braces, wherever one is named —
`ziggurat.compile(..., target="cpu{threads=1}")`, `ziggurat compile|run --target`,
`apply-default-schedules{target="cpu{vector-bits=256}"}`. `target_named` finds the class
through the `ziggurat.targets` entry-point group, so an installed package adds a target by
declaring one in its own pyproject.toml (ours declares `cpu`):

    [project.entry-points."ziggurat.targets"]
    mychip = "mychip.target:MyChipTarget"

What a target owns, as data and hooks (a subclass is a frozen dataclass whose fields are its
options, `vector_bits` spelled `vector-bits`):

| member | what it is |
|---|---|
| `name`, options | its name and what a user may set |
| `graph_passes()` | graph-level passes it wants in the default pipeline (a pass pipeline) |
| `schedule_package`, `default_schedule(nest)` | its default schedules (transform IR files with knobs) and the heuristic that picks one for a loop nest and fixes its knobs |
| `local_memory()`, `shared_memory()` | the bytes a `local` buffer, and a nest's `shared` buffers together, may take (the tuner's cheap checks) |
| `missing_device()`, `device_resources()`, `check_compiled(c)`, `release(c)` | for the tuner: why there is no device to measure on; what one device is in Ray's resources; checks of a built candidate before it runs; freeing its device memory |
| `intrinsics()` | the `te.intrinsic` declarations it offers to `tensorize` (`intrinsics.mlir`) |
| `lowering()` | its pass pipeline from the loop level to its hardware level |
| `levels`, `emit(module, level)` | what `--emit` can show below the loop level |
| `compile(module)`, `time(...)` | its runtime: a loop-level module to functions callable on numpy arrays; the time of runs of one |
| `compile_functions(module, passes)` | compile after passes that act on each function alone (the default schedules), which it may run as it compiles each function |
| `identity()`, `artifact(compiled)`, `load(artifact)` | for the cache of compiled code (cache.py): what its code depends on, and a compiled module as bytes and back |
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.metadata import EntryPoint, entry_points
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.arg_spec import ArgSpecConvertible, parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError

from ziggurat.diagnostics import ZigguratError

ENTRY_POINTS = "ziggurat.targets"


@dataclass(frozen=True)
class Target(ArgSpecConvertible):
    """A kind of hardware and every choice Ziggurat makes for it."""

    name: ClassVar[str]
    # Levels below the loop level `emit` can show, the first the IR the lowering ends at.
    levels: ClassVar[tuple[str, ...]] = ()
    # The package whose `schedules/` folder holds the target's default schedule files.
    schedule_package: ClassVar[str | None] = None

    def __str__(self) -> str:
        """The target's name with the options that differ from their defaults, as
        `target_named` reads it back: `cpu{mcpu=znver2 vector-bits=256}`."""
        options = [
            f"{name.replace('_', '-')}={values[0] if len(values) == 1 else values}"
            for name, values in self.spec().parameters.items()
        ]
        return f"{self.name}{{{' '.join(options)}}}" if options else self.name

    def graph_passes(self) -> str:
        return ""

    def lowering(self) -> str:
        raise NotImplementedError

    def default_schedule(self, nest: Any) -> tuple[str, dict[str, Any]] | None:
        """The schedule file for a loop nest (analysis/nests.py's `Nest`) and its knob
        values, or None to leave the nest as it is."""
        return None

    def local_memory(self) -> int | None:
        """Bytes a `local` buffer of a schedule may take (the tuner rejects larger ones
        before building), None for no limit."""
        return None

    def resources(self) -> dict[str, int]:
        """What the tuner's features compare a candidate with: `registers` (vector
        registers), `vector_bytes` (bytes in one), `threads`, `l1` and `l2` (bytes of a
        core's caches); a name left out is unknown."""
        return {}

    def shared_memory(self) -> int | None:
        """Bytes the `shared` buffers of one nest may take together (a GPU block's shared
        memory; the tuner rejects more before building), None for no limit."""
        return None

    def missing_device(self) -> str | None:
        """Why this process cannot run what the target compiles (one line: no GPU, no
        driver), None where it can; tuning needs the device."""
        return None

    def device_resources(self) -> dict[str, float]:
        """What one measuring device is in Ray's resources (a Ray pool's actor asks for it):
        no CPU of its own for a CPU target, whose measurements the pool keeps apart."""
        return {"num_cpus": 0}

    def check_compiled(self, compiled: Any) -> None:
        """Checks of a compiled candidate cheaper than running it (the tuner's); an error
        where one fails."""

    def release(self, compiled: Any) -> None:
        """Free what a compiled function holds on its device (the tuner drops each
        candidate once measured)."""

    def schedule_text(self, file: str) -> str:
        """The text of one of the target's schedule files."""
        if self.schedule_package is None:
            raise ZigguratError(f"target '{self.name}' has no schedule files")
        return (resources.files(self.schedule_package) / "schedules" / file).read_text()

    def intrinsics(self) -> ModuleOp | None:
        """Its intrinsic library: the `intrinsics.mlir` of its schedule package (te.intrinsic
        declarations and the functions that implement them), None where it has none."""
        if self.schedule_package is None:
            return None
        file = resources.files(self.schedule_package) / "intrinsics.mlir"
        if not file.is_file():
            return None
        from ziggurat.ir_io import parse_module, verify_module

        module = parse_module(file.read_text(), f"targets/{self.name}/intrinsics.mlir")
        verify_module(module)
        return module

    def emit(self, module: ModuleOp, level: str) -> str:
        """The text of a loop-level module lowered to `level`, one of `levels`."""
        raise NotImplementedError

    def compile(self, module: ModuleOp) -> Any:
        """The functions of a loop-level module, compiled; each callable by name on numpy
        arrays. The module itself is left unchanged."""
        raise NotImplementedError

    def compile_functions(self, module: ModuleOp, passes: str) -> Any:
        """Compile a loop-level module after the passes `passes`, which act on each function
        alone (the default schedules, pipeline.FUNCTION_PASSES): a target may run them as it
        compiles each function. Here they run on the module, then it compiles."""
        from ziggurat.pipeline import run_passes

        run_passes(module, passes)
        return self.compile(module)

    def identity(self) -> str:
        """Everything about the target that the code compiled for it depends on: its name
        and options, and what it reads from the hardware (part of every cache key)."""
        return str(self)

    def artifact(self, compiled: Any) -> dict[str, bytes | memoryview] | None:
        """The parts `load` makes `compiled` again from, for the cache of compiled models
        (ziggurat.compile); None where the target cannot, and nothing of it is cached."""
        return None

    def is_data(self, part: str) -> bool:
        """Whether a part of an artifact is data `load` only copies or maps (weights), never
        runs or reads as code: the cache may check such a part while it loads."""
        return False

    def load(self, artifact: Mapping[str, bytes | memoryview]) -> Any:
        """What `artifact` gave the parts of, loaded to run (the parts as the cache read
        them: views of the entry)."""
        raise NotImplementedError

    def time(
        self, function: Callable[..., Any], arrays: Sequence[np.ndarray], runs: int
    ) -> list[float]:
        """Seconds of each of `runs` calls of a compiled function on `arrays`, after one
        untimed call."""
        raise NotImplementedError


def target_entries() -> dict[str, EntryPoint]:
    """Every installed target's entry point, by name (loading one imports its target)."""
    return entries_on(tuple(sys.path))


@cache
def entries_on(path: tuple[str, ...]) -> dict[str, EntryPoint]:
    """The targets' entry points while `path` is sys.path: reading every package's metadata
    takes 4 ms, and each unit a compile builds names its target twice."""
    return {entry.name: entry for entry in entry_points(group=ENTRY_POINTS)}


def target_classes() -> dict[str, type[Target]]:
    """Every installed target, by name."""
    return {name: entry.load() for name, entry in target_entries().items()}


def target_named(spec: str | Target) -> Target:
    """The target `name{option=value ...}` names; a Target is returned as it is."""
    if isinstance(spec, Target):
        return spec
    try:
        specs = list(parse_pipeline(spec.strip()))
    except ArgSpecParseError as error:
        raise ZigguratError(f"malformed target '{spec}': {str(error).strip()}") from None
    if len(specs) != 1:
        raise ZigguratError(f"malformed target '{spec}': expected one name{{options}}")
    # Only the named target is imported: the others' dialects and passes cost a compile
    # a tenth of a second.
    entries = target_entries()
    if specs[0].name not in entries:
        known = ", ".join(sorted(entries))
        raise ZigguratError(f"unknown target '{specs[0].name}', expected one of {known}")
    try:
        return entries[specs[0].name].load().from_spec(specs[0])
    except (ValueError, TypeError) as error:
        raise ZigguratError(f"bad options for target '{specs[0].name}': {error}") from None
