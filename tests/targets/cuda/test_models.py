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
