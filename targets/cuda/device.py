"""The NVIDIA GPU Ziggurat compiles for: its architecture (`sm_90`) and the limits a kernel
must keep to on it, from the CUDA programming guide's table of compute capabilities. Unless
named (`cuda{arch=sm_80}`), the architecture is that of the GPU this process sees, or
sm_80 where it sees none (compiling needs no GPU).

    gpu = describe_gpu("sm_90")
    gpu.shared_memory_per_block   # 232448 bytes: 227 KiB, with the opt-in a launch makes
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ziggurat.diagnostics import ZigguratError

DEFAULT_ARCH = "sm_80"
# Shared memory every architecture gives a block without opting in to more.
STATIC_SHARED_MEMORY = 48 * 1024


@dataclass(frozen=True)
class Gpu:
    """An architecture's name and what one of its multiprocessors (SMs) offers."""

    arch: str
    shared_memory_per_block: int
    threads_per_sm: int
    multiprocessors: int
    registers_per_sm: int = 65536
    registers_per_thread: int = 255
    warp: int = 32

    @property
    def capability(self) -> int:
        return int(self.arch.removeprefix("sm_").rstrip("a"))


# Shared memory per block with the opt-in (cudaFuncAttributeMaxDynamicSharedMemorySize),
# threads per SM, and the SMs of the datacenter part of each generation (the device's own
# count replaces it where there is a device).
KNOWN = {
    "sm_70": (96 * 1024, 2048, 80),
    "sm_75": (64 * 1024, 1024, 40),
    "sm_80": (163 * 1024, 2048, 108),
    "sm_86": (99 * 1024, 1536, 84),
    "sm_87": (163 * 1024, 2048, 16),
    "sm_89": (99 * 1024, 1536, 142),
    "sm_90": (227 * 1024, 2048, 132),
    "sm_90a": (227 * 1024, 2048, 132),
    "sm_100": (227 * 1024, 2048, 148),
    "sm_120": (99 * 1024, 1536, 84),
}


def describe_gpu(arch: str = "") -> Gpu:
    """The GPU of architecture `arch`, or the one this process sees (sm_80 if none)."""
    if not arch:
        found = visible_gpu()
        arch = nearest_known(found[0]) if found else DEFAULT_ARCH
    if arch not in KNOWN:
        raise ZigguratError(
            f"unknown GPU architecture '{arch}', expected one of {', '.join(KNOWN)}"
        )
    shared, threads, multiprocessors = KNOWN[arch]
    found = visible_gpu()
    if found is not None and nearest_known(found[0]) == arch:
        multiprocessors = found[1]
    return Gpu(arch, shared, threads, multiprocessors)


def nearest_known(arch: str) -> str:
    """A GPU newer than this module knows of is taken for the newest of its generation."""
    if arch in KNOWN:
        return arch
    major = arch.removeprefix("sm_")[:-1]
    same = [known for known in KNOWN if known.removeprefix("sm_")[:-1] == major]
    return max(same, key=len) if same else DEFAULT_ARCH


@cache
def visible_gpu() -> tuple[str, int] | None:
    """The architecture and SM count of the first GPU the CUDA driver shows, or None where
    there is no driver, no GPU or no Python package to ask it with."""
    from ziggurat.targets.cuda.runtime import device_properties

    try:
        major, minor, multiprocessors = device_properties()
    except ZigguratError:
        return None
    return f"sm_{major}{minor}", multiprocessors
