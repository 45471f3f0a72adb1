"""The runtime's two backends, each through a stand-in for its package that runs the kernels
on the emulator: what cuda-bindings' driver API and pycuda are called with (the PTX, device
pointers, kernel parameters as an array of addresses, launch sizes, shared memory), and
that the results come back."""

from __future__ import annotations

import ctypes
import functools
import types
from typing import Any

import numpy as np
import pytest
from gpu_emulator import ADDED_ARGUMENTS, EmulatedGpu, emulated_gpu
from tuning_models import matmul_model

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cuda import runtime

TEXT = """
func.func @main(%x: tensor<67x30xf32>, %w: tensor<30x20xf32>) -> tensor<67x20xf32> {
  %h = graph.matmul %x, %w : (tensor<67x30xf32>, tensor<30x20xf32>) -> tensor<67x20xf32>
  %y = graph.tanh %h : tensor<67x20xf32>
  func.return %y : tensor<67x20xf32>
}
"""


class Result(int):
    """A CUresult: the driver's error codes are an enum with names."""

    @property
    def name(self) -> str:
        return {0: "CUDA_SUCCESS", 100: "CUDA_ERROR_NO_DEVICE"}.get(int(self), "CUDA_ERROR")


# An H100's: compute capability 9.0, 132 SMs, 227 KiB of shared memory per block.
H100 = (9, 0, 132, 232448)


def fake_cuda_bindings(
    emulator: EmulatedGpu, calls: list[str], gpu: tuple[int, int, int, int] = H100
) -> types.ModuleType:
    """A `cuda.bindings.driver` whose functions return (CUresult, value) as NVIDIA's do."""
    ok = Result(0)
    driver = types.ModuleType("cuda.bindings.driver")
    driver.CUresult = types.SimpleNamespace(CUDA_SUCCESS=ok, CUDA_ERROR_NO_DEVICE=Result(100))
    driver.CUdevice_attribute = types.SimpleNamespace(
        CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR=1,
        CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR=2,
        CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT=3,
        CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN=4,
    )
    driver.CUfunction_attribute = types.SimpleNamespace(
        CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES=8
    )
    driver.CUdeviceptr = int
    driver.cuInit = lambda flags: (ok,)
    driver.cuDeviceGetCount = lambda: (ok, 1)
    driver.cuDeviceGet = lambda ordinal: (ok, ordinal)
    driver.cuDevicePrimaryCtxRetain = lambda device: (ok, "context")
    driver.cuCtxSetCurrent = lambda context: (ok,)
    driver.cuDeviceGetAttribute = lambda attribute, device: (ok, gpu[attribute - 1])
    driver.cuGetErrorString = lambda error: (ok, b"")

    def load(image: bytes) -> tuple:
        assert image.endswith(b"\0") and b".entry" in image
        calls.append("load")
        return ok, "module"

    def get_function(module: str, name: bytes) -> tuple:
        assert isinstance(name, bytes)
        return ok, name.decode()

    def launch(function, gx, gy, gz, bx, by, bz, shared, stream, parameters, extra) -> tuple:
        kernel = getattr(emulator.compiled, function)
        count = (
            len(kernel.signature.inputs) - ADDED_ARGUMENTS - len(emulator.shared_types[function])
        )
        addresses = (ctypes.c_uint64 * count).from_address(parameters)
        cells = [
            np.frombuffer((ctypes.c_uint8 * 8).from_address(a), np.uint64)[:1].copy()
            if isinstance(t, runtime.MemRefType)
            else np.frombuffer((ctypes.c_uint8 * 8).from_address(a), runtime.numpy_dtype(t, ""))[
                :1
            ].copy()
            for a, t in zip(addresses, kernel.signature.inputs, strict=False)
        ]
        calls.append(f"launch {function} {(gx, gy, gz)} {(bx, by, bz)} {shared}")
        emulator.launch(runtime.Launch(function, (gx, gy, gz), (bx, by, bz), shared, cells, []))
        return (ok,)

    driver.cuModuleLoadData = load
    driver.cuModuleGetFunction = get_function
    driver.cuFuncSetAttribute = lambda function, attribute, value: (ok,)
    driver.cuMemAlloc = lambda size: (ok, emulator.alloc(size))
    driver.cuMemFree = lambda pointer: (emulator.free(pointer), ok)[1:]
    driver.cuMemcpyHtoD = lambda dst, src, size: (ctypes.memmove(dst, src, size), ok)[1:]
    driver.cuMemcpyDtoH = lambda dst, src, size: (ctypes.memmove(dst, src, size), ok)[1:]
    driver.cuLaunchKernel = launch
    driver.cuCtxSynchronize = lambda: (ok,)
    driver.cuEventCreate = lambda flags: (ok, object())
    driver.cuEventRecord = lambda event, stream: (ok,)
    driver.cuEventSynchronize = lambda event: (ok,)
    driver.cuEventElapsedTime = lambda start, end: (ok, 0.25)
    return driver


def fake_pycuda(
    emulator: EmulatedGpu, calls: list[str], gpu: tuple[int, int, int, int] = H100
) -> types.ModuleType:
    """A `pycuda.driver`, its kernels callable with numpy scalars, grid and block."""
    cuda = types.ModuleType("pycuda.driver")
    cuda.Error = RuntimeError
    cuda.init = lambda: None
    cuda.device_attribute = types.SimpleNamespace(
        MULTIPROCESSOR_COUNT=3, MAX_SHARED_MEMORY_PER_BLOCK_OPTIN=4
    )
    cuda.function_attribute = types.SimpleNamespace(MAX_DYNAMIC_SHARED_SIZE_BYTES=8)

    class Device:
        count = staticmethod(lambda: 1)

        def __init__(self, ordinal: int):
            pass

        def retain_primary_context(self) -> Any:
            return types.SimpleNamespace(push=lambda: None)

        def compute_capability(self) -> tuple[int, int]:
            return gpu[0], gpu[1]

        def get_attribute(self, attribute: int) -> int:
            return gpu[attribute - 1]

    class Allocation(int):
        def free(self) -> None:
            emulator.free(int(self))

    class Function:
        def __init__(self, name: str):
            self.name = name

        def set_attribute(self, attribute: int, value: int) -> None:
            pass

        def __call__(self, *arguments: Any, grid: tuple, block: tuple, shared: int) -> None:
            assert all(isinstance(a, np.generic) for a in arguments)
            cells = [np.array([a]) for a in arguments]
            calls.append(f"launch {self.name} {grid} {block} {shared}")
            emulator.launch(runtime.Launch(self.name, grid, block, shared, cells, []))

    def module_from_buffer(ptx: bytes) -> Any:
        calls.append("load")
        return types.SimpleNamespace(get_function=Function)

    cuda.Device = Device
    cuda.module_from_buffer = module_from_buffer
    cuda.mem_alloc = lambda size: Allocation(emulator.alloc(size))
    cuda.memcpy_htod = lambda pointer, array: ctypes.memmove(
        pointer, array.ctypes.data, array.nbytes
    )
    cuda.memcpy_dtoh = lambda array, pointer: ctypes.memmove(
        array.ctypes.data, pointer, array.nbytes
    )
    cuda.Context = types.SimpleNamespace(synchronize=lambda: None)
    cuda.Event = lambda: types.SimpleNamespace(
        record=lambda: None, synchronize=lambda: None, time_till=lambda other: 0.25
    )
    return cuda


def install(
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
    emulator: EmulatedGpu,
    calls: list[str],
    gpu: tuple[int, int, int, int] = H100,
) -> None:
    """The stand-in for `backend`'s package, as the one the runtime imports."""
    if backend == "cuda-bindings":
        module = fake_cuda_bindings(emulator, calls, gpu)
        monkeypatch.setitem(__import__("sys").modules, "cuda.bindings.driver", module)
        package = types.ModuleType("cuda.bindings")
        package.driver = module
        monkeypatch.setitem(__import__("sys").modules, "cuda.bindings", package)
    else:
        module = fake_pycuda(emulator, calls, gpu)
        package = types.ModuleType("pycuda")
        package.driver = module
        monkeypatch.setitem(__import__("sys").modules, "pycuda", package)
        monkeypatch.setitem(__import__("sys").modules, "pycuda.driver", module)
    monkeypatch.setenv(runtime.BACKEND_VARIABLE, backend)
    # A driver of its own, once per stand-in, as a process has once.
    unwrapped = getattr(runtime.backend, "__wrapped__", runtime.backend)
    monkeypatch.setattr(runtime, "backend", functools.cache(unwrapped))


@pytest.mark.parametrize("backend", ["cuda-bindings", "pycuda"])
def test_each_backend_loads_copies_launches_and_times(backend, monkeypatch):
    compiled = ziggurat.compile(TEXT, target="cuda{arch=sm_90}")
    program = compiled._functions
    emulator = EmulatedGpu(program.host)
    calls: list[str] = []
    install(backend, monkeypatch, emulator, calls)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((67, 30)).astype(np.float32)
    w = rng.standard_normal((30, 20)).astype(np.float32)
    try:
        (y,) = compiled(x, w)
        seconds = program.main.time([x, w], runs=3)
    finally:
        emulator.threads.shutdown()
    np.testing.assert_allclose(y, np.tanh(x @ w), rtol=1e-4, atol=1e-5)
    assert seconds == [0.25 / 1e3] * 3
    assert calls[0] == "load" and calls.count("load") == 1
    assert calls[1].startswith(f"launch {program.kernel_names[0]} (")
    assert runtime.backend().name == backend


@pytest.mark.parametrize("backend", ["cuda-bindings", "pycuda"])
def test_kernels_for_a_newer_gpu_or_more_shared_memory_than_it_has_are_one_line(
    backend, monkeypatch
):
    text = """
func.func @main(%x: tensor<128x128xf32>, %w: tensor<128x128xf32>) -> tensor<128x128xf32> {
  %y = graph.matmul %x, %w : (tensor<128x128xf32>, tensor<128x128xf32>) -> tensor<128x128xf32>
  func.return %y : tensor<128x128xf32>
}
"""
    compiled = ziggurat.compile(text, target="cuda{arch=sm_90}")
    program = compiled._functions
    shared = max(launch.shared for launch in program.main.program.launches)
    assert shared > 0  # the matmul stages its tiles in shared memory
    x = w = np.ones((128, 128), np.float32)
    emulator = EmulatedGpu(program.host)
    calls: list[str] = []
    try:
        install(backend, monkeypatch, emulator, calls, (8, 0, 108, 166912))
        with pytest.raises(ZigguratError, match=r"compiled for sm_90, but the GPU is sm_80: "):
            compiled(x, w)
        assert calls == []  # nothing loaded
        install(backend, monkeypatch, emulator, calls, (9, 0, 132, shared - 1))
        with pytest.raises(ZigguratError, match=rf"kernel '\w+' needs {shared} bytes of shared"):
            compiled(x, w)
        assert not any(call.startswith("launch") for call in calls)
    finally:
        emulator.threads.shutdown()


@pytest.mark.parametrize("backend", ["cuda-bindings", "pycuda"])
def test_ptx_the_driver_rejects_is_one_line_naming_the_kernels(backend, monkeypatch):
    # A driver says little of PTX it rejects (pycuda over several lines); ptxas, where it
    # is installed, says which line and why: both in one line, with the kernels' names.
    import shutil

    compiled = ziggurat.compile(TEXT, target="cuda{arch=sm_90}")
    program = compiled._functions
    program.ptx = program.ptx.replace(".visible .entry", ".visible .entyr", 1)
    emulator = EmulatedGpu(program.host)
    calls: list[str] = []
    try:
        install(backend, monkeypatch, emulator, calls)
        driver = __import__("sys").modules[
            "cuda.bindings.driver" if backend == "cuda-bindings" else "pycuda.driver"
        ]
        if backend == "cuda-bindings":
            driver.cuModuleLoadData = lambda image: (Result(218), None)
            driver.cuGetErrorString = lambda error: (Result(0), b"a PTX JIT compilation failed")
        else:

            def rejected(ptx: bytes) -> Any:
                raise driver.Error("cuModuleLoadDataEx failed: a PTX JIT compilation failed -\n")

            driver.module_from_buffer = rejected
        x = np.ones((67, 30), np.float32)
        w = np.ones((30, 20), np.float32)
        with pytest.raises(ZigguratError) as caught:
            compiled(x, w)
    finally:
        emulator.threads.shutdown()
    message = str(caught.value)
    assert message.startswith(
        f"error: the CUDA driver rejects the PTX of kernels {', '.join(program.kernel_names)}: "
    )
    assert "a PTX JIT compilation failed" in message and "\n" not in message
    if shutil.which("ptxas") is not None:
        assert "(ptxas: " in message and "entyr" in message


def test_release_frees_what_a_call_took_on_the_device_and_a_later_call_takes_it_again():
    # The tuner measures many candidates in one process: each is released once measured.
    compiled = ziggurat.compile(matmul_model(), target="cuda")._functions
    x = np.random.default_rng(0).standard_normal((12, 20)).astype(np.float32)
    with emulated_gpu(compiled) as emulator:
        first = compiled(x)[0]
        held = set(emulator.buffers)
        assert len(held) >= 3  # x, the weights and y
        compiled.release()
        assert not held & set(emulator.buffers)
        np.testing.assert_array_equal(compiled(x)[0], first)
        assert emulator.buffers
