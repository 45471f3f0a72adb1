"""What the CPU target's tests share: testing_cpu.py beside this file importable by name (the
tests are not a package), the thread count restored after a test that sets it, and the
hand-written kernels of benchmarks/kernels.py."""

import importlib.util
import sys
from pathlib import Path

import pytest

from ziggurat.targets.cpu import threads

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def restore_threads():
    before = threads.num_threads()
    yield
    threads.set_num_threads(before)


@pytest.fixture(scope="session")
def kernels():
    folder = Path(__file__).parents[3] / "benchmarks"
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(folder))  # the script imports its sibling workers.py
        return load_script(folder)


def load_script(folder: Path):
    spec = importlib.util.spec_from_file_location("benchmark_kernels", folder / "kernels.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
