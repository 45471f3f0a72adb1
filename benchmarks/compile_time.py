"""Compile time of whole networks: cold (an empty cache) and warm (the cache the cold
compile filled), each in a fresh process, beside TVM's relax build where TVM is installed.

    python benchmarks/compile_time.py networks/*.onnx [--rounds 3] [--no-shipped]

The networks are the ONNX files given (benchmarks/export_torchvision.py makes the classic
image ones) and the real models the onnx package ships for its backend tests (their weights
made by ConstantOfShape: the architectures of ResNet-50, DenseNet-121, Inception, VGG-19,
...). Each round compiles every network cold then warm, in that order, so the machine's load
falls on all alike; the median of the rounds is printed. The time is that of
`ziggurat.compile(path, batch_size=1)` in a new process where `import ziggurat` has run (onnx,
the compiler's passes and the thread pool are imported or built inside it); the CPU time
counts the worker processes it forks. The CPU, its cores and the load average are printed
first: on a loaded machine wall time says little, CPU time more.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def worker(kind: str, model: str) -> None:
    """Compile `model` once (kind "ziggurat" or "relax") and print the seconds as JSON."""
    if kind == "relax":
        import onnx
        from tvm import relax
        from tvm.relax.frontend.onnx import from_onnx

        proto = onnx.load(model)
        start, cpu = time.perf_counter(), cpu_seconds()
        module = from_onnx(proto, keep_params_in_input=False)
        module = relax.transform.DecomposeOpsForInference()(module)
        module = relax.transform.LegalizeOps()(module)
        relax.build(module, target="llvm")
    else:
        import ziggurat

        start, cpu = time.perf_counter(), cpu_seconds()
        ziggurat.compile(model, batch_size=1)
    print(json.dumps({"wall": time.perf_counter() - start, "cpu": cpu_seconds() - cpu}))


def measure(kind: str, model: str, cache: Path) -> dict[str, float] | None:
    """One compile in a new process with `cache` as its cache folder (None if it failed,
    said on stderr)."""
    environment = {**os.environ, "ZIGGURAT_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--model", model],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"{kind} on {model} failed:\n{done.stderr[-1000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def shipped_models() -> list[str]:
    """The real models the onnx package ships for its backend tests, where present."""
    try:
        import onnx.backend.test
    except ImportError:
        return []
    light = Path(onnx.backend.test.__file__).parent / "data" / "light"
    return [str(p) for p in sorted(light.glob("light_*.onnx"))]


def describe_machine() -> str:
    import llvmlite.binding as llvm

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    llvm.initialize_native_target()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    features = llvm.get_host_cpu_features()
    vector = "AVX-512" if features.get("avx512f") else "AVX2" if features.get("avx2") else "SSE"
    return f"{model} (LLVM: {llvm.get_host_cpu_name()}, {vector}), {cores} cores"


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="ONNX files")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-shipped", action="store_true", help="leave out onnx's models")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model)
        return
    models = [*args.models, *([] if args.no_shipped else shipped_models())]
    print(describe_machine())
    print(f"at the start: {load()}")
    try:
        import tvm  # noqa: F401

        kinds = ["ziggurat", "relax"]
    except ImportError:
        kinds = ["ziggurat"]
        print("TVM is not installed: no relax build beside ours")
    times: dict[tuple[str, str, str], list[dict[str, float] | None]] = {}
    with tempfile.TemporaryDirectory(prefix="ziggurat-compile-time-") as root:
        for round_number in range(args.rounds):
            for model in models:
                cache = Path(root) / f"{round_number}-{Path(model).stem}"
                times.setdefault((model, "ziggurat", "cold"), []).append(
                    measure("ziggurat", model, cache)
                )
                times.setdefault((model, "ziggurat", "warm"), []).append(
                    measure("ziggurat", model, cache)
                )
                if "relax" in kinds:
                    times.setdefault((model, "relax", "cold"), []).append(
                        measure("relax", model, cache)
                    )
    print(f"at the end: {load()}")
    print(f"median of {args.rounds} rounds; seconds of wall time (CPU time, workers included)")
    header = f"{'network':24} {'cold':>16} {'warm':>14}"
    if "relax" in kinds:
        header += f" {'relax build':>16}"
    print(header)

    def cell(model: str, kind: str, temperature: str) -> str:
        runs = [r for r in times[(model, kind, temperature)] if r is not None]
        if not runs:
            return "failed"
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        return f"{wall:7.2f} ({cpu:5.2f})"

    for model in models:
        line = f"{Path(model).stem:24} {cell(model, 'ziggurat', 'cold'):>16} "
        line += f"{cell(model, 'ziggurat', 'warm'):>14}"
        if "relax" in kinds:
            line += f" {cell(model, 'relax', 'cold'):>16}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
