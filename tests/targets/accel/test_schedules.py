"""The accelerator's schedules are safe to search: any knob values their files allow, on odd
shapes, are rejected with an error at the schedule, or give loop IR that stays inside its
buffers (guard zones, bounds-checked loads and stores, on the CPU) and computes numpy's
result exactly, on the CPU and on the simulator; a schedule the accelerator's lowering
declines runs on the CPU with its note but has no time (a tuner's candidate that fails)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from testing_accel import conv_ir, matmul_ir, random_arrays, unscheduled_function
from testing_schedules import check_bounds, run_guarded
from xdsl.dialects import func
from xdsl.dialects.builtin import StringAttr

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import fix_knobs, knobs
from ziggurat.passes.scheduling.apply_default_schedules import schedule
from ziggurat.passes.scheduling.apply_schedule import apply_schedule
from ziggurat.reference import evaluate
from ziggurat.targets.offload import DeclinedFunction, DeviceFunction
from ziggurat.targets.target import target_named

# Channels in whole gemm tiles (the accelerator runs no other), rows and pixels odd.
WORKLOADS = {
    "matmul.mlir": lambda draw: matmul_ir(
        draw(st.sampled_from([1, 5, 16, 37])),
        draw(st.sampled_from([16, 48, 64])),
        draw(st.sampled_from([16, 32, 48])),
    ),
    "conv2d.mlir": lambda draw: conv_ir(
        draw(st.sampled_from([5, 7, 9])),
        draw(st.sampled_from([16, 32])),
        draw(st.sampled_from([16, 48])),
        draw(st.sampled_from([1, 3])),
        draw(st.sampled_from([1, 2])),
    ),
}


def alone(module, function: func.FuncOp):
    """A copy of `module` with `function` alone, as its main (what the CPU tests run)."""
    copy = module.clone()
    for op in list(copy.ops):
        if isinstance(op, func.FuncOp) and op.body.blocks:
            if op.sym_name.data == function.sym_name.data:
                op.sym_name = StringAttr("main")
                op.sym_visibility = None
            elif op.sym_name.data == "main":
                op.detach()
    return copy


@pytest.mark.parametrize("schedule_file", sorted(WORKLOADS))
def test_accel_schedules_with_random_knobs_are_rejected_or_safe(schedule_file: str):
    target = target_named("accel")

    @settings(
        max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(st.data())
    def property(data: st.DataObject) -> None:
        text = WORKLOADS[schedule_file](data.draw)
        note(text)
        module, function, nest = unscheduled_function(text)
        plan = target.default_schedule(nest)
        assert plan is not None and plan[0] == schedule_file
        space = schedule(target, schedule_file)
        values = {name: data.draw(st.sampled_from(options)) for name, options in knobs(space)}
        note(f"{values}")
        arrays = random_arrays(text)
        expected = evaluate(ziggurat.load_module(text), "main", arrays)[0]
        try:
            apply_schedule(module, fix_knobs(space, values), root=nest.root, target=target)
        except ZigguratError as error:
            assert error.where.startswith(f"targets/accel/schedules/{schedule_file}:"), str(error)
            return
        # The loop IR on the CPU (the intrinsic's functions compute the gemm).
        cpu = alone(module, function)
        check_bounds(cpu, arrays)
        (got,) = run_guarded(cpu, arrays)
        np.testing.assert_array_equal(got, expected)
        # On the accelerator, or declined by its lowering: exact either way.
        function.sym_visibility = None
        run = getattr(target.compile(module), function.sym_name.data)
        out = np.zeros_like(expected)
        run(*arrays, out)
        np.testing.assert_array_equal(out, expected)
        assert isinstance(run, DeviceFunction | DeclinedFunction)
        if isinstance(run, DeclinedFunction):
            with pytest.raises(ZigguratError, match="the device does not run"):
                target.time(run, [*arrays, out], 1)
        else:
            assert target.time(run, [*arrays, out], 2)[0] > 0

    property()


def test_a_schedule_the_accelerator_declines_has_no_time():
    # 13 rows a tile on 64: the last tile is guarded, which the tile loops cannot unroll.
    target = target_named("accel")
    text = matmul_ir(64, 64, 64)
    module, function, nest = unscheduled_function(text)
    space = schedule(target, "matmul.mlir")
    values = {"tile_rows": 13, "tile_columns": 64, "tile_k": 64, "virtual_threads": 1}
    apply_schedule(
        module, fix_knobs(space, {**values, "threads_over": 0}), root=nest.root, target=target
    )
    function.sym_visibility = None
    compiled = target.compile(module)
    run = getattr(compiled, function.sym_name.data)
    assert isinstance(run, DeclinedFunction)
    assert compiled.notes[function.sym_name.data] == run.reason  # one store per element
    arrays = random_arrays(text)
    (out,) = run(*arrays)  # the CPU runs it, exactly
    np.testing.assert_array_equal(out, evaluate(ziggurat.load_module(text), "main", arrays)[0])
    with pytest.raises(ZigguratError, match="the device does not run fused_matmul_integer"):
        target.time(run, [*arrays, out], 3)
