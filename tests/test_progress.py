"""progress.py: phases nest and add up, work in other processes counts in the phases around
it, listeners hear phases and counts, and the report reads as MLIR's -mlir-timing."""

from __future__ import annotations

import time

from ziggurat import progress


def test_phases_nest_and_repeats_add_up():
    with progress.recording() as root:
        for _ in range(2):
            with progress.phase("lower"):
                with progress.phase("translate"):
                    time.sleep(0.01)
    lower = root.children["lower"]
    assert list(root.children) == ["lower"] and list(lower.children) == ["translate"]
    assert lower.children["translate"].wall >= 0.02
    assert root.wall >= lower.wall >= lower.children["translate"].wall


def test_time_measured_in_a_worker_counts_in_the_phases_around_it():
    with progress.recording() as root:
        with progress.phase("build"):
            progress.add("llvm optimize", 1.5, 1.5)
            progress.add("llvm optimize", 0.5, 0.5)
    build = root.children["build"]
    assert build.children["llvm optimize"].cpu == 2.0
    assert build.cpu >= 2.0 and root.cpu >= 2.0


def test_a_listener_hears_each_phase_and_each_count():
    heard = []
    with progress.recording(lambda *event: heard.append(event)):
        with progress.phase("import"):
            progress.count("units", 1, 3)
    assert heard == [("import", 0, 0), ("units", 1, 3)]


def test_without_a_recording_nothing_is_recorded():
    with progress.phase("alone"):
        progress.add("elsewhere", 1.0, 1.0)
        progress.count("units", 1, 1)
    assert progress.CURRENT.get() is None


def test_the_report_has_user_and_wall_time_with_shares_nested_by_indentation():
    root = progress.Phase("total", wall=2.0, cpu=3.0)
    build = root.child("build")
    build.wall, build.cpu = 1.0, 2.5
    optimize = build.child("llvm optimize")
    optimize.wall, optimize.cpu = 1.2, 1.2
    lines = progress.report(root).splitlines()
    assert "Execution time report" in lines[1]
    assert "Total Execution Time: 2.0000 seconds" in lines[3]
    assert "----User Time----  ----Wall Time----  ----Name----" in lines[5]
    assert lines[6] == "    2.5000 ( 83.3%)    1.0000 ( 50.0%)  build"
    assert lines[7].endswith("    llvm optimize")
    assert lines[-1] == "    3.0000 (100.0%)    2.0000 (100.0%)  total"
