"""Makes the test fixtures beside this file (testing_models.py) importable by name: the tests
are not a package (xDSL's wheel owns the top-level name `tests`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
