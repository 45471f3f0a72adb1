"""The README's promises: CI runs its test command verbatim, and its example exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", quick_start, flags=re.S)


def test_quick_start_has_two_commands():
    main_job, tests = readme_commands()
    assert "ziggurat run examples/" in main_job
    assert tests.rstrip().endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = readme_commands()
    assert tests.strip() in (ROOT / ".ci" / "run").read_text()


def test_main_job_example_exists():
    main_job, _ = readme_commands()
    example = re.search(r"ziggurat run (\S+)", main_job)
    assert example and (ROOT / example.group(1)).is_file()
