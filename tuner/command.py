"""`ziggurat tune`: tune a model's tasks, show progress, report the gains.

    ziggurat tune model.onnx --trials 200 --log tuning.jsonl [--pool local|ray|ray://HOST:PORT]
                  [--batch 32] [--tasks K] [--plot best.png] [--target 'cpu{threads=2}']
    ziggurat tune model.onnx --log tuning.jsonl --show-config     # the best schedules found
    ziggurat tune model.onnx --log tuning.jsonl --trials 0 --plot best.png   # report again
    ziggurat run model.onnx --tuning-log tuning.jsonl             # run with them

One progress bar per task (trials done, best time, errors); then a table of each task's
weight, default and tuned times and speed-up, and the whole model's latency with its
default schedules, with the tuned ones and in onnxruntime; with `--plot`, a PNG of each
task's best time against its trials.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from ziggurat.diagnostics import ZigguratError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("models", nargs="+", help="ONNX models or graph-level .mlir files")
    parser.add_argument("--log", required=True, help="the JSON-lines tuning log (appended)")
    parser.add_argument("--trials", type=int, default=200, help="trials in all (log included)")
    parser.add_argument("--pool", default="local", help="local, ray, or ray://HOST:PORT")
    parser.add_argument("--batch", type=int, default=32, help="candidates measured per round")
    parser.add_argument("--tasks", type=int, help="tune only the K heaviest tasks")
    parser.add_argument("--plot", help="write a PNG of best time against trials")
    parser.add_argument("--target", default="cpu", help="a target with options")
    parser.add_argument("--search", default="anneal", choices=["anneal", "random", "grid"])
    parser.add_argument("--model", default="rank", choices=["rank", "regression", "random"])
    parser.add_argument("--workers", type=int, default=0, help="local build workers")
    parser.add_argument("--min-seconds", type=float, default=0.1, help="timing per trial")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=1, help="an ONNX model's batch")
    parser.add_argument(
        "--schedule",
        action="append",
        default=[],
        metavar="KIND=FILE",
        help="tune the nests of a kind with this schedule file instead of the target's",
    )
    parser.add_argument(
        "--show-config", action="store_true", help="print the best schedule of each task"
    )


def check_arguments(args: argparse.Namespace) -> None:
    if args.trials < 0:
        raise ZigguratError(f"--trials must be at least 0, got {args.trials}")
    if args.batch < 1:
        raise ZigguratError(f"--batch must be at least 1, got {args.batch}")
    if args.tasks is not None and args.tasks < 1:
        raise ZigguratError(f"--tasks must be at least 1, got {args.tasks}")
    if args.plot and not args.plot.endswith(".png"):
        raise ZigguratError(f"--plot writes a PNG: '{args.plot}' does not end in .png")
    for model in args.models:
        path = Path(model)
        if not path.is_file():
            raise ZigguratError(f"no such model: {model}")
        if path.suffix not in (".onnx", ".mlir"):
            raise ZigguratError(f"{model}: unknown model format, expected .onnx or .mlir")
        if path.stat().st_size == 0:
            raise ZigguratError(f"{model}: the model is empty")


def schedule_texts(specs: list[str]) -> dict[str, str]:
    texts = {}
    for spec in specs:
        kind, _, file = spec.partition("=")
        if not file:
            raise ZigguratError(f"--schedule takes KIND=FILE, got '{spec}'")
        try:
            texts[kind] = Path(file).read_text()
        except OSError as error:
            raise ZigguratError(f"cannot read schedule '{file}': {error.strerror}") from None
    return texts


def run(args: argparse.Namespace) -> int:
    from ziggurat.targets.target import target_named
    from ziggurat.tuner.log import Log
    from ziggurat.tuner.tasks import extract_tasks
    from ziggurat.tuner.tune import make_states, resume

    check_arguments(args)
    target = target_named(args.target)
    # A Ray pool measures elsewhere; the local pool and the latencies after it, here.
    missing = None if args.show_config else target.missing_device()
    if missing is not None and args.pool == "local":
        raise ZigguratError(
            f"nothing to measure {target} candidates on here ({missing}); tune where there "
            "is one, or on a Ray cluster that has one (--pool ray://HOST:PORT)"
        )
    log = None if args.show_config else Log.open(args.log)
    if args.show_config and not Path(args.log).is_file():
        raise ZigguratError(f"no such tuning log: {args.log}")
    tasks = extract_tasks(args.models, target, args.batch_size)
    if args.tasks:
        tasks = tasks[: args.tasks]
    states = make_states(
        tasks, target, args.search, args.model, args.seed, schedule_texts(args.schedule)
    )
    already = resume(states, args.log, str(target))
    if args.show_config:
        return show_configs(states)
    print(
        f"{len(tasks)} tasks of {', '.join(Path(m).name for m in args.models)} for {target}; "
        f"{already} trials in {args.log} already"
    )
    started = time.perf_counter()
    tune_with_progress(states, args, log)
    print(f"tuned in {time.perf_counter() - started:.0f} s")
    print_table(states)
    if args.plot:
        plot(states, args.plot)
        print(f"wrote {args.plot}")
    if len(args.models) == 1 and missing is None:
        compare_latency(args.models[0], target, args.log, args.batch_size)
    return 0


def tune_with_progress(states: list[Any], args: argparse.Namespace, log: Any) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ziggurat.tuner.pool import make_pool
    from ziggurat.tuner.tune import tune

    options = {"min_seconds": args.min_seconds}
    if args.pool == "local":
        options["workers"] = args.workers
    columns = (
        TextColumn("{task.description:32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[best]} {task.fields[errors]}"),
    )
    with Progress(*columns, transient=False) as progress:
        bars = {}
        for state in states:
            bars[state.task.key] = progress.add_task(
                state.task.describe()[:32], total=args.trials, best="", errors=""
            )
            show(progress, bars[state.task.key], state)

        def update(state: Any, results: list[Any]) -> None:
            show(progress, bars[state.task.key], state)

        with make_pool(args.pool, str(states[0].task.target), **options) as pool:
            tune(states, pool, log, args.trials, args.batch, progress=update)


def show(progress: Any, bar: Any, state: Any) -> None:
    best = f"best {state.best_seconds * 1e3:.4f} ms" if np.isfinite(state.best_seconds) else ""
    progress.update(bar, completed=state.trials, best=best, errors=f"errors {state.errors}")


def print_table(states: list[Any]) -> None:
    print(f"{'task':44} {'weight':>6} {'default ms':>11} {'tuned ms':>10} {'speed-up':>9}")
    for state in states:
        default, best = state.default_seconds, state.best_seconds
        speedup = (
            f"{default / best:9.2f}" if np.isfinite(default) and np.isfinite(best) else " " * 9
        )
        print(
            f"{state.task.describe()[:44]:44} {state.task.weight:6} "
            f"{default * 1e3:11.4f} {best * 1e3:10.4f} {speedup}"
        )


def show_configs(states: list[Any]) -> int:
    for state in states:
        if state.best_config is None:
            print(f"// {state.task.describe()}: no successful trial in the log")
            continue
        print(
            f"// {state.task.describe()} ({state.task.key}): "
            f"{state.best_seconds * 1e3:.4f} ms, {state.best_config}"
        )
        print(state.space.schedule_text(state.best_config))
    return 0


def plot(states: list[Any], path: str) -> None:
    try:
        import matplotlib
    except ImportError:
        raise ZigguratError("--plot needs matplotlib: pip install 'ziggurat[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(11, 5))
    for state in states:
        history = np.array(state.history) * 1e3
        if np.isfinite(history).any():
            trials = np.arange(1, len(history) + 1)
            axes.plot(trials, history, marker=".", label=state.task.describe()[:40])
    axes.set_xlabel("trials of the task")
    axes.set_ylabel("best time so far (ms)")
    axes.set_yscale("log")
    handles, labels = axes.get_legend_handles_labels()
    shown = 16  # the heaviest tasks: a longer legend would not fit beside the axes
    axes.legend(
        handles[:shown],
        labels[:shown],
        fontsize="x-small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title=f"{min(shown, len(labels))} of {len(labels)} tasks",
    )
    figure.tight_layout()
    try:
        figure.savefig(path, bbox_inches="tight")
    except OSError as error:
        raise ZigguratError(f"cannot write plot '{path}': {error.strerror}") from None


def compare_latency(model: str, target: Any, log: str, batch_size: int, rounds: int = 5) -> None:
    """The model's latency with default and tuned schedules (and in onnxruntime), in
    interleaved rounds."""
    import ziggurat
    from ziggurat.tools.ziggurat import median_seconds, onnxruntime_session, random_inputs

    module = ziggurat.load_module(model, batch_size=batch_size)
    inputs = random_inputs(module, ziggurat.main_function(module), 0)
    runs: dict[str, Any] = {}
    default = ziggurat.compile(module, target=target)
    runs["default"] = lambda: default(*inputs)
    try:
        tuned = ziggurat.compile(module, target=target, tuning_log=log)
        runs["tuned"] = lambda: tuned(*inputs)
    except ZigguratError as error:
        print(f"tuned: {error}")
    if ziggurat.is_onnx(model):
        session = onnxruntime_session(model, module, inputs)
        if session is not None:
            runs["onnxruntime"] = session
    medians: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds):
        names = list(runs)
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            medians[name].append(median_seconds(runs[name], 10))
    line = ", ".join(f"{name} {np.median(times) * 1e3:.3f} ms" for name, times in medians.items())
    print(f"model latency: {line} (median of {rounds} interleaved rounds)")
