"""apply-schedule: each primitive's loop nests and numbers, the interpreter's errors, and a
property test: random valid schedules never change what a workload computes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.dialects import memref, scf
from xdsl.dialects.builtin import ModuleOp

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import fix_knobs, knobs
from ziggurat.ir_io import parse_module, pass_pipeline, print_module
from ziggurat.passes.scheduling.apply_schedule import ApplySchedule, apply_schedule
from ziggurat.registry import make_context

# Workloads at the te level, with their numpy references ------------------------------------

MATMUL = """
func.func @matmul(%A: tensor<13x17xf32>, %B: tensor<17x19xf32>) -> tensor<13x19xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 17]
         init 0.000000e+00 : f32 : (tensor<13x17xf32>, tensor<17x19xf32>) -> tensor<13x19xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<13x17xf32>
    %b = te.read %B[%k, %j] : tensor<17x19xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<13x19xf32>
}
"""

# A 3x3 convolution with one pixel of zero padding, as graph-to-te writes it: the read is
# clamped into the input and selected away outside it.
CONV2D = """
func.func @conv2d(%X: tensor<1x3x9x9xf32>, %W: tensor<4x3x3x3xf32>) -> tensor<1x4x9x9xf32> {
  %Y = te.compute "conv2d" (%X, %W) axes ["n", "c", "h", "w"] reduce sum ["rc" = 3, "ry" = 3, "rx" = 3]
         init 0.000000e+00 : f32 : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%n: index, %c: index, %h: index, %w: index, %rc: index, %ry: index, %rx: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c9 = arith.constant 9 : index
    %hr = arith.addi %h, %ry : index
    %row = arith.subi %hr, %c1 : index
    %wr = arith.addi %w, %rx : index
    %col = arith.subi %wr, %c1 : index
    %top = arith.cmpi sge, %row, %c0 : index
    %bottom = arith.cmpi slt, %row, %c9 : index
    %left = arith.cmpi sge, %col, %c0 : index
    %right = arith.cmpi slt, %col, %c9 : index
    %rows = arith.andi %top, %bottom : i1
    %cols = arith.andi %left, %right : i1
    %inside = arith.andi %rows, %cols : i1
    %row0 = arith.maxsi %row, %c0 : index
    %row1 = arith.minsi %row0, %c8 : index
    %col0 = arith.maxsi %col, %c0 : index
    %col1 = arith.minsi %col0, %c8 : index
    %x = te.read %X[%n, %rc, %row1, %col1] : tensor<1x3x9x9xf32>
    %zero = arith.constant 0.000000e+00 : f32
    %padded = arith.select %inside, %x, %zero : f32
    %wv = te.read %W[%c, %rc, %ry, %rx] : tensor<4x3x3x3xf32>
    %p = arith.mulf %padded, %wv : f32
    te.yield %p : f32
  }
  func.return %Y : tensor<1x4x9x9xf32>
}
"""

# What operator fusion makes of bias_add, multiply and relu: one elementwise compute.
FUSED = """
func.func @fused(%X: tensor<13x17xf32>, %Y: tensor<13x17xf32>, %b: tensor<17xf32>) -> tensor<13x17xf32> {
  %Z = te.compute "fused" (%X, %Y, %b) axes ["i", "j"] : (tensor<13x17xf32>, tensor<13x17xf32>, tensor<17xf32>) -> tensor<13x17xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<13x17xf32>
    %y = te.read %Y[%i, %j] : tensor<13x17xf32>
    %bias = te.read %b[%j] : tensor<17xf32>
    %s = arith.addf %x, %bias : f32
    %m = arith.mulf %s, %y : f32
    %zero = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %m, %zero : f32
    te.yield %r : f32
  }
  func.return %Z : tensor<13x17xf32>
}
"""

# What te-inline makes of dense, bias_add and relu: the reduction computed in the nest of
# its elementwise consumer, an epilogue after the sum and the bias read beside it.
DENSE_RELU = """
func.func @dense_relu(%X: tensor<13x17xf32>, %W: tensor<19x17xf32>, %b: tensor<19xf32>) -> tensor<13x19xf32> {
  %D = te.compute "dense" (%X, %W) axes ["i", "j"] reduce sum ["k" = 17]
         init 0.000000e+00 : f32 {ziggurat.compute_at_consumer} : (tensor<13x17xf32>, tensor<19x17xf32>) -> tensor<13x19xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %X[%i, %k] : tensor<13x17xf32>
    %w = te.read %W[%j, %k] : tensor<19x17xf32>
    %p = arith.mulf %x, %w : f32
    te.yield %p : f32
  }
  %R = te.compute "dense_relu" (%D, %b) axes ["i", "j"] : (tensor<13x19xf32>, tensor<19xf32>) -> tensor<13x19xf32> {
  ^bb0(%i: index, %j: index):
    %bias = te.read %b[%j] : tensor<19xf32>
    %d = te.read %D[%i, %j] : tensor<13x19xf32>
    %s = arith.addf %d, %bias : f32
    %zero = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %s, %zero : f32
    te.yield %r : f32
  }
  func.return %R : tensor<13x19xf32>
}
"""

# Three computes in a row, for moving computations between nests: t = x + 1 (elementwise),
# s = t[i, j] + t[i, j + 1] (a stencil), r = sum over j of s.
CHAIN = """
func.func @chain(%X: tensor<6x9xf32>) -> tensor<6xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    %one = arith.constant 1.000000e+00 : f32
    %t = arith.addf %x, %one : f32
    te.yield %t : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  %R = te.compute "r" (%S) axes ["i"] reduce sum ["j" = 8]
         init 0.000000e+00 : f32 : (tensor<6x8xf32>) -> tensor<6xf32> {
  ^bb0(%i: index, %j: index):
    %s = te.read %S[%i, %j] : tensor<6x8xf32>
    te.yield %s : f32
  }
  func.return %R : tensor<6xf32>
}
"""


def conv2d_reference(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((1, 4, 9, 9), np.float32)
    for ry in range(3):
        for rx in range(3):
            window = padded[:, :, ry : ry + 9, rx : rx + 9]
            out += np.einsum("nchw,oc->nohw", window, w[:, :, ry, rx])
    return out


def chain_reference(x: np.ndarray) -> np.ndarray:
    t = x + 1
    return (t[:, :-1] + t[:, 1:]).sum(axis=1)


@dataclass
class Workload:
    text: str
    inputs: list[tuple[int, ...]]
    reference: object
    loops: list[tuple[str, int]]
    reduce: set[str] = field(default_factory=set)
    name: str = ""

    def arrays(self) -> list[np.ndarray]:
        rng = np.random.default_rng(7)
        return [rng.standard_normal(shape).astype(np.float32) for shape in self.inputs]


WORKLOADS = {
    "matmul": Workload(
        MATMUL, [(13, 17), (17, 19)], lambda a, b: a @ b, [("i", 13), ("j", 19), ("k", 17)], {"k"}
    ),
    "conv2d": Workload(
        CONV2D,
        [(1, 3, 9, 9), (4, 3, 3, 3)],
        conv2d_reference,
        [("n", 1), ("c", 4), ("h", 9), ("w", 9), ("rc", 3), ("ry", 3), ("rx", 3)],
        {"rc", "ry", "rx"},
    ),
    "dense_relu": Workload(
        DENSE_RELU,
        [(13, 17), (19, 17), (19,)],
        lambda x, w, b: np.maximum(x @ w.T + b, 0),
        [("i", 13), ("j", 19), ("k", 17)],
        {"k"},
    ),
    "fused": Workload(
        FUSED,
        [(13, 17), (13, 17), (17,)],
        lambda x, y, b: np.maximum((x + b) * y, 0),
        [("i", 13), ("j", 17)],
    ),
}
for _name, _workload in WORKLOADS.items():
    _workload.name = _name


def loop_level(text: str) -> ModuleOp:
    module = parse_module(text)
    pass_pipeline("te-to-loop").apply(make_context(), module)
    return module


def schedule(body: str, name: str = "s.mlir") -> ModuleOp:
    return parse_module(
        "transform.named_sequence @__transform_main(%root: !transform.any_op) {\n"
        f"{body}\n  transform.yield\n}}\n",
        name,
    )


def run(workload: Workload, body: str) -> np.ndarray:
    """The workload scheduled by `body` (schedule ops after %root), run on the CPU."""
    payload = loop_level(workload.text)
    apply_schedule(payload, schedule(body))
    arrays = workload.arrays()
    (result,) = ziggurat.compile(payload)(*arrays)
    return result


def check(workload: Workload, body: str) -> None:
    arrays = workload.arrays()
    expected = workload.reference(*arrays)  # type: ignore[operator]
    np.testing.assert_allclose(run(workload, body), expected, rtol=1e-4, atol=1e-4)


def match(stage: str, loops: list[str]) -> str:
    handles = ", ".join(f"%{n}" for n in loops)
    types = ", ".join(["!transform.any_op"] * len(loops))
    return (
        f'  %stage = transform.structured.match attributes {{te.compute = "{stage}"}} in %root'
        " : (!transform.any_op) -> !transform.any_op\n"
        f"  {handles} = transform.schedule.get_loops %stage : (!transform.any_op) -> ({types})\n"
    )


ANY = "!transform.any_op"


def split(loop: str, factor: int | str, outer: str, inner: str) -> str:
    param = "" if isinstance(factor, int) else ", !transform.param<i64>"
    return (
        f"  %{outer}, %{inner} = transform.schedule.split %{loop} by {factor}"
        f" : ({ANY}{param}) -> ({ANY}, {ANY})\n"
    )


def reorder(loops: list[str]) -> str:
    return (
        f"  transform.schedule.reorder {', '.join('%' + n for n in loops)}"
        f" : {', '.join([ANY] * len(loops))}\n"
    )


# Random valid schedules ----------------------------------------------------------------------


@dataclass
class ModelLoop:
    """What the test knows of a loop: its handle, trip count, the te axes it runs over,
    whether the indices it makes are affine in loop ivs or quotients and remainders of
    one (which the dependence test can tell apart), and whether fuse made it."""

    handle: str
    extent: int
    axes: frozenset[str]
    simple: bool = True
    fused: bool = False


@st.composite
def random_schedule(draw: st.DrawFn, workload: Workload) -> str:
    band = [ModelLoop(name, extent, frozenset({name})) for name, extent in workload.loops]
    text = match(workload.name, [loop.handle for loop in band])
    names = iter(f"h{n}" for n in range(1000))
    for step in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["split", "tile", "reorder", "fuse"]))
        if kind == "split" or (kind in ("tile", "fuse") and len(band) < 2):
            position = draw(st.integers(0, len(band) - 1))
            loop = band[position]
            factor = draw(st.integers(1, loop.extent + 2))
            outer, inner = next(names), next(names)
            if step == 0:
                text += (
                    f'  %knob = transform.tune.knob<"factor"> = {factor} from options = '
                    f"[{factor}, {factor + 1}] -> !transform.param<i64>\n"
                )
                text += split(loop.handle, "%knob", outer, inner)
            else:
                text += split(loop.handle, factor, outer, inner)
            factor = max(1, min(factor, loop.extent))
            simple = loop.simple and not loop.fused
            band[position : position + 1] = [
                ModelLoop(outer, -(-loop.extent // factor), loop.axes, simple),
                ModelLoop(inner, factor, loop.axes, simple),
            ]
        elif kind == "tile":
            position = draw(st.integers(0, len(band) - 2))
            first, second = band[position], band[position + 1]
            factors = [draw(st.integers(1, loop.extent + 1)) for loop in (first, second)]
            handles = [next(names) for _ in range(4)]
            text += (
                f"  {', '.join('%' + h for h in handles)} = transform.schedule.tile "
                f"%{first.handle}, %{second.handle} by [{factors[0]}, {factors[1]}]"
                f" : ({ANY}, {ANY}) -> ({', '.join([ANY] * 4)})\n"
            )
            tiles = []
            for loop, factor in zip((first, second), factors, strict=True):
                factor = max(1, min(factor, loop.extent))
                tiles.append((-(-loop.extent // factor), factor, loop))
            simple = [loop.simple and not loop.fused for loop in (first, second)]
            band[position : position + 2] = [
                ModelLoop(handles[0], tiles[0][0], first.axes, simple[0]),
                ModelLoop(handles[1], tiles[1][0], second.axes, simple[1]),
                ModelLoop(handles[2], tiles[0][1], first.axes, simple[0]),
                ModelLoop(handles[3], tiles[1][1], second.axes, simple[1]),
            ]
        elif kind == "reorder" and len(band) >= 2:
            chosen = draw(
                st.lists(st.integers(0, len(band) - 1), min_size=2, max_size=4, unique=True)
            )
            order = draw(st.permutations(sorted(chosen)))
            text += reorder([band[p].handle for p in order])
            loops = [band[p] for p in order]
            for position, loop in zip(sorted(chosen), loops, strict=True):
                band[position] = loop
        elif kind == "fuse":
            position = draw(st.integers(0, len(band) - 2))
            first, second = band[position], band[position + 1]
            fused = next(names)
            text += (
                f"  %{fused} = transform.schedule.fuse %{first.handle}, %{second.handle}"
                f" : ({ANY}, {ANY}) -> {ANY}\n"
            )
            simple = first.simple and second.simple and not (first.fused or second.fused)
            band[position : position + 2] = [
                ModelLoop(
                    fused, first.extent * second.extent, first.axes | second.axes, simple, True
                )
            ]
    if draw(st.booleans()):
        loop = draw(st.sampled_from(band))
        text += f"  transform.schedule.unroll %{loop.handle} by {draw(st.sampled_from([2, 4]))}"
        text += f" : {ANY}\n"
    if draw(st.booleans()):
        width = draw(st.sampled_from([2, 4, 8]))
        text += f"  transform.schedule.vectorize %{band[-1].handle} width {width} : {ANY}\n"
    parallel = [loop for loop in band if not (loop.axes & workload.reduce) and loop.simple]
    if parallel and draw(st.booleans()):
        text += f"  transform.schedule.parallel %{draw(st.sampled_from(parallel)).handle} : {ANY}\n"
    return text


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_random_valid_schedules_keep_the_results(name: str):
    workload = WORKLOADS[name]
    arrays = workload.arrays()
    expected = workload.reference(*arrays)  # type: ignore[operator]

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(random_schedule(workload))
    def property(body: str) -> None:
        payload = loop_level(workload.text)
        apply_schedule(payload, schedule(body))
        (result,) = ziggurat.compile(payload)(*arrays)
        np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4, err_msg=body)

    property()


# Primitives that move computations -----------------------------------------------------------


def run_chain(body: str) -> np.ndarray:
    x = np.random.default_rng(3).standard_normal((6, 9)).astype(np.float32)
    payload = loop_level(CHAIN)
    apply_schedule(payload, schedule(body))
    (result,) = ziggurat.compile(payload)(x)
    np.testing.assert_allclose(result, chain_reference(x), rtol=1e-5, atol=1e-5)
    return payload


CHAIN_STAGES = (
    match("t", ["ti", "tj"])
    + match("s", ["si", "sj"]).replace("%stage", "%sstage")
    + match("r", ["ri", "rj"]).replace("%stage", "%rstage")
)


def stage_roots(payload: ModuleOp) -> list[str]:
    return [
        op.attributes["te.compute"].data  # type: ignore[attr-defined]
        for op in payload.walk()
        if isinstance(op, scf.ForOp) and "te.compute" in op.attributes
    ]


def test_compute_at_computes_the_rows_each_iteration_reads():
    body = CHAIN_STAGES + (
        f"  %t2 = transform.schedule.compute_at %stage at %si : ({ANY}, {ANY}) -> {ANY}\n"
        f"  %s2 = transform.schedule.compute_at %sstage at %ri : ({ANY}, {ANY}) -> {ANY}\n"
    )
    payload = run_chain(body)
    # t inside s inside r: one nest.
    assert stage_roots(payload) == ["r", "s", "t"]
    function = payload.body.block.first_op
    assert function is not None
    assert [op.name for op in function.regions[0].block.ops if op.regions] == ["scf.for"]


def test_compute_at_then_scheduling_the_moved_nest():
    body = CHAIN_STAGES + (
        f"  %t2 = transform.schedule.compute_at %stage at %sj : ({ANY}, {ANY}) -> {ANY}\n"
        f"  %a, %b = transform.schedule.get_loops %t2 : ({ANY}) -> ({ANY}, {ANY})\n"
        + split("b", 2, "bo", "bi")
        + split("si", 4, "so", "sn")
    )
    run_chain(body)


def test_compute_inline_drops_the_buffer():
    payload = run_chain(CHAIN_STAGES + f"  transform.schedule.compute_inline %stage : {ANY}\n")
    assert stage_roots(payload) == ["s", "r"]
    assert sum(isinstance(op, memref.AllocOp) for op in payload.walk()) == 1


def test_cache_read_and_cache_write_keep_the_results():
    body = (
        match("matmul", ["i", "j", "k"])
        + f"  %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [4, 8] : ({ANY}, {ANY})"
        f" -> ({ANY}, {ANY}, {ANY}, {ANY})\n"
        + f'  %w = transform.schedule.cache_write %jo into "local" : ({ANY}) -> {ANY}\n'
        + f'  %a = transform.schedule.cache_read %jo input 0 into "local" : ({ANY}) -> {ANY}\n'
        + f'  %b = transform.schedule.cache_read %k input 1 into "local" : ({ANY}) -> {ANY}\n'
        + f"  transform.schedule.parallel %io : {ANY}\n"
    )
    check(WORKLOADS["matmul"], body)
    payload = loop_level(MATMUL)
    apply_schedule(payload, schedule(body))
    scopes = [str(op.memref.type) for op in payload.walk() if isinstance(op, memref.AllocOp)]
    assert sorted(scopes) == [
        "memref<1x1xf32, #loop.scope<local>>",  # an element of B for each k
        "memref<4x17xf32, #loop.scope<local>>",  # the rows of A of a tile
        "memref<4x8xf32, #loop.scope<local>>",  # the tile of C
    ]


def register_tile(stage: str, rows: int, columns: int) -> str:
    """The shape of a fast matmul: B packed per column panel, a rows x columns tile of the
    output in a local buffer over the whole k, rows unrolled, columns vectorized."""
    return (
        match(stage, ["i", "j", "k"])
        + split("i", rows, "io", "ii")
        + split("j", columns, "jo", "ji")
        + reorder(["jo", "io", "k", "ii", "ji"])
        + f'  %panel = transform.schedule.cache_read %jo input 1 into "local" : ({ANY}) -> {ANY}\n'
        + f'  %back, %init = transform.schedule.cache_write %io into "local" : ({ANY})'
        f" -> ({ANY}, {ANY})\n"
        + f"  %bi, %bj = transform.schedule.get_loops %back : ({ANY}) -> ({ANY}, {ANY})\n"
        + f"  %zi, %zj = transform.schedule.get_loops %init : ({ANY}) -> ({ANY}, {ANY})\n"
        + "".join(
            f"  transform.schedule.unroll %{r} by {rows} : {ANY}\n"
            f"  transform.schedule.vectorize %{c} width 8 : {ANY}\n"
            for r, c in (("ii", "ji"), ("bi", "bj"), ("zi", "zj"))
        )
        + f"  transform.schedule.parallel %jo : {ANY}\n"
    )


def allocs(payload: ModuleOp) -> list[str]:
    return sorted(str(op.memref.type) for op in payload.walk() if isinstance(op, memref.AllocOp))


@pytest.mark.parametrize("rows, columns", [(4, 8), (13, 19), (5, 7)])
def test_cache_write_of_a_whole_tile_starts_at_init_and_applies_the_epilogue(rows, columns):
    body = register_tile("dense_relu", rows, columns)
    check(WORKLOADS["dense_relu"], body)
    payload = loop_level(DENSE_RELU)
    apply_schedule(payload, schedule(body))
    # No nest sets the output to 0 first, none applies bias and relu after: the tile starts
    # at 0 and its write-back adds the bias and takes the relu.
    assert stage_roots(payload) == [
        "dense_relu",
        "W.local",
        "dense_relu.local.init",
        "dense_relu.local",
    ]
    assert f"memref<{rows}x{columns}xf32, #loop.scope<local>>" in allocs(payload)
    # W is read W[j, k]: its panel is packed k-major, so j runs along the panel's rows.
    assert f"memref<17x{columns}xf32, #loop.scope<local>>" in allocs(payload)


def test_cache_write_of_part_of_a_sum_copies_in_and_out():
    # Tiles of k outside the tile of the output: each iteration of ko adds part of the sum.
    body = (
        match("dense_relu", ["i", "j", "k"])
        + split("k", 5, "ko", "ki")
        + reorder(["ko", "i", "j", "ki"])
        + f'  %back, %in = transform.schedule.cache_write %i into "local" : ({ANY})'
        f" -> ({ANY}, {ANY})\n"
    )
    check(WORKLOADS["dense_relu"], body)
    payload = loop_level(DENSE_RELU)
    apply_schedule(payload, schedule(body))
    assert stage_roots(payload) == [
        "dense_relu.init",
        "dense_relu",
        "dense_relu.local.in",
        "dense_relu.local",
        "dense_relu.epilogue",
    ]


def test_cache_read_of_a_padded_input_materializes_the_padding():
    body = (
        match("conv2d", ["n", "c", "h", "w", "rc", "ry", "rx"])
        + split("w", 3, "wo", "wi")
        + reorder(["h", "wo", "rc", "ry", "rx", "wi", "c"])
        + f'  %image = transform.schedule.cache_read %n input 0 into "local" : ({ANY}) -> {ANY}\n'
        + f'  %weights = transform.schedule.cache_read %n input 1 into "local" : ({ANY}) -> {ANY}\n'
    )
    check(WORKLOADS["conv2d"], body)
    payload = loop_level(CONV2D)
    apply_schedule(payload, schedule(body))
    # The image with its border of zeros; the weights with the filter axis innermost, as
    # the loop over filters is the deepest that reads them.
    assert allocs(payload) == [
        "memref<1x3x11x11xf32, #loop.scope<local>>",
        "memref<3x3x3x4xf32, #loop.scope<local>>",
    ]
    text = print_module(payload)
    main = text[text.index('te.compute = "X.local"') :]
    assert "arith.select" not in main and "arith.maxsi" not in main


# The pass, its options and the tuner's API ---------------------------------------------------

SCHEDULE = """
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %t = transform.tune.knob<"tile_i"> options = [2, 4, 8] -> !transform.param<i64>
  %io, %ii = transform.schedule.split %i by %t : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.tune.alternatives<"order"> {
    transform.schedule.reorder %io, %k, %ii : !transform.any_op, !transform.any_op, !transform.any_op
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
"""


def test_the_tuner_fixes_knobs_then_applies():
    space = parse_module(SCHEDULE, "space.mlir")
    assert knobs(space) == [("tile_i", [2, 4, 8]), ("order", [0, 1])]
    with pytest.raises(ZigguratError, match="knob 'tile_i' is open"):
        apply_schedule(loop_level(MATMUL), space)
    for tile in (2, 8):
        for order in (0, 1):
            fixed = fix_knobs(space, {"tile_i": tile, "order": order})
            payload = loop_level(MATMUL)
            apply_schedule(payload, fixed)
            a, b = WORKLOADS["matmul"].arrays()
            (c,) = ziggurat.compile(payload)(a, b)
            np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


def test_the_pass_reads_a_schedule_file(tmp_path):
    path = tmp_path / "matmul.schedule.mlir"
    path.write_text(print_module(fix_knobs(parse_module(SCHEDULE), {"tile_i": 4, "order": 0})))
    payload = parse_module(MATMUL)
    pass_pipeline(f"te-to-loop,apply-schedule{{file={path}}}").apply(make_context(), payload)
    text = print_module(payload)
    assert 'loop.axis = "i.outer", te.compute = "matmul"' in text
    assert "transform." not in text


def test_a_schedule_file_with_an_unterminated_string_is_a_located_error(tmp_path):
    path = tmp_path / "broken.mlir"
    path.write_text(SCHEDULE.replace("%i, %j, %k =", '%i," %j, %k ='))
    with pytest.raises(ZigguratError) as error:
        pass_pipeline(f"apply-schedule{{file={path}}}").apply(make_context(), loop_level(MATMUL))
    assert str(error.value) == f"{path}:4:6: error: unterminated string"


def test_the_pass_takes_the_schedule_out_of_the_payload():
    fixed = print_module(fix_knobs(parse_module(SCHEDULE), {"tile_i": 4, "order": 1}))
    for schedule_text in (
        fixed,
        f"module attributes {{transform.with_named_sequence}} {{{fixed}}}",
    ):
        module = loop_level(MATMUL + schedule_text)
        ApplySchedule().apply(make_context(), module)
        assert "transform." not in print_module(module)
        assert sum(isinstance(op, ModuleOp) for op in module.walk()) == 1
        assert 'loop.axis = "i.outer", te.compute = "matmul"' in print_module(module)


def test_print_after_each_dumps_to_stderr(capsys):
    payload = loop_level(MATMUL)
    apply_schedule(
        payload,
        fix_knobs(parse_module(SCHEDULE, "s.mlir"), {"tile_i": 4, "order": 0}),
        print_after_each=True,
    )
    err = capsys.readouterr().err
    assert "// -----// IR Dump After transform.schedule.split (s.mlir:6:" in err
    assert "// -----// IR Dump After transform.schedule.reorder (s.mlir:8:" in err
    assert err.count("IR Dump After") == 5  # match, get_loops, knob, split, reorder (in a region)


# Tensorize -------------------------------------------------------------------------------------

GEMM4 = """
te.intrinsic @gemm4 compute @gemm4 reset @gemm4_reset update @gemm4_update {
^bb0(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>):
  %c = te.compute "gemm4" (%a, %b) axes ["i", "j"] reduce sum ["k" = 4]
         init 0.000000e+00 : f32 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %a[%i, %k] : tensor<4x4xf32>
    %y = te.read %b[%k, %j] : tensor<4x4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

func.func private @gemm4_update(%a: memref<4x4xf32, strided<[?, ?], offset: ?>>,
    %b: memref<4x4xf32, strided<[?, ?], offset: ?>>, %c: memref<4x4xf32, strided<[?, ?], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      scf.for %k = %c0 to %c4 step %c1 {
        %x = memref.load %a[%i, %k] : memref<4x4xf32, strided<[?, ?], offset: ?>>
        %y = memref.load %b[%k, %j] : memref<4x4xf32, strided<[?, ?], offset: ?>>
        %z = memref.load %c[%i, %j] : memref<4x4xf32, strided<[?, ?], offset: ?>>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %z, %p : f32
        memref.store %s, %c[%i, %j] : memref<4x4xf32, strided<[?, ?], offset: ?>>
      }
    }
  }
  func.return
}
"""

GEMM = MATMUL.replace("13", "8").replace("17", "12").replace("19", "8")


@pytest.mark.parametrize("intrinsic_in", ["schedule", "payload"])
def test_tensorize_calls_the_intrinsic_on_tiles(intrinsic_in: str):
    body = (
        match("matmul", ["i", "j", "k"])
        + f"  %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [4, 4] : ({ANY}, {ANY})"
        f" -> ({ANY}, {ANY}, {ANY}, {ANY})\n"
        + split("k", 4, "ko", "ki")
        + reorder(["ko", "ii", "ji"])
        + f"  transform.schedule.parallel %io : {ANY}\n"
        + f"  transform.schedule.tensorize %ii with @gemm4 : {ANY}\n"
    )
    if intrinsic_in == "schedule":
        library = parse_module(GEMM4 + print_module(schedule(body)))
        payload = loop_level(GEMM)
    else:
        library = schedule(body)
        payload = loop_level(GEMM + GEMM4)
    apply_schedule(payload, library)
    printed = print_module(payload)
    assert "te.intrinsic" not in printed
    assert printed.count("func.call @gemm4_update") == 1
    assert "scf.for %k.inner" not in printed
    rng = np.random.default_rng(5)
    a = rng.standard_normal((8, 12)).astype(np.float32)
    b = rng.standard_normal((12, 8)).astype(np.float32)
    (c,) = ziggurat.compile(payload)(a, b)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)
