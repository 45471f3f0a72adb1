"""The accelerator's simulator: an `accel.program` run with numpy, unit by unit, in time.

Each unit (load, compute, store) runs its own instructions in program order; a pop waits
for a token its peer pushed, a push waits for room in a queue of `token_depth` tokens. An
instruction starts when its unit is free and (for a pop) a token is there, and takes the
cycles the hardware description gives it (the AccelTarget's options):

| instruction | cycles |
|---|---|
| `accel.load`, `accel.store` | `dma_latency` + bytes moved / `dma_bytes_per_cycle` |
| `accel.gemm` | `gemm_latency` + one per loop iteration (a `tile`-vector times a block) |
| `accel.alu` | `alu_latency` + `tile` / `alu_lanes` per loop iteration |
| `accel.push`, `accel.pop` | none (a pop waits for its token) |

Instructions run in the order they start, each acting on the buffers at once (integers
exactly: int8 products summed in int32). Deadlock (every unit waiting) is an error naming
each unit's instruction; so is a hazard, which right tokens rule out: an instruction that
reads a region while another unit's instruction still writes it, or before an instruction
earlier in the program wrote it, or that writes over a region another unit's instruction
still reads or has yet to read. The result gives the cycles, each unit's busy cycles and
utilization, and, if asked, a trace in Chrome's trace-event format (Perfetto shows it).

    result = simulate(program, {A: a, B: b, C: c}, target)
    print(result.summary())
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import SSAValue

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.accel import (
    QUEUES,
    UNITS,
    Access,
    AluOp,
    BufferOp,
    GemmOp,
    Instruction,
    LoadOp,
    PopOp,
    ProgramOp,
    PushOp,
    StoreOp,
    values,
)
from ziggurat.elements import element_dtype

# Iterations of a gemm computed at once (bounds the memory its gather takes).
CHUNK = 1 << 14


class SimulationError(ZigguratError):
    """A program the accelerator cannot run: a deadlock or a hazard."""


@dataclass
class Event:
    """One instruction as it ran."""

    unit: str
    index: int  # in program order
    name: str
    start: int
    end: int


@dataclass
class Result:
    """What one run of a program took."""

    cycles: int
    busy: dict[str, int]
    instructions: dict[str, int]
    gemm: int = 0  # the compute unit's cycles in accel.gemm (not the ALU)
    events: list[Event] = field(default_factory=list)

    def utilization(self, unit: str) -> float:
        """The share of the cycles a unit (or, for "gemm", the gemm core) is busy."""
        busy = self.gemm if unit == "gemm" else self.busy[unit]
        return busy / self.cycles if self.cycles else 0.0

    def summary(self) -> str:
        units = ", ".join(
            f"{unit} {self.busy[unit]} busy ({100 * self.utilization(unit):.1f}%)" for unit in UNITS
        )
        return f"{self.cycles} cycles: {units}; gemm {100 * self.utilization('gemm'):.1f}%"

    def trace(self) -> str:
        """The run in Chrome's trace-event JSON (one row per unit; 1 µs stands for 1 cycle)."""
        return chrome_trace([self])


def chrome_trace(results: Sequence[Result]) -> str:
    """Runs one after another in Chrome's trace-event JSON, for Perfetto or chrome://tracing:
    a row per unit, an event per instruction (1 µs stands for 1 cycle)."""
    rows = {unit: n for n, unit in enumerate(UNITS)}
    events: list[dict[str, Any]] = [
        {"name": "thread_name", "ph": "M", "pid": 0, "tid": n, "args": {"name": unit}}
        for unit, n in rows.items()
    ]
    start = 0
    for run, result in enumerate(results):
        events += [
            {
                "name": event.name,
                "ph": "X",
                "pid": 0,
                "tid": rows[event.unit],
                "ts": start + event.start,
                "dur": event.end - event.start,
                "args": {"instruction": event.index, "run": run},
            }
            for event in result.events
        ]
        start += result.cycles
    return json.dumps({"traceEvents": events, "displayTimeUnit": "ns"})


def combine(results: Sequence[Result]) -> Result:
    """Programs run one after another, as one result."""
    return Result(
        sum(r.cycles for r in results),
        {u: sum(r.busy[u] for r in results) for u in UNITS},
        {u: sum(r.instructions[u] for r in results) for u in UNITS},
        sum(r.gemm for r in results),
    )


def simulate(
    program: ProgramOp,
    tensors: Mapping[SSAValue, np.ndarray],
    hardware: Any,
    trace: bool = False,
) -> Result:
    """Run `program` on the DRAM `tensors` (each memref operand's array, changed in place)
    with the timing of `hardware` (an AccelTarget)."""
    return Machine(program, tensors, hardware, trace).run()


@dataclass
class Running:
    """An instruction that has started, with what it touches."""

    op: Instruction
    index: int
    unit: str
    end: int
    accesses: list[Access]


class Machine:
    """The units, buffers and token queues of one run."""

    def __init__(
        self,
        program: ProgramOp,
        tensors: Mapping[SSAValue, np.ndarray],
        hardware: Any,
        trace: bool,
    ):
        self.hardware = hardware
        self.tile = program.tile.value.data
        self.trace = trace
        self.memory: dict[SSAValue, np.ndarray] = {}
        for op in program.body.block.ops:
            if isinstance(op, BufferOp):
                self.memory[op.result] = np.zeros(op.result.type.size.data, np.int64)
        for value, array in tensors.items():
            if not array.flags.c_contiguous:
                raise ZigguratError("the simulator needs C-contiguous arrays")
            self.memory[value] = array.reshape(-1)
        self.order = {op: n for n, op in enumerate(program.instructions())}
        self.streams = {unit: [op for op in self.order if op.unit_name() == unit] for unit in UNITS}
        self.running: list[Running] = []

    def run(self) -> Result:
        position = dict.fromkeys(UNITS, 0)
        free = dict.fromkeys(UNITS, 0)
        busy = dict.fromkeys(UNITS, 0)
        gemm = 0
        queues: dict[tuple[str, str], deque[int]] = {q: deque() for q in QUEUES}
        events: list[Event] = []
        depth = self.hardware.token_depth
        while True:
            ready: list[tuple[int, int, str]] = []
            for unit in UNITS:
                if position[unit] == len(self.streams[unit]):
                    continue
                op = self.streams[unit][position[unit]]
                at = free[unit]
                if isinstance(op, PopOp):
                    if not queues[op.queue()]:
                        continue
                    at = max(at, queues[op.queue()][0])
                elif isinstance(op, PushOp) and len(queues[op.queue()]) >= depth:
                    continue
                ready.append((at, self.order[op], unit))
            if not ready:
                break
            start, index, unit = min(ready)
            op = self.streams[unit][position[unit]]
            position[unit] += 1
            if isinstance(op, PopOp):
                queues[op.queue()].popleft()
                free[unit] = start
                continue
            if isinstance(op, PushOp):
                queues[op.queue()].append(start)
                continue
            end = start + self.cycles(op)
            self.check_hazards(op, index, unit, start, position)
            self.execute(op)
            free[unit] = end
            busy[unit] += end - start
            if isinstance(op, GemmOp):
                gemm += end - start
            if self.trace:
                events.append(Event(unit, index, op.name, start, end))
        waiting = [u for u in UNITS if position[u] < len(self.streams[u])]
        if waiting:
            units = ", ".join(
                f"{u} at its instruction {position[u]} ('{self.streams[u][position[u]].name}')"
                for u in waiting
            )
            first = self.streams[waiting[0]][position[waiting[0]]]
            raise SimulationError(f"deadlock: every unit waits ({units})", first)
        total = max(free.values())
        counts = {u: len(self.streams[u]) for u in UNITS}
        return Result(total, busy, counts, gemm, events)

    # Time ------------------------------------------------------------------------------------

    def cycles(self, op: Instruction) -> int:
        h = self.hardware
        if isinstance(op, LoadOp | StoreOp):
            tensor = op.source if isinstance(op, LoadOp) else op.target
            size = self.memory[tensor].itemsize
            return h.dma_latency + -(-op.elements() * size // h.dma_bytes_per_cycle)
        iterations = int(np.prod(values(op.extents)))  # type: ignore[attr-defined]
        if isinstance(op, GemmOp):
            return h.gemm_latency + iterations
        assert isinstance(op, AluOp)
        return h.alu_latency + iterations * -(-self.tile // h.alu_lanes)

    # Hazards ---------------------------------------------------------------------------------

    def check_hazards(
        self, op: Instruction, index: int, unit: str, start: int, position: dict[str, int]
    ) -> None:
        accesses = op.accesses(self.tile)
        self.running = [r for r in self.running if r.end > start]
        for other in self.running:
            if other.unit != unit:
                self.conflict(op, index, accesses, other.op, other.index, other.accesses, "still")
        for peer in UNITS:
            if peer == unit:
                continue
            for later in self.streams[peer][position[peer] :]:
                if self.order[later] > index:
                    break
                if not isinstance(later, PushOp | PopOp):
                    found = later.accesses(self.tile)
                    self.conflict(op, index, accesses, later, self.order[later], found, "yet to")
        self.running.append(Running(op, index, unit, start + self.cycles(op), accesses))

    def conflict(
        self,
        op: Instruction,
        index: int,
        accesses: list[Access],
        other: Instruction,
        other_index: int,
        others: list[Access],
        when: str,
    ) -> None:
        for mine in accesses:
            for theirs in others:
                if not mine.overlaps(theirs) or not (mine.write or theirs.write):
                    continue
                region = f"elements {max(mine.low, theirs.low)} to {min(mine.high, theirs.high)}"
                other_name = f"instruction {other_index} ('{other.name}')"
                if mine.write:
                    verb = "write" if theirs.write else "read"
                    action = f"still {verb}s" if when == "still" else f"has yet to {verb}"
                    what = f"writes over {region} that {other_name} {action}"
                elif when == "still":
                    what = f"reads {region} while {other_name} still writes them"
                else:
                    what = f"reads {region} before {other_name} writes them"
                raise SimulationError(f"hazard: instruction {index} ('{op.name}') {what}", op)

    # What instructions do ----------------------------------------------------------------------

    def execute(self, op: Instruction) -> None:
        if isinstance(op, LoadOp):
            self.load(op)
        elif isinstance(op, StoreOp):
            self.store(op)
        elif isinstance(op, GemmOp):
            self.gemm(op)
        elif isinstance(op, AluOp):
            self.alu(op)

    def load(self, op: LoadOp) -> None:
        sizes = values(op.sizes)
        source = self.memory[op.source][box(op.offset.value.data, sizes, values(op.strides))]
        before = values(op.pad_before) or (0,) * len(sizes)
        after = values(op.pad_after) or (0,) * len(sizes)
        padded = np.pad(source, list(zip(before, after, strict=True)))
        address = op.address.value.data
        self.memory[op.buffer][address : address + padded.size] = padded.reshape(-1)

    def store(self, op: StoreOp) -> None:
        address = op.address.value.data
        sizes = values(op.sizes)
        target = self.memory[op.target]
        region = self.memory[op.buffer][address : address + op.elements()].reshape(sizes)
        with np.errstate(over="ignore"):
            narrowed = region.astype(np.int32).astype(target.dtype)
        target[box(op.offset.value.data, sizes, values(op.strides))] = narrowed

    def gemm(self, op: GemmOp) -> None:
        tile = self.tile
        extents, steps = values(op.extents), values(op.steps)
        arity = op.arity()
        lanes = np.arange(tile)
        accumulator = self.memory[op.accumulator]
        base, j_stride = values(op.accumulator_view)
        if op.reset:
            offsets = box(base, extents, steps[0::arity]).reshape(-1, 1)
            accumulator[offsets + lanes * j_stride] = 0
            return
        assert op.input is not None and op.weight is not None
        # Loops that keep the weight block (innermost, weight step 0) share one product.
        shared = len(extents)
        while shared and steps[(shared - 1) * arity + 2] == 0:
            shared -= 1
        outer, inner = extents[:shared], extents[shared:]
        acc_base, _ = base, j_stride
        in_base, k_stride = values(op.input_view)
        w_base, wk, wj = values(op.weight_view)

        def offsets(operand: int, start: int) -> tuple[np.ndarray, np.ndarray]:
            picked = steps[operand::arity]
            return (
                box(start, outer, picked[:shared]).reshape(-1),
                box(0, inner, picked[shared:]).reshape(-1),
            )

        acc_outer, acc_inner = offsets(0, acc_base)
        in_outer, in_inner = offsets(1, in_base)
        w_outer, _ = offsets(2, w_base)
        block = (lanes[:, None] * wk + lanes[None, :] * wj).reshape(1, tile, tile)
        vector = lanes * k_stride
        weight, data = self.memory[op.weight], self.memory[op.input]
        count = max(1, CHUNK // max(1, len(acc_inner)))
        for first in range(0, len(acc_outer), count):
            rows = slice(first, first + count)
            blocks = weight[w_outer[rows, None, None] + block].astype(np.float64)
            inputs = data[in_outer[rows, None, None] + in_inner[None, :, None] + vector]
            products = np.matmul(inputs.astype(np.float64), blocks)
            where = acc_outer[rows, None, None] + acc_inner[None, :, None] + lanes * j_stride
            low, high = int(where.min()), int(where.max())
            sums = np.bincount((where - low).reshape(-1), products.reshape(-1), high - low + 1)
            region = accumulator[low : high + 1] + sums.astype(np.int64)
            accumulator[low : high + 1] = (region + (1 << 31)) % (1 << 32) - (1 << 31)

    def alu(self, op: AluOp) -> None:
        extents, steps, arity = values(op.extents), values(op.steps), op.arity()
        lanes = np.arange(self.tile)
        base, lane = values(op.destination_view)
        destination = box(base, extents, steps[0::arity]).reshape(-1, 1) + lanes * lane
        memory = self.memory[op.destination]
        value = memory[destination]
        if op.source is not None:
            base, lane = values(op.source_view)
            where = box(base, extents, steps[1::arity]).reshape(-1, 1) + lanes * lane
            other = self.memory[op.source][where]
        else:
            other = np.int64(values(op.immediates)[0])
        name = op.operation.data
        if name == "add":
            value = value + other
        elif name == "max":
            value = np.maximum(value, other)
        elif name == "min":
            value = np.minimum(value, other)
        elif name == "clip":
            low, high = values(op.immediates)
            value = np.clip(value, low, high)
        else:
            value = shift_right(value, np.asarray(other), op.round is not None)
        memory[destination] = (value + (1 << 31)) % (1 << 32) - (1 << 31)


def box(offset: int, sizes: Sequence[int], strides: Sequence[int]) -> np.ndarray:
    """The addresses of a strided box, shaped as it."""
    addresses = np.full((), offset, np.int64)
    for size, stride in zip(sizes, strides, strict=True):
        addresses = addresses[..., None] + np.arange(size, dtype=np.int64) * stride
    return addresses


def shift_right(value: np.ndarray, amount: np.ndarray, rounding: bool) -> np.ndarray:
    """An arithmetic shift right; rounding, half to even."""
    quotient = value >> amount
    if not rounding:
        return quotient
    rest = value - (quotient << amount)
    half = np.where(amount > 0, 1 << np.maximum(amount - 1, 0), 1)
    up = (rest > half) | ((rest == half) & (quotient & 1 == 1) & (amount > 0))
    return quotient + up


def tensor_dtype(value: SSAValue) -> np.dtype:
    """The numpy type of a memref operand's elements."""
    assert isinstance(value.type, MemRefType)
    return np.dtype(element_dtype(value.type.element_type, "an accelerator tensor"))
