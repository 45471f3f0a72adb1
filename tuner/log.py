"""The tuning log: one JSON line per finished trial, appended as soon as it finishes.

Nothing in a log is ever rewritten: a run killed at any moment (SIGKILL included) leaves
every finished trial on its own line, and the same command with the same `--log` resumes
from them; a line cut short by the kill is reported with its number and skipped, and the
next record starts on a line of its own. A record:

    {"format": 1, "task": "3f9a0c2e1b7d4a65/0", "name": "fused_conv2d_relu",
     "kind": "conv2d", "extents": [1, 64, 56, 56, 64, 3, 3], "target": "cpu",
     "schedule": "conv2d.mlir", "config": {"filter_block": 16, ...},
     "seconds": 0.00121, "costs": [0.00121, ...], "error": null, "message": "",
     "build_seconds": 0.41, "model": ["resnet18.onnx"], "time": "2026-12-04T17:02:11Z",
     "versions": {"ziggurat": "0.1.0", "xdsl": "0.74.0", ...}}

`error` is null or one of the pool's classes (compile error, runtime error, wrong result,
timeout); `seconds` is the median time of a run, null for a failed trial; `confirm` marks a
second measurement of a configuration (the tuner's last step), which is no new trial. A
configuration's time is the slowest of its measurements.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ziggurat.diagnostics import ZigguratError

FORMAT = 1


@cache
def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("ziggurat", "xdsl", "llvmlite", "numpy", "lightgbm"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


@dataclass
class Log:
    """A tuning log open for appending."""

    path: Path

    @staticmethod
    def open(path: str | Path) -> Log:
        """The log at `path`, checked to be writable without touching what it holds."""
        path = Path(path)
        try:
            with path.open("ab") as file:
                size = file.tell()
                if size:
                    with path.open("rb") as reader:
                        reader.seek(size - 1)
                        last = reader.read(1)
                    if last != b"\n":
                        # A line cut short by a kill: the next record starts a line.
                        file.write(b"\n")
        except OSError as error:
            raise ZigguratError(f"cannot write the tuning log '{path}': {error.strerror}") from None
        return Log(path)

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as one write, so a kill leaves it whole or cut, never mixed."""
        line = json.dumps(
            {"format": FORMAT, **record, "time": now(), "versions": versions()},
            separators=(",", ":"),
        )
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, (line + "\n").encode())
        finally:
            os.close(descriptor)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_log(path: str | Path, warn: bool = True) -> list[dict[str, Any]]:
    """The records of a log; a corrupt or truncated line is reported on stderr with its
    number and skipped, a record of another format is an error."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise ZigguratError(f"cannot read the tuning log '{path}': {error.strerror}") from None
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "task" not in record or "config" not in record:
                raise ValueError("not a trial record")
        except ValueError as error:
            if warn:
                reason = str(error).split(":")[0]
                print(
                    f"{path}:{number}: warning: skipped a corrupt line ({reason})", file=sys.stderr
                )
            continue
        if record.get("format") != FORMAT:
            raise ZigguratError(
                f"the record is in format {record.get('format')!r}; this Ziggurat reads format "
                f"{FORMAT} (tune again into a new log)",
                f"{path}:{number}",
            )
        records.append(record)
    return records


def records_for(
    records: list[dict[str, Any]], target: str, path: str | Path
) -> list[dict[str, Any]]:
    """The records for `target`; a log with records only for other targets is an error."""
    mine = [r for r in records if r.get("target") == target]
    if records and not mine:
        others = ", ".join(sorted({str(r.get("target")) for r in records}))
        raise ZigguratError(
            f"the tuning log '{path}' was written for target {others}, not {target}"
        )
    return mine


def best_records(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The fastest successful record of each task, a configuration measured more than once
    counting as its slowest time (a failure among them rules it out)."""
    slowest: dict[tuple[str, str], dict[str, Any] | None] = {}
    for record in records:
        key = (record["task"], json.dumps(record["config"], sort_keys=True))
        failed = record.get("error") or record.get("seconds") is None
        known = slowest.get(key, {})
        if failed or known is None:
            slowest[key] = None
        elif not known or record["seconds"] > known["seconds"]:
            slowest[key] = record
    best: dict[str, dict[str, Any]] = {}
    for (task, _), record in slowest.items():
        if record is not None and (task not in best or record["seconds"] < best[task]["seconds"]):
            best[task] = record
    return best


def load_best(path: str | Path, target: str) -> dict[str, dict[str, Any]]:
    """The best record of each task in the log at `path` for `target`."""
    if not Path(path).is_file():
        raise ZigguratError(f"no such tuning log: {path}")
    return best_records(records_for(read_log(path), target, path))
