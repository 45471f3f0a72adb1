"""Build a loop-level module into object code for the CPU, a few functions at a time, on
every core this process may use.

The module's functions, in order, are cut into *units* of a few hundred ops: each a module
of its own holding those functions (public, so the others can call them), declarations of
the functions they call and of the globals they use, and copies of the small constants they
read (so LLVM still sees their values). The module's other globals (weights, state, and the
small constants some function only passes on to another: a network's `main` passes its
batch norms' vectors, thousands of numbers as text it would otherwise translate) are one
more unit, which defines them. A unit goes through the target's lowering, the translation
to LLVM IR, LLVM's O3 and code generation, and comes out as object code; the objects load
into one engine and link there (jit.py).

Units build in worker processes forked from this one, so the module is theirs without
being sent; only object code comes back. Each worker takes the largest unit left, as many
workers as this process may use CPUs (`ZIGGURAT_JOBS` to change it). An object depends on
its unit's IR alone, so the result is the same however the work was shared. A small module,
or a platform without fork, builds in this process.

    built = build_units(module, LOWERING, jit.HOST)   # a Built per unit, in order
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
from ziggurat.dialects.loop import BARE_POINTERS
from ziggurat.ir_io import pass_pipeline, print_module
from ziggurat.passes.conversion.loop_to_llvm.common import byte_size
from ziggurat.passes.conversion.loop_to_llvm.func import passes_bare_pointers
from ziggurat.registry import make_context
from ziggurat.targets.cpu import jit
from ziggurat.targets.cpu.llvm_ir import LARGE_CONSTANT_BYTES, add_packed_wrapper, translate

# Functions go into one unit until it has this many ops (at the loop level, before default
# schedules, which about double them): LLVM's fixed cost per module (a few ms) then stays
# small beside the unit's own work, and there are units enough to share among workers.
UNIT_OPS = 200
# The ops of the functions left are shared among at least this many units.
TAIL_UNITS = 8
# Modules with fewer ops than this build in this process: forking would cost more.
SMALLEST_FORKED = 1000


@dataclass(frozen=True)
class Unit:
    """Functions built together, a run of the module's in its order; or, with none, the
    module's globals."""

    functions: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.functions[0] if self.functions else "globals"


@dataclass
class Built:
    """What one unit became: its object code, its LLVM IR before optimization, the bytes of
    the large constants it declares (placed by the loader), and the CPU seconds of each
    phase of its build."""

    unit: Unit
    code: bytes
    llvm_ir: str
    contents: dict[str, bytes] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)


def units_of(module: ModuleOp) -> list[Unit]:
    """The units of `module`: its functions with a body, in order, in runs of at least
    UNIT_OPS ops, shorter runs towards the end (see unit_ops); then its globals, if it has
    globals that are not copied into each unit using them."""
    sizes = [
        (op.sym_name.data, sum(1 for _ in op.walk()))
        for op in module.ops
        if isinstance(op, func.FuncOp) and op.body.blocks
    ]
    left = sum(size for _, size in sizes)
    units: list[Unit] = []
    run: list[str] = []
    ops = 0
    for name, size in sizes:
        run.append(name)
        ops += size
        if ops >= unit_ops(left):
            units.append(Unit(tuple(run)))
            left -= ops
            run, ops = [], 0
    if run:
        units.append(Unit(tuple(run)))
    if defined_globals(module):
        units.append(Unit(()))
    return units


def unit_ops(left: int) -> int:
    """The ops of the next unit when the functions not yet in one have `left` ops: UNIT_OPS
    while that is a small part of them, then less (down to a quarter), so that the units
    the workers take last (the smallest) end close together."""
    return max(UNIT_OPS // 4, min(UNIT_OPS, left // TAIL_UNITS))


def defined_globals(module: ModuleOp) -> list[memref.GlobalOp]:
    """The globals the globals' unit defines: all but the small constants that every
    function using them reads (each unit reading one has a copy)."""
    passed = {
        op.name_.root_reference.data
        for op in module.walk()
        if isinstance(op, memref.GetGlobalOp) and not is_read(op)
    }
    return [
        op
        for op in module.ops
        if isinstance(op, memref.GlobalOp) and (not is_small(op) or op.sym_name.data in passed)
    ]


def is_read(op: memref.GetGlobalOp) -> bool:
    """Whether the function of `op` reads the global, rather than only passing it on."""
    return any(not isinstance(use.operation, func.CallOp) for use in op.results[0].uses)


def copied_globals(functions: Sequence[Operation], symbols: dict[str, Operation]) -> set[str]:
    """The small constants `functions` read, which their unit has copies of."""
    return {
        name
        for function in functions
        for op in function.walk()
        if isinstance(op, memref.GetGlobalOp)
        and is_small(symbols[name := op.name_.root_reference.data])  # type: ignore[arg-type]
        and is_read(op)
    }


def is_small(op: memref.GlobalOp) -> bool:
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
    module: ModuleOp, symbols: dict[str, Operation], unit: Unit
) -> tuple[ModuleOp, frozenset[str]]:
    """The module of `unit`: its functions taken out of `module` (whose `symbol_table` is
    `symbols`), public, with what they use from the rest declared; or its globals copied
    (before any unit takes its functions out of `module`). Also the globals it only
    declares."""
    if not unit.functions:
        definitions = []
        for op in defined_globals(module):
            copy = op.clone()  # the values are shared, not copied
            copy.properties["sym_visibility"] = StringAttr("public")
            definitions.append(copy)
        return ModuleOp(definitions), frozenset()
    ops: list[Operation] = []
    used: set[str] = set(unit.functions)
    declared: set[str] = set()
    functions = [symbols[name] for name in unit.functions]
    copied = copied_globals(functions, symbols)
    for function in functions:
        for op in function.walk():
            if isinstance(op, memref.GetGlobalOp):
                name = op.name_.root_reference.data
                if name not in used:
                    used.add(name)
                    ops.append(global_for_unit(symbols[name], name in copied))  # type: ignore[arg-type]
                    declared.add(name)
            elif isinstance(op, func.CallOp):
                name = op.callee.root_reference.data
                if name not in used and name in symbols:
                    used.add(name)
                    called = symbols[name]
                    assert isinstance(called, func.FuncOp)
                    types = called.function_type
                    declaration = func.FuncOp.external(name, types.inputs.data, types.outputs.data)
                    if passes_bare_pointers(called):
                        declaration.attributes[BARE_POINTERS] = UnitAttr()
                    ops.append(declaration)
    for function in functions:
        function.detach()
        # Public, for other units to call; still called with bare pointers if it was private.
        if passes_bare_pointers(function):
            function.attributes[BARE_POINTERS] = UnitAttr()
        function.properties.pop("sym_visibility", None)
        ops.append(function)
    return ModuleOp(ops), frozenset(declared - copied)


def unit_text(module: ModuleOp, symbols: dict[str, Operation], unit: Unit) -> str:
    """What the object code of a unit of functions depends on, as text (for its cache
    key): the IR of its functions and of the small constants they read, and the types of
    what they declare."""
    lines: list[str] = []
    used: set[str] = set(unit.functions)
    copied = copied_globals([symbols[name] for name in unit.functions], symbols)
    for name in unit.functions:
        function = symbols[name]
        lines.append(print_module(function))
        for op in function.walk():
            if isinstance(op, memref.GetGlobalOp | func.CallOp):
                symbol = op.name_ if isinstance(op, memref.GetGlobalOp) else op.callee
                name_used = symbol.root_reference.data
                if name_used in used or name_used not in symbols:
                    continue
                used.add(name_used)
                other = symbols[name_used]
                if isinstance(other, memref.GlobalOp) and name_used in copied:
                    lines.append(print_module(other))
                elif isinstance(other, memref.GlobalOp):
                    lines.append(f"global @{name_used} : {other.type} align {other.alignment}")
                elif isinstance(other, func.FuncOp):
                    bare = " (bare pointers)" if passes_bare_pointers(other) else ""
                    lines.append(f"declare @{name_used} : {other.function_type}{bare}")
    return "\n".join(lines)


def global_for_unit(op: memref.GlobalOp, copied: bool) -> memref.GlobalOp:
    """A copy of a global (a small constant the unit reads), or its declaration (the
    globals' unit defines it)."""
    if copied:
        return op.clone()
    return memref.GlobalOp.get(
        op.sym_name, op.type, UnitAttr(), StringAttr("public"), alignment=op.alignment
    )


def build_unit(
    module: ModuleOp,
    unit: Unit,
    declared: frozenset[str],
    public: set[str],
    lowering: str,
    machine: jit.Machine,
) -> Built:
    """Lower, translate, optimize and compile the module of `unit`, with a packed wrapper
    for each of its functions in `public`."""
    times: dict[str, float] = {}

    def timed(phase: str, work: Callable[[], object]) -> object:
        start = time.process_time()
        result = work()
        times[phase] = times.get(phase, 0.0) + time.process_time() - start
        return result

    for module_pass in pass_pipeline(lowering).passes:
        timed(module_pass.name, lambda p=module_pass: p.apply(make_context(), module))
    contents: dict[str, bytes] = {}
    # The globals' unit reads none of its constants: the loader places them all, rather
    # than LLVM IR spelling the small ones (DenseNet-121's main passes on 0.8 MB as text).
    large = LARGE_CONSTANT_BYTES if unit.functions else 0
    llvm_module = timed(
        "translate",
        lambda: translate(module, contents=contents, declared=declared, large=large),
    )
    for name in unit.functions:
        if name in public:
            add_packed_wrapper(llvm_module, name)  # type: ignore[arg-type]
    text = timed("translate", lambda: str(llvm_module))  # llvmlite builds the text here
    compiled = timed("llvm parse", lambda: jit.parse(text, machine))
    timed("llvm optimize", lambda: jit.optimize(compiled, machine=machine))  # type: ignore[arg-type]
    code = timed("llvm codegen", lambda: jit.emit_object(compiled, machine))  # type: ignore[arg-type]
    return Built(unit, code, text, contents, times)  # type: ignore[arg-type]


def build_units(
    module: ModuleOp,
    lowering: str,
    machine: jit.Machine,
    units: Sequence[Unit] | None = None,
    jobs: int = 0,
    on_built: Callable[[Built], None] | None = None,
) -> list[Built]:
    """Build `units` (all of them by default) of a loop-level module, left unchanged, on
    `jobs` processes (0: as many as this process may use CPUs), in their order; `on_built`
    is told of each as it is done."""
    units = units_of(module) if units is None else list(units)
    public = {
        op.sym_name.data
        for op in module.ops
        if isinstance(op, func.FuncOp) and op.sym_visibility != StringAttr("private")
    }
    jobs = jobs or default_jobs()
    sizes = unit_sizes(module, units)
    function_units = [u for u in units if u.functions]
    forked = (
        jobs > 1
        and len(function_units) > 1
        and sum(sizes.values()) >= SMALLEST_FORKED
        and "fork" in multiprocessing.get_all_start_methods()
    )
    built: dict[Unit, Built] = {}

    def done(result: Built) -> None:
        built[result.unit] = result
        for phase_name, seconds in result.times.items():
            progress.add(phase_name, seconds, seconds)
        progress.count("units", len(built), len(units))
        if on_built is not None:
            on_built(result)

    def build_here(module: ModuleOp, units: list[Unit]) -> None:
        symbols = symbol_table(module)
        for unit in units:
            unit_ir, declared = unit_module(module, symbols, unit)
            done(build_unit(unit_ir, unit, declared, public, lowering, machine))

    largest_first = sorted(function_units, key=lambda u: -sizes[u])
    # The globals (copies of them) build here while the workers build the functions.
    here = [u for u in units if not u.functions]
    with progress.phase(f"build {len(units)} units on {jobs if forked else 1} processes"):
        if forked:
            meanwhile = lambda: build_here(module, here)  # noqa: E731
            build_in_workers(
                module, largest_first, public, lowering, machine, jobs, done, meanwhile
            )
        else:
            # The globals first: which ones are defined there depends on every function.
            build_here(module.clone(), [*here, *largest_first])
    return [built[unit] for unit in units]


def unit_sizes(module: ModuleOp, units: Sequence[Unit]) -> dict[Unit, int]:
    """The ops of each unit's functions, for the largest to start first."""
    sizes = {
        op.sym_name.data: sum(1 for _ in op.walk())
        for op in module.ops
        if isinstance(op, func.FuncOp)
    }
    return {unit: sum(sizes[name] for name in unit.functions) for unit in units}


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
    units: list[Unit],
    public: set[str],
    lowering: str,
    machine: jit.Machine,
    jobs: int,
    done: Callable[[Built], None],
    meanwhile: Callable[[], None],
) -> None:
    """Build `units` in `jobs` forked processes, each asking for the next unit as it
    finishes one, the first units first; this process does `meanwhile` after starting
    them."""
    context = multiprocessing.get_context("fork")
    workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    # No other thread may be inside LLVM while forking: the child would inherit its lock.
    with llvm_ffi.lib._lock:
        for _ in range(min(jobs, len(units))):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=work,
                args=(theirs, module, symbol_table(module), public, lowering, machine),
                daemon=True,
            )
            process.start()
            theirs.close()
            workers.append((process, ours))
    pending = iter(units)
    try:
        busy = {}
        for process, connection in workers:
            unit = next(pending, None)
            if unit is not None:
                connection.send(unit)
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
                unit = next(pending, None)
                if unit is None:
                    connection.send(None)
                    del busy[connection]
                else:
                    connection.send(unit)
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
    while (unit := connection.recv()) is not None:
        try:
            unit_ir, declared = unit_module(module, symbols, unit)
            built: Built | tuple = build_unit(unit_ir, unit, declared, public, lowering, machine)
        except ZigguratError as error:
            built = (error.message, error.where)
        except Exception:  # our bug: the parent shows the worker's traceback
            built = (traceback.format_exc(),)
        connection.send(built)
