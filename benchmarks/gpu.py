"""Ziggurat's CUDA target beside PyTorch (cuBLAS, cuDNN) in the same run, on the GPU this
process sees: f32 matmul 1024 and 4096 (the default schedule, and the best of a few
hand-picked knob settings), f16 matmul 4096 with f32 accumulation, conv2d 1x64x56x56 ->
64 3x3, and ResNet-18 end to end. Each row: Ziggurat's time and PyTorch's (medians of runs
timed with CUDA events, the inputs already on the GPU), the ratio PyTorch / Ziggurat (1.0:
as fast; 0.3: Ziggurat takes 3.3x as long), Ziggurat's GFLOP/s and its largest error
against PyTorch's output. TF32 is off in PyTorch, so its f32 products are f32 as ours are.

    python benchmarks/gpu.py [--runs 20] [--quick] [--resnet resnet18.onnx]

Where there is no GPU (or no driver, or no package to reach it) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import fix_knobs
from ziggurat.ir_io import parse_module, pass_pipeline
from ziggurat.passes.scheduling.apply_default_schedules import schedule
from ziggurat.passes.scheduling.apply_schedule import apply_schedule
from ziggurat.registry import make_context
from ziggurat.targets.cuda import CudaTarget, runtime
from ziggurat.targets.target import target_named

# Hand-picked matmul knobs (targets/cuda/schedules/matmul.mlir): a thread's register tile
# (rows x columns), the block's threads (y x x) and the step along k, A and B staged in
# shared memory (each tile has a vector for each thread to copy).
HAND_PICKED = {
    "128x128 tile, 16x4 a thread, k 8": (16, 4, 8, 32, 8),
    "128x128 tile, 8x8 a thread, k 8": (8, 8, 16, 16, 8),
    "128x128 tile, 8x8 a thread, k 16": (8, 8, 16, 16, 16),
    "128x128 tile, 8x4 a thread, k 16": (8, 4, 16, 32, 16),
    "64x128 tile, 8x4 a thread, k 16": (8, 4, 8, 32, 16),
}


def matmul_text(n: int, element: str = "f32") -> str:
    """An n x n x n matmul at the te level; f16 operands are summed in f32."""
    extend = element != "f32"
    a, b = ("%a32", "%b32") if extend else ("%a", "%b")
    casts = (
        f"    %a32 = arith.extf %a : {element} to f32\n    %b32 = arith.extf %b : {element} to f32\n"
        if extend
        else ""
    )
    operand = f"tensor<{n}x{n}x{element}>"
    return f"""
func.func @main(%A: {operand}, %B: {operand}) -> tensor<{n}x{n}xf32> {{
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = {n}]
         init 0.000000e+00 : f32 : ({operand}, {operand}) -> tensor<{n}x{n}xf32> {{
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : {operand}
    %b = te.read %B[%k, %j] : {operand}
{casts}    %p = arith.mulf {a}, {b} : f32
    te.yield %p : f32
  }}
  func.return %C : tensor<{n}x{n}xf32>
}}
"""


CONV2D = """
func.func @main(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %y = graph.conv2d %x, %w padding [1, 1, 1, 1] : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  func.return %y : tensor<1x64x56x56xf32>
}
"""


def with_knobs(text: str, knobs: dict[str, Any], target: CudaTarget) -> Any:
    """A te-level matmul compiled with the matmul schedule's knobs fixed to `knobs`."""
    module = parse_module(text, "matmul")
    pass_pipeline("te-to-loop").apply(make_context(), module)
    root = next(op for op in module.walk() if op.name == "scf.for")
    apply_schedule(module, fix_knobs(schedule(target, "matmul.mlir"), knobs), root=root)
    return target.compile(module)


def hand_knobs(choice: tuple[int, int, int, int, int]) -> dict[str, Any]:
    rows, columns, threads_y, threads_x, k_tile = choice
    return {
        "thread_rows": rows,
        "thread_columns": columns,
        "threads_y": threads_y,
        "threads_x": threads_x,
        "vector_width": 4,
        "k_tile": k_tile,
        "unroll": k_tile,
        "shared": 1,
        "transposed_b": 0,
    }


def ours(compiled: Any, arrays: list[np.ndarray], runs: int) -> tuple[float, list[np.ndarray]]:
    """Median seconds of a compiled module's main function on the GPU, and its outputs."""
    function = compiled.main
    seconds = statistics.median(function.time(arrays, runs))
    return seconds, function(*arrays)


def theirs(call: Any, runs: int) -> tuple[float, Any]:
    """Median seconds of a PyTorch call between CUDA events, and its result."""
    import torch

    result = call()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(runs):
        start.record()
        call()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return statistics.median(times), result


def row(name: str, seconds: float, torch_seconds: float | None, flops: float, error: float):
    reference = f"{torch_seconds * 1e3:9.3f}" if torch_seconds else "        -"
    ratio = f"{torch_seconds / seconds:6.2f}x" if torch_seconds else "      -"
    print(
        f"{name:44s} {seconds * 1e3:9.3f} {reference} {ratio} "
        f"{flops / seconds / 1e9:9.0f} {error:10.2e}",
        flush=True,
    )


def largest_error(got: np.ndarray, expected: np.ndarray) -> float:
    """The largest difference, relative to the largest magnitude of the expected output."""
    return float(np.max(np.abs(got - expected)) / max(np.max(np.abs(expected)), 1e-30))


def matmuls(target: CudaTarget, runs: int, quick: bool) -> None:
    import torch

    for n in (1024,) if quick else (1024, 4096):
        rng = np.random.default_rng(n)
        a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
        ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
        their_seconds, product = theirs(lambda ta=ta, tb=tb: ta @ tb, runs)
        expected = product.cpu().numpy()
        flops = 2.0 * n**3
        start = time.perf_counter()
        compiled = ziggurat.compile(matmul_text(n), target=target)
        print(f"  (compiled the default in {time.perf_counter() - start:.1f} s)", flush=True)
        seconds, (got,) = ours(compiled._functions, [a, b], runs)
        row(f"matmul f32 {n} default", seconds, their_seconds, flops, largest_error(got, expected))
        best: tuple[float, str, float] | None = None
        for label, choice in HAND_PICKED.items():
            try:
                picked = with_knobs(matmul_text(n), hand_knobs(choice), target)
                seconds, (got,) = ours(picked, [a, b], runs)
            except ZigguratError as error:
                print(f"  {label}: {error}", flush=True)
                continue
            print(f"  {label}: {seconds * 1e3:.3f} ms ({their_seconds / seconds:.2f}x)", flush=True)
            if best is None or seconds < best[0]:
                best = (seconds, label, largest_error(got, expected))
        if best is not None:
            row(f"matmul f32 {n} hand-picked ({best[1]})", best[0], their_seconds, flops, best[2])


def half_matmul(target: CudaTarget, runs: int) -> None:
    import torch

    n = 4096
    rng = np.random.default_rng(16)
    a, b = (rng.standard_normal((n, n)).astype(np.float16) for _ in range(2))
    ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
    # cuBLAS sums f16 products in f32 on the tensor cores; so do we (schedules/matmul_f16.mlir).
    their_seconds, product = theirs(lambda: ta @ tb, runs)
    compiled = ziggurat.compile(matmul_text(n, "f16"), target=target)
    seconds, (got,) = ours(compiled._functions, [a, b], runs)
    expected = product.float().cpu().numpy()
    row(
        "matmul f16 4096 (f32 sums)",
        seconds,
        their_seconds,
        2.0 * n**3,
        largest_error(got, expected),
    )


def conv2d(target: CudaTarget, runs: int) -> None:
    import torch
    import torch.nn.functional as functional

    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
    w = rng.standard_normal((64, 64, 3, 3)).astype(np.float32)
    tx, tw = torch.from_numpy(x).cuda(), torch.from_numpy(w).cuda()
    their_seconds, result = theirs(lambda: functional.conv2d(tx, tw, padding=1), runs)
    compiled = ziggurat.compile(CONV2D, target=target)
    seconds, (got,) = ours(compiled._functions, [x, w], runs)
    flops = 2.0 * 64 * 64 * 9 * 56 * 56
    error = largest_error(got, result.cpu().numpy())
    row("conv2d 1x64x56x56 -> 64 3x3", seconds, their_seconds, flops, error)


class Resnet18:
    """ResNet-18 (torchvision's layout) with seeded random weights, written twice from one
    walk: as an ONNX graph for Ziggurat and as PyTorch calls, so that neither torchvision nor
    an ONNX exporter (each version of PyTorch has other ones) is needed on the GPU machine."""

    def __init__(self, seed: int = 18):
        self.rng = np.random.default_rng(seed)
        self.weights: dict[str, np.ndarray] = {}

    def parameter(self, name: str, shape: tuple[int, ...], scale: float, offset: float = 0.0):
        if name not in self.weights:  # drawn on the first walk, the same on the next
            values = offset + scale * self.rng.standard_normal(shape)
            self.weights[name] = values.astype(np.float32)
        return name

    def walk(self, ops: Any, x: Any) -> Any:
        """The network on `x` through `ops`' conv_bn, max_pool, add, relu and head."""
        x = ops.max_pool(self.conv_bn(ops, x, "conv1", 3, 64, 7, 2, relu=True))
        channels = 64
        for layer, width in enumerate((64, 128, 256, 512), 1):
            for block in range(2):
                stride = 2 if block == 0 and layer > 1 else 1
                name = f"layer{layer}.{block}"
                y = self.conv_bn(ops, x, f"{name}.conv1", channels, width, 3, stride, relu=True)
                y = self.conv_bn(ops, y, f"{name}.conv2", width, width, 3, 1, relu=False)
                if stride != 1 or channels != width:
                    x = self.conv_bn(ops, x, f"{name}.down", channels, width, 1, stride, False)
                x, channels = ops.relu(ops.add(y, x)), width
        weight = self.parameter("fc.weight", (1000, 512), (1 / 512) ** 0.5)
        return ops.head(x, weight, self.parameter("fc.bias", (1000,), 0.01))

    def conv_bn(
        self,
        ops: Any,
        x: Any,
        name: str,
        channels: int,
        filters: int,
        size: int,
        stride: int,
        relu: bool,
    ) -> Any:
        fan_in = channels * size * size
        weight = self.parameter(
            f"{name}.weight", (filters, channels, size, size), (2 / fan_in) ** 0.5
        )
        norm = [
            self.parameter(f"{name}.bn.{p}", (filters,), scale, offset)
            for p, scale, offset in (("gamma", 0.1, 0.7), ("beta", 0.1, 0.0), ("mean", 0.1, 0.0))
        ]
        variance = self.parameter(f"{name}.bn.var", (filters,), 0.1, 1.0)
        return ops.conv_bn(x, weight, *norm, variance, stride=stride, pad=size // 2, relu=relu)

    def onnx_model(self) -> Any:
        """The network as an ONNX model with input `input` (1x3x224x224) and output `logits`."""
        from onnx import TensorProto, helper, numpy_helper

        nodes: list[Any] = []

        class Graph:
            def node(self, op: str, inputs: list[str], **attributes: Any) -> str:
                output = f"{op.lower()}_{len(nodes)}"
                nodes.append(helper.make_node(op, inputs, [output], **attributes))
                return output

            def conv_bn(self, x: Any, *names: str, stride: int, pad: int, relu: bool) -> Any:
                weight, *norm = names  # gamma, beta, mean, variance
                y = self.node("Conv", [x, weight], strides=[stride] * 2, pads=[pad] * 4)
                y = self.node("BatchNormalization", [y, *norm], epsilon=1e-5)
                return self.relu(y) if relu else y

            def max_pool(self, x: str) -> str:
                return self.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)

            def add(self, x: str, y: str) -> str:
                return self.node("Add", [x, y])

            def relu(self, x: str) -> str:
                return self.node("Relu", [x])

            def head(self, x: str, weight: str, bias: str) -> str:
                x = self.node("Flatten", [self.node("GlobalAveragePool", [x])])
                return self.node("Gemm", [x, weight, bias], transB=1)

        self.walk(Graph(), "input")
        nodes[-1].output[0] = "logits"
        graph = helper.make_graph(
            nodes,
            "resnet18",
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])],
            [numpy_helper.from_array(value, name) for name, value in self.weights.items()],
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    def torch_call(self, device: str = "cuda") -> Any:
        """The same network as a call of PyTorch (cuDNN) on a tensor on `device`."""
        import torch
        import torch.nn.functional as functional

        weights = {name: torch.from_numpy(value).to(device) for name, value in self.weights.items()}

        class Calls:
            def conv_bn(self, x: Any, *names: str, stride: int, pad: int, relu: bool) -> Any:
                weight, gamma, beta, mean, variance = (weights[name] for name in names)
                y = functional.conv2d(x, weight, stride=stride, padding=pad)
                y = functional.batch_norm(y, mean, variance, gamma, beta, eps=1e-5)
                return functional.relu(y) if relu else y

            def max_pool(self, x: Any) -> Any:
                return functional.max_pool2d(x, 3, 2, 1)

            def add(self, x: Any, y: Any) -> Any:
                return x + y

            def relu(self, x: Any) -> Any:
                return functional.relu(x)

            def head(self, x: Any, weight: str, bias: str) -> Any:
                x = torch.flatten(functional.adaptive_avg_pool2d(x, 1), 1)
                return functional.linear(x, weights[weight], weights[bias])

        def call(x: Any) -> Any:
            with torch.no_grad():
                return self.walk(Calls(), x)

        return call


def resnet18(target: CudaTarget, runs: int, path: str | None) -> None:
    import onnx
    import torch

    x = np.random.default_rng(18).standard_normal((1, 3, 224, 224)).astype(np.float32)
    tx = torch.from_numpy(x).cuda()
    network = Resnet18()
    ours_too = path is None  # else another network's weights: timed, not checked
    if path is None:
        path = str(Path(tempfile.mkdtemp()) / "resnet18.onnx")
        onnx.save(network.onnx_model(), path)
    call = network.torch_call()
    their_seconds, result = theirs(lambda: call(tx), runs)
    expected = result.cpu().numpy() if ours_too else None
    start = time.perf_counter()
    compiled = ziggurat.compile(path, target=target, batch_size=1)
    print(f"  (compiled resnet18 in {time.perf_counter() - start:.1f} s)", flush=True)
    seconds, (got,) = ours(compiled._functions, [x], runs)
    error = largest_error(got, expected) if expected is not None else float("nan")
    row("resnet18 batch 1", seconds, their_seconds, 1.82e9 * 2, error)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="matmul 1024 only, then the rest")
    parser.add_argument("--resnet", help="an ONNX ResNet-18 (else exported with torchvision)")
    args = parser.parse_args()
    try:
        major, minor, sms = runtime.device_properties()
    except ZigguratError as error:
        print(f"no GPU to benchmark on: {error.message}")
        return 0
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: nothing to compare with")
        return 0
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    target = target_named(f"cuda{{arch=sm_{major}{minor}}}")
    print(f"GPU: {torch.cuda.get_device_name()} (sm_{major}{minor}, {sms} SMs), "
          f"backend {runtime.backend().name}, PyTorch {torch.__version__}")  # fmt: skip
    print(f"{'':44s} {'ziggurat':>9s} {'pytorch':>9s} {'ratio':>7s} {'GFLOP/s':>9s} {'error':>10s}")
    print(f"{'':44s} {'ms':>9s} {'ms':>9s}")
    sections = [
        lambda: matmuls(target, args.runs, args.quick),
        lambda: half_matmul(target, args.runs),
        lambda: conv2d(target, args.runs),
        lambda: resnet18(target, args.runs, args.resnet),
    ]
    for section in sections:
        try:
            section()
        except Exception as error:  # one failing row must not hide the others
            print(f"  failed: {type(error).__name__}: {error}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
