"""What the tests of the importer's converters share: a model of nodes, random inputs for
it, and the comparison of its compiled program and of the numpy reference with
onnxruntime."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import ziggurat
from ziggurat.frontends.onnx import import_model, input_names
from ziggurat.reference import evaluate


def make_model(
    nodes: Sequence[onnx.NodeProto],
    inputs: dict[str, tuple[int, Sequence[int]]],
    outputs: Sequence[str],
    initializers: dict[str, np.ndarray] | None = None,
    opset: int = 22,
) -> onnx.ModelProto:
    """A model of `nodes` whose inputs are (element type, shape) by name; outputs untyped."""
    graph = helper.make_graph(
        list(nodes),
        "test",
        [helper.make_tensor_value_info(n, t, s) for n, (t, s) in inputs.items()],
        [helper.make_value_info(n, onnx.TypeProto()) for n in outputs],
        initializer=[numpy_helper.from_array(a, n) for n, a in (initializers or {}).items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def random_feeds(model: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray]:
    """Standard normal floats, booleans and small integers for the model's inputs."""
    rng = np.random.default_rng(seed)
    initialized = {i.name for i in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in initialized:
            continue
        tensor_type = value.type.tensor_type
        shape = [d.dim_value for d in tensor_type.shape.dim]
        dtype = helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
        if tensor_type.elem_type == TensorProto.BOOL:
            feeds[value.name] = rng.integers(0, 2, shape).astype(bool)
        elif np.issubdtype(dtype, np.floating):
            feeds[value.name] = rng.standard_normal(shape).astype(dtype)
        else:
            feeds[value.name] = rng.integers(0, 3, shape).astype(dtype)
    return feeds


def check(
    model: onnx.ModelProto,
    feeds: Sequence[dict[str, np.ndarray]] | dict[str, np.ndarray] | None = None,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> ziggurat.Compiled:
    """Compile `model` once and compare every output, on each set of `feeds`, with
    onnxruntime's: the compiled program's and the numpy reference's."""
    sets = [feeds] if isinstance(feeds, dict) else list(feeds or [random_feeds(model)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    module = import_model(model)
    names = input_names(module)
    compiled = ziggurat.compile(module.clone())
    for inputs in sets:
        expected = session.run(None, inputs)
        arguments = [inputs[n] for n in names]
        for got in (compiled(*arguments), evaluate(module, "main", arguments)):
            assert len(got) == len(expected)
            for g, e in zip(got, expected, strict=True):
                assert g.shape == e.shape and g.dtype == e.dtype
                np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
    return compiled
