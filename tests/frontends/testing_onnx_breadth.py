"""What the importer's tests of issue 12's operators share: one-node models over typed
inputs and initializers, and `check`, which compares every output of the compiled model
and of the numpy reference with onnxruntime's on seeded random inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.frontends.onnx import import_model, input_names
from ziggurat.reference import evaluate

F32 = TensorProto.FLOAT


def one_node(
    op_type: str,
    inputs: dict[str, Sequence[int]],
    initializers: dict[str, np.ndarray] | None = None,
    types: dict[str, int] | None = None,
    order: Sequence[str] | None = None,
    outputs: int = 1,
    opset: int = 21,
    **attributes: Any,
) -> onnx.ModelProto:
    """A model of one node named 'n' over graph inputs (float32 unless `types` says
    otherwise) and initializers, in the order given (`order`, "" for a missing input)."""
    initializers = initializers or {}
    types = types or {}
    names = list(order) if order is not None else [*inputs, *initializers]
    output_names = [f"y{i}" for i in range(outputs)]
    node = helper.make_node(op_type, names, output_names, name="n", **attributes)
    graph = helper.make_graph(
        [node],
        "test",
        [helper.make_tensor_value_info(n, types.get(n, F32), s) for n, s in inputs.items()],
        [helper.make_value_info(n, onnx.TypeProto()) for n in output_names],
        initializer=[numpy_helper.from_array(a, n) for n, a in initializers.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def random_feeds(
    model: onnx.ModelProto, seed: int = 0, integers: tuple[int, int] = (0, 3)
) -> dict[str, np.ndarray]:
    """Standard normal floats and integers drawn from [low, high) for the graph inputs."""
    rng = np.random.default_rng(seed)
    initializers = {i.name for i in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor_type = value.type.tensor_type
        shape = [d.dim_value for d in tensor_type.shape.dim]
        dtype = helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
        if np.issubdtype(dtype, np.floating):
            feeds[value.name] = rng.standard_normal(shape).astype(dtype)
        else:
            feeds[value.name] = rng.integers(*integers, shape).astype(dtype)
    return feeds


def check(
    model: onnx.ModelProto,
    feeds: dict[str, np.ndarray] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-5,
) -> list[np.ndarray]:
    """Compile `model` and compare every output, and the numpy reference's, with
    onnxruntime's, types and shapes too."""
    feeds = feeds if feeds is not None else random_feeds(model)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = session.run(None, feeds)
    module = import_model(model)
    arguments = [feeds[n] for n in input_names(module)]
    got = ziggurat.compile(module.clone())(*arguments)
    for outputs in (got, evaluate(module, "main", arguments)):
        assert len(outputs) == len(expected)
        for actual, wanted in zip(outputs, expected, strict=True):
            assert actual.shape == wanted.shape and actual.dtype == wanted.dtype
            np.testing.assert_allclose(actual, wanted, rtol=rtol, atol=atol)
    return got


def import_error(model: onnx.ModelProto) -> str:
    with pytest.raises(ZigguratError) as info:
        import_model(model)
    return str(info.value)


def rng_array(*shape: int, seed: int = 1, dtype: Any = np.float32) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def default_schedules(model: onnx.ModelProto) -> list[str | None]:
    """The schedule file each loop nest of the compiled model gets (None: left naive), for
    an AVX-512 CPU."""
    from xdsl.dialects import func, scf

    from ziggurat.analysis.nests import recognize
    from ziggurat.ir_io import pass_pipeline
    from ziggurat.pipeline import lower
    from ziggurat.registry import make_context
    from ziggurat.targets.target import target_named

    target = target_named("cpu{mcpu=skylake-avx512 threads=2}")
    module = lower(import_model(model), "te", target)
    pass_pipeline("te-inline,cse,dce,te-to-loop").apply(make_context(), module)
    plans = []
    for function in module.walk():
        if not isinstance(function, func.FuncOp) or function.is_declaration:
            continue
        for root in function.body.block.ops:
            if isinstance(root, scf.ForOp) and "te.compute" in root.attributes:
                nest = recognize(root, function)
                plan = target.default_schedule(nest) if nest is not None else None
                plans.append(plan[0] if plan is not None else None)
    return plans


def driver_refusal(model: onnx.ModelProto, tmp_path, capsys) -> str:
    """What `ziggurat compile` prints for `model`, which it must refuse with exit code 2
    and one line."""
    from ziggurat.tools.ziggurat import main

    path = tmp_path / "model.onnx"
    onnx.save(model, str(path))
    assert main(["compile", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "Traceback" not in error
    return error
