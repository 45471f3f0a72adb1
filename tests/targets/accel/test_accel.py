"""The accelerator target end to end: int8 layers compiled, simulated and equal to numpy
and onnxruntime exactly; latency hiding by virtual threads; what the CPU runs instead;
the tuner's hooks; and the errors of bad input."""

from __future__ import annotations

import numpy as np
import pytest
from testing_accel import conv_ir, matmul_ir, random_arrays, unscheduled_function
from testing_quantized import feeds, network, onnxruntime_outputs, qlinear_conv, qlinear_matmul

import ziggurat
from ziggurat.analysis.payload import is_stage_root
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import fix_knobs, knobs
from ziggurat.ir_io import parse_module
from ziggurat.pipeline import lower
from ziggurat.reference import evaluate
from ziggurat.targets.accel import AccelTarget
from ziggurat.targets.target import target_named


def check(text: str, target: str = "accel"):
    """Compile `text` for `target`, run it, compare with numpy; the accelerator's results."""
    arrays = random_arrays(text)
    expected = evaluate(ziggurat.load_module(text), "main", arrays)[0]
    compiled = ziggurat.compile(text, target=target)
    (out,) = compiled(*arrays)
    np.testing.assert_array_equal(out, expected)
    return compiled._functions


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "text",
    [
        matmul_ir(37, 48, 32),
        matmul_ir(64, 64, 64),
        conv_ir(9, 16, 32, 3, 1),
        conv_ir(14, 32, 16, 3, 2),
        conv_ir(7, 32, 48, 1, 1),
    ],
    ids=["matmul-37x48x32", "matmul-64", "conv3x3", "conv3x3-stride2", "conv1x1"],
)
def test_layers_run_on_the_accelerator_exactly(text, threads):
    functions = check(text, f"accel{{virtual-threads={threads}}}")
    assert len(functions.results) == 1 and not functions.notes


def test_channels_in_several_steps_and_threads_over_filters():
    # A small input buffer: the 64 channels go in steps; 7 rows: the threads take filters.
    functions = check(conv_ir(9, 64, 16, 3, 1), "accel{input-buffer=4096}")
    assert functions.results[0][1].instructions["load"] > 4
    functions = check(conv_ir(7, 32, 64, 3, 1))
    assert len(functions.results) == 1 and not functions.notes


def test_another_gemm_tile():
    functions = check(conv_ir(8, 16, 16, 3, 1), "accel{tile=8}")
    assert len(functions.results) == 1


def test_onnx_quantized_models_equal_onnxruntime():
    for model in (qlinear_conv((1, 16, 9, 7), 32), qlinear_matmul(5, 48, 32)):
        arrays = feeds(model)
        (expected,) = onnxruntime_outputs(model, arrays)
        compiled = ziggurat.compile(model, target="accel")
        (out,) = compiled(*arrays)
        np.testing.assert_array_equal(out, expected)
        assert len(compiled._functions.results) == 1


def test_what_the_accelerator_cannot_run_goes_to_the_cpu_with_a_note():
    model = network()
    arrays = feeds(model)
    (expected,) = onnxruntime_outputs(model, arrays)
    compiled = ziggurat.compile(model, target="accel")
    (out,) = compiled(*arrays)
    np.testing.assert_array_equal(out, expected)
    functions = compiled._functions
    assert len(functions.results) == 2  # the first and last convolutions
    (note,) = functions.notes.values()
    assert "another scale than a power of two" in note
    report = functions.report()
    assert "2 program run(s)" in report and "runs on cpu" in report


def test_virtual_threads_hide_the_loads():
    # A memory-bound layer: each block of the weights serves 32 rows.
    text = matmul_ir(32, 768, 768)
    arrays = random_arrays(text)
    results = {}
    for threads in (1, 2):
        compiled = ziggurat.compile(text, target=f"accel{{virtual-threads={threads}}}")
        compiled(*arrays)
        results[threads] = compiled._functions.results[0][1]
    monolithic, decoupled = results[1], results[2]
    # The same products (the gemm's latency per instruction aside), in fewer cycles.
    assert decoupled.gemm == pytest.approx(monolithic.gemm, rel=0.01)
    assert decoupled.utilization("gemm") >= 1.5 * monolithic.utilization("gemm")
    # The tiles are chosen with the pipeline's fill and drain counted: smaller ones, whose
    # first load and last gemm run alone for less time (larger tiles left it at 77%).
    assert decoupled.utilization("gemm") >= 0.8


def test_emit_shows_the_instruction_stream():
    module = ziggurat.load_module(matmul_ir(32, 32, 32))
    text = target_named("accel").emit(lower(module, "loop", "accel"), "accel")
    assert "accel.program tile 16" in text and "accel.pop compute from load" in text
    verified = parse_module(text)  # the stream parses back (and verifies its tokens)
    assert verified is not None


def test_the_tuner_sees_knobs_and_simulated_time():
    target = AccelTarget()
    text = matmul_ir(64, 64, 64)
    module, function, nest = unscheduled_function(text)
    file, values = target.default_schedule(nest)
    assert file == "matmul.mlir"
    space = dict(knobs(parse_module(target.schedule_text(file))))
    assert {"tile_rows", "tile_columns", "tile_k", "virtual_threads", "threads_over"} <= set(space)
    # Another point of the space compiles, runs exactly, and has a simulated time.
    other = fix_knobs(
        parse_module(target.schedule_text(file)),
        {
            "tile_rows": 16,
            "tile_columns": 32,
            "tile_k": 16,
            "virtual_threads": 1,
            "threads_over": 1,
        },
    )
    from ziggurat.passes.scheduling.apply_schedule import apply_schedule

    root = next(o for o in function.body.block.ops if is_stage_root(o))
    apply_schedule(module, other, root=root, target=target)
    function.sym_visibility = None
    compiled = target.compile(module)
    run = getattr(compiled, function.sym_name.data)
    arrays = random_arrays(text)
    out = np.zeros((64, 64), np.int8)
    seconds = target.time(run, [*arrays, out], 3)
    assert len(set(seconds)) == 1 and seconds[0] > 0
    cycles = compiled.results[-1][1].cycles
    assert seconds[0] == pytest.approx(cycles / (target.clock_mhz * 1e6))
    np.testing.assert_array_equal(out, evaluate(ziggurat.load_module(text), "main", arrays)[0])


def test_an_accumulator_that_can_overflow_is_an_error():
    text = matmul_ir(1, 140000, 16)
    with pytest.raises(ZigguratError, match="int32 accumulator can overflow: 140000 products"):
        ziggurat.compile(text, target="accel")


def test_bad_options_are_errors():
    with pytest.raises(ZigguratError, match="bad options for target 'accel'"):
        target_named("accel{virtual-threads=3}")


def test_a_nest_of_unsigned_operands_stays_on_the_cpu():
    # The gemm multiplies signed int8: a nest that widens an operand as unsigned (no graph
    # op makes one today) stays on the CPU with its reason rather than computing wrong.
    from ziggurat.dialects.arith_extra import ExtSIOp, ExtUIOp
    from ziggurat.targets.accel.knobs import plan
    from ziggurat.targets.offload import FALLBACK

    module, function, nest = unscheduled_function(matmul_ir(32, 32, 32))
    assert plan(nest, AccelTarget()) is not None
    (widen, *_) = [op for op in nest.loops[-1].walk() if isinstance(op, ExtSIOp)]
    unsigned = ExtUIOp(widen.input, widen.result.type)
    widen.result.replace_all_uses_with(unsigned.result)
    widen.parent_block().insert_op_before(unsigned, widen)
    widen.detach()
    assert plan(nest, AccelTarget()) is None
    assert "unsigned" in function.attributes[FALLBACK].data
