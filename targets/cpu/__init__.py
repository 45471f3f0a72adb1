"""The CPU target: loop-level IR to a native function callable on numpy arrays.

loop IR --loop-to-llvm--> llvm dialect --llvm_ir--> LLVM IR --jit (O3, host CPU)--> code

compiled = compile_loop_module(module)
C = compiled.matmul(A, B)[0]
"""

from __future__ import annotations

import ctypes

from xdsl.dialects.builtin import ModuleOp

from ziggurat.ir_io import pass_pipeline
from ziggurat.registry import make_context
from ziggurat.targets.cpu import jit, threads
from ziggurat.targets.cpu.llvm_ir import add_packed_wrapper, translate
from ziggurat.targets.cpu.runtime import CpuFunction, CpuModule, signatures

__all__ = ["CpuFunction", "CpuModule", "compile_loop_module", "llvm_ir", "optimized_llvm_ir"]

# From the loop level to the llvm dialect.
LOWERING = (
    "lower-affine,expand-math,vectorize-loops,outline-parallel,convert-math-to-libm,"
    "lower-allocations,loop-to-llvm"
)


def lower_to_llvm_dialect(module: ModuleOp) -> ModuleOp:
    """A copy of a loop-level module lowered to the llvm dialect."""
    lowered = module.clone()
    pass_pipeline(LOWERING).apply(make_context(), lowered)
    return lowered


def llvm_ir(module: ModuleOp) -> str:
    """LLVM IR text for a loop-level or llvm-dialect module, before LLVM optimizes it."""
    if any(not op.name.startswith("llvm.") for op in module.ops):
        module = lower_to_llvm_dialect(module)
    return str(translate(module))


def optimized_llvm_ir(module: ModuleOp) -> str:
    """LLVM IR text after LLVM's O3 pipeline for the host CPU."""
    compiled = jit.parse(llvm_ir(module))
    jit.optimize(compiled)
    return str(compiled)


def compile_loop_module(module: ModuleOp) -> CpuModule:
    """Compile a loop-level module for this machine; the module itself is left unchanged."""
    functions = signatures(module)
    contents: dict[str, bytes] = {}
    llvm_module = translate(lower_to_llvm_dialect(module), contents=contents)
    wrappers = {name: add_packed_wrapper(llvm_module, name) for name in functions}
    text = str(llvm_module)
    compiled = jit.parse(text)
    jit.optimize(compiled)
    threads.install()  # parallel loops call the pool's entry points
    engine = jit.compile_module(compiled)
    for name, raw in contents.items():
        ctypes.memmove(engine.get_global_value_address(name), raw, len(raw))
    return CpuModule(
        {
            name: CpuFunction(signature, engine.get_function_address(wrappers[name]), engine)
            for name, signature in functions.items()
        },
        text,
        compiled,
    )
