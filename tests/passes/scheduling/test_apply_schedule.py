"""apply-schedule: each primitive's loop nests and numbers, the interpreter's errors, and
property tests: random valid schedules never change what a workload computes, and random
sequences of schedule ops at odd sizes are rejected with a located error or run inside their
buffers (guard zones around every argument and every buffer the kernel allocates, every
load and store checked against its buffer) with the results numpy gives."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from testing_schedules import (
    FAMILIES,
    Workload,
    chain,
    check_bounds,
    check_parallel_loops,
    conv2d,
    dense_relu,
    fused,
    matmul,
    random_sequence,
    run_guarded,
)
from xdsl.dialects import memref, scf
from xdsl.dialects.builtin import ModuleOp, StringAttr

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import fix_knobs, knobs
from ziggurat.ir_io import parse_module, pass_pipeline, print_module
from ziggurat.passes.scheduling.apply_schedule import ApplySchedule, apply_schedule
from ziggurat.registry import make_context

# Workloads at the te level, with their numpy references (testing_schedules.py) -------------

WORKLOADS = {
    workload.name: workload
    for workload in (matmul(13, 19, 17), conv2d(3, 9, 9, 4), dense_relu(13, 19, 17), fused(13, 17))
}
MATMUL, CONV2D, DENSE_RELU = (WORKLOADS[name].text for name in ("matmul", "conv2d", "dense_relu"))
CHAIN = chain(6, 8)

# The band of each workload's nest, (axis, extent) outermost first, and its reduction axes.
BANDS: dict[str, tuple[list[tuple[str, int]], set[str]]] = {
    "matmul": ([("i", 13), ("j", 19), ("k", 17)], {"k"}),
    "conv2d": (
        [("n", 1), ("f", 4), ("y", 9), ("x", 9), ("rc", 3), ("ry", 3), ("rx", 3)],
        {"rc", "ry", "rx"},
    ),
    "dense_relu": ([("i", 13), ("j", 19), ("k", 17)], {"k"}),
    "fused": ([("i", 13), ("j", 17)], set()),
}


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
    loops, reduce = BANDS[workload.name]
    band = [ModelLoop(name, extent, frozenset({name})) for name, extent in loops]
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
    parallel = [loop for loop in band if not (loop.axes & reduce) and loop.simple]
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
        (result,) = run_guarded(payload, arrays)
        np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4, err_msg=body)

    property()


# Random sequences of schedule ops: rejected with a located error, or safe ----------------------


def check_sequence(data: st.DataObject, family: str, steps: int) -> None:
    """Draw a workload of `family` at odd sizes and a random sequence of up to `steps`
    schedule ops; every op the interpreter rejects is rejected with a ZigguratError at it,
    and the accepted ones stay inside the buffers and keep the results."""
    workload = FAMILIES[family](data.draw)
    sequence = random_sequence(data.draw, workload, data.draw(st.integers(2, steps)))
    note(f"{workload.text}\n{sequence.text()}")
    assert not sequence.problems, sequence.problems[0]
    payload = workload.loop_level()
    apply_schedule(payload, parse_module(sequence.text(), "s.mlir"))
    check_parallel_loops(payload)
    arrays = workload.arrays()
    check_bounds(payload, arrays)  # first: it runs no access outside a buffer
    (result,) = run_guarded(payload, arrays)
    expected = workload.reference(*arrays)
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_random_schedule_sequences_are_rejected_or_safe(family: str):
    @settings(
        max_examples=6,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(st.data())
    def property(data: st.DataObject) -> None:
        check_sequence(data, family, 8)

    property()


@pytest.mark.slow
@pytest.mark.skipif(
    "ZIGGURAT_SCHEDULE_EXAMPLES" not in os.environ,
    reason="a bug hunt: ZIGGURAT_SCHEDULE_EXAMPLES=N runs N random sequences per family",
)
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_many_random_schedule_sequences_are_rejected_or_safe(family: str):
    @settings(
        max_examples=int(os.environ.get("ZIGGURAT_SCHEDULE_EXAMPLES", "0")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        print_blob=True,
    )
    @given(st.data())
    def property(data: st.DataObject) -> None:
        check_sequence(data, family, 12)

    property()


def test_the_guarded_run_catches_a_write_past_an_output():
    # The kernel of `fused` with the loop over rows one row too long.
    workload = fused(3, 5)
    payload = workload.loop_level()
    loop = next(op for op in payload.walk() if isinstance(op, scf.ForOp))
    loop.operands[1] = loop.operands[1].owner.next_op.results[0]  # type: ignore[union-attr]
    with pytest.raises(AssertionError, match="outside its output 0"):
        run_guarded(payload, workload.arrays())
    with pytest.raises(AssertionError, match="loads or stores outside a buffer"):
        check_bounds(payload, workload.arrays())


def test_fuse_takes_any_number_of_loops_and_one_of_one_iteration_adds_no_division():
    # As the GPU's elementwise schedule does: every loop but the last, and the last's tiles.
    workload = fused(5, 1)
    body = (
        match("fused", ["i", "j"])
        + f"  %f = transform.schedule.fuse %i, %j : ({ANY}, {ANY}) -> {ANY}\n"
        + f"  transform.schedule.parallel %f : {ANY}\n"
    )
    payload = workload.loop_level()
    apply_schedule(payload, schedule(body))
    assert "arith.divui" not in str(payload) and "arith.remui" not in str(payload)
    check(workload, body)
    body = (
        match("conv2d", ["n", "f", "y", "x", "rc", "ry", "rx"])
        + f"  %a = transform.schedule.fuse %n, %f, %y, %x : ({ANY}, {ANY}, {ANY}, {ANY}) -> {ANY}\n"
        + split("a", 32, "b", "t")
        + f"  transform.schedule.parallel %t : {ANY}\n"
    )
    payload = WORKLOADS["conv2d"].loop_level()
    apply_schedule(payload, schedule(body))
    axes = [op.attributes["loop.axis"] for op in payload.walk() if isinstance(op, scf.ForOp)]
    assert StringAttr("n.f.fused.y.fused.x.fused.outer") in axes
    check(WORKLOADS["conv2d"], body)


def test_a_cache_write_over_loops_of_one_iteration():
    # Its box's offset is computed from the ivs of two loops of one iteration inside the
    # loop, which are 0 there (it was rejected: "cannot recompute index").
    workload = fused(1, 3)
    body = (
        match("fused", ["i", "j"])
        + f"  %f = transform.schedule.fuse %i, %j : ({ANY}, {ANY}) -> {ANY}\n"
        + split("f", 1, "a", "b")
        + split("a", 1, "c", "d")
        + f'  %w = transform.schedule.cache_write %c into "local" : ({ANY}) -> {ANY}\n'
    )
    payload = workload.loop_level()
    apply_schedule(payload, schedule(body))
    arrays = workload.arrays()
    check_bounds(payload, arrays)
    (result,) = run_guarded(payload, arrays)
    np.testing.assert_allclose(result, workload.reference(*arrays), rtol=1e-5, atol=1e-5)


def test_a_split_with_a_tail_guards_the_nests_of_a_cache_write():
    # Issue 9: the write-back of the last tile of 8 rows wrote rows 37 to 39.
    workload = matmul(37, 23, 29)
    body = (
        match("matmul", ["i", "j", "k"])
        + f'  %b, %z = transform.schedule.cache_write %i into "local" : ({ANY}) -> ({ANY}, {ANY})\n'
        + '  %t = transform.tune.knob<"t"> = 8 from options = [8, 4, 32] -> !transform.param<i64>\n'
        + split("i", "%t", "o", "n")
    )
    payload = workload.loop_level()
    apply_schedule(payload, schedule(body))
    arrays = workload.arrays()
    check_bounds(payload, arrays)  # first: it runs no access outside a buffer
    (result,) = run_guarded(payload, arrays)
    np.testing.assert_allclose(result, workload.reference(*arrays), rtol=1e-4, atol=1e-4)


# Primitives that move computations -----------------------------------------------------------


def run_chain(body: str) -> np.ndarray:
    x = np.random.default_rng(3).standard_normal((6, 9)).astype(np.float32)
    payload = CHAIN.loop_level()
    apply_schedule(payload, schedule(body))
    (result,) = ziggurat.compile(payload)(x)
    np.testing.assert_allclose(result, CHAIN.reference(x), rtol=1e-5, atol=1e-5)
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

GEMM = matmul(8, 8, 12).text


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
