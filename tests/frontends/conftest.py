"""Makes testing_onnx.py beside this file importable by name (the tests are not a package)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
