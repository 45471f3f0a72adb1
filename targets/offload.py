"""The runtime of a target that offloads functions to a device (an accelerator's
simulator): a lowered module's functions, callable on numpy arrays.

A function holding one of the device's programs (`target.program_of(function)`) runs on
it (`target.run_program(program, tensors, trace)`, which gives a result with `cycles`);
any other (what the device cannot run) is compiled by `target.fallback_target` (the CPU);
a function that calls one of the device's (a model's main) is the host's program, run
here op by op: its allocations, calls and copies, as a driver would. Each device run's
result is appended to `results`; `report()` has the target summarize them
(`target.summarize(results, notes)`), and the functions the device does not run carry
their reason in `accel.fallback` (shown as notes). A function the device's schedule claimed (it calls the device's
intrinsic) that the device's lowering could not run also carries `accel.declined`: it
runs on the fallback target all the same, but `time` refuses it, so a tuner's candidate
the device cannot run fails instead of being timed on the CPU among simulated times.

    compiled = OffloadModule(lowered, target)
    outputs = compiled.main(x)
    print(compiled.report())
    seconds = time(target, compiled.main, [x], 3)     # the target's `time`
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects import func, memref
from xdsl.dialects.builtin import MemRefType, ModuleOp, StringAttr
from xdsl.ir import Operation, SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.elements import dense_to_array, element_dtype

OUTPUT = "ziggurat.output"
FALLBACK = "accel.fallback"
"""A function's attribute: why the device does not run it (its fallback target does)."""
DECLINED = "accel.declined"
"""A function's attribute: its schedule put it on the device but the device's lowering
could not run it (the reason); beside FALLBACK."""


def outputs_of(function: func.FuncOp) -> list[bool]:
    """Which arguments are outputs: the trailing ones marked {ziggurat.output}."""
    count = len(function.function_type.inputs.data)
    marked = [False] * count
    if function.arg_attrs is not None:
        marked = [OUTPUT in attrs.data for attrs in function.arg_attrs.data]
    found = [False] * count
    for index in reversed(range(count)):
        if not marked[index]:
            break
        found[index] = True
    return found


def empty(type: Any, where: str) -> np.ndarray:
    assert isinstance(type, MemRefType)
    return np.zeros(type.get_shape(), element_dtype(type.element_type, where))


@dataclass
class Function:
    """What the three kinds of function share: arguments checked, outputs allocated."""

    function: func.FuncOp
    module: OffloadModule

    @property
    def name(self) -> str:
        return self.function.sym_name.data

    def arguments(self, args: Sequence[Any]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        outputs = outputs_of(self.function)
        types = list(self.function.function_type.inputs.data)
        if len(args) == outputs.count(False):
            args = [*args, *(empty(t, self.name) for t, o in zip(types, outputs, strict=True) if o)]
        if len(args) != len(types):
            raise ZigguratError(f"{self.name} takes {len(types)} arguments, got {len(args)}")
        arrays = []
        for index, (arg, type) in enumerate(zip(args, types, strict=True)):
            expected = tuple(type.get_shape())  # type: ignore[attr-defined]
            dtype = element_dtype(type.element_type, self.name)  # type: ignore[attr-defined]
            array = np.asarray(arg)
            if array.shape != expected or array.dtype != dtype:
                raise ZigguratError(
                    f"{self.name} argument {index} must be {dtype} of shape {list(expected)}, "
                    f"got {array.dtype} of shape {list(array.shape)}"
                )
            arrays.append(array)
        return arrays, [a for a, o in zip(arrays, outputs, strict=True) if o]


class DeviceFunction(Function):
    """A function the device runs."""

    def __call__(self, *args: Any) -> list[np.ndarray]:
        arrays, outputs = self.arguments(args)
        self.run(arrays)
        return outputs

    def run(self, arrays: list[np.ndarray]) -> Any:
        target = self.module.target
        program = target.program_of(self.function)
        contiguous = [np.ascontiguousarray(a) for a in arrays]
        tensors = dict(zip(self.function.body.block.args, contiguous, strict=True))
        result = target.run_program(program, tensors, self.module.trace)
        for array, copy in zip(arrays, contiguous, strict=True):
            if copy is not array:
                array[...] = copy
        self.module.results.append((self.name, result))
        return result

    def simulated_seconds(self, arrays: Sequence[np.ndarray]) -> float:
        """The simulated time of one run on `arrays` (the target's `time`)."""
        result = self.run(self.arguments(arrays)[0])
        return result.cycles / (self.module.target.clock_mhz * 1e6)


@dataclass
class DeclinedFunction:
    """A function whose schedule the device declined, run by the fallback target."""

    run: Any
    name: str
    reason: str

    def __call__(self, *args: Any) -> Any:
        return self.run(*args)


class HostFunction(Function):
    """A function that calls the device's: its ops run here, one by one."""

    def __call__(self, *args: Any) -> list[np.ndarray]:
        arrays, outputs = self.arguments(args)
        values: dict[SSAValue, Any] = dict(zip(self.function.body.block.args, arrays, strict=True))
        for op in self.function.body.block.ops:
            self.run(op, values)
        return outputs

    def run(self, op: Operation, values: dict[SSAValue, Any]) -> None:
        if isinstance(op, memref.AllocOp):
            values[op.memref] = empty(op.memref.type, self.name)
        elif isinstance(op, memref.GetGlobalOp):
            values[op.memref] = self.module.globals[op.name_.string_value()]
        elif isinstance(op, func.CallOp):
            callee = getattr(self.module, op.callee.string_value())
            callee(*(values[v] for v in op.arguments))
        elif isinstance(op, memref.CopyOp):
            values[op.destination][...] = values[op.source]
        elif isinstance(op, memref.DeallocOp | func.ReturnOp) or op.name == "arith.constant":
            return
        else:
            raise ZigguratError(
                f"the host program of a device runs allocations, calls and copies, not '{op.name}'",
                op,
            )


@dataclass
class OffloadModule:
    """A lowered module's functions by name; `results` the device's runs."""

    module: ModuleOp
    target: Any
    trace: bool = False
    results: list[tuple[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.functions: dict[str, Any] = {}
        self.notes: dict[str, str] = {}
        self.globals = {
            op.sym_name.data: dense_to_array(op.initial_value)  # type: ignore[arg-type]
            for op in self.module.ops
            if isinstance(op, memref.GlobalOp)
        }
        defined = [f for f in self.module.ops if isinstance(f, func.FuncOp) and f.body.blocks]
        accelerated = {f.sym_name.data for f in defined if self.target.program_of(f) is not None}
        cpu = []
        for function in defined:
            name = function.sym_name.data
            if FALLBACK in function.attributes:
                note = function.attributes[FALLBACK]
                assert isinstance(note, StringAttr)
                self.notes[name] = note.data
            if name in accelerated:
                self.functions[name] = DeviceFunction(function, self)
            elif any(
                isinstance(o, func.CallOp) and o.callee.string_value() in accelerated
                for o in function.walk()
            ):
                self.functions[name] = HostFunction(function, self)
            else:
                cpu.append(name)
        if cpu:
            self.compile_fallback(cpu)

    def compile_fallback(self, names: list[str]) -> None:
        """The functions the device does not run, compiled by the fallback target."""
        module = self.module.clone()
        for op in list(module.ops):
            if isinstance(op, func.FuncOp) and op.body.blocks:
                if op.sym_name.data in names:
                    op.sym_visibility = None
                elif self.target.program_of(op) is not None or op.sym_name.data in self.functions:
                    op.detach()
        compiled = self.target.fallback_target.compile(module)
        for name in names:
            self.functions[name] = getattr(compiled, name)
            declined = self.module_function(name).attributes.get(DECLINED)
            if isinstance(declined, StringAttr):
                self.functions[name] = DeclinedFunction(self.functions[name], name, declined.data)

    def module_function(self, name: str) -> func.FuncOp:
        return next(
            o for o in self.module.ops if isinstance(o, func.FuncOp) and o.sym_name.data == name
        )

    def __getattr__(self, name: str) -> Any:
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(name)

    def report(self) -> str:
        """The device's runs since the last report, and the notes."""
        text = self.target.summarize([r for _, r in self.results], self.notes)
        self.results.clear()
        return text


def time(target: Any, function: Any, arrays: Sequence[np.ndarray], runs: int) -> list[float]:
    """An offloading target's `time`: a device function's simulated seconds (every run takes
    as long), a function the fallback target runs timed there; a function whose schedule
    the device declined is an error (never a CPU time among simulated ones)."""
    if isinstance(function, DeclinedFunction):
        raise ZigguratError(f"the device does not run {function.name}: {function.reason}")
    if isinstance(function, DeviceFunction):
        return [function.simulated_seconds(arrays)] * runs
    return target.fallback_target.time(function, arrays, runs)
