"""Whole models imported from ONNX, compiled for the CUDA target, against onnxruntime: on the
emulator everywhere (tests/gpu_emulator.py), on the GPU where there is one; and the driver's
`ziggurat run --target cuda` and `compile --emit ptx`."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from gpu_emulator import emulated_gpu, gpu_missing
from testing_models import MODELS

import ziggurat
from ziggurat.targets.cuda.nvptx import ptxas
from ziggurat.tools.ziggurat import main

DATA = Path(__file__).resolve().parents[2] / "data"
EXPORTED = {
    "torch_encoder_layer": (3, 10, 64),
    "torch_squeezenet_small": (2, 3, 64, 64),
}
MLP = str(Path(__file__).resolve().parents[3] / "examples" / "mlp.mlir")


def cases() -> list:
    found = [pytest.param(name, None, id=name) for name in MODELS]
    for name, shape in EXPORTED.items():
        found.append(pytest.param(name, shape, id=name, marks=[pytest.mark.slow]))
    return found


def model_and_input(name: str, shape: tuple[int, ...] | None):
    if shape is None:
        model = MODELS[name]()
        dims = model.graph.input[0].type.tensor_type.shape.dim
        shape = tuple(d.dim_value or 3 for d in dims)
        source = model.SerializeToString()
    else:
        model = source = str(DATA / f"{name}.onnx")
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    session = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    (expected,) = session.run(None, {"input": x})
    return model, x, expected


@pytest.mark.parametrize(("name", "shape"), cases())
def test_models_match_onnxruntime_on_the_emulator(name, shape):
    model, x, expected = model_and_input(name, shape)
    compiled = ziggurat.compile(model, target="cuda{arch=sm_80}", batch_size=x.shape[0])
    with emulated_gpu(compiled._functions):
        (got,) = compiled(x)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert np.ptp(expected) > 1e-3
    if shutil.which("ptxas") is not None:  # and the kernels assemble within a block's limits
        for arch, shared in (("sm_80", 163 * 1024), ("sm_90", 227 * 1024)):
            for kernel, used in ptxas(compiled._functions.ptx, arch).items():
                assert used.registers <= 255 and used.shared_bytes <= shared, (arch, kernel)


@pytest.mark.skipif(gpu_missing() is not None, reason=f"{gpu_missing()}")
@pytest.mark.parametrize(("name", "shape"), cases())
def test_models_match_onnxruntime_on_the_gpu(name, shape):
    model, x, expected = model_and_input(name, shape)
    (got,) = ziggurat.compile(model, target="cuda", batch_size=x.shape[0])(x)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_compile_emits_ptx(capsys):
    assert main(["compile", MLP, "--target", "cuda{arch=sm_90}", "--emit", "ptx"]) == 0
    text = capsys.readouterr().out
    assert ".target sm_90" in text and ".visible .entry fused_dense_relu_0(" in text


@pytest.mark.skipif(gpu_missing() is None, reason="this machine has a GPU")
def test_run_without_a_gpu_says_so_in_one_line(capsys):
    assert main(["run", MLP, "--target", "cuda"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: cannot run on the GPU: ")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


@pytest.mark.skipif(gpu_missing() is not None, reason=f"{gpu_missing()}")
def test_run_checks_the_example_on_the_gpu(capsys):
    assert main(["run", MLP, "--target", "cuda", "--repeat", "3"]) == 0
    assert "vs numpy: ok" in capsys.readouterr().out


@pytest.mark.parametrize("element", ["uint8", "int8", "uint16", "int32", "int64", "bool"])
def test_integer_and_boolean_tensors_on_the_emulator(element):
    # Below the graph level integers are signless: unsigned arrays pass to the GPU as they
    # are and come back unsigned; arithmetic, comparisons, selection and casts as the CPU's.
    from onnx import TensorProto, helper

    kind = helper.np_dtype_to_tensor_dtype(np.dtype(element))
    if element == "bool":
        nodes = [
            helper.make_node("And", ["a", "b"], ["and"]),
            helper.make_node("Xor", ["a", "b"], ["xor"]),
            helper.make_node("Not", ["a"], ["not"]),
            helper.make_node("Cast", ["a"], ["cast"], to=TensorProto.FLOAT),
        ]
    else:
        nodes = [
            helper.make_node("Add", ["a", "b"], ["add"]),
            helper.make_node("Mul", ["a", "b"], ["mul"]),
            helper.make_node("Div", ["a", "b"], ["div"]),
            helper.make_node("Max", ["a", "b"], ["max"]),
            helper.make_node("Less", ["a", "b"], ["less"]),
            helper.make_node("Where", ["less", "a", "b"], ["where"]),
            helper.make_node("Cast", ["a"], ["cast"], to=TensorProto.FLOAT),
        ]
    outputs = [n.output[0] for n in nodes]
    graph = helper.make_graph(
        nodes,
        "integers",
        [
            helper.make_tensor_value_info("a", kind, [3, 37]),
            helper.make_tensor_value_info("b", kind, [37]),
        ],
        [helper.make_value_info(n, __import__("onnx").TypeProto()) for n in outputs],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    rng = np.random.default_rng(0)
    if element == "bool":
        a, b = rng.integers(0, 2, (3, 37)).astype(bool), rng.integers(0, 2, 37).astype(bool)
    else:
        info = np.iinfo(element)
        low, high = max(info.min, -100), min(info.max, 100)
        a = rng.integers(low, high, (3, 37)).astype(element)
        b = rng.integers(max(low, 1), high, 37).astype(element)  # no division by 0
    try:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        expected = session.run(None, {"a": a, "b": b})
    except Exception:  # onnxruntime has no kernel for the type: ONNX's reference evaluator
        from onnx.reference import ReferenceEvaluator

        expected = [np.asarray(v) for v in ReferenceEvaluator(model).run(None, {"a": a, "b": b})]
    compiled = ziggurat.compile(model, target="cuda{arch=sm_80}")
    with emulated_gpu(compiled._functions):
        got = compiled(a, b)
    for name, g, e in zip(outputs, got, expected, strict=True):
        assert g.dtype == e.dtype and g.shape == e.shape, name
        np.testing.assert_array_equal(g, e, err_msg=name)


@pytest.mark.parametrize("operator", ["RNN", "GRU", "LSTM"])
def test_recurrent_networks_run_their_time_loop_on_the_host(operator, tmp_path):
    # Each step's stages are kernels spread over blocks and threads, each needing all of
    # the step before: the host launches them step by step (loop-to-gpu's host loops).
    import onnx
    from onnx.backend.test.case.node import collect_testcases

    cases = [c for c in collect_testcases(operator) if c.name.endswith("_defaults")]
    assert cases
    for case in cases:
        path = tmp_path / f"{case.name}.onnx"
        onnx.save(case.model, path)
        program = ziggurat.compile(str(path), target="cuda{arch=sm_80}")
        assert "scf.for" in str(program._functions.host), "the time loop is the host's"
        inputs, expected = case.data_sets[0]
        with emulated_gpu(program._functions):
            got = program(*inputs)
        for y, want in zip(got, expected, strict=True):
            np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)
