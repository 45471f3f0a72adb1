"""Matmul, dense+bias+relu and conv2d on the CPU target beside numpy and onnxruntime, in
GFLOP/s, three ways:

    python benchmarks/kernels.py [--rounds 7] [--runs 20] [--kernel matmul1024] [--threads N]
                                 [--target 'cpu{mcpu=znver2}']

- default: the ONNX model through `ziggurat.compile`, as a user gets it without tuning (the
  default pipeline's default schedules, targets/cpu/schedules);
- schedule: the same loop nests scheduled by a hand-written transform IR file
  (benchmarks/schedules/*.mlir) through `apply-schedule`;
- loop IR: loop IR written by hand the way a schedule leaves it (`gemm_ir`, `conv2d_ir`):
  loops split into tiles and reordered, an operand packed into a `#loop.scope<local>` buffer
  (cache_read), the output tile accumulated in a local buffer (cache_write) that LLVM keeps
  in registers, the innermost loop `#loop.vectorize<16>`, the loop over tile rows
  `#loop.unroll`, the outermost loop `#loop.parallel`.

Each runtime lives in its own worker process (benchmarks/workers.py); the parent asks one
worker at a time for a batch of timed runs, pauses between batches and interleaves the
rounds. Printed first: the host, the CPU the code is compiled for (`--target`, the host's by
default; `cpu{mcpu=znver2}` runs AVX2 code on an AVX-512 host) and its measured FMA peak
(benchmarks/peak.py); then GFLOP/s from the median of the per-round medians, the default
schedules' share of that peak, and ratios.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from workers import Worker, measure, serve

RUNTIMES = ("default", "schedule", "loop IR", "numpy", "onnxruntime")
SCHEDULES = Path(__file__).parent / "schedules"


# The loop IR -----------------------------------------------------------------------------------


def matmul_ir(m: int, n: int, k: int) -> str:
    """C = A @ B (m x k times k x n) as `@matmul`: the naive three loops in i-j-k order, the
    sum in a register, tagged as te-to-loop tags a matmul's nest."""
    return f"""
func.func @matmul(%A: memref<{m}x{k}xf32>, %B: memref<{k}x{n}xf32>,
                  %C: memref<{m}x{n}xf32> {{ziggurat.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = arith.constant {m} : index
  %n = arith.constant {n} : index
  %k = arith.constant {k} : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %m step %c1 {{
    scf.for %j = %c0 to %n step %c1 {{
      %sum = scf.for %l = %c0 to %k step %c1 iter_args(%acc = %zero) -> (f32) {{
        %a = memref.load %A[%i, %l] : memref<{m}x{k}xf32>
        %b = memref.load %B[%l, %j] : memref<{k}x{n}xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %acc, %p : f32
        scf.yield %s : f32
      }}
      memref.store %sum, %C[%i, %j] : memref<{m}x{n}xf32>
    }}
  }} {{te.compute = "matmul"}}
  func.return
}}
"""


def gemm_ir(
    m: int, n: int, k: int, bias_relu: bool = False, rows: int = 8, columns: int = 32
) -> str:
    """C = A @ B (m x k times k x n), or relu(A @ B + bias) with `bias_relu`, as `@gemm`.

    Parallel over column panels of `columns`; each packs its panel of B (k x columns) into a
    local buffer, then computes `rows` x `columns` tiles of C in a local register tile over the
    whole k: `rows` broadcasts of A and columns/16 vector loads of the panel feed
    rows * columns / 16 vector FMAs per step of k."""
    if m % rows or n % columns or columns % 16:
        raise ValueError(f"{m}x{n} does not split into {rows}x{columns} tiles")
    a, b, c = f"memref<{m}x{k}xf32>", f"memref<{k}x{n}xf32>", f"memref<{m}x{n}xf32>"
    panel = f"memref<{k}x{columns}xf32, #loop.scope<local>>"
    tile = f"memref<{rows}x{columns}xf32, #loop.scope<local>>"
    bias_argument = f", %bias: memref<{n}xf32>" if bias_relu else ""
    epilogue, value = "", "%acc"
    if bias_relu:
        epilogue = f"""%bj = memref.load %bias[%j] : memref<{n}xf32>
          %biased = arith.addf %acc, %bj : f32
          %value = arith.maximumf %biased, %zero : f32"""
        value = "%value"
    return f"""
func.func @gemm(%A: {a}, %B: {b}{bias_argument}, %C: {c} {{ziggurat.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = arith.constant {m} : index
  %n = arith.constant {n} : index
  %k = arith.constant {k} : index
  %rows = arith.constant {rows} : index
  %columns = arith.constant {columns} : index
  %zero = arith.constant 0.0 : f32
  scf.for %jo = %c0 to %n step %columns {{
    %panel = memref.alloc() : {panel}
    scf.for %p = %c0 to %k step %c1 {{
      scf.for %ji = %c0 to %columns step %c1 {{
        %j = arith.addi %jo, %ji : index
        %v = memref.load %B[%p, %j] : {b}
        memref.store %v, %panel[%p, %ji] : {panel}
      }} {{loop.annotations = [#loop.vectorize<16>]}}
    }}
    %tile = memref.alloc() : {tile}
    scf.for %io = %c0 to %m step %rows {{
      scf.for %ii = %c0 to %rows step %c1 {{
        scf.for %ji = %c0 to %columns step %c1 {{
          memref.store %zero, %tile[%ii, %ji] : {tile}
        }} {{loop.annotations = [#loop.vectorize<16>]}}
      }} {{loop.annotations = [#loop.unroll<{rows}>]}}
      scf.for %p = %c0 to %k step %c1 {{
        scf.for %ii = %c0 to %rows step %c1 {{
          %i = arith.addi %io, %ii : index
          %x = memref.load %A[%i, %p] : {a}
          scf.for %ji = %c0 to %columns step %c1 {{
            %y = memref.load %panel[%p, %ji] : {panel}
            %acc = memref.load %tile[%ii, %ji] : {tile}
            %product = arith.mulf %x, %y : f32
            %sum = arith.addf %acc, %product : f32
            memref.store %sum, %tile[%ii, %ji] : {tile}
          }} {{loop.annotations = [#loop.vectorize<16>]}}
        }} {{loop.annotations = [#loop.unroll<{rows}>]}}
      }}
      scf.for %ii = %c0 to %rows step %c1 {{
        scf.for %ji = %c0 to %columns step %c1 {{
          %i = arith.addi %io, %ii : index
          %j = arith.addi %jo, %ji : index
          %acc = memref.load %tile[%ii, %ji] : {tile}
          {epilogue}
          memref.store {value}, %C[%i, %j] : {c}
        }} {{loop.annotations = [#loop.vectorize<16>]}}
      }} {{loop.annotations = [#loop.unroll<{rows}>]}}
    }}
    memref.dealloc %tile : {tile}
    memref.dealloc %panel : {panel}
  }} {{loop.annotations = [#loop.parallel]}}
  func.return
}}
"""


def conv2d_ir(channels: int, height: int, width: int, filters: int, columns: int = 14) -> str:
    """3x3 convolution, padding 1, of a 1 x channels x height x width image into `filters`
    channels, as `@conv2d` (NCHW in and out, weights filters x channels x 3 x 3).

    The input is packed (cache_read with a layout change) into blocks of 16 channels, channels
    innermost, with the zero border materialized; the weights into blocks of 16 filters,
    filters innermost. Parallel over output rows; each computes tiles of `columns` pixels x 16
    filters in a local register tile: per input channel and tap, one vector load of 16
    filter weights and `columns` broadcasts of input pixels feed `columns` vector FMAs."""
    if channels % 16 or filters % 16 or width % columns:
        raise ValueError("channels and filters must be multiples of 16, width of the tile")
    cb, fb, hp, wp = channels // 16, filters // 16, height + 2, width + 2
    image = f"memref<1x{channels}x{height}x{width}xf32>"
    weights = f"memref<{filters}x{channels}x3x3xf32>"
    out = f"memref<1x{filters}x{height}x{width}xf32>"
    packed_image = f"memref<{cb}x{hp}x{wp}x16xf32>"
    packed_weights = f"memref<{fb}x{channels}x3x3x16xf32>"
    tile = f"memref<{columns}x16xf32, #loop.scope<local>>"
    return f"""
func.func @conv2d(%I: {image}, %W: {weights}, %O: {out} {{ziggurat.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %channel_blocks = arith.constant {cb} : index
  %filter_blocks = arith.constant {fb} : index
  %channels = arith.constant {channels} : index
  %height = arith.constant {height} : index
  %width = arith.constant {width} : index
  %last_row = arith.constant {height - 1} : index
  %last_column = arith.constant {width - 1} : index
  %padded_height = arith.constant {hp} : index
  %padded_width = arith.constant {wp} : index
  %columns = arith.constant {columns} : index
  %zero = arith.constant 0.0 : f32
  %Ip = memref.alloc() : {packed_image}
  scf.for %y = %c0 to %padded_height step %c1 {{
    %h = arith.subi %y, %c1 : index
    %h_low = arith.cmpi sge, %h, %c0 : index
    %h_high = arith.cmpi slt, %h, %height : index
    %h_inside = arith.andi %h_low, %h_high : i1
    %h_above = arith.maxsi %h, %c0 : index
    %h_clamped = arith.minsi %h_above, %last_row : index
    scf.for %b = %c0 to %channel_blocks step %c1 {{
      scf.for %cc = %c0 to %c16 step %c1 {{
        %b16 = arith.muli %b, %c16 : index
        %ci = arith.addi %b16, %cc : index
        scf.for %x = %c0 to %padded_width step %c1 {{
          %w = arith.subi %x, %c1 : index
          %w_low = arith.cmpi sge, %w, %c0 : index
          %w_high = arith.cmpi slt, %w, %width : index
          %w_inside = arith.andi %w_low, %w_high : i1
          %inside = arith.andi %h_inside, %w_inside : i1
          %w_left = arith.maxsi %w, %c0 : index
          %w_clamped = arith.minsi %w_left, %last_column : index
          %v = memref.load %I[%c0, %ci, %h_clamped, %w_clamped] : {image}
          %padded = arith.select %inside, %v, %zero : f32
          memref.store %padded, %Ip[%b, %y, %x, %cc] : {packed_image}
        }}
      }}
    }}
  }} {{loop.annotations = [#loop.parallel]}}
  %Wp = memref.alloc() : {packed_weights}
  scf.for %f = %c0 to %filter_blocks step %c1 {{
    scf.for %ci = %c0 to %channels step %c1 {{
      scf.for %kh = %c0 to %c3 step %c1 {{
        scf.for %kw = %c0 to %c3 step %c1 {{
          scf.for %fi = %c0 to %c16 step %c1 {{
            %f16 = arith.muli %f, %c16 : index
            %filter = arith.addi %f16, %fi : index
            %v = memref.load %W[%filter, %ci, %kh, %kw] : {weights}
            memref.store %v, %Wp[%f, %ci, %kh, %kw, %fi] : {packed_weights}
          }}
        }}
      }}
    }}
  }} {{loop.annotations = [#loop.parallel]}}
  scf.for %h = %c0 to %height step %c1 {{
    %tile = memref.alloc() : {tile}
    scf.for %f = %c0 to %filter_blocks step %c1 {{
      scf.for %wo = %c0 to %width step %columns {{
        scf.for %r = %c0 to %columns step %c1 {{
          scf.for %fi = %c0 to %c16 step %c1 {{
            memref.store %zero, %tile[%r, %fi] : {tile}
          }} {{loop.annotations = [#loop.vectorize<16>]}}
        }} {{loop.annotations = [#loop.unroll<{columns}>]}}
        scf.for %b = %c0 to %channel_blocks step %c1 {{
          scf.for %kh = %c0 to %c3 step %c1 {{
            %y = arith.addi %h, %kh : index
            scf.for %kw = %c0 to %c3 step %c1 {{
              scf.for %cc = %c0 to %c16 step %c1 {{
                %b16 = arith.muli %b, %c16 : index
                %ci = arith.addi %b16, %cc : index
                scf.for %r = %c0 to %columns step %c1 {{
                  %wr = arith.addi %wo, %r : index
                  %x = arith.addi %wr, %kw : index
                  %pixel = memref.load %Ip[%b, %y, %x, %cc] : {packed_image}
                  scf.for %fi = %c0 to %c16 step %c1 {{
                    %weight = memref.load %Wp[%f, %ci, %kh, %kw, %fi] : {packed_weights}
                    %acc = memref.load %tile[%r, %fi] : {tile}
                    %product = arith.mulf %pixel, %weight : f32
                    %sum = arith.addf %acc, %product : f32
                    memref.store %sum, %tile[%r, %fi] : {tile}
                  }} {{loop.annotations = [#loop.vectorize<16>]}}
                }} {{loop.annotations = [#loop.unroll<{columns}>]}}
              }}
            }}
          }}
        }}
        scf.for %r = %c0 to %columns step %c1 {{
          scf.for %fi = %c0 to %c16 step %c1 {{
            %f16 = arith.muli %f, %c16 : index
            %filter = arith.addi %f16, %fi : index
            %w = arith.addi %wo, %r : index
            %v = memref.load %tile[%r, %fi] : {tile}
            memref.store %v, %O[%c0, %filter, %h, %w] : {out}
          }}
        }} {{loop.annotations = [#loop.unroll<{columns}>]}}
      }}
    }}
    memref.dealloc %tile : {tile}
  }} {{loop.annotations = [#loop.parallel]}}
  memref.dealloc %Wp : {packed_weights}
  memref.dealloc %Ip : {packed_image}
  func.return
}}
"""


# The kernels beside numpy and onnxruntime ------------------------------------------------------


@dataclass
class Kernel:
    """One workload: its inputs, its loop IR (function and IR text), its hand schedule (a
    file of benchmarks/schedules), and the same computation for numpy (writing into the
    output) and as an ONNX graph."""

    flops: int
    inputs: Callable[[np.random.Generator], list[np.ndarray]]
    output: tuple[int, ...]
    function: str
    ir: Callable[[], str]
    numpy: Callable[[list[np.ndarray], np.ndarray], None]
    onnx: Callable[[], Any]
    schedule: str


def onnx_graph(nodes: list[Any], inputs: dict[str, tuple[int, ...]], output: tuple[int, ...]):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        nodes,
        "kernel",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def matmul(n: int) -> Kernel:
    from onnx import helper

    return Kernel(
        flops=2 * n**3,
        inputs=lambda rng: [rng.standard_normal((n, n), np.float32) for _ in range(2)],
        output=(n, n),
        function="gemm",
        ir=lambda: gemm_ir(n, n, n),
        numpy=lambda xs, out: np.matmul(xs[0], xs[1], out=out),
        onnx=lambda: onnx_graph(
            [helper.make_node("MatMul", ["a", "b"], ["y"])], {"a": (n, n), "b": (n, n)}, (n, n)
        ),
        schedule="matmul.mlir",
    )


def dense_numpy(xs: list[np.ndarray], out: np.ndarray) -> None:
    np.matmul(xs[0], xs[1], out=out)
    out += xs[2]
    np.maximum(out, 0, out=out)


def dense_bias_relu(m: int, n: int, k: int) -> Kernel:
    from onnx import helper

    return Kernel(
        flops=2 * m * n * k,
        inputs=lambda rng: [
            rng.standard_normal((m, k), np.float32),
            (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32),
            rng.standard_normal(n, np.float32),
        ],
        output=(m, n),
        function="gemm",
        ir=lambda: gemm_ir(m, n, k, bias_relu=True),
        numpy=dense_numpy,
        onnx=lambda: onnx_graph(
            [
                helper.make_node("Gemm", ["x", "w", "b"], ["dense"]),
                helper.make_node("Relu", ["dense"], ["y"]),
            ],
            {"x": (m, k), "w": (k, n), "b": (n,)},
            (m, n),
        ),
        schedule="dense_bias_relu.mlir",
    )


def conv2d_numpy(xs: list[np.ndarray], out: np.ndarray) -> None:
    """im2col, then one matmul (BLAS)."""
    image, weights = xs
    filters, channels = weights.shape[:2]
    padded = np.pad(image[0], ((0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
    columns = windows.transpose(0, 3, 4, 1, 2).reshape(channels * 9, -1)
    np.matmul(weights.reshape(filters, -1), columns, out=out.reshape(filters, -1))


def conv2d(channels: int, size: int, filters: int) -> Kernel:
    from onnx import helper

    image, out = (1, channels, size, size), (1, filters, size, size)
    return Kernel(
        flops=2 * filters * channels * 9 * size * size,
        inputs=lambda rng: [
            rng.standard_normal(image, np.float32),
            (rng.standard_normal((filters, channels, 3, 3)) / np.sqrt(9 * channels)).astype(
                np.float32
            ),
        ],
        output=out,
        function="conv2d",
        ir=lambda: conv2d_ir(channels, size, size, filters),
        numpy=conv2d_numpy,
        onnx=lambda: onnx_graph(
            [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])],
            {"x": image, "w": (filters, channels, 3, 3)},
            out,
        ),
        schedule="conv2d.mlir",
    )


KERNELS: dict[str, Callable[[], Kernel]] = {
    "matmul256": lambda: matmul(256),
    "matmul512": lambda: matmul(512),
    "matmul1024": lambda: matmul(1024),
    "dense_bias_relu_64x512x512": lambda: dense_bias_relu(64, 512, 512),
    "conv2d_1x64x56x56_64_3x3": lambda: conv2d(64, 56, 64),
}


# The worker: prepare once, check the result, then time runs on request -------------------------


def prepare(runtime: str, kernel: Kernel, xs: list[np.ndarray], out: np.ndarray, target: str):
    """A function running the kernel once on `xs` into `out`, compiled for `target`."""
    from ziggurat.targets.target import target_named

    cpu = target_named(target).cpu  # type: ignore[attr-defined]
    if runtime == "default":
        import ziggurat

        main = ziggurat.compile(kernel.onnx(), target=target).main
        return lambda: main(*xs, out)
    if runtime == "schedule":
        from ziggurat.frontends.onnx import import_model
        from ziggurat.ir_io import pass_pipeline
        from ziggurat.pipeline import lower
        from ziggurat.registry import make_context
        from ziggurat.targets.cpu import compile_loop_module

        module = lower(import_model(kernel.onnx()), "te")
        schedule = SCHEDULES / kernel.schedule
        pipeline = f"te-inline,cse,dce,te-to-loop,apply-schedule{{file={schedule}}}"
        pass_pipeline(pipeline).apply(make_context(), module)
        main = compile_loop_module(module, cpu).main
        return lambda: main(*xs, out)
    if runtime == "loop IR":
        from ziggurat.ir_io import parse_module
        from ziggurat.targets.cpu import compile_loop_module

        compiled = compile_loop_module(parse_module(kernel.ir()), cpu)
        function = getattr(compiled, kernel.function)
        return lambda: function(*xs, out)
    if runtime == "numpy":
        return lambda: kernel.numpy(xs, out)
    import onnxruntime

    model = kernel.onnx()
    options = onnxruntime.SessionOptions()
    # --threads sets this for every runtime; 0 is onnxruntime's default (the physical cores).
    options.intra_op_num_threads = int(os.environ.get("ZIGGURAT_NUM_THREADS", "0"))
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    binding = session.io_binding()
    for value, array in zip(model.graph.input, xs, strict=True):
        binding.bind_cpu_input(value.name, array)
    binding.bind_output("y", "cpu", 0, np.float32, list(out.shape), out.ctypes.data)
    return lambda: session.run_with_iobinding(binding)


def worker(runtime: str, name: str, target: str) -> None:
    kernel = KERNELS[name]()
    xs = kernel.inputs(np.random.default_rng(0))
    out = np.zeros(kernel.output, np.float32)
    serve_checked(kernel, xs, out, prepare(runtime, kernel, xs, out, target))


def serve_checked(kernel: Kernel, xs: list[np.ndarray], out: np.ndarray, run) -> None:
    """Check one run of `run` (which writes `out`) against numpy, then time it for the
    parent (workers.serve)."""
    run()
    expected = np.zeros_like(out)
    kernel.numpy(xs, expected)
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-3)
    serve(run)


# The parent -------------------------------------------------------------------------------------


def start(runtime: str, name: str, threads: int | None, target: str) -> Worker:
    environment = None
    if threads is not None:
        count = str(threads)
        environment = {
            **os.environ,
            "ZIGGURAT_NUM_THREADS": count,
            "OMP_NUM_THREADS": count,
            "OPENBLAS_NUM_THREADS": count,
            "MKL_NUM_THREADS": count,
        }
    argv = [__file__, "--worker", runtime, "--kernel", name, "--target", target]
    return Worker(runtime, argv, environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--kernel", choices=list(KERNELS), help="one kernel only")
    parser.add_argument("--threads", type=int, help="threads for every runtime")
    parser.add_argument("--target", default="cpu", help="the CPU Ziggurat compiles for")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.kernel, args.target)
        return
    from peak import describe

    if args.threads is not None:
        os.environ["ZIGGURAT_NUM_THREADS"] = str(args.threads)  # the peak's threads too
    header, peak = describe(args.target)
    print(header)
    names = [args.kernel] if args.kernel else list(KERNELS)
    print(f"median of {args.rounds} interleaved rounds of {args.runs} runs; GFLOP/s")
    print(
        f"{'kernel':28} {'default':>8} {'schedule':>8} {'loop IR':>8} {'numpy':>8} {'onnxrt':>8}"
        f" {'def/ort':>8} {'sch/np':>7} {'sch/ort':>7} {'def/peak':>8}"
    )
    for name in names:
        workers = [start(runtime, name, args.threads, args.target) for runtime in RUNTIMES]
        seconds = measure(workers, args.rounds, args.runs)
        flops = KERNELS[name]().flops
        rate = {runtime: flops / seconds[runtime] / 1e9 for runtime in RUNTIMES}
        print(
            f"{name:28}"
            + "".join(f" {rate[runtime]:8.1f}" for runtime in RUNTIMES)
            + f" {rate['default'] / rate['onnxruntime']:8.2f}"
            f" {rate['schedule'] / rate['numpy']:7.2f}"
            f" {rate['schedule'] / rate['onnxruntime']:7.2f}"
            f" {rate['default'] / peak:8.0%}",
            flush=True,
        )


if __name__ == "__main__":
    main()
