"""Build a loop-level module into object code for the CPU, one function at a time, on every
core this process may use.

Each function with a body is a *unit*: a module of its own holding that function (public, so
the others can call it), declarations of the functions it calls and of the globals it uses,
and copies of the small constants it reads (so LLVM still sees their values). The module's
other globals (weights, state) are one more unit, `GLOBALS`, which defines them. A unit goes
through the target's lowering, the translation to LLVM IR, LLVM's O3 and code generation,
and comes out as object code; the objects load into one engine and link there (jit.py).

Units build in worker processes forked from this one, so the module is theirs without
being sent; only object code comes back. Each worker takes the largest unit left, as many
workers as this process may use CPUs (`ZIGGURAT_JOBS` to change it). An object depends on
its unit's IR alone, so the result is the same however the work was shared. A small module,
or a platform without fork, builds in this process.

    built = build_units(module, LOWERING, jit.HOST)   # {unit name: Built}
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

import llvmlite.binding.ffi as llvm_ffi
from xdsl.dialects import func, memref
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, StringAttr, UnitAttr
from xdsl.ir import Operation

from ziggurat import progress
from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import pass_pipeline
from ziggurat.passes.conversion.loop_to_llvm.common import byte_size
from ziggurat.registry import make_context
from ziggurat.targets.cpu import jit
from ziggurat.targets.cpu.llvm_ir import LARGE_CONSTANT_BYTES, add_packed_wrapper, translate

# The unit that defines the module's globals; no function has an empty name.
GLOBALS = ""
# Modules with fewer ops than this build in this process: forking costs more.
SMALLEST_FORKED = 1000


@dataclass
class Built:
    """What one unit became: its object code, its LLVM IR before optimization, the bytes of
    the large constants it defines (copied in once loaded), and the CPU seconds of each
    phase of its build."""

    name: str
    code: bytes
    llvm_ir: str
    contents: dict[str, bytes] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)


def unit_names(module: ModuleOp) -> list[str]:
    """The units of `module`, in its order: its functions with a body, then GLOBALS if it
    has globals that are not copied into each unit using them."""
    names = [
        op.sym_name.data for op in module.ops if isinstance(op, func.FuncOp) and op.body.blocks
    ]
    if any(isinstance(op, memref.GlobalOp) and not is_copied(op) for op in module.ops):
        names.append(GLOBALS)
    return names


def is_copied(op: memref.GlobalOp) -> bool:
    """Whether a global is a small constant, which each unit reading it gets a copy of."""
    value, type = op.initial_value, op.type
    if op.constant is None or not isinstance(value, DenseIntOrFPElementsAttr):
        return False
    count = 1
    for size in type.get_shape():  # type: ignore[attr-defined]
        count *= size
    return count * byte_size(type.element_type, op) <= LARGE_CONSTANT_BYTES  # type: ignore[attr-defined]


def symbol_table(module: ModuleOp) -> dict[str, Operation]:
    """The functions and globals of `module` by name, taken before units take them out."""
    return {op.sym_name.data: op for op in module.ops if hasattr(op, "sym_name")}  # type: ignore[attr-defined]


def unit_module(
    module: ModuleOp, symbols: dict[str, Operation], name: str
) -> tuple[ModuleOp, frozenset[str]]:
    """The module of unit `name`, its function taken out of `module` (whose `symbol_table`
    is `symbols`), or its globals copied, and the globals it only declares."""
    ops: list[Operation] = []
    seen: set[str] = set()
    declared: set[str] = set()
    if name == GLOBALS:
        for op in module.ops:
            if isinstance(op, memref.GlobalOp) and not is_copied(op):
                copy = op.clone()  # the values are shared, not copied
                copy.properties["sym_visibility"] = StringAttr("public")
                ops.append(copy)
        return ModuleOp(ops), frozenset()
    function = symbols[name]
    assert isinstance(function, func.FuncOp)
    for op in function.walk():
        if isinstance(op, memref.GetGlobalOp):
            used = op.name_.root_reference.data
            if used in symbols and used not in seen:
                seen.add(used)
                declared.add(used)
                ops.append(global_for_unit(symbols[used]))  # type: ignore[arg-type]
        elif isinstance(op, func.CallOp):
            callee = op.callee.root_reference.data
            if callee != name and callee in symbols and callee not in seen:
                seen.add(callee)
                called = symbols[callee]
                assert isinstance(called, func.FuncOp)
                inputs, outputs = called.function_type.inputs, called.function_type.outputs
                ops.append(func.FuncOp.external(callee, inputs.data, outputs.data))
    function.detach()
    function.properties.pop("sym_visibility", None)
    ops.append(function)
    copied = {op.sym_name.data for op in ops if isinstance(op, memref.GlobalOp) and is_copied(op)}
    return ModuleOp(ops), frozenset(declared - copied)


def global_for_unit(op: memref.GlobalOp) -> memref.GlobalOp:
    """A copy of a small constant global, or the declaration of another (GLOBALS defines
    it)."""
    if is_copied(op):
        return op.clone()
    return memref.GlobalOp.get(
        op.sym_name, op.type, UnitAttr(), StringAttr("public"), alignment=op.alignment
    )


def build_unit(
    unit: ModuleOp,
    name: str,
    declared: frozenset[str],
    public: bool,
    lowering: str,
    machine: jit.Machine,
) -> Built:
    """Lower, translate, optimize and compile one unit's module."""
    times: dict[str, float] = {}

    def timed(phase: str, work: Callable[[], object]) -> object:
        start = time.process_time()
        result = work()
        times[phase] = times.get(phase, 0.0) + time.process_time() - start
        return result

    for module_pass in pass_pipeline(lowering).passes:
        timed(module_pass.name, lambda p=module_pass: p.apply(make_context(), unit))
    contents: dict[str, bytes] = {}
    llvm_module = timed("translate", lambda: translate(unit, contents=contents, declared=declared))
    if public:
        add_packed_wrapper(llvm_module, name)  # type: ignore[arg-type]
    text = str(llvm_module)
    compiled = timed("llvm parse", lambda: jit.parse(text, machine))
    timed("llvm optimize", lambda: jit.optimize(compiled, machine=machine))  # type: ignore[arg-type]
    code = timed("llvm codegen", lambda: jit.emit_object(compiled, machine))  # type: ignore[arg-type]
    return Built(name, code, text, contents, times)  # type: ignore[arg-type]


def build_units(
    module: ModuleOp,
    lowering: str,
    machine: jit.Machine,
    names: Sequence[str] | None = None,
    jobs: int = 0,
    on_built: Callable[[Built], None] | None = None,
) -> dict[str, Built]:
    """Build units `names` (all of them by default) of a loop-level module, left unchanged,
    on `jobs` processes (0: as many as this process may use CPUs); `on_built` is told of
    each as it is done."""
    names = unit_names(module) if names is None else list(names)
    public = {
        op.sym_name.data
        for op in module.ops
        if isinstance(op, func.FuncOp) and op.sym_visibility != StringAttr("private")
    }
    jobs = jobs or default_jobs()
    functions = [n for n in names if n != GLOBALS]
    sizes = unit_sizes(module, functions)
    forked = (
        jobs > 1
        and len(functions) > 1
        and sum(sizes.values()) >= SMALLEST_FORKED
        and "fork" in multiprocessing.get_all_start_methods()
    )
    built: dict[str, Built] = {}

    def done(unit: Built) -> None:
        built[unit.name] = unit
        for phase_name, seconds in unit.times.items():
            progress.add(phase_name, seconds, seconds)
        progress.count("functions", len(built), len(names))
        if on_built is not None:
            on_built(unit)

    largest_first = sorted(functions, key=lambda n: -sizes[n])

    def build_here(module: ModuleOp, names: list[str]) -> None:
        symbols = symbol_table(module)
        for name in names:
            unit, declared = unit_module(module, symbols, name)
            done(build_unit(unit, name, declared, name in public, lowering, machine))

    # The globals (a copy of them) build here while the workers build the functions.
    here = [GLOBALS] if GLOBALS in names else []
    with progress.phase(f"build {len(names)} units on {jobs if forked else 1} processes"):
        if forked:
            meanwhile = lambda: build_here(module, here)  # noqa: E731
            build_in_workers(
                module, largest_first, public, lowering, machine, jobs, done, meanwhile
            )
        else:
            build_here(module.clone(), [*largest_first, *here])
    return {name: built[name] for name in names}


def unit_sizes(module: ModuleOp, names: Sequence[str]) -> dict[str, int]:
    """The ops of each function, for the largest to start first."""
    wanted = set(names)
    return {
        op.sym_name.data: sum(1 for _ in op.walk())
        for op in module.ops
        if isinstance(op, func.FuncOp) and op.sym_name.data in wanted
    }


def default_jobs() -> int:
    """`ZIGGURAT_JOBS`, else the CPUs this process may run on."""
    value = os.environ.get("ZIGGURAT_JOBS")
    if value is not None:
        try:
            if int(value) >= 1:
                return int(value)
        except ValueError:
            pass
        raise ZigguratError(f"ZIGGURAT_JOBS must be a positive integer, got '{value}'")
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def build_in_workers(
    module: ModuleOp,
    names: list[str],
    public: set[str],
    lowering: str,
    machine: jit.Machine,
    jobs: int,
    done: Callable[[Built], None],
    meanwhile: Callable[[], None],
) -> None:
    """Build units `names` in `jobs` forked processes, each asking for the next unit as it
    finishes one, the first names first; this process does `meanwhile` after starting
    them."""
    context = multiprocessing.get_context("fork")
    workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    # No other thread may be inside LLVM while forking: the child would inherit its lock.
    with llvm_ffi.lib._lock:
        for _ in range(min(jobs, len(names))):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=work,
                args=(theirs, module, symbol_table(module), public, lowering, machine),
                daemon=True,
            )
            process.start()
            theirs.close()
            workers.append((process, ours))
    pending = iter(names)
    try:
        busy = {}
        for process, connection in workers:
            name = next(pending, None)
            if name is not None:
                connection.send(name)
                busy[connection] = process
        meanwhile()
        while busy:
            for connection in wait(list(busy)):
                assert isinstance(connection, Connection)
                try:
                    result = connection.recv()
                except EOFError:
                    code = busy[connection].exitcode
                    raise ZigguratError(f"a compiling process died (exit code {code})") from None
                if isinstance(result, tuple):  # a failure: (message, where) or a traceback
                    raise ZigguratError(*result) if len(result) == 2 else RuntimeError(result[0])
                done(result)
                name = next(pending, None)
                if name is None:
                    connection.send(None)
                    del busy[connection]
                else:
                    connection.send(name)
    finally:
        for process, connection in workers:
            connection.close()
            process.join(timeout=1)
            if process.is_alive():
                process.kill()
                process.join()


def work(
    connection: Connection,
    module: ModuleOp,
    symbols: dict[str, Operation],
    public: set[str],
    lowering: str,
    machine: jit.Machine,
) -> None:
    """A worker: build each unit it is sent, until sent None."""
    gc.disable()  # a short life: collecting would only cost time
    while (name := connection.recv()) is not None:
        try:
            unit, declared = unit_module(module, symbols, name)
            built: Built | tuple = build_unit(
                unit, name, declared, name in public, lowering, machine
            )
        except ZigguratError as error:
            built = (error.message, error.where)
        except Exception:  # our bug: the parent shows the worker's traceback
            built = (traceback.format_exc(),)
        connection.send(built)
