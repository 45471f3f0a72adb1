"""tuner/log.py: records appended one line each, corrupt lines skipped with their number."""

from __future__ import annotations

import json

import pytest

from ziggurat.diagnostics import ZigguratError
from ziggurat.tuner.log import FORMAT, Log, best_records, load_best, read_log, records_for


def record(task: str, seconds: float | None, target: str = "cpu", error: str | None = None):
    config = {"a": seconds or 0}
    return {"task": task, "config": config, "seconds": seconds, "error": error, "target": target}


def test_records_are_appended_and_read_back(tmp_path):
    log = Log.open(tmp_path / "log.jsonl")
    log.append(record("t/0", 2.0))
    log.append(record("t/0", 1.0))
    log.append(record("t/0", None, error="timeout"))
    records = read_log(log.path)
    assert [r["seconds"] for r in records] == [2.0, 1.0, None]
    assert all(r["format"] == FORMAT and "versions" in r and "time" in r for r in records)
    assert best_records(records)["t/0"]["seconds"] == 1.0


def test_a_configuration_measured_twice_counts_as_its_slower_time():
    fast_once = {**record("t/0", 1.0), "config": {"a": 1}}
    slower_again = {**record("t/0", 3.0), "config": {"a": 1}, "confirm": True}
    steady = {**record("t/0", 2.0), "config": {"a": 2}}
    assert best_records([fast_once, steady])["t/0"]["config"] == {"a": 1}
    assert best_records([fast_once, steady, slower_again])["t/0"]["config"] == {"a": 2}
    failed_again = {**record("t/0", None, error="runtime error"), "config": {"a": 2}}
    assert best_records([steady, failed_again]) == {}


def test_a_truncated_line_is_skipped_with_its_number_and_the_next_record_starts_a_line(
    tmp_path, capsys
):
    path = tmp_path / "log.jsonl"
    log = Log.open(path)
    log.append(record("t/0", 2.0))
    with path.open("a") as file:
        file.write('{"format": 1, "task": "t/0", "conf')  # a kill in the middle of a write
    before = path.read_bytes()
    Log.open(path).append(record("t/0", 1.0))
    assert path.read_bytes().startswith(before)  # nothing overwritten
    records = read_log(path)
    assert [r["seconds"] for r in records] == [2.0, 1.0]
    assert f"{path}:2: warning: skipped a corrupt line" in capsys.readouterr().err


def test_a_record_of_another_format_is_an_error(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps({"format": 0, "task": "t/0", "config": {}}) + "\n")
    with pytest.raises(ZigguratError, match=f"{path}:1: error: the record is in format 0"):
        read_log(path)


def test_a_log_of_another_target_is_an_error(tmp_path):
    records = [record("t/0", 1.0, target="cpu{vector-bits=256}")]
    with pytest.raises(ZigguratError, match="written for target cpu.vector-bits=256., not cpu"):
        records_for(records, "cpu", tmp_path)
    assert records_for(records + [record("t/0", 1.0)], "cpu", tmp_path) == [record("t/0", 1.0)]


def test_an_unwritable_log_is_an_error(tmp_path):
    with pytest.raises(ZigguratError, match="cannot write the tuning log"):
        Log.open(tmp_path)  # a directory
    with pytest.raises(ZigguratError, match="no such tuning log"):
        load_best(tmp_path / "missing.jsonl", "cpu")
