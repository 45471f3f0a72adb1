"""The `ziggurat` driver: `run` checks the bundled MLP against numpy and reports latency,
`compile --emit` prints each level, and user mistakes exit 2 with file:line:col."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ziggurat.tools.ziggurat import main

ROOT = Path(__file__).resolve().parents[2]
MLP = str(ROOT / "examples" / "mlp.mlir")


def test_run_checks_the_example_against_numpy_and_reports_latency(capsys):
    assert main(["run", MLP, "--repeat", "3"]) == 0
    out = capsys.readouterr().out
    assert "output 0 [4, 10]" in out and "vs numpy: ok" in out
    assert "latency: ziggurat" in out and "median of 3" in out


def test_run_fails_when_the_compiled_code_disagrees(capsys, monkeypatch):
    import ziggurat.reference as reference

    real = reference.evaluate
    monkeypatch.setattr(reference, "evaluate", lambda *a: [x + 1 for x in real(*a)])
    assert main(["run", MLP, "--repeat", "1"]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_timings_print_each_pass_on_stderr_as_mlir_does(capsys):
    assert main(["run", MLP, "--repeat", "1", "--timings", "--no-cache"]) == 0
    captured = capsys.readouterr()
    assert "Execution time report" in captured.err and "Execution time" not in captured.out
    for phase in ("import", "fuse-ops", "apply-default-schedules", "cpu code", "llvm optimize"):
        assert phase in captured.err
    assert "----User Time----  ----Wall Time----" in captured.err


def test_run_loads_a_model_compiled_before_unless_told_not_to(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path))
    assert main(["run", MLP, "--repeat", "1", "--no-cache"]) == 0
    assert not list(tmp_path.iterdir())
    assert main(["run", MLP, "--repeat", "1"]) == 0
    assert list(tmp_path.iterdir())
    assert main(["run", MLP, "--repeat", "1", "--timings"]) == 0
    err = capsys.readouterr().err
    assert "load from cache" in err and "fuse-ops" not in err.split("Execution")[-1]


def test_the_progress_bar_shows_the_phase_and_the_units_built():
    from ziggurat.tools.ziggurat import ProgressBar

    bar = ProgressBar(delay=3600)  # never shown here: only its state
    bar("apply-default-schedules", 0, 0)
    bar("units", 3, 29)
    bar("load", 0, 0)
    assert bar.state == ("load", 3, 29)
    bar.show()
    assert bar.bar is not None
    bar.close()
    assert bar.bar is None


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    assert main(["run", MLP, "--repeat", "1"]) == 0
    assert "━" not in capsys.readouterr().err


# What `compile --emit` prints at each level: an op of the level, and text of the level above
# that must be gone.
LEVELS = [
    ("graph", "graph.dense", "te.compute"),
    ("te", "te.compute", "graph."),
    ("loop", "scf.for", "= te.compute"),  # loops may keep te.compute as a tag
    ("llvm", "llvm.func", "scf.for"),
]


@pytest.mark.parametrize(
    "level, marker, absent",
    [*LEVELS, ("llvm-ir", "define ", "llvm.func"), ("asm", "vfmadd", "define ")],
)
def test_compile_emits_each_level(capsys, level, marker, absent):
    assert main(["compile", MLP, "--emit", level]) == 0
    text = capsys.readouterr().out
    assert marker in text and absent not in text


def test_compile_and_run_take_a_target_with_options(capsys):
    # An AVX2 CPU's code (runs wherever AVX2 does): 8 lanes of f32, no 512-bit registers.
    assert main(["compile", MLP, "--target", "cpu{mcpu=haswell}", "--emit", "asm"]) == 0
    assembly = capsys.readouterr().out
    assert "ymm" in assembly and "zmm" not in assembly
    assert main(["compile", MLP, "--target", "cpu{mcpu=haswell}", "--emit", "loop"]) == 0
    assert "#loop.vectorize<8>" in capsys.readouterr().out
    assert main(["run", MLP, "--target", "cpu{mcpu=haswell threads=1}", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "for cpu{mcpu=haswell threads=1}" in out and "vs numpy: ok" in out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["run", MLP, "--target", "tpu"], "error: unknown target 'tpu', expected one of"),
        (["compile", MLP, "--target", "cpu{mcpu=nope}"], "LLVM does not know a CPU named 'nope'"),
        (["compile", MLP, "--emit", "ptx"], "unknown level 'ptx' for target cpu, expected"),
    ],
)
def test_a_bad_target_or_level_is_one_line_and_exit_2(capsys, arguments, message):
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_compile_writes_to_a_file(tmp_path, capsys):
    target = tmp_path / "mlp.loop.mlir"
    assert main(["compile", MLP, "--emit", "loop", "-o", str(target)]) == 0
    assert "scf.for" in target.read_text() and capsys.readouterr().out == ""


BAD = {
    "type_mismatch.mlir": (
        "func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %y = graph.relu %x : tensor<5xf32>\n"
        "  func.return %y : tensor<4xf32>\n"
        "}\n",
        ":2:19: error:",
    ),
    "unknown_op.mlir": (
        "func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %y = graph.frob %x : tensor<4xf32>\n"
        "  func.return %y : tensor<4xf32>\n"
        "}\n",
        ":2:8: error: unknown operation 'graph.frob'",
    ),
    "verifier.mlir": (
        "func.func @main(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {\n"
        "  %y = graph.dense %a, %b : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>\n"
        "  func.return %y : tensor<2x4xf32>\n"
        "}\n",
        ":2:8: error: graph.dense contracts 3 with 2 elements",
    ),
}


@pytest.mark.parametrize("command", ["run", "compile"])
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_located_error_and_exit_2(tmp_path, capsys, command, name):
    text, expected = BAD[name]
    path = tmp_path / name
    path.write_text(text)
    assert main([command, str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}{expected}" in captured.err
    assert "Traceback" not in captured.err and len(captured.err.strip().splitlines()) == 1


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["run", str(tmp_path / "absent.mlir")]) == 2
    assert "no such file" in capsys.readouterr().err


# ONNX models ---------------------------------------------------------------------------------


@pytest.fixture
def mlp_onnx(tmp_path) -> str:
    """The test MLP with a dynamic batch dimension, saved as a .onnx file."""
    import onnx
    from testing_models import mlp

    path = tmp_path / "mlp.onnx"
    onnx.save(mlp(), str(path))
    return str(path)


def test_run_checks_an_onnx_model_against_onnxruntime(capsys, mlp_onnx):
    assert main(["run", mlp_onnx, "--batch", "3", "--repeat", "3", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "output 0 [3, 10]" in out and "vs onnxruntime: ok" in out
    assert "latency: ziggurat" in out and "onnxruntime" in out.splitlines()[-1]
    assert "ratio onnxruntime/ziggurat" in out and "median of 3" in out


def test_run_falls_back_to_numpy_without_onnxruntime(capsys, monkeypatch, mlp_onnx):
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails
    assert main(["run", mlp_onnx, "--batch", "2", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "vs numpy: ok" in out and "onnxruntime" not in out


def test_run_reports_a_mismatch_with_onnxruntime(capsys, monkeypatch, mlp_onnx):
    import ziggurat.tools.ziggurat as driver

    real = driver.onnxruntime_session

    def shifted(*args):
        run = real(*args)
        return lambda: [x + 1 for x in run()]

    monkeypatch.setattr(driver, "onnxruntime_session", shifted)
    assert main(["run", mlp_onnx, "--batch", "2", "--repeat", "1"]) == 1
    assert "vs onnxruntime: MISMATCH" in capsys.readouterr().out


@pytest.mark.parametrize("level, marker, absent", LEVELS)
def test_compile_emits_each_level_of_an_onnx_model(capsys, mlp_onnx, level, marker, absent):
    assert main(["compile", mlp_onnx, "--batch", "2", "--emit", level]) == 0
    text = capsys.readouterr().out
    assert marker in text and absent not in text
    if level == "graph":
        assert 'onnx.name = "input"' in text and "tensor<2x16xf32>" in text


def onnx_file(
    tmp_path,
    name: str,
    opset: int = 17,
    op_type: str = "Relu",
    dims=("N", 3),
    element: int = 1,  # FLOAT
    **attributes,
) -> str:
    import onnx
    from onnx import helper

    graph = helper.make_graph(
        [helper.make_node(op_type, ["x"], ["y"], name="n1", **attributes)],
        "g",
        [helper.make_tensor_value_info("x", element, list(dims))],
        [helper.make_tensor_value_info("y", element, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    path = tmp_path / name
    onnx.save(model, str(path))
    return str(path)


def truncated(tmp_path) -> tuple[str, list[str]]:
    path = onnx_file(tmp_path, "whole.onnx")
    data = Path(path).read_bytes()
    cut = tmp_path / "truncated.onnx"
    cut.write_bytes(data[: len(data) // 2])
    return str(cut), [f"cannot read ONNX model '{cut}'"]


BAD_ONNX = {
    "truncated": truncated,
    "dynamic": lambda tmp: (
        onnx_file(tmp, "dynamic.onnx"),
        ["input 'x' has a dynamic batch dimension 0 ('N'): give a batch size"],
    ),
    "opset": lambda tmp: (
        onnx_file(tmp, "opset.onnx", opset=5, dims=(2, 3)),
        ["opset 5 is not supported"],
    ),
    "operator": lambda tmp: (
        onnx_file(tmp, "operator.onnx", op_type="Hardmax", dims=(2, 3)),
        ["node 'n1' (Hardmax): error: operator not supported"],
    ),
    "missing": lambda tmp: (str(tmp / "absent.onnx"), ["no such file"]),
    "attribute_value": lambda tmp: (
        onnx_file(tmp, "gelu.onnx", opset=20, op_type="Gelu", dims=(2, 3), approximate="erf"),
        ["node 'n1' (Gelu): error: approximate 'erf' is not supported"],
    ),
    "bfloat16": lambda tmp: (
        onnx_file(tmp, "bfloat16.onnx", dims=(2, 3), element=16),  # BFLOAT16
        ["input 'x' of element type bfloat16 is not supported"],
    ),
}


@pytest.mark.parametrize("command", ["run", "compile"])
@pytest.mark.parametrize("name", sorted(BAD_ONNX))
def test_bad_onnx_input_is_one_error_line_and_exit_2(tmp_path, capsys, command, name):
    path, expected = BAD_ONNX[name](tmp_path)
    assert main([command, path]) == 2
    captured = capsys.readouterr()
    assert all(text in captured.err for text in expected), captured.err
    assert "Traceback" not in captured.err and len(captured.err.strip().splitlines()) == 1
    assert captured.out == ""


def test_run_checks_an_unsigned_integer_model_against_onnxruntime(tmp_path, capsys):
    path = onnx_file(tmp_path, "uint8.onnx", op_type="Abs", dims=(3, 37), element=2)  # UINT8
    assert main(["run", path, "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "output 0 [3, 37]" in out and "vs onnxruntime: ok" in out


def test_errors_are_measured_against_the_output_scale(capsys):
    from ziggurat.tools.ziggurat import report

    # A large output whose small element differs in its last bits: ok.
    want = np.array([3e6, 1e-3, -2e6], np.float32)
    got = want + np.array([0.25, 0.25, 0.0], np.float32)
    assert report(0, got, want, "onnxruntime")
    assert "max abs error 2.50e-01, max rel error 8.33e-08" in capsys.readouterr().out
    # An error of 1% of the scale, a NaN where the reference has a number, or a missing
    # infinity: mismatches. NaN and infinity where the reference has them: ok.
    assert not report(0, want * np.float32(1.01), want, "onnxruntime")
    assert not report(0, np.array([np.nan, 1.0]), np.array([0.0, 1.0]), "onnxruntime")
    assert not report(0, np.array([1.0, 1.0]), np.array([np.inf, 1.0]), "onnxruntime")
    assert report(0, np.array([np.nan, np.inf]), np.array([np.nan, np.inf]), "onnxruntime")


def test_the_accelerator_runs_a_quantized_model_exactly(capsys, tmp_path):
    import onnx
    from testing_quantized import network

    path = str(tmp_path / "quantized.onnx")
    onnx.save(network(), path)
    assert main(["compile", path, "--target", "accel", "--emit", "accel"]) == 0
    stream = capsys.readouterr().out
    assert "accel.program tile 16" in stream and "accel.push load to compute" in stream
    trace = str(tmp_path / "trace.json")
    assert main(["run", path, "--target", "accel", "--trace", trace]) == 0
    out = capsys.readouterr().out
    import json

    events = json.loads(Path(trace).read_text())["traceEvents"]
    assert {e["args"]["run"] for e in events if e["ph"] == "X"} == {0, 1}
    assert "accelerator: 2 program run(s)" in out and "compute utilization" in out
    assert "note: fused_conv_integer_requantize_1 runs on cpu" in out
    assert "0 elements differ (exactly compared) vs onnxruntime: ok" in out


@pytest.mark.parametrize("tool", ["ziggurat", "ziggurat-opt"])
def test_a_reader_that_stops_early_gets_no_traceback(tool):
    """`ziggurat compile m --emit llvm-ir | head -1`: the reader has gone when the tool
    writes (it closes the pipe before the tool has parsed its input)."""
    import subprocess
    import sys

    arguments = ["compile", MLP, "--emit", "llvm-ir"] if tool == "ziggurat" else [MLP]
    code = (
        f"import sys; from ziggurat.tools.{tool.replace('-', '_')} import main; "
        f"sys.exit(main({arguments!r}))"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.close()
    errors = writer.stderr.read().decode()
    assert writer.wait(timeout=120) == 141, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors
