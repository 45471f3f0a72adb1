"""Optimize LLVM IR for a CPU, compile it to object code and load that in memory with
llvmlite.

The CPU is LLVM's name for it and a feature string (`Machine`); the empty pair is the host's
own CPU and features, so LLVM's O3 pipeline vectorizes for AVX2 or AVX-512 where the host
has them. Object code is what LLVM's MCJIT would make of the module itself (same target
machine, large code model), so objects made apart (one per function, in other processes, or
read from the cache) load into one engine and call each other. libm is loaded so calls to
`erff`, `tanhf`, ... resolve.
"""

from __future__ import annotations

import ctypes.util
import threading
from collections.abc import Mapping
from functools import cache

import llvmlite.binding as llvm

from ziggurat.diagnostics import ZigguratError


@cache
def initialize() -> None:
    """Set LLVM up for the host, once per process."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    libm = ctypes.util.find_library("m")
    if libm:
        llvm.load_library_permanently(libm)


# LLVM's CPU name and feature string; ("", "") is the host's.
Machine = tuple[str, str]
HOST: Machine = ("", "")


def target_machine(cpu: str = "", features: str = "") -> llvm.TargetMachine:
    """A target machine at O3 for LLVM's CPU `cpu` with `features` (the host's where `cpu` is
    empty). A new one each time: an execution engine takes ownership of its machine and
    frees it with itself."""
    initialize()
    if not cpu:
        cpu, features = llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    return target.create_target_machine(cpu=cpu, features=features, opt=3, codemodel="jitdefault")


def parse(ir_text: str, machine: Machine = HOST) -> llvm.ModuleRef:
    """Parse and verify LLVM IR for a CPU."""
    target = target_machine(*machine)
    try:
        module = llvm.parse_assembly(ir_text)
        module.verify()
    except RuntimeError as error:
        raise ZigguratError(f"invalid LLVM IR: {error}") from None
    module.triple = llvm.get_process_triple()
    module.data_layout = str(target.target_data)
    return module


def optimize(module: llvm.ModuleRef, speed_level: int = 3, machine: Machine = HOST) -> None:
    """Run LLVM's default pipeline (O3: loop and SLP vectorization, unrolling) in place."""
    target = target_machine(*machine)
    options = llvm.create_pipeline_tuning_options(speed_level=speed_level)
    options.loop_vectorization = speed_level > 1
    options.slp_vectorization = speed_level > 1
    options.loop_unrolling = speed_level > 1
    builder = llvm.create_pass_builder(target, options)
    builder.getModulePassManager().run(module, builder)


def compile_module(module: llvm.ModuleRef, machine: Machine = HOST) -> llvm.ExecutionEngine:
    """An execution engine with `module` compiled to machine code."""
    engine = llvm.create_mcjit_compiler(module, target_machine(*machine))
    engine.finalize_object()
    engine.run_static_constructors()
    return engine


def emit_object(module: llvm.ModuleRef, machine: Machine = HOST) -> bytes:
    """The object code of an (optimized) module."""
    return target_machine(*machine).emit_object(module)


def load_objects(
    objects: list[bytes], machine: Machine = HOST, symbols: Mapping[str, int] | None = None
) -> llvm.ExecutionEngine:
    """An execution engine with `objects` loaded and linked to each other, the names in
    `symbols` (what they declare and nobody defines) resolved to the addresses beside them."""
    engine = llvm.create_mcjit_compiler(parse(""), target_machine(*machine))
    # LLVM's table of named addresses is the process's: another module's globals of the
    # same names may be added, so these are added and used at once, one module at a time.
    with LINKING:
        for name, address in (symbols or {}).items():
            known = llvm.address_of_symbol(name)
            if known is not None and known != address and name not in ADDED:
                raise ZigguratError(
                    f"the global '@{name}' has the name of a symbol of this process"
                )
            llvm.add_symbol(name, address)
            ADDED.add(name)
        for code in objects:
            engine.add_object_file(llvm.ObjectFileRef.from_data(code))
        engine.finalize_object()
    return engine


LINKING = threading.Lock()
# The names load_objects gave addresses (others, the process's own, are not to be hidden).
ADDED: set[str] = set()


def assembly(module: llvm.ModuleRef, machine: Machine = HOST) -> str:
    """The assembly of an (optimized) module."""
    return target_machine(*machine).emit_assembly(module)
