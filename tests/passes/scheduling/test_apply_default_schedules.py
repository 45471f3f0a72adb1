"""apply-default-schedules: each kind of loop nest gets its schedule (and keeps its numbers,
against onnxruntime, on odd shapes), knobs follow the shapes, and what a schedule cannot
handle keeps its naive loops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper
from testing_schedules import check_bounds, check_parallel_loops, run_guarded
from xdsl.dialects import func, scf
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.rewriter import Rewriter

import ziggurat
from ziggurat.analysis.nests import recognize
from ziggurat.analysis.payload import is_stage_root
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.schedule import fix_knobs, knobs
from ziggurat.frontends.onnx import import_model
from ziggurat.ir_io import pass_pipeline, print_module
from ziggurat.passes.scheduling.apply_default_schedules import (
    NEST,
    fixed_schedule,
    knob_key,
    schedule,
)
from ziggurat.passes.scheduling.apply_schedule import apply_schedule
from ziggurat.pipeline import lower
from ziggurat.registry import make_context
from ziggurat.targets.target import target_named

# The schedules' structure is checked for one CPU whatever the host (an AVX-512 one: 16 f32
# lanes, 32 registers, 2 threads); code runs on the host and, with 256-bit vectors, as on an
# AVX2 machine (both run wherever AVX2 does).
AVX512 = "cpu{mcpu=skylake-avx512 threads=2}"
RUNNABLE = ["cpu", "cpu{mcpu=haswell}"]


def model(nodes, inputs: dict[str, tuple[int, ...]], output: tuple[int, ...], **initializers):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output)],
        [
            helper.make_tensor(
                n,
                TensorProto.INT64 if a.dtype == np.int64 else TensorProto.FLOAT,
                a.shape,
                a.flatten().tolist(),
            )
            for n, a in initializers.items()
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def node(op: str, inputs: list[str], output: str = "y", **attributes):
    return helper.make_node(op, inputs, [output], **attributes)


@dataclass
class Case:
    """An ONNX model, the schedule its main nest must get, and a loop annotation or tag the
    scheduled loops must show."""

    build: Callable[[], object]
    schedule: str
    shows: str


RNG = np.random.default_rng(11)


def weights(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def conv(x, w, b, out, **attributes):
    return model(
        [node("Conv", ["x", "w", "b"], "c", **attributes), node("Relu", ["c"])],
        {"x": x},
        out,
        w=weights(*w),
        b=weights(*b),
    )


CASES = {
    "dense_bias_relu": Case(
        lambda: model(
            [node("Gemm", ["x", "w", "b"], "d"), node("Relu", ["d"])],
            {"x": (7, 13)},
            (7, 5),
            w=weights(13, 5),
            b=weights(5),
        ),
        "matmul.mlir",
        "local.init",
    ),
    "dense_transposed_row": Case(
        lambda: model(
            [node("Gemm", ["x", "w"], transB=1)], {"x": (1, 13)}, (1, 19), w=weights(19, 13)
        ),
        "matmul.mlir",
        "local.init",
    ),
    "matmul_large": Case(
        lambda: model([node("MatMul", ["a", "b"])], {"a": (67, 45), "b": (45, 96)}, (67, 96)),
        "matmul.mlir",
        "#loop.parallel",
    ),
    "batch_matmul": Case(
        lambda: model([node("MatMul", ["a", "b"])], {"a": (3, 7, 13), "b": (3, 13, 5)}, (3, 7, 5)),
        "batch_matmul.mlir",
        "local.init",
    ),
    "batch_matmul_broadcast": Case(
        lambda: model([node("MatMul", ["a", "b"])], {"a": (2, 7, 13), "b": (13, 1)}, (2, 7, 1)),
        "batch_matmul.mlir",
        "local.init",
    ),
    "conv2d": Case(
        lambda: conv((1, 3, 7, 13), (5, 3, 3, 3), (5,), (1, 5, 7, 13), pads=[1, 1, 1, 1]),
        "conv2d.mlir",
        "#loop.unroll<13>",
    ),
    # Weights that crowd the cache (830 KB): filter blocks (6 of 32) outside the rows, over
    # the threads, each block's weights read where pack-weights put them (rows 768 B apart).
    "conv2d_deep_weights": Case(
        lambda: conv((1, 120, 5, 7), (192, 120, 3, 3), (192,), (1, 192, 5, 7), pads=[1, 1, 1, 1]),
        "conv2d.mlir",
        '"i1.outer", loop.annotations = [#loop.parallel]',
    ),
    # Few filters: the rows in two chunks of 7, each packing its own rows (and the window's)
    # in the rows' parallel loop.
    "conv2d_row_chunks": Case(
        lambda: conv((1, 5, 14, 13), (8, 5, 3, 3), (8,), (1, 8, 14, 13), pads=[1, 1, 1, 1]),
        "conv2d.mlir",
        "memref<1x5x9x15xf32, #loop.scope<local>>",
    ),
    # At stride 2 a chunk of 7 output rows packs 15 rows of the image (and 25 of its
    # columns for 12 outputs).
    "conv2d_strided_row_chunks": Case(
        lambda: conv(
            (1, 3, 28, 23), (16, 3, 3, 3), (16,), (1, 16, 14, 12), pads=[1, 1, 1, 1], strides=[2, 2]
        ),
        "conv2d.mlir",
        "memref<1x3x15x25xf32, #loop.scope<local>>",
    ),
    # 1040 filters put the weights' rows 4160 B apart: a filter block's weights copied
    # together at a time (65 blocks of 16).
    "conv2d_wide_filters": Case(
        lambda: conv((1, 16, 3, 5), (1040, 16, 3, 3), (1040,), (1, 1040, 3, 5), pads=[1, 1, 1, 1]),
        "conv2d.mlir",
        "relu.input1.local",
    ),
    # A row of 7 pixels (stride 2 from 13, 21 channels): a block of two vectors of the 64
    # filters, 7 x 32 filters in 14 accumulators.
    "conv2d_short_rows": Case(
        lambda: conv(
            (1, 21, 13, 13), (64, 21, 3, 3), (64,), (1, 64, 7, 7), pads=[1, 1, 1, 1], strides=[2, 2]
        ),
        "conv2d.mlir",
        "memref<1x1x7x32xf32, #loop.scope<local>>",
    ),
    # 1x1 on a wide row: a tile of 3 filters by the row's 30 pixels (5 vector ops each: 15
    # accumulators), pixels in vector lanes.
    "conv2d_pointwise": Case(
        lambda: conv((1, 5, 3, 30), (6, 5, 1, 1), (6,), (1, 6, 3, 30)),
        "conv2d.mlir",
        "memref<1x1x3x30xf32, #loop.scope<local>>",
    ),
    "conv2d_prime_width": Case(
        # No tile divides a row of 37 pixels: tiles of 13, the last one guarded, still in
        # vector registers.
        lambda: conv((1, 3, 9, 75), (16, 3, 3, 3), (16,), (1, 16, 4, 37), strides=[2, 2]),
        "conv2d.mlir",
        "#loop.unroll<13>",
    ),
    "conv2d_strided": Case(
        lambda: conv(
            (2, 4, 13, 7), (16, 4, 3, 3), (16,), (2, 16, 7, 4), strides=[2, 2], pads=[1, 1, 1, 1]
        ),
        "conv2d.mlir",
        "#loop.vectorize<16>",
    ),
    # Deep and small, channels in whole blocks: blocked (alter-conv-layout), 288 input
    # channels and 256 filters in blocks of 32; a tile of the row's 6 pixels by a block,
    # padded, stride 2. (Ragged blocks: test_alter_conv_layout compiles those.)
    "conv2d_nchwc": Case(
        lambda: conv(
            (1, 288, 9, 11),
            (256, 288, 3, 3),
            (256,),
            (1, 256, 5, 6),
            pads=[1, 1, 1, 1],
            strides=[2, 2],
        ),
        "conv2d_nchwc.mlir",
        "memref<1x1x1x6x32xf32, #loop.scope<local>>",
    ),
    # 1x1 on rows of 11 pixels: a tile of the whole row.
    "conv2d_nchwc_pointwise": Case(
        lambda: conv((1, 256, 5, 11), (288, 256, 1, 1), (288,), (1, 288, 5, 11)),
        "conv2d_nchwc.mlir",
        "memref<1x1x1x11x32xf32, #loop.scope<local>>",
    ),
    "depthwise_conv2d": Case(
        lambda: conv(
            (1, 32, 27, 13), (32, 1, 3, 3), (32,), (1, 32, 27, 13), pads=[1, 1, 1, 1], group=32
        ),
        "grouped_conv2d.mlir",
        "#loop.parallel",
    ),
    "depthwise_conv2d_wide": Case(
        lambda: conv((2, 8, 5, 56), (8, 1, 3, 3), (8,), (2, 8, 5, 56), pads=[1, 1, 1, 1], group=8),
        "grouped_conv2d.mlir",
        "#loop.vectorize<16>",
    ),
    "depthwise_conv2d_strided_multiplier": Case(
        # MobileNet's stride 2, two filters for each channel, a 5x5 window.
        lambda: conv(
            (1, 8, 23, 40),
            (16, 1, 5, 5),
            (16,),
            (1, 16, 12, 20),
            pads=[2, 2, 2, 2],
            strides=[2, 2],
            group=8,
        ),
        "grouped_conv2d.mlir",
        "memref<1x1x27x43xf32, #loop.scope<local>>",
    ),
    "depthwise_conv2d_strided": Case(
        # MobileNetV2's 3x3/2 depthwise convolutions on odd rows: 15 output columns read
        # every other pixel (8 + 4 lanes deinterleaved, then scalars).
        lambda: conv(
            (1, 24, 13, 29),
            (24, 1, 3, 3),
            (24,),
            (1, 24, 7, 15),
            pads=[1, 1, 1, 1],
            strides=[2, 2],
            group=24,
        ),
        "grouped_conv2d.mlir",
        '"i3.inner", loop.annotations = [#loop.vectorize<16>]',
    ),
    "depthwise_conv2d_channels_in_lanes": Case(
        # Rows of 6 pixels (stride 2 from 11), 40 channels: blocks of 20 in vector lanes.
        lambda: conv(
            (1, 40, 11, 11),
            (40, 1, 3, 3),
            (40,),
            (1, 40, 6, 6),
            pads=[1, 1, 1, 1],
            strides=[2, 2],
            group=40,
        ),
        "grouped_conv2d.mlir",
        "memref<1x13x13x20xf32, #loop.scope<local>>",
    ),
    "grouped_conv2d": Case(
        # ShuffleNet's and ResNeXt's groups of several channels, dilated.
        lambda: conv(
            (2, 12, 11, 17),
            (6, 4, 3, 3),
            (6,),
            (2, 6, 11, 17),
            pads=[2, 2, 2, 2],
            dilations=[2, 2],
            group=3,
        ),
        "grouped_conv2d.mlir",
        "memref<1x4x15x21xf32, #loop.scope<local>>",
    ),
    "max_pool": Case(
        lambda: model(
            [node("MaxPool", ["x"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])],
            {"x": (1, 64, 27, 13)},
            (1, 64, 14, 7),
        ),
        "pool.mlir",
        "#loop.parallel",
    ),
    # ResNet's 3x3/2 max-pool on rows of 56 output pixels (three vectors and a half, read
    # every other pixel), two images.
    "max_pool_strided_wide": Case(
        lambda: model(
            [node("MaxPool", ["x"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])],
            {"x": (2, 3, 5, 111)},
            (2, 3, 3, 56),
        ),
        "pool.mlir",
        "scf.for %w.inner = %c0 to %c56",
    ),
    # A 3x3/1 pool on rows of 37 (two vectors and a rest), two images, each channel packed
    # with its border of -inf.
    "max_pool_unit_stride": Case(
        lambda: model(
            [node("MaxPool", ["x"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
            {"x": (2, 8, 19, 37)},
            (2, 8, 19, 37),
        ),
        "pool.mlir",
        "memref<1x1x21x39xf32, #loop.scope<local>>",
    ),
    # Padding not counted: the divisor is computed per pixel, after the window's sum.
    "average_pool_padded": Case(
        lambda: model(
            [node("AveragePool", ["x"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
            {"x": (1, 5, 11, 23)},
            (1, 5, 11, 23),
        ),
        "pool.mlir",
        "#loop.vectorize<16>",
    ),
    "average_pool": Case(
        lambda: model(
            [node("AveragePool", ["x"], kernel_shape=[2, 2], strides=[2, 2])],
            {"x": (1, 3, 7, 13)},
            (1, 3, 3, 6),
        ),
        "pool.mlir",
        "te.compute",
    ),
    "global_average_pool": Case(
        lambda: model([node("GlobalAveragePool", ["x"])], {"x": (4, 64, 13, 11)}, (4, 64, 1, 1)),
        "pool.mlir",
        "#loop.parallel",
    ),
    "reduce_sum": Case(
        lambda: model(
            [node("ReduceSum", ["x", "axes"], keepdims=0)],
            {"x": (7, 130, 33)},
            (7, 130),
            axes=np.array([2], np.int64),
        ),
        "reduction.mlir",
        "#loop.vectorize<16>",
    ),
    "softmax": Case(
        lambda: model([node("Softmax", ["x"])], {"x": (130, 257)}, (130, 257)),
        "softmax.mlir",
        'te.compute = "softmax", loop.annotations = [#loop.parallel]',
    ),
    "softmax_3d": Case(
        lambda: model([node("Softmax", ["x"])], {"x": (3, 70, 257)}, (3, 70, 257)),
        "softmax.mlir",
        "#loop.vectorize<16>",
    ),
    "elementwise": Case(
        lambda: model(
            [node("Add", ["x", "b"], "s"), node("Sigmoid", ["s"])],
            {"x": (2, 13, 7, 300), "b": (300,)},
            (2, 13, 7, 300),
        ),
        "elementwise.mlir",
        "#loop.parallel",
    ),
    "elementwise_long": Case(
        lambda: model([node("Relu", ["x"])], {"x": (1 << 15,)}, (1 << 15,)),
        "elementwise.mlir",
        "i0.outer",
    ),
}


def onnx_inputs(onnx_model) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    initializers = {i.name for i in onnx_model.graph.initializer}
    return [
        rng.standard_normal([d.dim_value for d in i.type.tensor_type.shape.dim]).astype(np.float32)
        for i in onnx_model.graph.input
        if i.name not in initializers
    ]


@pytest.mark.parametrize("target", RUNNABLE)
@pytest.mark.parametrize("name", sorted(CASES))
def test_default_schedules_keep_the_numbers(name: str, target: str):
    case = CASES[name]
    onnx_model = case.build()
    inputs = onnx_inputs(onnx_model)
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [i.name for i in onnx_model.graph.input][: len(inputs)]
    (expected,) = session.run(None, dict(zip(names, inputs, strict=True)))
    (got,) = ziggurat.compile(onnx_model, target=target)(*inputs)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert np.ptp(expected) > 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_schedules_stay_inside_their_buffers(name: str):
    # Guard zones around the arguments and every buffer the kernels allocate.
    onnx_model = CASES[name].build()
    inputs = onnx_inputs(onnx_model)
    (got,) = run_guarded(lower(import_model(onnx_model), "loop"), inputs)
    (expected,) = ziggurat.compile(onnx_model)(*inputs)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("name", "rows"),
    [("conv2d_row_chunks", 4), ("conv2d_row_chunks", 5), ("conv2d_strided_row_chunks", 3)],
)
def test_row_chunks_that_leave_a_shorter_last_one_stay_inside_their_buffers(
    name: str, rows: int, monkeypatch: pytest.MonkeyPatch
):
    # Chunks that do not divide the rows, as the tuner may pick them: the last one guarded.
    from ziggurat.targets.cpu import knobs as cpu_knobs

    default = cpu_knobs.conv2d_knobs
    chunked = lambda *args: default(*args) | {"parallel": 4, "row_chunk": rows}  # noqa: E731
    monkeypatch.setattr(cpu_knobs, "conv2d_knobs", chunked)
    onnx_model = CASES[name].build()
    inputs = onnx_inputs(onnx_model)
    module = lower(import_model(onnx_model), "loop")
    assert f"scf.for %i2.outer = %c0 to %c{-(-14 // rows)} step %c1" in print_module(module)
    check_parallel_loops(module)
    check_bounds(module, inputs)
    (got,) = run_guarded(module, inputs)
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (expected,) = session.run(None, {"x": inputs[0]})
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def schedule_with_random_knobs(data: st.DataObject, onnx_model) -> ModuleOp:
    """The model at the loop level, each nest scheduled by its default schedule with knob
    values drawn from the options the schedule file lists (as a tuner may pick them); a
    schedule that is rejected is rejected with an error at its file, and its nest keeps its
    loops (as apply-default-schedules does)."""
    target = target_named("cpu")
    module = lower(import_model(onnx_model), "te", target)
    pass_pipeline("te-inline,cse,dce,te-to-loop").apply(make_context(), module)
    functions = [f for f in module.ops if isinstance(f, func.FuncOp) and not f.is_declaration]
    for function in functions:
        roots = [op for op in function.body.block.ops if is_stage_root(op)]
        for number, root in enumerate(roots):
            root.attributes[NEST] = StringAttr(str(number))
        for number in range(len(roots)):
            root = next(
                o for o in function.walk() if o.attributes.get(NEST) == StringAttr(str(number))
            )
            nest = recognize(root, function)  # type: ignore[arg-type]
            plan = target.default_schedule(nest) if nest is not None else None
            if plan is None:
                continue
            space = schedule(target, plan[0])
            values = {name: data.draw(st.sampled_from(options)) for name, options in knobs(space)}
            note(f"{plan[0]}: {values}")
            backup = function.clone()
            try:
                apply_schedule(module, fix_knobs(space, values), root=root, target=target)
            except ZigguratError as error:
                assert error.where.startswith(f"targets/cpu/schedules/{plan[0]}:"), str(error)
                note(f"rejected: {error}")
                Rewriter.replace_op(function, backup)
                function = backup
    for op in module.walk():
        op.attributes.pop(NEST, None)
    return module


KINDS = {
    "matmul.mlir": ["dense_bias_relu", "dense_transposed_row", "matmul_large"],
    "batch_matmul.mlir": ["batch_matmul", "batch_matmul_broadcast"],
    "conv2d.mlir": [
        "conv2d",
        "conv2d_deep_weights",
        "conv2d_wide_filters",
        "conv2d_short_rows",
        "conv2d_pointwise",
        "conv2d_prime_width",
        "conv2d_strided",
    ],
    "conv2d_nchwc.mlir": ["conv2d_nchwc", "conv2d_nchwc_pointwise"],
    "grouped_conv2d.mlir": [
        "depthwise_conv2d",
        "depthwise_conv2d_wide",
        "depthwise_conv2d_strided",
        "depthwise_conv2d_channels_in_lanes",
        "grouped_conv2d",
    ],
    "pool.mlir": [
        "max_pool",
        "max_pool_strided_wide",
        "max_pool_unit_stride",
        "average_pool",
        "average_pool_padded",
        "global_average_pool",
    ],
    "reduction.mlir": ["reduce_sum"],
    "softmax.mlir": ["softmax", "softmax_3d"],
    "elementwise.mlir": ["elementwise", "elementwise_long"],
}


@pytest.mark.parametrize("schedule_file", sorted(KINDS))
def test_default_schedules_with_random_knobs_are_rejected_or_safe(schedule_file: str):
    # What the tuner does: any knob values the schedule file allows, on odd shapes.
    @settings(
        max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(st.data())
    def property(data: st.DataObject) -> None:
        onnx_model = CASES[data.draw(st.sampled_from(KINDS[schedule_file]))].build()
        inputs = onnx_inputs(onnx_model)
        module = schedule_with_random_knobs(data, onnx_model)
        check_parallel_loops(module)
        check_bounds(module, inputs)
        (got,) = run_guarded(module, inputs)
        (expected,) = ziggurat.compile(onnx_model)(*inputs)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)

    property()


def test_tiles_that_divide_leave_the_matmul_unguarded():
    # Splits that divide the extents add no scf.if to the hot loops (nor anywhere else).
    onnx_model = model([node("MatMul", ["a", "b"])], {"a": (64, 48), "b": (48, 96)}, (64, 96))
    text = print_module(lower(import_model(onnx_model), "loop", AVX512))
    assert "local.init" in text and "#loop.vectorize<16>" in text
    assert "scf.if" not in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_kind_gets_its_schedule(name: str):
    case = CASES[name]
    target = target_named(AVX512)
    module = lower(import_model(case.build()), "te", target)
    scheduled = lower(module.clone(), "loop", target)
    pass_pipeline("te-inline,cse,dce,te-to-loop").apply(make_context(), module)
    nests = [
        recognize(root, function)
        for function in module.walk()
        if isinstance(function, func.FuncOp) and not function.is_declaration
        for root in function.body.block.ops
        if isinstance(root, scf.ForOp) and "te.compute" in root.attributes
    ]
    plans = [target.default_schedule(nest) for nest in nests if nest is not None]
    assert case.schedule in [plan[0] for plan in plans if plan is not None]
    assert case.shows in print_module(scheduled)


def test_a_schedule_file_is_parsed_once_and_its_uses_leave_it_as_parsed():
    # Parsed once per process: a second compile schedules as the first, with the first's
    # parse of the file, which neither changed.
    target = target_named(AVX512)
    module = lower(import_model(CASES["dense_bias_relu"].build()), "te", target)
    schedule.cache_clear()
    first = print_module(lower(module.clone(), "loop", target))
    parsed = schedule(target, "matmul.mlir")
    as_parsed = print_module(parsed)
    second = print_module(lower(module.clone(), "loop", target))
    assert schedule(target_named(AVX512), "matmul.mlir") is parsed
    assert print_module(parsed) == as_parsed
    assert second == first and "local.init" in second


def test_a_fixed_schedule_is_made_once_per_values_and_its_uses_leave_it_as_made():
    # Nests of one shape share one copy of the schedule with their knobs fixed; applying it
    # changes neither it nor what a second compile gives.
    target = target_named(AVX512)
    module = lower(import_model(CASES["dense_bias_relu"].build()), "te", target)
    loops = module.clone()
    pass_pipeline("te-inline,cse,dce,te-to-loop").apply(make_context(), loops)
    plans = [
        target.default_schedule(recognize(root, function))
        for function in loops.walk()
        if isinstance(function, func.FuncOp) and not function.is_declaration
        for root in function.body.block.ops
        if isinstance(root, scf.ForOp) and "te.compute" in root.attributes
    ]
    file, values = next(plan for plan in plans if plan is not None and plan[1])
    fixed = fixed_schedule(target, file, knob_key(values))
    assert fixed_schedule(target, file, knob_key(dict(reversed(values.items())))) is fixed
    as_made = print_module(fixed)
    first = print_module(lower(module.clone(), "loop", target))
    second = print_module(lower(module.clone(), "loop", target))
    assert second == first
    assert print_module(fixed) == as_made
    # True == 1 as a dict key; a bool knob's value is not an int knob's.
    assert knob_key({"a": True}) != knob_key({"a": 1})


def test_a_nest_the_schedule_cannot_handle_keeps_its_loops():
    # x @ x reads one buffer: the matmul schedule has no second input to pack.
    onnx_model = model([node("MatMul", ["x", "x"])], {"x": (13, 13)}, (13, 13))
    module = lower(import_model(onnx_model), "loop")
    text = print_module(module)
    assert "loop.annotations" not in text and "local" not in text
    x = np.random.default_rng(1).standard_normal((13, 13)).astype(np.float32)
    (got,) = ziggurat.compile(onnx_model)(x)
    np.testing.assert_allclose(got, x @ x, rtol=1e-4, atol=1e-4)


def test_unfused_nests_get_schedules_too():
    onnx_model = CASES["dense_bias_relu"].build()
    module = lower(import_model(onnx_model), "loop", AVX512, fuse=False)
    text = print_module(module)
    assert 'te.compute = "dense.local.init"' in text
    assert "#loop.vectorize<16>" in text
