"""The CPU the code is compiled for: LLVM's name for it, its features, the width and number of
its vector registers, the threads its parallel loops run on, and its data caches.

By default this is the machine Ziggurat runs on, as llvmlite reads it. A CPU named by the
user (`cpu{mcpu=znver2}`) gets LLVM's features for that CPU; `vector-bits` narrower than
the CPU's turns off the instructions of wider vectors (256 on an AVX-512 machine: AVX2 code,
16 registers, as an AVX2 machine runs). The vector width is read off the code LLVM makes for
a 16-lane add (zmm, ymm or xmm registers on x86), so no table of CPUs lives here. Cache
sizes are the host's (the code runs here), from sysfs, with common sizes where it is absent.

    cpu = describe_cpu("znver2", 0)    # Cpu(name='znver2', vector_bits=256, registers=16, ...)
    cpu.lanes(4)                       # 8 f32 per vector
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import llvmlite.binding as llvm

from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cpu import jit
from ziggurat.targets.cpu.threads import default_num_threads

# Features that give an x86 CPU vectors of each width; turning one off turns off the wider.
X86_WIDEST = {512: "avx512f", 256: "avx"}
PROBE = """
define <16 x float> @probe(<16 x float> %a, <16 x float> %b) {
  %c = fadd <16 x float> %a, %b
  ret <16 x float> %c
}
"""


@dataclass(frozen=True)
class Cpu:
    """One CPU configuration, everything the CPU target's choices depend on."""

    name: str  # LLVM's CPU name
    features: str  # LLVM's feature string: "+avx2,-avx512f,..."; "" for the CPU's own
    vector_bits: int
    registers: int  # vector registers
    threads: int
    l1d: int  # bytes of level-1 data cache per core
    l2: int  # bytes of level-2 cache per core

    def lanes(self, element_bytes: int) -> int:
        """Elements of `element_bytes` in one vector register."""
        return max(1, self.vector_bits // (8 * element_bytes))

    def machine(self) -> llvm.TargetMachine:
        return jit.target_machine(self.name, self.features)


def describe_cpu(mcpu: str = "", vector_bits: int = 0, threads: int = 0) -> Cpu:
    """The host's CPU, or the one LLVM calls `mcpu`; its vectors narrowed to `vector_bits`
    and its parallel loops on `threads` threads where given (0: the default)."""
    name, features = cpu_and_features(mcpu)
    widest = widest_vector_bits(name, features)
    if vector_bits:
        if vector_bits not in (128, 256, 512) or vector_bits > widest:
            raise ZigguratError(
                f"cpu target: vector-bits={vector_bits} is not a vector width of CPU '{name}' "
                f"(128 to {widest})"
            )
        if is_x86() and vector_bits < widest:
            off = [f"-{X86_WIDEST[bits]}" for bits in X86_WIDEST if bits > vector_bits]
            features = ",".join(f for f in (features, *off) if f)
    else:
        vector_bits = widest
    # 32 registers come with AVX-512 (and on ARM with NEON); AVX2 and SSE have 16.
    registers = 32 if vector_bits == 512 or not is_x86() else 16
    if threads < 0:
        raise ZigguratError(f"cpu target: threads={threads} must be positive")
    l1d, l2 = cache_sizes()
    return Cpu(name, features, vector_bits, registers, threads or default_num_threads(), l1d, l2)


def is_x86() -> bool:
    return llvm.get_process_triple().startswith(("x86_64", "i386", "i686"))


def cpu_and_features(mcpu: str) -> tuple[str, str]:
    """LLVM's name and features of the host, or of the CPU named `mcpu` (LLVM's defaults)."""
    jit.initialize()
    if not mcpu or mcpu == "native":
        return llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
    if not known_cpu(mcpu):
        raise ZigguratError(f"cpu target: LLVM does not know a CPU named '{mcpu}'")
    return mcpu, ""


@cache
def known_cpu(name: str) -> bool:
    """Whether LLVM knows the CPU `name`: for one it does not, it says so on stderr when it
    makes a target machine (and aborts the process if asked for 64-bit code for it)."""
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    try:
        jit.target_machine(name, "")
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write)
    with os.fdopen(read) as said:
        return "not a recognized processor" not in said.read()


@cache
def widest_vector_bits(name: str, features: str) -> int:
    """The widest vector registers LLVM uses for `name` with `features`, from the assembly of
    a 16-lane f32 add."""
    if not is_x86():
        return 128
    module = llvm.parse_assembly(PROBE)
    assembly = jit.target_machine(name, features).emit_assembly(module)
    if "zmm" in assembly:
        return 512
    return 256 if "ymm" in assembly else 128


@cache
def cache_sizes() -> tuple[int, int]:
    """Bytes of level-1 data and level-2 cache of the host's first core (48 KiB and 2 MiB
    where sysfs does not say)."""
    found = {}
    for index in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*"):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        match = re.fullmatch(r"(\d+)([KMG]?)", size)
        if match and kind in ("Data", "Unified"):
            scale = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[match[2]]
            found.setdefault(level, int(match[1]) * scale)
    return found.get("1", 48 << 10), found.get("2", 2 << 20)
