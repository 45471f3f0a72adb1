"""targets/target.py: targets named with options wherever one is named, found through the
`ziggurat.targets` entry points (so an installed package adds one), each asked for its
passes, schedules, intrinsics, lowering and runtime."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module, pass_pipeline, print_module
from ziggurat.pipeline import lower
from ziggurat.registry import make_context
from ziggurat.targets.cpu import CpuTarget
from ziggurat.targets.target import target_classes, target_named

ROOT = Path(__file__).resolve().parents[2]


def test_a_target_is_named_with_options_and_prints_back():
    target = target_named("cpu{mcpu=znver2 vector-bits=256 threads=4}")
    assert isinstance(target, CpuTarget)
    assert (target.mcpu, target.vector_bits, target.threads) == ("znver2", 256, 4)
    assert str(target) == "cpu{mcpu=znver2 vector-bits=256 threads=4}"
    assert target_named(str(target)) == target
    assert str(target_named("cpu")) == "cpu"
    assert target_named(target) is target


@pytest.mark.parametrize(
    "spec, message",
    [
        ("tpu", "unknown target 'tpu', expected one of .*cpu"),
        ("cpu{colour=red}", "bad options for target 'cpu'"),
        ("cpu{threads=many}", "bad options for target 'cpu'"),
        ("cpu{", "malformed target"),
        ("cpu,cpu", "expected one name"),
        ("cpu{mcpu=pentium9000}", "LLVM does not know a CPU named 'pentium9000'"),
        ("cpu{mcpu=haswell vector-bits=512}", "vector-bits=512 is not a vector width"),
        ("cpu{threads=-2}", "threads=-2 must be positive"),
    ],
)
def test_a_bad_target_is_one_clear_error(spec: str, message: str):
    with pytest.raises(ZigguratError, match=message):
        target_named(spec)


def test_the_cpu_target_owns_its_choices():
    target = target_named("cpu")
    assert "pack-weights" in target.graph_passes()
    # Deep convolutions run blocked, by two vectors of channels: the host's vector width.
    assert "alter-conv-layout{block=16 " in target_named("cpu{mcpu=haswell}").graph_passes()
    avx512 = target_named("cpu{mcpu=skylake-avx512}").graph_passes()
    assert "alter-conv-layout{block=32 " in avx512
    assert target.lowering().endswith("loop-to-llvm")
    assert "vectorize-loops" in target.lowering()
    assert "matmul" in target.schedule_text("matmul.mlir")
    assert target.intrinsics() is None  # its vector loops come from vectorize, not tensorize
    assert target.levels == ("llvm", "llvm-ir", "asm")


def test_a_narrower_configuration_compiles_256_bit_code():
    module = ziggurat.load_module(ROOT / "examples" / "mlp.mlir")
    lower(module, "loop", "cpu{mcpu=haswell}")
    assembly = target_named("cpu{mcpu=haswell}").emit(module, "asm")
    assert "ymm" in assembly and "zmm" not in assembly


def test_time_reports_each_run():
    compiled = ziggurat.compile(ROOT / "examples" / "mlp.mlir", target="cpu{threads=1}")
    x = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
    times = target_named("cpu").time(compiled.main, [x], 5)
    assert len(times) == 5 and all(0 < t < 1 for t in times)


# A target another package ships: a module and an entry point in its distribution's
# metadata, found by importlib.metadata on sys.path like any installed package.
TOY = '''
from dataclasses import dataclass
from typing import ClassVar

from ziggurat.targets.cpu import CpuTarget


@dataclass(frozen=True)
class ToyTarget(CpuTarget):
    """The CPU under another name, without default schedules, with a library of its own."""

    name: ClassVar[str] = "toy"
    schedule_package: ClassVar[str | None] = "toy_target"

    def default_schedule(self, nest):
        return None
'''


def gemm4_library() -> str:
    """The te.intrinsic @gemm4 and its function, from the lit test of tensorize."""
    from xdsl.dialects import func
    from xdsl.dialects.builtin import ModuleOp

    from ziggurat.dialects.te import IntrinsicOp

    text = (ROOT / "lit_tests" / "apply-schedule" / "tensorize.mlir").read_text()
    ops = [
        op.clone()
        for op in parse_module(text).ops
        if isinstance(op, IntrinsicOp)
        or (isinstance(op, func.FuncOp) and op.sym_name.data == "gemm4_update")
    ]
    return print_module(ModuleOp(ops))


MATMUL = """
func.func @matmul(%A: tensor<8x12xf32>, %B: tensor<12x8xf32>) -> tensor<8x8xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 12] init 0.000000e+00 : f32 : (tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<8x8xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x12xf32>
    %b = te.read %B[%k, %j] : tensor<12x8xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<8x8xf32>
}
"""

SCHEDULE = """
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [4, 4] : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %ko, %ii, %ji : !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.tensorize %ii with @gemm4 : !transform.any_op
  transform.yield
}
"""


@pytest.fixture
def toy_target(tmp_path, monkeypatch):
    """Install a package `toy_target` declaring the target `toy` in its entry points."""
    package = tmp_path / "toy_target"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(TOY))
    (package / "intrinsics.mlir").write_text(gemm4_library())
    info = tmp_path / "toy_target-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-target\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[ziggurat.targets]\ntoy = toy_target:ToyTarget\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "toy"
    sys.modules.pop("toy_target", None)


def test_an_installed_package_adds_a_target(toy_target):
    assert "toy" in target_classes() and "cpu" in target_classes()
    compiled = ziggurat.compile(ROOT / "examples" / "mlp.mlir", target="toy{threads=1}")
    x = np.random.default_rng(1).standard_normal((4, 16)).astype(np.float32)
    reference = ziggurat.compile(ROOT / "examples" / "mlp.mlir")
    np.testing.assert_allclose(compiled(x)[0], reference(x)[0], rtol=1e-5, atol=1e-6)


def test_tensorize_finds_the_targets_intrinsics(toy_target, tmp_path):
    schedule = tmp_path / "schedule.mlir"
    schedule.write_text(SCHEDULE)
    module = parse_module(MATMUL)
    pass_pipeline(f"te-to-loop,apply-schedule{{file={schedule} target=toy}}").apply(
        make_context(), module
    )
    assert "func.call @gemm4_update" in print_module(module)
    with pytest.raises(ZigguratError, match="there is no te.intrinsic @gemm4"):
        pass_pipeline(f"te-to-loop,apply-schedule{{file={schedule}}}").apply(
            make_context(), parse_module(MATMUL)
        )
    compiled = ziggurat.compile(module, target="toy")
    rng = np.random.default_rng(2)
    a = rng.standard_normal((8, 12)).astype(np.float32)
    b = rng.standard_normal((12, 8)).astype(np.float32)
    np.testing.assert_allclose(compiled.matmul(a, b)[0], a @ b, rtol=1e-5, atol=1e-5)
