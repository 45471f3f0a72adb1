"""`ziggurat`: the driver. `run` compiles a model, runs it and checks it; `compile` prints IR.

ziggurat run examples/mlp.mlir
ziggurat compile examples/mlp.mlir --emit loop
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType

from ziggurat.diagnostics import ZigguratError

EMIT_LEVELS = ("graph", "te", "loop", "llvm", "llvm-ir")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ziggurat", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="compile a model, run it on random inputs, check it")
    run.add_argument("model", help="a .mlir file (graph, te or loop level)")
    run.add_argument("--target", default="cpu")
    run.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    run.add_argument("--repeat", type=int, default=100, help="timed runs (median reported)")

    compile_ = commands.add_parser("compile", help="print the model at a lower level")
    compile_.add_argument("model", help="a .mlir file")
    compile_.add_argument("--emit", choices=EMIT_LEVELS, default="loop")
    compile_.add_argument("-o", "--output", help="write here instead of stdout")

    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run_model(args.model, args.target, args.seed, args.repeat)
        return emit(args.model, args.emit, args.output)
    except ZigguratError as error:
        print(error, file=sys.stderr)
        return 2


def emit(path: str, level: str, output: str | None) -> int:
    """Print the module at `level` after the default pipeline."""
    from ziggurat import load_module
    from ziggurat.ir_io import print_module
    from ziggurat.pipeline import lower

    module = load_module(path)
    if level == "llvm-ir":
        from ziggurat.targets.cpu import llvm_ir

        lower(module, "loop")
        text = llvm_ir(module)
    else:
        text = print_module(lower(module, level))
    if output:
        with open(output, "w") as file:
            file.write(text)
    else:
        print(text)
    return 0


def run_model(path: str, target: str, seed: int, repeat: int) -> int:
    """Compile, run on seeded random inputs, compare with numpy, and report latency."""
    import ziggurat
    from ziggurat.pipeline import level_of

    module = ziggurat.load_module(path)
    main = ziggurat.main_function(module)
    inputs = random_inputs(module, main, seed)
    start = time.perf_counter()
    compiled = ziggurat.compile(module, target=target)
    compile_seconds = time.perf_counter() - start
    outputs = compiled(*inputs)
    print(f"{path}: compiled @{main} for {target} in {compile_seconds:.2f} s")

    reference: Callable[[], list[np.ndarray]] | None = None
    if level_of(module) == "graph":
        from ziggurat.targets.reference import evaluate

        def reference() -> list[np.ndarray]:
            return evaluate(module, main, inputs)

    ok = True
    if reference is not None:
        expected = reference()
        for index, (got, want) in enumerate(zip(outputs, expected, strict=True)):
            abs_error = float(np.max(np.abs(got - want))) if got.size else 0.0
            rel_error = abs_error / max(float(np.max(np.abs(want))) if want.size else 0.0, 1e-30)
            close = bool(np.allclose(got, want, rtol=1e-4, atol=1e-5))
            ok &= close
            verdict = "ok" if close else "MISMATCH"
            print(
                f"output {index} {list(got.shape)}: max abs error {abs_error:.2e}, "
                f"max rel error {rel_error:.2e} vs numpy: {verdict}"
            )
    else:
        print("no numpy reference below the graph level: outputs not checked")

    ours = median_seconds(lambda: compiled(*inputs), repeat)
    line = f"latency: ziggurat {ours * 1e3:.3f} ms"
    if reference is not None:
        theirs = median_seconds(reference, repeat)
        line += (
            f", numpy reference (float64) {theirs * 1e3:.3f} ms, "
            f"ratio reference/ziggurat {theirs / ours:.2f}x"
        )
    print(line + f" (median of {repeat})")
    return 0 if ok else 1


def random_inputs(module: ModuleOp, name: str, seed: int) -> list[np.ndarray]:
    """Seeded random arrays for the tensor or memref arguments of function `name`."""
    from xdsl.dialects.builtin import MemRefType

    from ziggurat.targets.cpu.runtime import numpy_dtype

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
        dtype = numpy_dtype(arg_type.element_type, f"@{name} argument {index}")
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
