"""The kernels of a `gpu.module` (lowered to the llvm dialect by gpu-to-nvvm) as LLVM IR for
`nvptx64-nvidia-cuda`, optimized (O3) and printed as PTX by llvmlite's NVPTX backend: no
CUDA toolkit is needed to compile. Kernels and their block sizes are marked with
`!nvvm.annotations` (`kernel`, `reqntidx`...), which every LLVM since NVPTX began reads.

    text = ptx(kernels, "sm_90")        # .version 7.8 / .target sm_90 / .visible .entry ...
    report = ptxas(text, "sm_90")       # registers, shared memory, spills per kernel (ptxas -v)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import llvmlite.binding as llvm
import llvmlite.ir as ir
from xdsl.dialects import llvm as llvm_dialect
from xdsl.dialects.builtin import DenseArrayBase, ModuleOp
from xdsl.ir import Operation

from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cpu.llvm_ir import translate

TRIPLE = "nvptx64-nvidia-cuda"


@cache
def target_machine(arch: str) -> llvm.TargetMachine:
    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()
    target = llvm.Target.from_triple(TRIPLE)
    return target.create_target_machine(cpu=arch, opt=3)


def llvm_ir(kernels: Operation) -> str:
    """LLVM IR text for the llvm-dialect ops of a gpu.module (before LLVM optimizes it)."""
    module = ModuleOp([op.clone() for op in kernels.regions[0].block.ops])
    translated = translate(module, triple=TRIPLE)
    annotate(translated, module)
    return str(translated)


def annotate(translated: ir.Module, module: ModuleOp) -> None:
    """`!nvvm.annotations`: which functions are kernels, and their block sizes."""
    annotations = translated.add_named_metadata("nvvm.annotations")
    i32 = ir.IntType(32)
    for op in module.ops:
        if not isinstance(op, llvm_dialect.FuncOp) or "nvvm.kernel" not in op.attributes:
            continue
        function = translated.get_global(op.sym_name.data)
        annotations.add(translated.add_metadata([function, "kernel", i32(1)]))
        block = op.attributes.get("nvvm.reqntid")
        if isinstance(block, DenseArrayBase):
            for axis, size in zip("xyz", block.get_values(), strict=True):
                annotations.add(translated.add_metadata([function, f"reqntid{axis}", i32(size)]))


def optimized(kernels: Operation, arch: str) -> llvm.ModuleRef:
    """The LLVM module of a gpu.module's kernels after LLVM's O3 pipeline for `arch`."""
    machine = target_machine(arch)
    module = llvm.parse_assembly(llvm_ir(kernels))
    module.triple = TRIPLE
    module.data_layout = str(machine.target_data)
    module.verify()
    options = llvm.create_pipeline_tuning_options(speed_level=3)
    builder = llvm.create_pass_builder(machine, options)
    builder.getModulePassManager().run(module, builder)
    return module


def ptx(kernels: Operation, arch: str) -> str:
    """PTX assembly for the kernels of a gpu.module, for GPUs of `arch` (`sm_90`)."""
    return target_machine(arch).emit_assembly(optimized(kernels, arch))


# ptxas: what the kernels need of the GPU -----------------------------------------------------


@dataclass(frozen=True)
class KernelResources:
    """What `ptxas -v` reports for one kernel."""

    registers: int
    shared_bytes: int
    stack_bytes: int
    spill_stores: int
    spill_loads: int


def ptxas(text: str, arch: str) -> dict[str, KernelResources]:
    """Assemble PTX for `arch` with the CUDA toolkit's ptxas (an error where it is not on
    the PATH, or rejects the PTX); each kernel's resources."""
    command = shutil.which("ptxas")
    if command is None:
        raise ZigguratError("ptxas is not on the PATH (it comes with the CUDA toolkit)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "kernels.ptx"
        source.write_text(text)
        result = subprocess.run(
            [command, f"-arch={arch}", "-v", str(source), "-o", str(Path(folder) / "k.cubin")],
            capture_output=True,
            text=True,
            timeout=300,
        )
    if result.returncode != 0:
        raise ZigguratError(f"ptxas rejects the PTX: {result.stderr.strip()}")
    return parse_ptxas_report(result.stderr)


def parse_ptxas_report(report: str) -> dict[str, KernelResources]:
    """The resources of each kernel in the text of `ptxas -v`."""
    found: dict[str, KernelResources] = {}
    for chunk in re.split(r"ptxas info\s*: Compiling entry function ", report)[1:]:
        name = re.match(r"'([^']+)'", chunk)
        registers = re.search(r"Used (\d+) registers", chunk)
        if name is None or registers is None:
            continue
        frame = re.search(
            r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", chunk
        )
        shared = re.search(r"(\d+) bytes smem", chunk)
        stack, stores, loads = (int(g) for g in frame.groups()) if frame else (0, 0, 0)
        found[name.group(1)] = KernelResources(
            int(registers.group(1)), int(shared.group(1)) if shared else 0, stack, stores, loads
        )
    return found
