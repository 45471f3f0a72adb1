"""`ziggurat`: the driver. `run` compiles a model, runs it and checks it; `compile` prints IR.

ziggurat run examples/mlp.mlir
ziggurat run model.onnx --batch 1        # checked against onnxruntime when it is installed
ziggurat run model.onnx --timings        # the time of each pass, MLIR's -mlir-timing style
ziggurat compile examples/mlp.mlir --emit loop
ziggurat compile model.onnx --target 'cpu{mcpu=znver2}' --emit asm
ziggurat compile quantized.onnx --target accel --emit accel   # the accelerator's instructions
ziggurat run quantized.onnx --target accel    # simulated: cycles and utilization

A model compiled before is loaded from the cache of compiled code (`--no-cache` compiles it
again, without the cache). On a terminal, a compile taking more than two seconds shows a
progress bar on stderr.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType

from ziggurat import cache, progress
from ziggurat.diagnostics import ZigguratError, closing_pipes_quietly
from ziggurat.targets.target import Target


@closing_pipes_quietly
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ziggurat", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="compile a model, run it on random inputs, check it")
    run.add_argument("model", help="a .mlir file (graph, te or loop level) or a .onnx model")
    run.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    run.add_argument("--repeat", type=int, default=100, help="timed runs (median reported)")
    run.add_argument(
        "--trace", help="a simulated target's run as Chrome trace-event JSON (for Perfetto)"
    )

    compile_ = commands.add_parser("compile", help="print the model at a lower level")
    compile_.add_argument("model", help="a .mlir file or a .onnx model")
    compile_.add_argument(
        "--emit",
        default="loop",
        help="graph | te | loop, or a level of the target (the cpu's: llvm | llvm-ir | asm; "
        "the accel's: accel)",
    )
    compile_.add_argument("-o", "--output", help="write here instead of stdout")

    for command in (run, compile_):
        command.add_argument(
            "--batch", type=int, help="batch size of an ONNX model whose first dimension is dynamic"
        )
        command.add_argument(
            "--target", default="cpu", help="a target with options, e.g. 'cpu{threads=1}'"
        )
        command.add_argument(
            "--no-cache",
            dest="cache",
            action="store_false",
            help="compile without reading or writing the cache of compiled code",
        )
        command.add_argument(
            "--timings", action="store_true", help="print the time of each pass on stderr"
        )

    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run_model(
                args.model,
                args.target,
                args.seed,
                args.repeat,
                args.batch,
                args.cache,
                args.timings,
                args.trace,
            )
        with watched(args.timings), nullcontext() if args.cache else cache.bypassed():
            return emit(args.model, args.emit, args.output, args.batch, args.target)
    except ZigguratError as error:
        print(error, file=sys.stderr)
        return 2


@contextmanager
def watched(timings: bool) -> Iterator[None]:
    """Record the phases of the compile inside: a progress bar on a terminal, the timing
    report on stderr with `timings`."""
    bar = ProgressBar() if sys.stderr.isatty() else None
    with progress.recording(bar) as root:
        try:
            yield
        finally:
            if bar is not None:
                bar.close()
    if timings:
        print(progress.report(root), file=sys.stderr)


class ProgressBar:
    """A progress bar on stderr that shows, once the compile has taken `delay` seconds,
    the phase it is in and how many units of code it has built (a progress.Listener)."""

    def __init__(self, delay: float = 2.0):
        self.lock = threading.Lock()
        self.state = ("compiling", 0, 0)
        self.bar: Any = None
        self.task: Any = None
        self.timer = threading.Timer(delay, self.show)
        self.timer.daemon = True
        self.timer.start()

    def __call__(self, what: str, done: int, total: int) -> None:
        with self.lock:
            description, old_done, old_total = self.state
            if total:
                self.state = (description, done, total)
            else:
                self.state = (what, old_done, old_total)
            self.update()

    def show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        with self.lock:
            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("compiling", total=None)
            self.update()
            self.bar.start()

    def update(self) -> None:
        if self.bar is not None:
            description, done, total = self.state
            self.bar.update(self.task, description=description, completed=done, total=total or None)

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            if self.bar is not None:
                self.bar.stop()
                self.bar = None


def emit(
    path: str, level: str, output: str | None, batch: int | None = None, target: str = "cpu"
) -> int:
    """Print the module at `level` after the default pipeline for `target` (for an imported
    ONNX model at the graph level: after the pipeline's graph-level passes)."""
    from ziggurat import is_onnx, load_module
    from ziggurat.ir_io import print_module
    from ziggurat.pipeline import LEVELS, lower
    from ziggurat.targets.target import target_named

    chosen = target_named(target)
    if level not in (*LEVELS, *chosen.levels):
        known = ", ".join((*LEVELS, *chosen.levels))
        raise ZigguratError(f"unknown level '{level}' for target {chosen}, expected one of {known}")
    module = load_module(path, batch_size=batch)
    if level == "graph" and is_onnx(path):
        graph_level_passes(module, chosen)
    if level in LEVELS:
        text = print_module(lower(module, level, chosen))
    else:
        text = chosen.emit(lower(module, "loop", chosen), level)
    if output:
        with open(output, "w") as file:
            file.write(text)
    else:
        print(text)
    return 0


def graph_level_passes(module: ModuleOp, target: Target) -> None:
    """Apply the default pipeline's passes that leave a graph-level module at that level."""
    from ziggurat.ir_io import pass_pipeline
    from ziggurat.pipeline import steps
    from ziggurat.registry import make_context

    spec = ",".join(p for p in steps(target)["graph"].split(",") if p != "graph-to-te")
    if spec:
        pass_pipeline(spec).apply(make_context(), module)


def run_model(
    path: str,
    target: str,
    seed: int,
    repeat: int,
    batch: int | None = None,
    use_cache: bool = True,
    timings: bool = False,
    trace: str | None = None,
) -> int:
    """Compile, run on seeded random inputs, compare with onnxruntime (for an ONNX model,
    when installed) or the numpy reference, and report latency beside the reference's."""
    import ziggurat
    from ziggurat.pipeline import level_of

    start = time.perf_counter()
    with watched(timings):
        # From the file, so a model compiled before is found by its bytes.
        compiled = ziggurat.compile(path, target=target, batch_size=batch, cache=use_cache)
    compile_seconds = time.perf_counter() - start
    module = ziggurat.load_module(path, batch_size=batch)
    main = ziggurat.main_function(module)
    inputs = random_inputs(module, main, seed)
    functions = compiled._functions
    tracing = getattr(getattr(functions, "target", None), "chrome_trace", None)
    if trace and tracing is None:
        raise ZigguratError(f"target {target} has no simulator to trace")
    if trace:
        functions.trace = True
    outputs = compiled(*inputs)
    print(f"{path}: compiled @{main} for {target} in {compile_seconds:.2f} s")
    if trace:
        with open(trace, "w") as file:
            file.write(tracing([r for _, r in functions.results]))
        print(f"trace of the accelerator's runs: {trace} (open it in https://ui.perfetto.dev)")
    # A simulated target reports its cycles (and notes) rather than a wall-clock latency.
    simulated = getattr(functions, "report", None)
    if simulated is not None:
        print(simulated())
    # Our latency first, before any onnxruntime session exists: its idle threads spin.
    ours = median_seconds(lambda: compiled(*inputs), repeat) if simulated is None else 0.0

    reference: Callable[[], list[np.ndarray]] | None = None
    name = "numpy"
    if ziggurat.is_onnx(path):
        reference = onnxruntime_session(path, module, inputs)
        name = "onnxruntime"
    if reference is None and level_of(module) == "graph":
        from ziggurat.reference import evaluate

        def reference() -> list[np.ndarray]:
            return evaluate(module, main, inputs)

        name = "numpy"

    ok = True
    if reference is not None:
        expected = reference()
        for index, (got, want) in enumerate(zip(outputs, expected, strict=True)):
            ok &= report(index, got, want, name)
    else:
        print("no numpy reference below the graph level: outputs not checked")

    if simulated is not None:
        return 0 if ok else 1
    line = f"latency: ziggurat {ours * 1e3:.3f} ms"
    if reference is not None:
        theirs = median_seconds(reference, repeat)
        label = "numpy reference (float64)" if name == "numpy" else name
        ratio = "reference" if name == "numpy" else name
        line += f", {label} {theirs * 1e3:.3f} ms, ratio {ratio}/ziggurat {theirs / ours:.2f}x"
    print(line + f" (median of {repeat})")
    return 0 if ok else 1


def report(index: int, got: np.ndarray, want: np.ndarray, name: str) -> bool:
    """Print the errors of one output against the reference; whether they are within bounds."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        print(f"output {index}: shape {list(got.shape)} vs {name} {list(want.shape)}: MISMATCH")
        return False
    if np.issubdtype(want.dtype, np.integer) and np.issubdtype(got.dtype, np.integer):
        # Integers (a quantized model's) are equal or wrong.
        wrong = int(np.count_nonzero(got.astype(np.int64) != want.astype(np.int64)))
        verdict = "ok" if not wrong else "MISMATCH"
        print(
            f"output {index} {list(got.shape)} {got.dtype}: {wrong} elements differ "
            f"(exactly compared) vs {name}: {verdict}"
        )
        return not wrong
    ours, theirs = got.astype(np.float64), want.astype(np.float64)
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))  # equal infinities, NaNs
    with np.errstate(invalid="ignore"):  # inf - inf
        difference = np.where(same, 0.0, np.abs(ours - theirs))
    abs_error = float(np.max(difference)) if got.size else 0.0
    finite = np.abs(theirs[np.isfinite(theirs)])
    scale = float(np.max(finite)) if finite.size else 0.0
    rel_error = abs_error / max(scale, 1e-30)
    # Relative to the output's scale, not each element's: float32 sums taken in another
    # order differ by a fraction of the magnitudes summed, and a small element of a large
    # output was summed from large terms.
    close = bool(abs_error <= 1e-5 + 1e-4 * scale)  # False for a NaN or infinite error
    verdict = "ok" if close else "MISMATCH"
    print(
        f"output {index} {list(got.shape)}: max abs error {abs_error:.2e}, "
        f"max rel error {rel_error:.2e} vs {name}: {verdict}"
    )
    return close


def onnxruntime_session(
    path: str, module: ModuleOp, inputs: Sequence[np.ndarray]
) -> Callable[[], list[np.ndarray]] | None:
    """A call of onnxruntime (default threads) on `inputs`, or None where it is unavailable."""
    try:
        import onnxruntime
    except ImportError:
        return None
    from ziggurat.frontends.onnx import input_names

    try:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own unrelated types
        print(f"onnxruntime cannot load {path} ({str(error).splitlines()[0]}): using numpy")
        return None
    feeds = dict(zip(input_names(module), inputs, strict=True))

    def run() -> list[np.ndarray]:
        return session.run(None, feeds)

    return run


def random_inputs(module: ModuleOp, name: str, seed: int) -> list[np.ndarray]:
    """Seeded random arrays for the tensor or memref arguments of function `name`."""
    from xdsl.dialects.builtin import MemRefType

    from ziggurat.elements import element_dtype

    function = next(
        op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data == name
    )
    rng = np.random.default_rng(seed)
    arrays = []
    for index, arg_type in enumerate(function.function_type.inputs):
        if not isinstance(arg_type, TensorType | MemRefType):
            raise ZigguratError(f"@{name} argument {index} is {arg_type}, not a tensor")
        if function.arg_attrs and "ziggurat.output" in function.arg_attrs.data[index].data:
            continue
        dtype = element_dtype(arg_type.element_type, f"@{name} argument {index}")
        shape = arg_type.get_shape()
        if np.issubdtype(dtype, np.floating):
            arrays.append(rng.standard_normal(shape).astype(dtype))
        else:
            arrays.append(rng.integers(0, 8, shape).astype(dtype))
    return arrays


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """Median wall time of `work` over `repeat` runs, after one warm-up."""
    work()
    times = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


if __name__ == "__main__":
    sys.exit(main())
