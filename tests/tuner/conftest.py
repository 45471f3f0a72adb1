"""Fixtures of the tuner's tests: a target, a small matmul task and its model as a file."""

from __future__ import annotations

import pytest
from tuning_models import TARGET, matmul_model


@pytest.fixture
def target():
    from ziggurat.targets.target import target_named

    return target_named(TARGET)


@pytest.fixture
def matmul_task(target):
    from ziggurat.tuner.tasks import extract_tasks

    return extract_tasks([matmul_model()], target)[0]


@pytest.fixture
def model_path(tmp_path):
    import onnx

    path = tmp_path / "mm.onnx"
    onnx.save(matmul_model(), path)
    return path
