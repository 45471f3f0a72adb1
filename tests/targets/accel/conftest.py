"""Makes testing_accel.py beside this file, and the schedule-safety helpers
(tests/passes/scheduling/testing_schedules.py), importable by name."""

import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))
sys.path.insert(0, str(here.parents[1] / "passes" / "scheduling"))
