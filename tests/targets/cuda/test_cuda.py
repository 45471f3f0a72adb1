"""The CUDA target end to end: every kind of loop nest its default schedules serve, compiled
to PTX that ptxas assembles for sm_80 and sm_90 within the limits of a block (the matmul
kernel without local-memory spills), run against numpy on the emulator (tests/
gpu_emulator.py) everywhere and on the GPU where there is one; and what a call says where
there is no GPU, no driver or no package to reach it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from gpu_emulator import emulated_gpu, gpu_missing
from xdsl.dialects.builtin import IntegerType

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.reference import evaluate
from ziggurat.targets.cuda import CudaTarget, runtime
from ziggurat.targets.cuda.nvptx import KernelResources, parse_ptxas_report, ptxas
from ziggurat.targets.target import target_named

ARCHS = ("sm_80", "sm_90")
# Registers a multiprocessor has for the threads of its blocks.
REGISTERS = 65536


needs_gpu = pytest.mark.skipif(gpu_missing() is not None, reason=f"{gpu_missing()}")
needs_ptxas = pytest.mark.skipif(shutil.which("ptxas") is None, reason="ptxas is not on the PATH")


def workload(signature: str, result: str, body: str) -> str:
    return f"func.func @main({signature}) -> {result} {{\n{body}\n}}"


# Graph-level workloads, each a kind of nest the default schedules serve, at odd shapes.
WORKLOADS = {
    "matmul": workload(
        "%a: tensor<67x45xf32>, %b: tensor<45x53xf32>",
        "tensor<67x53xf32>",
        """  %y = graph.matmul %a, %b : (tensor<67x45xf32>, tensor<45x53xf32>) -> tensor<67x53xf32>
  func.return %y : tensor<67x53xf32>""",
    ),
    "dense_relu": workload(
        "%x: tensor<9x64xf32>, %w: tensor<64x40xf32>, %b: tensor<40xf32>",
        "tensor<9x40xf32>",
        """  %h = graph.dense %x, %w, %b : (tensor<9x64xf32>, tensor<64x40xf32>, tensor<40xf32>) -> tensor<9x40xf32>
  %y = graph.relu %h : tensor<9x40xf32>
  func.return %y : tensor<9x40xf32>""",
    ),
    "batch_matmul": workload(
        "%a: tensor<3x5x16xf32>, %b: tensor<3x16x7xf32>",
        "tensor<3x5x7xf32>",
        """  %y = graph.matmul %a, %b : (tensor<3x5x16xf32>, tensor<3x16x7xf32>) -> tensor<3x5x7xf32>
  func.return %y : tensor<3x5x7xf32>""",
    ),
    "conv2d": workload(
        "%x: tensor<2x8x13x13xf32>, %w: tensor<12x8x3x3xf32>, %b: tensor<12xf32>",
        "tensor<2x12x13x13xf32>",
        """  %c = graph.conv2d %x, %w, %b padding [1, 1, 1, 1] : (tensor<2x8x13x13xf32>, tensor<12x8x3x3xf32>, tensor<12xf32>) -> tensor<2x12x13x13xf32>
  %y = graph.relu %c : tensor<2x12x13x13xf32>
  func.return %y : tensor<2x12x13x13xf32>""",
    ),
    "depthwise_conv2d": workload(
        "%x: tensor<1x8x11x11xf32>, %w: tensor<8x1x3x3xf32>",
        "tensor<1x8x6x6xf32>",
        """  %y = graph.conv2d %x, %w strides [2, 2] padding [1, 1, 1, 1] groups 8 : (tensor<1x8x11x11xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  func.return %y : tensor<1x8x6x6xf32>""",
    ),
    "max_pool2d": workload(
        "%x: tensor<2x5x9x9xf32>",
        "tensor<2x5x4x4xf32>",
        """  %y = graph.max_pool2d %x kernel [3, 3] strides [2, 2] : (tensor<2x5x9x9xf32>) -> tensor<2x5x4x4xf32>
  func.return %y : tensor<2x5x4x4xf32>""",
    ),
    "global_avg_pool2d": workload(
        "%x: tensor<2x7x5x5xf32>",
        "tensor<2x7x1x1xf32>",
        """  %y = graph.global_avg_pool2d %x : (tensor<2x7x5x5xf32>) -> tensor<2x7x1x1xf32>
  func.return %y : tensor<2x7x1x1xf32>""",
    ),
    "softmax": workload(
        "%x: tensor<3x5x33xf32>",
        "tensor<3x5x33xf32>",
        """  %y = graph.softmax %x axis -1 : tensor<3x5x33xf32>
  func.return %y : tensor<3x5x33xf32>""",
    ),
    "dot": workload(  # a sum over every axis, a scalar: one kernel, then its store
        "%a: tensor<45xf32>, %b: tensor<45xf32>",
        "tensor<f32>",
        """  %y = graph.matmul %a, %b : (tensor<45xf32>, tensor<45xf32>) -> tensor<f32>
  func.return %y : tensor<f32>""",
    ),
    "layer_norm": workload(
        "%x: tensor<6x33xf32>, %g: tensor<33xf32>, %b: tensor<33xf32>",
        "tensor<6x33xf32>",
        """  %y = graph.layer_norm %x, %g, %b axis -1 : (tensor<6x33xf32>, tensor<33xf32>, tensor<33xf32>) -> tensor<6x33xf32>
  func.return %y : tensor<6x33xf32>""",
    ),
    "gelu": workload(
        "%x: tensor<7x100xf32>",
        "tensor<7x100xf32>",
        """  %t = graph.tanh %x : tensor<7x100xf32>
  %e = graph.erf %t : tensor<7x100xf32>
  %y = graph.mul %e, %x : (tensor<7x100xf32>, tensor<7x100xf32>) -> tensor<7x100xf32>
  func.return %y : tensor<7x100xf32>""",
    ),
    "matmul_integer": workload(  # int8 summed in int32, as matmul.mlir schedules floats
        "%a: tensor<67x45xi8>, %b: tensor<45x53xi8>",
        "tensor<67x53xi32>",
        """  %y = graph.matmul_integer %a, %b zero_points [0, 3] : (tensor<67x45xi8>, tensor<45x53xi8>) -> tensor<67x53xi32>
  func.return %y : tensor<67x53xi32>""",
    ),
    "conv_integer": workload(
        "%x: tensor<1x8x13x13xi8>, %w: tensor<12x8x3x3xi8>",
        "tensor<1x12x13x13xi32>",
        """  %y = graph.conv_integer %x, %w padding [1, 1, 1, 1] zero_points [2, 0] : (tensor<1x8x13x13xi8>, tensor<12x8x3x3xi8>) -> tensor<1x12x13x13xi32>
  func.return %y : tensor<1x12x13x13xi32>""",
    ),
    "sine_cosine_softplus": workload(  # expand-gpu-math's sin, cos and log1p
        "%x: tensor<5x60xf32>",
        "tensor<5x60xf32>",
        """  %s = graph.sin %x : tensor<5x60xf32>
  %c = graph.cos %x : tensor<5x60xf32>
  %p = graph.softplus %x : tensor<5x60xf32>
  %sc = graph.mul %s, %c : (tensor<5x60xf32>, tensor<5x60xf32>) -> tensor<5x60xf32>
  %y = graph.add %sc, %p : (tensor<5x60xf32>, tensor<5x60xf32>) -> tensor<5x60xf32>
  func.return %y : tensor<5x60xf32>""",
    ),
}


def inputs(module, seed: int = 0) -> list[np.ndarray]:
    function = next(op for op in module.ops if op.sym_name.data == "main")
    rng = np.random.default_rng(seed)
    return [
        rng.integers(-128, 128, t.get_shape()).astype(np.int8)
        if t.element_type == IntegerType(8)
        else rng.standard_normal(t.get_shape()).astype(np.float32)
        for t in function.function_type.inputs.data
    ]


@pytest.fixture(scope="module")
def compiled() -> dict[str, tuple]:
    """Each workload, compiled for sm_80, with its inputs and numpy's outputs."""
    found = {}
    for name, text in WORKLOADS.items():
        module = ziggurat.load_module(text)
        arrays = inputs(module)
        expected = evaluate(module, "main", arrays)
        found[name] = (ziggurat.compile(text, target="cuda{arch=sm_80}"), arrays, expected)
    return found


@pytest.mark.parametrize("name", WORKLOADS)
def test_the_kernels_compute_what_numpy_does(compiled, name):
    program, arrays, expected = compiled[name]
    with emulated_gpu(program._functions):
        got = program(*arrays)
    for y, want in zip(got, expected, strict=True):
        np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)
    assert np.ptp(expected[0]) > 1e-3 or expected[0].ndim == 0


@needs_gpu
@pytest.mark.parametrize("name", WORKLOADS)
def test_the_kernels_compute_on_the_gpu_what_numpy_does(name):
    text = WORKLOADS[name]
    module = ziggurat.load_module(text)
    arrays = inputs(module)
    got = ziggurat.compile(text, target="cuda")(*arrays)
    for y, want in zip(got, evaluate(module, "main", arrays), strict=True):
        np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)


@needs_ptxas
@pytest.mark.parametrize("arch", ARCHS)
def test_ptxas_assembles_every_kernel_within_a_blocks_limits(compiled, arch):
    target = CudaTarget(arch)
    for name, text in WORKLOADS.items():
        module = ziggurat.load_module(text)
        from ziggurat.pipeline import lower

        report = ptxas(target.emit(lower(module, "loop", target), "ptx"), arch)
        assert report, name
        for kernel, used in report.items():
            assert used.registers <= 255, (name, kernel, used)
            assert used.shared_bytes <= target.gpu.shared_memory_per_block, (name, kernel)


MATMUL = """
func.func @main(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %y = graph.matmul %a, %b : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  func.return %y : tensor<1024x1024xf32>
}
"""
# TVM's classic tile: 128 x 128 outputs a block, 16 x 4 a thread, A and B in shared memory.
LARGE_TILES = {
    "thread_rows": 16,
    "thread_columns": 4,
    "threads_y": 8,
    "threads_x": 32,
    "vector_width": 4,
    "k_tile": 8,
    "unroll": 8,
    "shared": 1,
    "transposed_b": 0,
}


def matmul_ptx(arch: str) -> str:
    from ziggurat.dialects.schedule import fix_knobs
    from ziggurat.passes.scheduling.apply_default_schedules import schedule
    from ziggurat.passes.scheduling.apply_schedule import apply_schedule
    from ziggurat.pipeline import lower

    target = CudaTarget(arch)
    module = lower(ziggurat.load_module(MATMUL), "te", target)
    from ziggurat.ir_io import pass_pipeline
    from ziggurat.registry import make_context

    pass_pipeline("te-inline,te-to-loop").apply(make_context(), module)
    root = next(op for op in module.walk() if op.name == "scf.for")
    apply_schedule(module, fix_knobs(schedule(target, "matmul.mlir"), LARGE_TILES), root=root)
    return target.emit(module, "ptx")


@needs_ptxas
@pytest.mark.parametrize("arch", ARCHS)
def test_the_matmul_kernel_keeps_its_tile_in_registers(arch, capsys):
    text = matmul_ptx(arch)
    # Vector loads from shared memory (A's rows, B's columns) and vector stores of C.
    assert "ld.shared.v4.b32" in text and "st.global.v4.b32" in text
    assert text.count("bar.sync") == 2
    (used,) = ptxas(text, arch).values()
    with capsys.disabled():
        print(f"\nmatmul 128x128 tile on {arch}: {used}")
    assert used.spill_stores == used.spill_loads == used.stack_bytes == 0
    # Two blocks of 256 threads fit a multiprocessor's registers.
    assert used.registers * 256 * 2 <= REGISTERS
    assert used.shared_bytes == 0  # dynamic: (128 + 128) x 8 floats at launch


def test_a_matmul_at_odd_sizes_is_one_kernel_its_tile_starting_at_zero():
    # The guard of the rows' tail (outer split) cuts off only rows past 67: the register
    # tile starts at the init value, no separate kernel zeroes C first.
    from ziggurat.pipeline import lower

    target = target_named("cuda{arch=sm_80}")
    module = lower(ziggurat.load_module(WORKLOADS["matmul"]), "loop", target)
    text = target.emit(module, "gpu")
    assert text.count("gpu.launch_func") == 1
    assert '"matmul.local.init"' in text and '"matmul.local.in"' not in text


def test_elementwise_kernels_load_and_store_vectors_where_rows_are_aligned():
    from ziggurat.pipeline import lower

    text = workload(
        "%x: tensor<64x1024xf32>, %y: tensor<64x1024xf32>",
        "tensor<64x1024xf32>",
        """  %z = graph.add %x, %y : (tensor<64x1024xf32>, tensor<64x1024xf32>) -> tensor<64x1024xf32>
  %r = graph.relu %z : tensor<64x1024xf32>
  func.return %r : tensor<64x1024xf32>""",
    )
    target = target_named("cuda{arch=sm_90}")
    ptx = target.emit(lower(ziggurat.load_module(text), "loop", target), "ptx")
    assert ptx.count("ld.global.nc.v4.b32") == 2 and ptx.count("st.global.v4.b32") == 1
    assert "ld.global.nc.b32" not in ptx


def test_ptxas_reports_are_read_per_kernel():
    report = """ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function 'k_0' for 'sm_90'
ptxas info    : Function properties for k_0
    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 40 registers, used 1 barriers, 2048 bytes smem
ptxas info    : Compiling entry function 'k_1' for 'sm_90'
ptxas info    : Used 12 registers, used 0 barriers
"""
    assert parse_ptxas_report(report) == {
        "k_0": KernelResources(40, 2048, 8, 4, 4),
        "k_1": KernelResources(12, 0, 0, 0, 0),
    }


# Without a GPU -----------------------------------------------------------------------------


def test_the_target_is_named_with_its_architecture():
    assert str(target_named("cuda{arch=sm_90}")) == "cuda{arch=sm_90}"
    assert target_named("cuda{arch=sm_90}").gpu.shared_memory_per_block == 227 * 1024
    with pytest.raises(ZigguratError, match="unknown GPU architecture 'sm_13'"):
        target_named("cuda{arch=sm_13}")


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("gpu", "gpu.launch_func @kernels::@fused_tanh_erf_mul_0 blocks in"),
        ("llvm", 'llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"'),
        ("llvm-ir", '!"kernel"'),
        ("ptx", ".target sm_90"),
    ],
)
def test_each_level_below_the_loop_level_prints(level, expected):
    from ziggurat.pipeline import lower

    target = target_named("cuda{arch=sm_90}")
    module = lower(ziggurat.load_module(WORKLOADS["gelu"]), "loop", target)
    assert expected in target.emit(module, level)


def test_a_call_without_a_driver_says_what_is_missing(compiled, monkeypatch):
    program, arrays, _ = compiled["gelu"]
    assert ".entry fused_tanh_erf_mul_0" in program._functions.ptx  # compiling needs no GPU
    monkeypatch.setattr(runtime, "backend", runtime.backend.__wrapped__)
    monkeypatch.setitem(runtime.BACKENDS, "cuda-bindings", broken_driver)
    monkeypatch.setitem(runtime.BACKENDS, "pycuda", no_package)
    with pytest.raises(ZigguratError, match="^error: cannot run on the GPU: no CUDA driver"):
        program(*arrays)


def test_a_call_without_a_package_says_which_to_install(compiled, monkeypatch):
    program, arrays, _ = compiled["gelu"]
    monkeypatch.setattr(runtime, "backend", runtime.backend.__wrapped__)
    monkeypatch.setitem(runtime.BACKENDS, "cuda-bindings", no_package)
    monkeypatch.setitem(runtime.BACKENDS, "pycuda", no_package)
    with pytest.raises(ZigguratError, match="pip install cuda-bindings"):
        program(*arrays)


def broken_driver():
    raise ZigguratError("cannot run on the GPU: no CUDA driver (libcuda.so.1 not found)")


def no_package():
    raise ImportError("No module named 'cuda'")


def test_compiling_needs_neither_a_gpu_nor_a_package_to_reach_one(tmp_path):
    script = tmp_path / "no_packages.py"
    script.write_text(
        "import sys\n"
        "sys.modules['cuda'] = sys.modules['pycuda'] = None  # neither can be imported\n"
        "import numpy as np, ziggurat\n"
        f"compiled = ziggurat.compile({WORKLOADS['gelu']!r}, target='cuda')\n"
        "print('.target sm_80' in compiled._functions.ptx)\n"
        "try:\n"
        "    compiled(np.zeros((7, 100), np.float32))\n"
        "except ziggurat.ZigguratError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True", f"error: {runtime.NO_PACKAGE}"]


def te_matmul(m: int, n: int, k: int, transposed: bool) -> str:
    """A matmul at the te level, B read as [k, j] or, transposed, as [j, k]."""
    b_shape = f"{n}x{k}" if transposed else f"{k}x{n}"
    read = "%b = te.read %B[%j, %k]" if transposed else "%b = te.read %B[%k, %j]"
    return f"""
func.func @main(%A: tensor<{m}x{k}xf32>, %B: tensor<{b_shape}xf32>) -> tensor<{m}x{n}xf32> {{
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = {k}]
         init 0.000000e+00 : f32 : (tensor<{m}x{k}xf32>, tensor<{b_shape}xf32>) -> tensor<{m}x{n}xf32> {{
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<{m}x{k}xf32>
    {read} : tensor<{b_shape}xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }}
  func.return %C : tensor<{m}x{n}xf32>
}}
"""


@pytest.mark.parametrize("transposed", [False, True], ids=["b", "transposed_b"])
def test_tiles_staged_in_shared_memory_by_all_threads_compute_the_product(transposed):
    from ziggurat.dialects.schedule import fix_knobs
    from ziggurat.ir_io import parse_module, pass_pipeline
    from ziggurat.passes.scheduling.apply_default_schedules import schedule
    from ziggurat.passes.scheduling.apply_schedule import apply_schedule
    from ziggurat.registry import make_context

    target = CudaTarget("sm_80")
    module = parse_module(te_matmul(61, 64, 40, transposed), "matmul")
    pass_pipeline("te-to-loop").apply(make_context(), module)
    knobs = {
        **LARGE_TILES,
        "thread_rows": 4,
        "threads_y": 4,
        "threads_x": 8,
        "transposed_b": int(transposed),
    }
    root = next(op for op in module.walk() if op.name == "scf.for")
    apply_schedule(module, fix_knobs(schedule(target, "matmul.mlir"), knobs), root=root)
    assert "loop.barrier" in str(module) and "#loop.scope<shared>" in str(module)
    program = target.compile(module)
    rng = np.random.default_rng(3)
    a = rng.standard_normal((61, 40)).astype(np.float32)
    b = rng.standard_normal((64, 40) if transposed else (40, 64)).astype(np.float32)
    with emulated_gpu(program):
        (c,) = program(a, b)
    np.testing.assert_allclose(c, a @ (b.T if transposed else b), rtol=1e-4, atol=1e-4)


@needs_ptxas
def test_a_half_precision_matmul_sums_in_single_precision():
    # benchmarks/gpu.py's f16 matmul: operands widened in the body, the sum kept in f32.
    text = te_matmul(96, 80, 72, transposed=False)
    text = text.replace("x72xf32>", "x72xf16>").replace("72x80xf32>", "72x80xf16>")
    text = text.replace(
        "%p = arith.mulf %a, %b : f32",
        "%a32 = arith.extf %a : f16 to f32\n    %b32 = arith.extf %b : f16 to f32\n"
        "    %p = arith.mulf %a32, %b32 : f32",
    )
    program = ziggurat.compile(text, target="cuda{arch=sm_80}")
    for used in ptxas(program._functions.ptx, "sm_80").values():
        assert used.spill_stores == used.stack_bytes == 0
    rng = np.random.default_rng(5)
    a = rng.standard_normal((96, 72)).astype(np.float16)
    b = rng.standard_normal((72, 80)).astype(np.float16)
    with emulated_gpu(program):
        (c,) = program(a, b)
    assert c.dtype == np.float32
    expected = a.astype(np.float32) @ b.astype(np.float32)
    np.testing.assert_allclose(c, expected, rtol=1e-4, atol=1e-4)


# The tuner's space ---------------------------------------------------------------------------


# Knob draws per workload: 3 in CI; more to hunt for bugs (ZIGGURAT_SCHEDULE_EXAMPLES=N).
EXAMPLES = int(os.environ.get("ZIGGURAT_SCHEDULE_EXAMPLES", "3"))


def scheduled(text: str, target: CudaTarget, choose, rejected=None):
    """The workload at the loop level, each nest scheduled by its default GPU schedule with
    the knob values `choose(file, knobs, defaults)` gives. A schedule the interpreter
    rejects raises, or, with a `rejected(error)`, must be rejected at its file, is passed
    to it, and its nest keeps its loops (as apply-default-schedules does)."""
    from xdsl.dialects import func
    from xdsl.dialects.builtin import StringAttr
    from xdsl.rewriter import Rewriter

    from ziggurat.analysis.nests import recognize
    from ziggurat.analysis.payload import is_stage_root
    from ziggurat.dialects.schedule import fix_knobs, knobs
    from ziggurat.ir_io import pass_pipeline
    from ziggurat.passes.scheduling.apply_default_schedules import NEST, schedule
    from ziggurat.passes.scheduling.apply_schedule import apply_schedule
    from ziggurat.pipeline import lower
    from ziggurat.registry import make_context

    module = lower(ziggurat.load_module(text), "te", target)
    pass_pipeline("te-inline,cse,dce,te-to-loop").apply(make_context(), module)
    functions = [f for f in module.ops if isinstance(f, func.FuncOp) and not f.is_declaration]
    for function in functions:
        roots = [op for op in function.body.block.ops if is_stage_root(op)]
        for number, root in enumerate(roots):
            root.attributes[NEST] = StringAttr(str(number))
        for number in range(len(roots)):
            root = next(
                o for o in function.walk() if o.attributes.get(NEST) == StringAttr(str(number))
            )
            nest = recognize(root, function)  # type: ignore[arg-type]
            plan = target.default_schedule(nest) if nest is not None else None
            if plan is None:
                continue
            space = schedule(target, plan[0])
            values = choose(plan[0], knobs(space), plan[1])
            backup = function.clone()
            try:
                apply_schedule(module, fix_knobs(space, values), root=root, target=target)
            except ZigguratError as error:
                if rejected is None:
                    raise
                assert error.where.startswith(f"targets/cuda/schedules/{plan[0]}:"), str(error)
                rejected(error)
                Rewriter.replace_op(function, backup)
                function = backup
    for op in module.walk():
        op.attributes.pop(NEST, None)
    return module


# A workload for each GPU schedule file.
RANDOM_KNOB_WORKLOADS = [
    "dense_relu",  # matmul.mlir
    "conv2d",
    "depthwise_conv2d",  # grouped_conv2d.mlir
    "max_pool2d",  # pool.mlir
    "global_avg_pool2d",  # reduction.mlir
    "softmax",
    "gelu",  # elementwise.mlir
]


@pytest.mark.parametrize("name", WORKLOADS)
def test_the_default_schedule_of_every_nest_applies(name):
    # apply-default-schedules leaves a nest whose schedule fails as it was (one thread a
    # block, silently): at the knobs knobs.py picks, none may fail.
    scheduled(WORKLOADS[name], CudaTarget("sm_80"), lambda file, space, defaults: defaults)


@pytest.mark.parametrize(
    ("name", "file"), [("matmul_integer", "matmul.mlir"), ("conv_integer", "conv2d.mlir")]
)
def test_integer_contractions_take_the_schedules_of_their_float_kinds(name, file):
    files: list[str] = []
    choose = lambda chosen, space, defaults: files.append(chosen) or defaults  # noqa: E731
    scheduled(WORKLOADS[name], CudaTarget("sm_80"), choose)
    assert files == [file]


@pytest.mark.slow
@pytest.mark.parametrize("name", RANDOM_KNOB_WORKLOADS)
def test_default_gpu_schedules_with_random_knobs_are_rejected_or_right(name):
    # What the tuner does: any knob values the schedule files allow, at odd shapes. A
    # choice the GPU cannot run (a copy with fewer elements than the block has threads,
    # too many threads, too much shared memory) is a one-line error naming the kernel when
    # the kernels are made; any other computes what numpy does.
    from hypothesis import HealthCheck, given, note, settings
    from hypothesis import strategies as st

    target = CudaTarget("sm_80")
    graph = ziggurat.load_module(WORKLOADS[name])
    arrays = inputs(graph)
    expected = evaluate(graph, "main", arrays)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(st.data())
    def property(data) -> None:
        def choose(file, space, defaults):
            values = {name: data.draw(st.sampled_from(options)) for name, options in space}
            note(f"{file}: {values}")
            return values

        module = scheduled(
            WORKLOADS[name], target, choose, lambda error: note(f"rejected: {error}")
        )
        try:
            program = target.compile(module)
        except ZigguratError as error:
            assert "\n" not in str(error) and "kernel '" in str(error), str(error)
            note(f"rejected when making kernels: {error}")
            return
        if shutil.which("ptxas") is not None:
            for kernel, used in ptxas(program.ptx, "sm_80").items():
                assert used.registers <= 255, (kernel, used)
        with emulated_gpu(program):
            got = program(*arrays)
        for value, want in zip(got, expected, strict=True):
            np.testing.assert_allclose(value, want, rtol=1e-4, atol=1e-4)

    property()


def test_a_constant_read_in_a_kernel_is_the_kernels_own():
    # (ONNX If branches with constants): the global is copied into the module of kernels.
    from ziggurat.ir_io import parse_module

    module = parse_module(
        """
"memref.global"() <{sym_name = "table", type = memref<4xf32>, initial_value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, sym_visibility = "private", constant}> : () -> ()
func.func @main(%c: i1, %A: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.if %c {
      %t = memref.get_global @table : memref<4xf32>
      %x = memref.load %t[%i] : memref<4xf32>
      memref.store %x, %A[%i] : memref<4xf32>
    }
  } {loop.axis = "i", loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}
""",
        "constant",
    )
    program = CudaTarget("sm_80").compile(module)
    if shutil.which("ptxas") is not None:
        assert ptxas(program.ptx, "sm_80")
    a = np.zeros(4, np.float32)
    with emulated_gpu(program):
        program.main(np.bool_(True), a)
    np.testing.assert_array_equal(a, [1, 2, 3, 4])
