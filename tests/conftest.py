"""Makes the test fixtures beside this file (testing_models.py) importable by name: the tests
are not a package (xDSL's wheel owns the top-level name `tests`). The tests' compiled code
goes to a cache of their own, empty at the start of a run, never the user's."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["ZIGGURAT_CACHE_DIR"] = tempfile.mkdtemp(prefix="ziggurat-test-cache-")
