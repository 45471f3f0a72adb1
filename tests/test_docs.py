"""docs/architecture.md stays true: every pass the registry knows is named there, with the
file it lives in."""

from __future__ import annotations

import inspect
from pathlib import Path

from ziggurat.registry import PASSES

ROOT = Path(__file__).resolve().parents[1]


def test_every_registered_pass_is_in_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text()
    missing = [name for name in PASSES if f"`{name}`" not in page]
    assert not missing, f"docs/architecture.md does not name these passes: {missing}"


def test_each_pass_is_listed_with_its_file():
    page = (ROOT / "docs" / "architecture.md").read_text()
    for name, load in PASSES.items():
        path = Path(inspect.getfile(load())).resolve().relative_to(ROOT)
        where = str(path.parent) + "/" if path.name == "__init__.py" else str(path)
        row = next((line for line in page.splitlines() if f"`{name}`" in line), "")
        assert where in row, f"{name}: docs/architecture.md should say it is in {where}"
