"""Runs the FileCheck tests of lit_tests/ with lit, so `pytest` alone runs every test."""

import re
import subprocess
import sys
from pathlib import Path

LIT_TESTS = Path(__file__).resolve().parents[1] / "lit_tests"


def failed_tests(output: str) -> list[str]:
    """The test names lit lists under `Failed Tests (N):` (and unresolved ones)."""
    return re.findall(r"^\s+ziggurat :: (\S+)$", output, flags=re.M)


def test_lit_tests_pass():
    lit = [sys.executable, "-c", "import lit.main; lit.main.main()"]
    result = subprocess.run(
        [*lit, str(LIT_TESTS), "-v", "--no-progress-bar"],
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert "Total Discovered Tests" in output, output
    assert result.returncode == 0, (
        f"lit tests failed: {', '.join(failed_tests(output)) or '(see output)'}\n{output}"
    )
