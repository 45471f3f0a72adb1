"""`ziggurat tune` (tuner/command.py): the report, the plot, and bad input: one clear line,
exit code 2, and nothing already in the log overwritten."""

from __future__ import annotations

import json

import pytest
from tuning_models import TARGET

from ziggurat.tools.ziggurat import main

FAST = ["--target", TARGET, "--workers", "1", "--min-seconds", "0.005", "--search", "random"]


def tune(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["tune", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_clear_line(code: int, err: str, message: str) -> None:
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "error:" in lines[0] and message in lines[0], err
    assert "Traceback" not in err


def test_tune_reports_plots_and_shows_the_best_configuration(model_path, tmp_path, capsys):
    log, plot = tmp_path / "log.jsonl", tmp_path / "best.png"
    code, out, _ = tune(
        capsys, model_path, "--trials", 6, "--batch", 3, "--log", log, "--plot", plot, *FAST
    )
    assert code == 0
    assert "speed-up" in out and "fused_matmul_relu" in out
    assert "model latency: default" in out and "tuned" in out and "onnxruntime" in out
    assert plot.read_bytes().startswith(b"\x89PNG")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len([r for r in records if not r["confirm"]]) == 6
    code, out, _ = tune(capsys, model_path, "--log", log, "--show-config", "--target", TARGET)
    assert code == 0 and "transform.named_sequence" in out and "tune.knob" in out
    assert (
        main(
            ["run", str(model_path), "--tuning-log", str(log), "--target", TARGET, "--repeat", "3"]
        )
        == 0
    )


@pytest.fixture
def log_with_a_record(tmp_path):
    path = tmp_path / "log.jsonl"
    record = {"format": 1, "task": "0000/0", "config": {}, "seconds": 1.0, "error": None}
    path.write_text(json.dumps({**record, "target": TARGET, "model": ["other.onnx"]}) + "\n")
    return path


def test_an_empty_or_unknown_model(tmp_path, capsys):
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    code, _, err = tune(capsys, empty, "--log", tmp_path / "log.jsonl", *FAST)
    assert_one_clear_line(code, err, "the model is empty")
    code, _, err = tune(capsys, tmp_path / "missing.onnx", "--log", tmp_path / "log.jsonl", *FAST)
    assert_one_clear_line(code, err, "no such model")
    other = tmp_path / "model.txt"
    other.write_text("x")
    code, _, err = tune(capsys, other, "--log", tmp_path / "log.jsonl", *FAST)
    assert_one_clear_line(code, err, "unknown model format")


def test_a_task_with_no_knobs_and_a_knob_with_no_candidates(model_path, tmp_path, capsys):
    plain = tmp_path / "plain.mlir"
    plain.write_text(
        "transform.named_sequence @__transform_main(%root: !transform.any_op) {\n"
        "  transform.yield\n}\n"
    )
    code, _, err = tune(
        capsys, model_path, "--log", tmp_path / "a.jsonl", "--schedule", f"matmul={plain}", *FAST
    )
    assert_one_clear_line(code, err, "no knob or alternatives to tune")
    unfit = tmp_path / "unfit.mlir"
    unfit.write_text(
        "transform.named_sequence @__transform_main(%root: !transform.any_op) {\n"
        "  %i, %j, %k = transform.schedule.get_loops %root : (!transform.any_op) -> "
        "(!transform.any_op, !transform.any_op, !transform.any_op)\n"
        '  %t = transform.tune.knob<"tile"> = 64 from options = [64, 128] -> !transform.param<i64>\n'
        "  %a, %b = transform.schedule.split %i by %t : (!transform.any_op, "
        "!transform.param<i64>) -> (!transform.any_op, !transform.any_op)\n"
        "  transform.yield\n}\n"
    )
    code, _, err = tune(
        capsys, model_path, "--log", tmp_path / "b.jsonl", "--schedule", f"matmul={unfit}", *FAST
    )
    assert_one_clear_line(code, err, "knob 'tile' has no option that fits")


def test_a_log_of_another_model_target_or_format(model_path, log_with_a_record, capsys):
    before = log_with_a_record.read_bytes()
    code, _, err = tune(capsys, model_path, "--log", log_with_a_record, *FAST)
    assert_one_clear_line(code, err, "holds no task of this model (it was written for other.onnx)")
    code, _, err = tune(
        capsys, model_path, "--log", log_with_a_record, "--target", "cpu{threads=2}"
    )
    assert_one_clear_line(code, err, "was written for target cpu{threads=1}")
    old = json.loads(before)
    log_with_a_record.write_text(json.dumps({**old, "format": 0}) + "\n")
    before = log_with_a_record.read_bytes()
    code, _, err = tune(capsys, model_path, "--log", log_with_a_record, *FAST)
    assert_one_clear_line(code, err, ":1: error: the record is in format 0")
    assert log_with_a_record.read_bytes() == before
    code = main(["run", str(model_path), "--tuning-log", str(log_with_a_record)])
    assert code == 2


def test_an_unwritable_log(model_path, tmp_path, capsys):
    code, _, err = tune(capsys, model_path, "--log", tmp_path, *FAST)  # a directory
    assert_one_clear_line(code, err, "cannot write the tuning log")
    code, _, err = tune(capsys, model_path, "--log", tmp_path / "no" / "log.jsonl", *FAST)
    assert_one_clear_line(code, err, "cannot write the tuning log")
