"""What the schedule tests share: workloads at any shape with their numpy references, a
runner that checks a compiled kernel stays inside its buffers (guard zones around every
argument, and lower-allocations' guard zones around every buffer it allocates), and random
sequences of schedule ops built against the payload as it is after each op."""

from __future__ import annotations

import ctypes
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DictionaryAttr,
    FloatAttr,
    FunctionType,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    i1,
    i64,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.analysis.dependences import check_independent
from ziggurat.analysis.payload import band, band_child, optional_bounds, stage_name
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import arith_extra
from ziggurat.dialects.loop import ParallelAttr, annotations
from ziggurat.elements import element_dtype
from ziggurat.ir_io import parse_module, pass_pipeline, verify_module
from ziggurat.passes.scheduling.apply_schedule import Interpreter, entry
from ziggurat.registry import make_context
from ziggurat.targets.cpu import compile_loop_module
from ziggurat.targets.cpu.passes.lower_allocations import VIOLATIONS
from ziggurat.targets.cpu.runtime import Signature
from ziggurat.transforms import ScheduleError

ANY = "!transform.any_op"

# Workloads ----------------------------------------------------------------------------------


@dataclass
class Workload:
    """A function at the te level, its inputs' shapes, its numpy reference, and the names of
    its te.computes."""

    name: str
    text: str
    inputs: list[tuple[int, ...]]
    reference: Callable[..., np.ndarray]
    stages: list[str]

    def arrays(self, seed: int = 7) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [rng.standard_normal(shape).astype(np.float32) for shape in self.inputs]

    def loop_level(self) -> ModuleOp:
        module = parse_module(self.text)
        pass_pipeline("te-to-loop").apply(make_context(), module)
        return module


def tensor(*shape: int) -> str:
    return f"tensor<{'x'.join(map(str, shape))}xf32>"


def matmul(m: int, n: int, k: int) -> Workload:
    a, b, c = tensor(m, k), tensor(k, n), tensor(m, n)
    text = f"""
func.func @matmul(%A: {a}, %B: {b}) -> {c} {{
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = {k}]
         init 0.000000e+00 : f32 : ({a}, {b}) -> {c} {{
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : {a}
    %b = te.read %B[%k, %j] : {b}
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }}
  func.return %C : {c}
}}
"""
    return Workload("matmul", text, [(m, k), (k, n)], lambda x, y: x @ y, ["matmul"])


def dense_relu(m: int, n: int, k: int, fused: bool = True) -> Workload:
    """relu(X W^T + b): as te-inline leaves it (`fused`, the sum computed in the nest of its
    elementwise consumer, an epilogue after it) or as two nests."""
    x, w, bias, out = tensor(m, k), tensor(n, k), tensor(n), tensor(m, n)
    mark = "{ziggurat.compute_at_consumer} " if fused else ""
    text = f"""
func.func @dense_relu(%X: {x}, %W: {w}, %b: {bias}) -> {out} {{
  %D = te.compute "dense" (%X, %W) axes ["i", "j"] reduce sum ["k" = {k}]
         init 0.000000e+00 : f32 {mark}: ({x}, {w}) -> {out} {{
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %X[%i, %k] : {x}
    %w = te.read %W[%j, %k] : {w}
    %p = arith.mulf %x, %w : f32
    te.yield %p : f32
  }}
  %R = te.compute "dense_relu" (%D, %b) axes ["i", "j"] : ({out}, {bias}) -> {out} {{
  ^bb0(%i: index, %j: index):
    %bv = te.read %b[%j] : {bias}
    %d = te.read %D[%i, %j] : {out}
    %s = arith.addf %d, %bv : f32
    %zero = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %s, %zero : f32
    te.yield %r : f32
  }}
  func.return %R : {out}
}}
"""
    stages = ["dense_relu"] if fused else ["dense", "dense_relu"]
    return Workload(
        "dense_relu" if fused else "dense_then_relu",
        text,
        [(m, k), (n, k), (n,)],
        lambda a, b, c: np.maximum(a @ b.T + c, 0),
        stages,
    )


def conv2d(c: int, h: int, w: int, f: int) -> Workload:
    """A 3x3 convolution with one pixel of zero padding, as graph-to-te writes it: the read
    is clamped into the input and selected away outside it."""
    x, k, y = tensor(1, c, h, w), tensor(f, c, 3, 3), tensor(1, f, h, w)
    text = f"""
func.func @conv2d(%X: {x}, %W: {k}) -> {y} {{
  %Y = te.compute "conv2d" (%X, %W) axes ["n", "f", "y", "x"] reduce sum ["rc" = {c}, "ry" = 3, "rx" = 3]
         init 0.000000e+00 : f32 : ({x}, {k}) -> {y} {{
  ^bb0(%n: index, %f: index, %y: index, %x: index, %rc: index, %ry: index, %rx: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %lastrow = arith.constant {h - 1} : index
    %lastcol = arith.constant {w - 1} : index
    %rows = arith.constant {h} : index
    %cols = arith.constant {w} : index
    %yr = arith.addi %y, %ry : index
    %row = arith.subi %yr, %c1 : index
    %xr = arith.addi %x, %rx : index
    %col = arith.subi %xr, %c1 : index
    %top = arith.cmpi sge, %row, %c0 : index
    %bottom = arith.cmpi slt, %row, %rows : index
    %left = arith.cmpi sge, %col, %c0 : index
    %right = arith.cmpi slt, %col, %cols : index
    %inrows = arith.andi %top, %bottom : i1
    %incols = arith.andi %left, %right : i1
    %inside = arith.andi %inrows, %incols : i1
    %row0 = arith.maxsi %row, %c0 : index
    %row1 = arith.minsi %row0, %lastrow : index
    %col0 = arith.maxsi %col, %c0 : index
    %col1 = arith.minsi %col0, %lastcol : index
    %xv = te.read %X[%n, %rc, %row1, %col1] : {x}
    %zero = arith.constant 0.000000e+00 : f32
    %padded = arith.select %inside, %xv, %zero : f32
    %wv = te.read %W[%f, %rc, %ry, %rx] : {k}
    %p = arith.mulf %padded, %wv : f32
    te.yield %p : f32
  }}
  func.return %Y : {y}
}}
"""

    def reference(image: np.ndarray, weights: np.ndarray) -> np.ndarray:
        padded = np.pad(image, ((0, 0), (0, 0), (1, 1), (1, 1)))
        out = np.zeros((1, f, h, w), np.float32)
        for ry in range(3):
            for rx in range(3):
                window = padded[:, :, ry : ry + h, rx : rx + w]
                out += np.einsum("nchw,oc->nohw", window, weights[:, :, ry, rx])
        return out

    return Workload("conv2d", text, [(1, c, h, w), (f, c, 3, 3)], reference, ["conv2d"])


def fused(m: int, n: int) -> Workload:
    """What operator fusion makes of bias_add, multiply and relu: one elementwise compute."""
    x, b = tensor(m, n), tensor(n)
    text = f"""
func.func @fused(%X: {x}, %Y: {x}, %b: {b}) -> {x} {{
  %Z = te.compute "fused" (%X, %Y, %b) axes ["i", "j"] : ({x}, {x}, {b}) -> {x} {{
  ^bb0(%i: index, %j: index):
    %xv = te.read %X[%i, %j] : {x}
    %yv = te.read %Y[%i, %j] : {x}
    %bv = te.read %b[%j] : {b}
    %s = arith.addf %xv, %bv : f32
    %p = arith.mulf %s, %yv : f32
    %zero = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %p, %zero : f32
    te.yield %r : f32
  }}
  func.return %Z : {x}
}}
"""
    return Workload(
        "fused", text, [(m, n), (m, n), (n,)], lambda a, y, c: np.maximum((a + c) * y, 0), ["fused"]
    )


def chain(m: int, n: int) -> Workload:
    """Three computes in a row, for moving computations between nests: t = x + 1
    (elementwise), s = t[i, j] + t[i, j + 1] (a stencil), r = the sum over j of s."""
    x, s, r = tensor(m, n + 1), tensor(m, n), tensor(m)
    text = f"""
func.func @chain(%X: {x}) -> {r} {{
  %T = te.compute "t" (%X) axes ["i", "j"] : ({x}) -> {x} {{
  ^bb0(%i: index, %j: index):
    %xv = te.read %X[%i, %j] : {x}
    %one = arith.constant 1.000000e+00 : f32
    %t = arith.addf %xv, %one : f32
    te.yield %t : f32
  }}
  %S = te.compute "s" (%T) axes ["i", "j"] : ({x}) -> {s} {{
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : {x}
    %b = te.read %T[%i, %next] : {x}
    %sv = arith.addf %a, %b : f32
    te.yield %sv : f32
  }}
  %R = te.compute "r" (%S) axes ["i"] reduce sum ["j" = {n}]
         init 0.000000e+00 : f32 : ({s}) -> {r} {{
  ^bb0(%i: index, %j: index):
    %sv = te.read %S[%i, %j] : {s}
    te.yield %sv : f32
  }}
  func.return %R : {r}
}}
"""

    def reference(a: np.ndarray) -> np.ndarray:
        t = a + 1
        return (t[:, :-1] + t[:, 1:]).sum(axis=1)

    return Workload("chain", text, [(m, n + 1)], reference, ["t", "s", "r"])


def softmax(m: int, n: int) -> Workload:
    """Softmax over rows as graph-to-te writes it: two reductions and two elementwise
    computes, for moving reductions and elementwise computes into their consumers."""
    x, r = tensor(m, n), tensor(m, 1)
    text = f"""
func.func @softmax(%X: {x}) -> {x} {{
  %M = te.compute "softmax_max" (%X) axes ["i", "o"] reduce max ["k" = {n}] init 0xff800000 : f32 : ({x}) -> {r} {{
  ^bb0(%i: index, %o: index, %k: index):
    %xv = te.read %X[%i, %k] : {x}
    te.yield %xv : f32
  }}
  %E = te.compute "softmax_exp" (%X, %M) axes ["i", "j"] : ({x}, {r}) -> {x} {{
  ^bb0(%i: index, %j: index):
    %xv = te.read %X[%i, %j] : {x}
    %c0 = arith.constant 0 : index
    %mv = te.read %M[%i, %c0] : {r}
    %d = arith.subf %xv, %mv : f32
    %e = math.exp %d : f32
    te.yield %e : f32
  }}
  %S = te.compute "softmax_sum" (%E) axes ["i", "o"] reduce sum ["k" = {n}] init 0.000000e+00 : f32 : ({x}) -> {r} {{
  ^bb0(%i: index, %o: index, %k: index):
    %ev = te.read %E[%i, %k] : {x}
    te.yield %ev : f32
  }}
  %Y = te.compute "softmax" (%E, %S) axes ["i", "j"] : ({x}, {r}) -> {x} {{
  ^bb0(%i: index, %j: index):
    %ev = te.read %E[%i, %j] : {x}
    %c0 = arith.constant 0 : index
    %sv = te.read %S[%i, %c0] : {r}
    %y = arith.divf %ev, %sv : f32
    te.yield %y : f32
  }}
  func.return %Y : {x}
}}
"""

    def reference(a: np.ndarray) -> np.ndarray:
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    stages = ["softmax_max", "softmax_exp", "softmax_sum", "softmax"]
    return Workload("softmax", text, [(m, n)], reference, stages)


# Odd sizes: primes, one, sizes below the split factors.
SIZES = [1, 2, 3, 5, 7, 11, 13, 17]
SMALL = [1, 2, 3, 5, 7]

# Each family of workloads, drawn at odd sizes.
FAMILIES: dict[str, Callable[[st.DrawFn], Workload]] = {
    "matmul": lambda draw: matmul(*(draw(st.sampled_from(SIZES)) for _ in range(3))),
    "dense_relu": lambda draw: dense_relu(*(draw(st.sampled_from(SIZES)) for _ in range(3))),
    "dense_then_relu": lambda draw: dense_relu(
        *(draw(st.sampled_from(SIZES)) for _ in range(3)), fused=False
    ),
    "conv2d": lambda draw: conv2d(*(draw(st.sampled_from(SMALL)) for _ in range(4))),
    "fused": lambda draw: fused(*(draw(st.sampled_from(SIZES)) for _ in range(2))),
    "chain": lambda draw: chain(*(draw(st.sampled_from(SIZES)) for _ in range(2))),
    "softmax": lambda draw: softmax(*(draw(st.sampled_from(SIZES)) for _ in range(2))),
}


# Running with guard zones -------------------------------------------------------------------

GUARD = 64  # elements on each side of an argument
SENTINEL = 0x7FA5A5A5  # a NaN with a payload no computation makes


def sentinel(itemsize: int) -> int:
    """The sentinel's low bytes, for elements of `itemsize` bytes (int8 outputs too)."""
    return SENTINEL & ((1 << 8 * itemsize) - 1)


@dataclass
class Guarded:
    """An array in the middle of a larger one whose ends hold the sentinel."""

    whole: np.ndarray
    view: np.ndarray

    @staticmethod
    def of(shape: tuple[int, ...], dtype: np.dtype, fill: np.ndarray | None = None) -> Guarded:
        count = int(np.prod(shape, dtype=np.int64))
        raw = np.empty(count + 2 * GUARD + 64, dtype)
        start = (-raw.ctypes.data % 64) // dtype.itemsize  # the view 64-byte aligned
        whole = raw[start : start + count + 2 * GUARD]
        bits(whole)[:] = sentinel(dtype.itemsize)
        view = whole[GUARD : GUARD + count].reshape(shape)
        if fill is not None:
            view[...] = fill
        return Guarded(whole, view)

    def guards_intact(self) -> bool:
        found, mark = bits(self.whole), sentinel(self.whole.itemsize)
        return bool((found[:GUARD] == mark).all() and (found[-GUARD:] == mark).all())


def bits(array: np.ndarray) -> np.ndarray:
    return array.view(np.dtype(f"u{array.dtype.itemsize}"))


def run_guarded(payload: ModuleOp, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Run the loop-level `payload`'s function on copies of `arrays` between guard zones,
    its outputs too (filled with the sentinel, a NaN); an AssertionError if it writes
    outside an argument or an input, or outside a buffer it allocates. Its outputs."""
    compiled = compile_loop_module(payload, guard_zones=True)
    function = compiled.main
    signature: Signature = function.signature
    outputs = [t for t, out in zip(signature.inputs, signature.is_output, strict=True) if out]
    inputs = [Guarded.of(a.shape, a.dtype, a) for a in arrays]
    results = []
    for type in outputs:
        assert isinstance(type, MemRefType)
        results.append(Guarded.of(tuple(type.get_shape()), element_dtype(type.element_type)))
    address = function.owner.get_global_value_address(VIOLATIONS)
    flags = (ctypes.c_int64 * 2).from_address(address) if address else None
    if flags is not None:
        flags[1] = 0
    function(*(g.view for g in inputs), *(g.view for g in results))
    for number, (guarded, array) in enumerate(zip(inputs, arrays, strict=True)):
        assert guarded.guards_intact(), f"the kernel writes outside its input {number}"
        assert np.array_equal(bits(guarded.view), bits(array)), f"the kernel writes input {number}"
    for number, guarded in enumerate(results):
        assert guarded.guards_intact(), f"the kernel writes outside its output {number}"
    assert flags is None or flags[1] == 0, "the kernel writes outside a buffer it allocates"
    return [guarded.view.copy() for guarded in results]


def bounds_checked(payload: ModuleOp) -> ModuleOp:
    """A copy of `payload` whose functions take one more argument, a `memref<1xi64>` (passed
    on to the functions they call) that each load or store outside its buffer (in any axis)
    sets to 1 instead of running (a load gives 0)."""
    module = payload.clone()
    functions = [op for op in module.ops if isinstance(op, func.FuncOp) and op.body.blocks]
    flags = {}
    for function in functions:
        block = function.body.block
        flags[function.sym_name.data] = block.insert_arg(MemRefType(i64, [1]), len(block.args))
        inputs = [*function.function_type.inputs.data, MemRefType(i64, [1])]
        outputs = function.function_type.outputs.data
        function.function_type = FunctionType.from_lists(inputs, outputs)
        if function.arg_attrs is not None:
            function.arg_attrs = ArrayAttr([*function.arg_attrs.data, DictionaryAttr({})])
    for function in functions:
        flag = flags[function.sym_name.data]
        for call in [op for op in function.walk() if isinstance(op, func.CallOp)]:
            if call.callee.root_reference.data in flags:
                passing = func.CallOp(call.callee, [*call.arguments, flag], call.result_types)
                Rewriter.replace_op(call, passing)
        instrument(function, flag)
    return module


def instrument(function: func.FuncOp, flag: SSAValue) -> None:
    """Check the indices of each load and store of `function` (see bounds_checked)."""
    block = function.body.block
    zero = arith.ConstantOp(IntegerAttr(0, IndexType()))
    one = arith.ConstantOp(IntegerAttr(1, i64))
    true = arith.ConstantOp(IntegerAttr(1, i1))
    Rewriter.insert_op([zero, one, true], InsertPoint.at_start(block))
    for op in list(function.walk()):
        if not isinstance(op, memref.LoadOp | memref.StoreOp) or op.memref is flag:
            continue
        checks: list[Operation] = []
        inside: SSAValue = true.result
        for index, size in zip(op.indices, op.memref.type.get_shape(), strict=True):  # type: ignore[attr-defined]
            if size < 0:
                continue  # a dynamic size
            bound = arith.ConstantOp(IntegerAttr(size, IndexType()))
            low = arith_extra.CmpiOp(index, zero.result, "sge")
            high = arith_extra.CmpiOp(index, bound.result, "slt")
            both = arith.AndIOp(low.result, high.result)
            joined = arith.AndIOp(inside, both.result)
            checks += [bound, low, high, both, joined]
            inside = joined.result
        Rewriter.insert_op(checks, InsertPoint.before(op))
        record = memref.StoreOp.get(one.result, flag, [zero.result])
        if isinstance(op, memref.StoreOp):
            check = scf.IfOp(inside, [], [Block([scf.YieldOp()])], [Block([record, scf.YieldOp()])])
            Rewriter.insert_op(check, InsertPoint.before(op))
            op.detach()
            check.true_region.block.insert_op_before(op, check.true_region.block.first_op)  # type: ignore[arg-type]
            continue
        type = op.res.type
        dummy = arith.ConstantOp(
            FloatAttr(0.0, type) if isinstance(type, AnyFloat) else IntegerAttr(0, type)  # type: ignore[arg-type]
        )
        load = memref.LoadOp.get(op.memref, op.indices)
        check = scf.IfOp(
            inside,
            [type],
            [Block([load, scf.YieldOp(load.res)])],
            [Block([record, dummy, scf.YieldOp(dummy.result)])],
        )
        Rewriter.replace_op(op, check)


def check_bounds(payload: ModuleOp, arrays: list[np.ndarray]) -> None:
    """An AssertionError if the kernel of `payload` loads or stores outside a buffer."""
    function = compile_loop_module(bounds_checked(payload)).main
    outputs = []
    for type in function.signature.inputs[len(arrays) : -1]:
        assert isinstance(type, MemRefType)
        outputs.append(np.zeros(type.get_shape(), element_dtype(type.element_type)))
    flag = np.zeros(1, np.int64)
    function(*(a.copy() for a in arrays), *outputs, flag)
    assert flag[0] == 0, "the kernel loads or stores outside a buffer"


def check_parallel_loops(payload: ModuleOp) -> None:
    """An AssertionError if a loop annotated parallel runs iterations that touch one
    element (the schedule ops after the annotation must have kept it right)."""
    for op in payload.walk():
        if isinstance(op, scf.ForOp) and any(isinstance(a, ParallelAttr) for a in annotations(op)):
            try:
                check_independent(op, "run")
            except ScheduleError as error:
                raise AssertionError(str(error)) from None


# Random sequences of schedule ops -------------------------------------------------------------


def schedule_text(lines: list[str]) -> str:
    body = "".join(f"  {line}\n" for line in lines)
    return f"transform.named_sequence @__transform_main(%root: {ANY}) {{\n{body}  transform.yield\n}}\n"


@dataclass
class Attempt:
    """A schedule run on a fresh payload: the payload and the interpreter after it, or the
    error that stopped it."""

    payload: ModuleOp
    interpreter: Interpreter | None
    handles: dict[str, object]
    error: BaseException | None = None


def attempt(workload: Workload, lines: list[str]) -> Attempt:
    payload = workload.loop_level()
    module = parse_module(schedule_text(lines), "s.mlir")
    sequence = entry(module, "__transform_main", "the schedule")
    interpreter = Interpreter(payload, libraries=[module])
    handles = {}
    for op in sequence.walk():
        for result in op.results:
            if result.name_hint:
                handles[result.name_hint] = result
    try:
        verify_module(module)
        interpreter.run(sequence)
    except Exception as error:  # noqa: BLE001 (what it raises is what the test checks)
        return Attempt(payload, None, handles, error)
    return Attempt(payload, interpreter, handles)


def live_loops(state: Attempt) -> dict[str, scf.ForOp]:
    """The handles that stand for one loop still in the payload, by name."""
    interpreter = state.interpreter
    assert interpreter is not None
    found = {}
    for name, value in state.handles.items():
        if value in interpreter.consumed or value not in interpreter.values:
            continue
        items = interpreter.values[value]  # type: ignore[index]
        if len(items) != 1 or not isinstance(items[0], scf.ForOp):
            continue
        loop = items[0]
        if loop in interpreter.erased or not in_payload(loop, state.payload):
            continue
        found[name] = loop
    return found


def in_payload(op: Operation, payload: ModuleOp) -> bool:
    current: Operation | None = op
    while current is not None and current is not payload:
        current = current.parent_op()
    return current is payload


def any_loop_in(loop: scf.ForOp) -> bool:
    return any(isinstance(op, scf.ForOp) for op in loop.body.walk())


def trip_count(loop: scf.ForOp) -> int:
    found = optional_bounds(loop)
    return 1 if found is None else max(found.trip_count, 1)


@dataclass
class Names:
    count: int = 0

    def __call__(self) -> str:
        self.count += 1
        return f"h{self.count}"


def factor_for(draw: st.DrawFn, extent: int) -> int:
    """A split factor: often one that leaves a tail, sometimes above the extent."""
    options = {1, 2, 3, 4, 8, 16, extent, extent + 1, max(extent - 1, 1)}
    options |= {d for d in range(2, extent) if extent % d == 0}
    return draw(st.sampled_from(sorted(options)))


def by_name(loops: dict[str, scf.ForOp], loop: scf.ForOp | None) -> str | None:
    return next((name for name, found in loops.items() if found is loop), None)


KINDS = [
    "split",
    "split",
    "tile",
    "merge",
    "reorder",
    "fuse",
    "cache_read",
    "cache_write",
    "cache_write",
    "compute_at",
    "compute_inline",
    "get_loops",
    "vectorize",
    "unroll",
    "parallel",
    "stale",
]


def next_op(
    draw: st.DrawFn, workload: Workload, state: Attempt, name: Names, recent: list[str]
) -> list[str] | None:
    """One schedule op (with the knob or get_loops it needs) on the loops of `state`, half
    the time on one the `recent` ops used or made; None where the kind drawn has nothing to
    act on."""
    loops = live_loops(state)
    if not loops:
        return None
    kind = draw(st.sampled_from(KINDS))
    candidates = sorted(loops)
    if kind == "vectorize" and draw(st.integers(0, 9)):
        candidates = [n for n in candidates if not any_loop_in(loops[n])]
    near = [n for n in candidates if n in recent]
    if near and draw(st.booleans()):
        candidates = near
    if not candidates:
        return None
    handle = draw(st.sampled_from(candidates))
    loop = loops[handle]
    if kind == "split":
        factor = factor_for(draw, trip_count(loop))
        outer, inner = name(), name()
        if draw(st.booleans()):
            knob = name()
            return [
                f'%{knob} = transform.tune.knob<"{knob}"> = {factor} from options = '
                f"[{factor}, {factor + 1}] -> !transform.param<i64>",
                f"%{outer}, %{inner} = transform.schedule.split %{handle} by %{knob}"
                f" : ({ANY}, !transform.param<i64>) -> ({ANY}, {ANY})",
            ]
        return [
            f"%{outer}, %{inner} = transform.schedule.split %{handle} by {factor}"
            f" : ({ANY}) -> ({ANY}, {ANY})"
        ]
    if kind == "fuse":
        child = by_name(loops, band_child(loop))
        if child is None:
            return None
        return [
            f"%{name()} = transform.schedule.fuse %{handle}, %{child} : ({ANY}, {ANY}) -> {ANY}"
        ]
    if kind == "tile":
        # Two or three loops of a band, each directly in the one before.
        tiled = [handle]
        while len(tiled) < 3 and (child := by_name(loops, band_child(loops[tiled[-1]]))):
            tiled.append(child)
        if len(tiled) < 2:
            return None
        tiled = tiled[: draw(st.integers(2, len(tiled)))]
        factors = [factor_for(draw, trip_count(loops[n])) for n in tiled]
        results = ", ".join(f"%{name()}" for _ in range(2 * len(tiled)))
        operands = ", ".join(f"%{n}" for n in tiled)
        types = ", ".join([ANY] * len(tiled))
        return [
            f"{results} = transform.schedule.tile {operands} by {factors}"
            f" : ({types}) -> ({', '.join([ANY] * 2 * len(tiled))})"
        ]
    if kind == "merge":
        # Two loops in one handle (maybe one loop twice), for an op that takes several.
        other = draw(st.sampled_from(sorted(loops)))
        merged = name()
        use = draw(st.sampled_from(["split", "parallel", "unroll", "vectorize"]))
        factor = factor_for(draw, trip_count(loop))
        line = {
            "split": f"%{name()}, %{name()} = transform.schedule.split %{merged} by {factor}"
            f" : ({ANY}) -> ({ANY}, {ANY})",
            "parallel": f"transform.schedule.parallel %{merged} : {ANY}",
            "unroll": f"transform.schedule.unroll %{merged} by 2 : {ANY}",
            "vectorize": f"transform.schedule.vectorize %{merged} width 4 : {ANY}",
        }[use]
        return [
            f'%{merged} = "transform.merge_handles"(%{handle}, %{other}) : ({ANY}, {ANY}) -> {ANY}',
            line,
        ]
    if kind == "reorder":
        named = [n for n in (by_name(loops, x) for x in band(loop)) if n is not None]
        if len(named) < 2:
            return None
        chosen = draw(st.lists(st.sampled_from(named), min_size=2, max_size=4, unique=True))
        order = draw(st.permutations(chosen))
        types = ", ".join([ANY] * len(order))
        return [f"transform.schedule.reorder {', '.join('%' + n for n in order)} : {types}"]
    if kind == "cache_read":
        number = draw(st.integers(0, 3))
        return [
            f'%{name()} = transform.schedule.cache_read %{handle} input {number} into "local"'
            f" : ({ANY}) -> {ANY}"
        ]
    if kind == "cache_write":
        if draw(st.booleans()):
            return [
                f'%{name()} = transform.schedule.cache_write %{handle} into "local" : ({ANY}) -> {ANY}'
            ]
        return [
            f'%{name()}, %{name()} = transform.schedule.cache_write %{handle} into "local"'
            f" : ({ANY}) -> ({ANY}, {ANY})"
        ]
    if kind in ("compute_at", "compute_inline"):
        roots = [n for n, x in loops.items() if stage_name(x) in workload.stages]
        if not roots:
            return None
        producer = draw(st.sampled_from(sorted(roots)))
        if kind == "compute_inline":
            return [f"transform.schedule.compute_inline %{producer} : {ANY}"]
        return [
            f"%{name()} = transform.schedule.compute_at %{producer} at %{handle}"
            f" : ({ANY}, {ANY}) -> {ANY}"
        ]
    if kind == "get_loops":
        count = len(band(loop))
        results = ", ".join(f"%{name()}" for _ in range(count))
        types = ", ".join([ANY] * count)
        return [f"{results} = transform.schedule.get_loops %{handle} : ({ANY}) -> ({types})"]
    if kind == "vectorize":
        width = draw(st.sampled_from([2, 4, 8, 16]))
        return [f"transform.schedule.vectorize %{handle} width {width} : {ANY}"]
    if kind == "unroll":
        factor = draw(st.sampled_from([2, 3, 4, 8]))
        return [f"transform.schedule.unroll %{handle} by {factor} : {ANY}"]
    if kind == "parallel":
        return [f"transform.schedule.parallel %{handle} : {ANY}"]
    # A handle some op consumed, or to an op that is gone: the interpreter must say so.
    interpreter = state.interpreter
    assert interpreter is not None
    stale = sorted(n for n, v in state.handles.items() if v in interpreter.consumed)
    if not stale:
        return None
    return [f"transform.schedule.parallel %{draw(st.sampled_from(stale))} : {ANY}"]


@dataclass
class Sequence:
    """A random schedule: the ops the interpreter accepted, in order; what it rejected,
    each with its error; and what went wrong that should not (an exception other than a
    located ZigguratError)."""

    lines: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        return schedule_text(self.lines)


def match_stages(workload: Workload, name: Names) -> list[str]:
    """Lines matching each stage of `workload` and taking its loops."""
    lines = []
    state = attempt(workload, [])
    for stage in workload.stages:
        root = next(
            op
            for op in state.payload.walk()
            if isinstance(op, scf.ForOp)
            and op.attributes.get("te.compute") is not None
            and stage_name(op) == stage
        )
        handle = name()
        lines.append(
            f'%{handle} = transform.structured.match attributes {{te.compute = "{stage}"}} in %root'
            f" : ({ANY}) -> {ANY}"
        )
        count = len(band(root))
        results = ", ".join(f"%{name()}" for _ in range(count))
        types = ", ".join([ANY] * count)
        lines.append(f"{results} = transform.schedule.get_loops %{handle} : ({ANY}) -> ({types})")
    return lines


def located(error: BaseException, lines: list[str]) -> bool:
    """Whether `error` is a ZigguratError at the line of the schedule's last op."""
    if not isinstance(error, ZigguratError):
        return False
    found = re.fullmatch(r"s\.mlir:(\d+):\d+", error.where)
    return found is not None and int(found.group(1)) == len(lines) + 1


def random_sequence(draw: st.DrawFn, workload: Workload, steps: int) -> Sequence:
    """`steps` schedule ops drawn one at a time against the payload as the accepted ones
    leave it; an op the interpreter rejects is left out."""
    name = Names()
    sequence = Sequence(match_stages(workload, name))
    state = attempt(workload, sequence.lines)
    assert state.error is None, state.error
    recent: list[str] = []
    tried = 0
    for _ in range(4 * steps):  # draws that find nothing to act on do not count
        if tried == steps:
            break
        op = next_op(draw, workload, state, name, recent)
        if op is None:
            continue
        tried += 1
        trial = attempt(workload, sequence.lines + op)
        if trial.error is None:
            sequence.lines += op
            state = trial
            recent = re.findall(r"%(h\d+)", op[-1])
            continue
        error = trial.error
        if not located(error, sequence.lines + op):
            sequence.problems.append(
                f"{sequence.text()}then\n  {op[-1]}\nraises\n"
                + "".join(traceback.format_exception(error))
            )
            break
        sequence.rejected.append((op[-1], str(error)))
    return sequence
