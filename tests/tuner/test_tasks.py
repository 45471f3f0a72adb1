"""tuner/tasks.py: one task per distinct fused nest, weighted by its calls, keyed as the
apply-default-schedules pass keys it."""

from __future__ import annotations

import pytest
from tuning_models import matmul_model

from ziggurat.diagnostics import ZigguratError
from ziggurat.tuner.tasks import extract_tasks, function_key, loop_module


def test_the_same_workload_twice_is_one_task_of_weight_two(target):
    once = extract_tasks([matmul_model(12, 24, 24)], target)
    twice = extract_tasks([matmul_model(12, 24, 24, twice=True)], target)
    assert [t.weight for t in once] == [1]
    assert [t.weight for t in twice] == [2]
    assert once[0].key == twice[0].key
    assert twice[0].kind == "matmul" and twice[0].extents == [12, 24, 24]


def test_two_models_share_a_task_and_other_shapes_do_not(target):
    tasks = extract_tasks([matmul_model(12, 24, 24), matmul_model(12, 24, 24, twice=True)], target)
    assert [t.weight for t in tasks] == [3]
    other = extract_tasks([matmul_model(12, 20, 24)], target)
    assert other[0].key != tasks[0].key


def test_the_key_ignores_names(target):
    module = loop_module(matmul_model(12, 24, 24, twice=True), target)
    functions = [f for f in module.ops if f.sym_name.data.startswith("fused")]
    renamed = functions[0].clone()
    renamed.sym_name = type(renamed.sym_name)("another_name")
    assert function_key(renamed) == function_key(functions[0])


def test_a_missing_model_is_an_error(target, tmp_path):
    with pytest.raises(ZigguratError, match="no such model"):
        extract_tasks([str(tmp_path / "missing.onnx")], target)


def test_a_model_without_nests_is_an_error(target):
    text = "func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {\n  func.return %x : tensor<4xf32>\n}\n"
    with pytest.raises(ZigguratError, match="no loop nest to tune"):
        extract_tasks([text], target)
