"""The `ziggurat` driver: `run` checks the bundled MLP against numpy and reports latency,
`compile --emit` prints each level, and user mistakes exit 2 with file:line:col."""

from __future__ import annotations

from pathlib import Path

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
    import ziggurat.targets.reference as reference

    real = reference.evaluate
    monkeypatch.setattr(reference, "evaluate", lambda *a: [x + 1 for x in real(*a)])
    assert main(["run", MLP, "--repeat", "1"]) == 1
    assert "MISMATCH" in capsys.readouterr().out


@pytest.mark.parametrize(
    "level, marker, absent",
    [
        ("graph", "graph.dense", "te.compute"),
        ("te", "te.compute", "graph."),
        ("loop", "scf.for", "te.compute"),
        ("llvm", "llvm.func", "scf.for"),
        ("llvm-ir", "define ", "llvm.func"),
    ],
)
def test_compile_emits_each_level(capsys, level, marker, absent):
    assert main(["compile", MLP, "--emit", level]) == 0
    text = capsys.readouterr().out
    assert marker in text and absent not in text


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
