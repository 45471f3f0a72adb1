"""ziggurat-opt: pipelines, printing, split input, diagnostics, and errors without tracebacks."""

import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from ziggurat.diagnostics import ZigguratError
from ziggurat.registry import all_passes
from ziggurat.tools import ziggurat_opt
from ziggurat.tools.ziggurat_opt import expectations, main, split_input

DOUBLE = """\
func.func @double(%a: f32) -> f32 {
  %b = arith.addf %a, %a : f32
  %c = arith.addf %a, %a : f32
  %d = arith.mulf %b, %c : f32
  func.return %d : f32
}
"""

TE_AXES_ERROR = """\
func.func @f(%X: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%i: index):
    %c = arith.constant 0.000000e+00 : f32
    te.yield %c : f32
  }
  func.return %Y : tensor<4x4xf32>
}
"""


@pytest.fixture(autouse=True)
def in_tmp_path(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # so errors name the input as plain `input.mlir`


def run(capsys, tmp_path: Path, text: str, *args: str) -> tuple[int, str, str]:
    """Run main() on `text` saved as input.mlir; (exit code, stdout, stderr)."""
    (tmp_path / "input.mlir").write_text(text)
    code = main(["input.mlir", *args])
    out, err = capsys.readouterr()
    return code, out, err


# Pipelines and printing -----------------------------------------------------------------


def test_pipeline_runs_passes_in_order(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, DOUBLE, "-p", "cse,canonicalize")
    assert (code, err) == (0, "")
    assert out.count("arith.addf") == 1
    assert "arith.mulf %b, %b" in out


def test_without_passes_the_input_is_printed_back(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path, DOUBLE)
    assert code == 0
    assert out.count("arith.addf") == 2


def test_pass_options_in_braces(capsys, tmp_path):
    _, fast, _ = run(capsys, tmp_path, DOUBLE, "-p", "arith-add-fastmath{flags=fast}")
    _, none, _ = run(capsys, tmp_path, DOUBLE, "-p", "arith-add-fastmath{flags=none}")
    assert "fastmath<fast>" in fast
    assert "fastmath<fast>" not in none


def test_generic_printing(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path, DOUBLE, "--print-op-generic")
    assert code == 0
    assert '"arith.addf"(%a, %a)' in out
    assert '"func.func"()' in out


def test_print_ir_after_all_goes_to_stderr(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, DOUBLE, "-p", "cse,dce", "--print-ir-after-all")
    assert code == 0
    assert "IR Dump" not in out
    after_cse = err.index("// -----// IR Dump After cse //----- //")
    after_dce = err.index("// -----// IR Dump After dce //----- //")
    assert after_cse < after_dce
    assert err[after_cse:after_dce].count("arith.addf") == 1


def test_print_ir_before_all(capsys, tmp_path):
    _, _, err = run(capsys, tmp_path, DOUBLE, "-p", "cse", "--print-ir-before-all")
    dump = err.split("// -----// IR Dump Before cse //----- //")[1]
    assert dump.count("arith.addf") == 2


def test_print_between_passes_goes_to_stderr(capsys, tmp_path):
    _, out, err = run(capsys, tmp_path, DOUBLE, "-p", "cse,dce", "--print-between-passes")
    assert "IR after cse:" in err
    assert "IR after dce:" not in err  # xDSL prints only between two passes
    assert "IR after" not in out


def test_time_passes_goes_to_stderr(capsys, tmp_path):
    _, out, err = run(capsys, tmp_path, DOUBLE, "-p", "cse,canonicalize", "--time-passes")
    assert "Execution time report" in err
    assert "Execution time report" not in out
    names = [line.split()[-1] for line in err.splitlines() if "%)" in line]
    assert names == ["parser", "verifier", "cse", "canonicalize", "output", "total"]


def test_output_file(capsys, tmp_path):
    output = tmp_path / "out.mlir"
    code, out, _ = run(capsys, tmp_path, DOUBLE, "-p", "cse", "-o", str(output))
    assert code == 0 and out == ""
    assert output.read_text().count("arith.addf") == 1


@pytest.mark.parametrize("args", [[], ["-"]])
def test_reads_stdin(capsys, monkeypatch, args):
    monkeypatch.setattr(sys, "stdin", io.StringIO(DOUBLE))
    assert main([*args, "-p", "cse"]) == 0
    assert capsys.readouterr().out.count("arith.addf") == 1


def test_stdin_errors_name_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("func.func @f() {\n  %x = nope.op\n}\n"))
    assert main([]) == 1
    assert capsys.readouterr().err.startswith("<stdin>:2:8: error: unknown dialect 'nope'")


# Split input ----------------------------------------------------------------------------


def test_split_input_keeps_line_numbers():
    chunks = split_input("a\n// -----\nb\nc\n  // ----- note\nd\n")
    assert chunks == ["a\n", "\n\nb\nc\n", "\n\n\n\n\nd\n"]


def test_split_input_file_prints_each_chunk(capsys, tmp_path):
    text = DOUBLE + "\n// -----\n\n" + DOUBLE
    code, out, _ = run(capsys, tmp_path, text, "--split-input-file", "-p", "cse")
    assert code == 0
    first, second = out.split("// -----\n")
    assert first.count("arith.addf") == second.count("arith.addf") == 1


def test_split_input_file_reports_errors_at_file_lines(capsys, tmp_path):
    text = DOUBLE + "// -----\n" + TE_AXES_ERROR
    code, out, err = run(capsys, tmp_path, text, "--split-input-file")
    assert code == 1
    assert "@double" in out  # the good chunk is still printed
    assert f"input.mlir:{DOUBLE.count(chr(10)) + 3}:8: error: te.compute has 1 axes" in err


# Verify diagnostics ---------------------------------------------------------------------


def test_expectation_placements():
    text = (
        "op  // expected-error {{same}}\n"
        "// expected-error@+2 {{plus}}\n"
        "// expected-error@below {{below}}\n"
        "op\n"
        "// expected-error@-4 {{minus}}\n"
        "// expected-error@above {{above}}\n"
    )
    found = {e.text: e.line for e in expectations(text)}
    assert found == {"same": 1, "plus": 4, "below": 4, "minus": 1, "above": 4}


def test_verify_diagnostics_matched(capsys, tmp_path):
    text = TE_AXES_ERROR.replace(
        "  %Y = te.compute",
        "  // expected-error@+1 {{has 1 axes but its output has rank 2}}\n  %Y = te.compute",
    )
    code, _, err = run(capsys, tmp_path, text, "--verify-diagnostics")
    assert (code, err) == (0, "")


def test_verify_diagnostics_on_a_loop_attribute(capsys, tmp_path):
    text = (
        "// expected-error@+1 {{vector width must be a power of two, got 3}}\n"
        '"test.op"() {loop.annotations = [#loop.vectorize<3>]} : () -> ()\n'
    )
    assert run(capsys, tmp_path, text, "--verify-diagnostics")[0] == 0


def test_verify_diagnostics_wrong_line(capsys, tmp_path):
    text = TE_AXES_ERROR.replace(
        "  %Y = te.compute", "  // expected-error@+2 {{has 1 axes}}\n  %Y = te.compute"
    )
    code, _, err = run(capsys, tmp_path, text, "--verify-diagnostics")
    assert code == 1
    assert "input.mlir:3:8: error: unexpected error: te.compute has 1 axes" in err
    assert 'input.mlir:2:6: error: expected error "has 1 axes" was not produced' in err


def test_verify_diagnostics_wrong_message(capsys, tmp_path):
    text = TE_AXES_ERROR.replace(
        "  %Y = te.compute", "  // expected-error@+1 {{has 2 axes}}\n  %Y = te.compute"
    )
    code, _, err = run(capsys, tmp_path, text, "--verify-diagnostics")
    assert code == 1
    assert "unexpected error" in err and "was not produced" in err


def test_verify_diagnostics_missing_error(capsys, tmp_path):
    text = "// expected-error@+1 {{something}}\n" + DOUBLE
    code, _, err = run(capsys, tmp_path, text, "--verify-diagnostics")
    assert code == 1
    assert 'input.mlir:1:4: error: expected error "something" was not produced' in err


def test_verify_diagnostics_per_chunk(capsys, tmp_path):
    good = DOUBLE.replace("@double", "@good")
    bad = "// expected-error@+1 {{unknown dialect 'nope'}}\n%x = nope.op : i32\n"
    text = f"{good}// -----\n{bad}// -----\n{DOUBLE}"
    code, out, err = run(capsys, tmp_path, text, "--verify-diagnostics", "--split-input-file")
    assert (code, err) == (0, "")
    assert "@good" in out and "@double" in out


# Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("func.func @f() {\n  %x = \n}\n", "input.mlir:3:1: error: "),
        ("func.func @f() {\n  %x = nope.op\n}\n", "input.mlir:2:8: error: unknown dialect 'nope'"),
        (
            "func.func @f() {\n  arith.nope\n}\n",
            "input.mlir:2:3: error: unknown operation 'arith.nope'",
        ),
        ("func.func @f(%a: !nope.t) {\n}\n", "input.mlir:1:18: error: unknown type '!nope.t'"),
        (TE_AXES_ERROR, "input.mlir:2:8: error: te.compute has 1 axes but its output has rank 2"),
        (
            '"test.op"() {a = #loop.unroll<0>} : () -> ()',
            "input.mlir:1:18: error: unroll factor must be positive, got 0",
        ),
    ],
    ids=["malformed", "dialect", "operation", "type", "verifier", "attribute"],
)
def test_user_errors_are_located(capsys, tmp_path, text, expected):
    code, out, err = run(capsys, tmp_path, text)
    assert code == 1
    assert out == ""
    assert err.startswith(expected)
    assert "Traceback" not in err


def test_error_shows_source_line_and_caret(capsys, tmp_path):
    _, _, err = run(capsys, tmp_path, TE_AXES_ERROR)
    _, line, caret = err.splitlines()[:3]
    assert line == TE_AXES_ERROR.splitlines()[1]
    assert caret == "       ^"


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        ("cse,nope", "error: unknown pass 'nope'\n"),
        ("arith-add-fastmath{bogus=1}", "error: bad options for pass 'arith-add-fastmath'"),
        ("cse{", "error: malformed pass pipeline"),
    ],
)
def test_pipeline_errors(capsys, tmp_path, pipeline, expected):
    code, out, err = run(capsys, tmp_path, DOUBLE, "-p", pipeline)
    assert code == 1
    assert out == ""
    assert err.startswith(expected)


def test_missing_input_file(capsys, tmp_path):
    assert main([str(tmp_path / "absent.mlir")]) == 1
    assert "error: cannot open input file" in capsys.readouterr().err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("ziggurat-opt built on xdsl version 0.74")


def test_usage_error_exits_2(capsys):
    assert main(["--no-such-flag"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@dataclass(frozen=True)
class RaisingPass(ModulePass):
    """Fails the way a pass may: a user error at an op, an xDSL diagnostic, or a bug."""

    name = "test-raise"

    kind: str = "user"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        function = next(o for o in op.walk() if isinstance(o, func.FuncOp))
        if self.kind == "user":
            raise ZigguratError("cannot lower this function", function)
        if self.kind == "diagnostic":
            raise PassFailedException("no good")
        raise RuntimeError("a bug")


@pytest.fixture
def raising_pass(monkeypatch):
    monkeypatch.setattr(
        ziggurat_opt, "all_passes", lambda: {**all_passes(), "test-raise": lambda: RaisingPass}
    )


def test_error_raised_in_a_pass(capsys, tmp_path, raising_pass):
    code, out, err = run(capsys, tmp_path, DOUBLE, "-p", "cse,test-raise")
    assert code == 1 and out == ""
    assert err.startswith("input.mlir:1:1: error: cannot lower this function\n")


def test_error_raised_in_a_pass_with_verify_diagnostics(capsys, tmp_path, raising_pass):
    text = "// expected-error@+1 {{cannot lower}}\n" + DOUBLE
    assert run(capsys, tmp_path, text, "-p", "test-raise", "--verify-diagnostics")[0] == 0


def test_xdsl_diagnostic_raised_in_a_pass(capsys, tmp_path, raising_pass):
    code, _, err = run(capsys, tmp_path, DOUBLE, "-p", "test-raise{kind=diagnostic}")
    assert code == 1
    assert err.startswith("error: test-raise: no good")


def test_bugs_keep_their_traceback(tmp_path, raising_pass):
    path = tmp_path / "input.mlir"
    path.write_text(DOUBLE)
    with pytest.raises(RuntimeError, match="a bug"):
        main([str(path), "-p", "test-raise{kind=bug}"])


# The installed command ------------------------------------------------------------------


def installed_tool() -> str:
    found = shutil.which("ziggurat-opt", path=os.path.dirname(sys.executable))
    found = found or shutil.which("ziggurat-opt")
    assert found, "ziggurat-opt is not installed: pip install -e ."
    return found


def test_installed_command_runs_a_pipeline_on_stdin():
    result = subprocess.run(
        [installed_tool(), "-p", "cse"], input=DOUBLE, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("arith.addf") == 1


def test_installed_command_reports_errors_without_traceback(tmp_path):
    path = tmp_path / "bad.mlir"
    path.write_text(TE_AXES_ERROR)
    result = subprocess.run([installed_tool(), str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:2:8: error: te.compute has 1 axes")
    assert "Traceback" not in result.stderr


def test_installed_command_reports_an_unterminated_string_quickly(tmp_path):
    # xDSL's string-literal pattern backtracked exponentially along the rest of the line.
    path = tmp_path / "schedule.mlir"
    path.write_text(
        "transform.named_sequence @__transform_main(%copy: !transform.any_op) {\n"
        '  %i," %j = transform.schedule.get_loops %copy : (!transform.any_op) -> '
        "(!transform.any_op, !transform.any_op)\n"
        "  transform.yield\n"
        "}\n"
    )
    result = subprocess.run(
        [installed_tool(), str(path)], capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:2:6: error: unterminated string\n")
    assert "Traceback" not in result.stderr
