"""Matmul register tiles whose columns (rows) do not divide the matrix beside tiles that do:
each tuner configuration built as a tuning trial builds it, timed interleaved with the
default schedule, on one thread. A tile that leaves a tail should cost about its share of
wasted work, not run scalar (tiles of 48 columns over 512 ran 23x slower than 32 before
version-guarded-loops gave the last tile a loop of its own).

    python benchmarks/tiles.py [--shape 512 512 512] [--rounds 7] [--target 'cpu{mcpu=znver2}']
                               [--config tile_columns=48 --config tile_rows=6,tile_columns=48]

Printed: each configuration's milliseconds (median of the per-round medians), GFLOP/s, its
time over the default's, and its largest difference from numpy's product.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, save

from ziggurat.targets.target import target_named
from ziggurat.tuner.build import build
from ziggurat.tuner.space import Space
from ziggurat.tuner.tasks import extract_tasks

CONFIGS = ["tile_columns=48", "tile_columns=48,tile_rows=6", "tile_columns=16,tile_rows=12"]


def matmul_model(m: int, k: int, n: int, path: Path) -> None:
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, (m, k))
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, (k, n))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, (m, n))
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"])], "g", [a, b], [y])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=3, default=[512, 512, 512], metavar="M K N")
    parser.add_argument("--config", action="append", help="knob=value,... (repeatable)")
    parser.add_argument("--target", default="cpu")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    m, k, n = args.shape
    target = target_named(
        f"{args.target[:-1]} threads=1}}" if "{" in args.target else "cpu{threads=1}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "matmul.onnx"
        matmul_model(m, k, n, path)
        (task,) = extract_tasks([str(path)], target)
    space = Space.of(task, target)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), np.float32)
    b = rng.standard_normal((k, n), np.float32)
    runs = {}
    for spec in ["default", *(args.config or CONFIGS)]:
        config = dict(task.default)
        for setting in spec.split(",") if spec != "default" else []:
            knob, value = setting.split("=")
            config[knob] = int(value)
        function = build(task, space.schedule_text(space.canonical(config)), target)
        error = float(np.abs(function(a, b)[0] - a @ b).max())
        runs[spec] = (function, error, [])
    for _ in range(args.rounds + 1):  # the first round warms up
        for function, _, medians in runs.values():
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                function(a, b)
                times.append(time.perf_counter() - start)
            medians.append(statistics.median(times))
    print(f"matmul {m}x{k}x{n} on {target}, default {task.default}")
    base = statistics.median(runs["default"][2][1:])
    for spec, (_, error, medians) in runs.items():
        seconds = statistics.median(medians[1:])
        gflops = 2 * m * n * k / seconds / 1e9
        print(
            f"{spec:40} {seconds * 1e3:8.3f} ms {gflops:7.1f} GFLOP/s "
            f"x{seconds / base:5.2f}  error {error:.1e}"
        )


if __name__ == "__main__":
    main()
