"""ONNX's own backend tests on Ziggurat's ONNX backend (frontends/onnx_backend.py).

Node tests are ONNX's operator test cases, built in memory by `collect_testcases` (the onnx
package ships no data files for them); model tests are the PyTorch-exported models onnx
ships under onnx/backend/test/data/pytorch-*. A case is in scope when every node of its
model is an operator of OPERATORS; an in-scope case runs unless it is excluded (a value of a
NARROW_TYPES element type, or named in EXCLUDED), and fails strictly (xfail) while BUGS names
it; a case named in AGAINST_ONNXRUNTIME is compared with onnxruntime's outputs. The module
prints how many passed in pytest's final summary.
"""

from __future__ import annotations

import glob
import io
import os
import unittest
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test import BackendTest
from onnx.backend.test.case.node import collect_testcases
from onnx.backend.test.loader import load_model_tests
from onnx.backend.test.runner import Runner

import ziggurat.frontends.onnx_backend as backend
from ziggurat.diagnostics import ZigguratError

# The operators of issue #3 (and Slice, which ShuffleNet v2 splits channels with), then
# those of issue #12: the ONNX models Ziggurat imports are made of these.
OPERATORS = frozenset(
    """
    Conv Gemm MatMul Add Sub Mul Div Sum Relu LeakyRelu Clip Sigmoid Tanh Exp Sqrt Pow Erf
    Softmax LogSoftmax MaxPool AveragePool GlobalAveragePool GlobalMaxPool BatchNormalization
    LRN Dropout Identity Reshape Flatten Transpose Concat Split Squeeze Unsqueeze Gather
    Constant ConstantOfShape Shape Pad ReduceMean ReduceSum ReduceMax LayerNormalization Cast
    Slice
    GatherElements GatherND ScatterElements Scatter ScatterND OneHot Trilu DepthToSpace
    SpaceToDepth Einsum ConvTranspose Resize Upsample QuantizeLinear DequantizeLinear
    DynamicQuantizeLinear Attention RotaryEmbedding
    LSTM GRU RNN If Loop
    """.split()
    + """
    CastLike Equal Less Greater LessOrEqual GreaterOrEqual Not And Or Xor Where Expand Tile
    Floor Ceil Round Sign Mod Sin Cos Elu Selu Celu PRelu HardSigmoid HardSwish Softplus
    Softsign Mish Gelu ThresholdedRelu IsNaN IsInf ArgMax ArgMin ReduceMin ReduceProd ReduceL1
    ReduceL2 ReduceLogSum ReduceLogSumExp ReduceSumSquare CumSum InstanceNormalization
    GroupNormalization MeanVarianceNormalization LpNormalization RMSNormalization BitwiseAnd
    BitwiseOr BitwiseXor BitwiseNot
    """.split()
    # Operators the importer has long converted, outside both issues' lists; and those it
    # refuses by design (data-dependent output shapes), whose cases are EXCLUDED.
    + "Neg Abs Log Reciprocal Max Min Mean Size Range".split()
    + "NonZero NonMaxSuppression Unique Compress".split()
    # The integer operators of quantized models (the accelerator's issue).
    + "MatMulInteger ConvInteger QLinearMatMul QLinearConv".split()
)


def reasons(reason: str, names: str) -> dict[str, str]:
    return dict.fromkeys(names.split(), reason)


# Element types Ziggurat has no counterpart of (it has f16, f32, f64 and i8 to i64): a case
# with a value of one of these is excluded. These are the Cast and CastLike cases.
NARROW_TYPES = {
    TensorProto.BFLOAT16,
    TensorProto.FLOAT8E4M3FN,
    TensorProto.FLOAT8E4M3FNUZ,
    TensorProto.FLOAT8E5M2,
    TensorProto.FLOAT8E5M2FNUZ,
    TensorProto.FLOAT8E8M0,
    TensorProto.FLOAT4E2M1,
    TensorProto.INT4,
    TensorProto.UINT4,
    TensorProto.INT2,
    TensorProto.UINT2,
}

# Other in-scope cases left out, each for what it asks of a compiler for inference on
# static float tensors that Ziggurat does not do by design. A case that fails for a bug is
# never here: it is in BUGS.
EXCLUDED: dict[str, str] = {
    **reasons(
        "string tensors: Ziggurat's elements are numbers and booleans",
        "test_equal_string test_equal_string_broadcast",
    ),
    **reasons(
        "an output shape that depends on run-time data: Ziggurat compiles static shapes and "
        "refuses the node by name (tests/frontends/test_onnx_control.py)",
        """
        test_compress_0 test_compress_1 test_compress_default_axis test_compress_negative_axis
        test_nonmaxsuppression_center_point_box_format test_nonmaxsuppression_flipped_coordinates
        test_nonmaxsuppression_identical_boxes test_nonmaxsuppression_iou_threshold_boundary
        test_nonmaxsuppression_limit_output_size test_nonmaxsuppression_single_box
        test_nonmaxsuppression_suppress_by_IOU test_nonmaxsuppression_suppress_by_IOU_and_scores
        test_nonmaxsuppression_two_batches test_nonmaxsuppression_two_classes
        test_unique_not_sorted_without_axis test_unique_sorted_with_axis
        test_unique_sorted_with_axis_3d test_unique_sorted_with_negative_axis
        test_unique_sorted_without_axis
        """,
    ),
    **reasons(
        "training mode: Ziggurat compiles inference",
        """
        test_batchnorm_example_training_mode test_batchnorm_epsilon_training_mode
        test_training_dropout test_training_dropout_default test_training_dropout_default_mask
        test_training_dropout_mask test_training_dropout_zero_ratio
        test_training_dropout_zero_ratio_mask
        """,
    ),
    **reasons(
        "3-D windows: the graph level convolves and pools 2-D windows (NCHW)",
        """
        test_averagepool_3d_default test_averagepool_3d_dilations_small
        test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_False
        test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_True
        test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_False
        test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_True
        test_maxpool_3d_default test_maxpool_3d_dilations test_maxpool_3d_dilations_use_ref_impl
        test_maxpool_3d_dilations_use_ref_impl_large test_AvgPool3d test_AvgPool3d_stride
        test_AvgPool3d_stride1_pad0_gpu_input test_Conv3d test_Conv3d_dilated
        test_Conv3d_dilated_strided test_Conv3d_groups test_Conv3d_no_bias test_Conv3d_stride
        test_Conv3d_stride_padding test_MaxPool3d test_MaxPool3d_stride
        test_MaxPool3d_stride_padding
        """,
    ),
    **reasons(
        "dilated average pooling (AveragePool-19): graph.avg_pool2d has no dilation",
        "test_averagepool_2d_dilations",
    ),
    **reasons(
        "MaxPool's Indices output (argmax): graph.max_pool2d gives the maxima only",
        "test_maxpool_with_argmax_2d_precomputed_pads "
        "test_maxpool_with_argmax_2d_precomputed_strides",
    ),
    **reasons(
        "sequence and optional values: Ziggurat compiles tensors only",
        "test_identity_sequence test_identity_opt",
    ),
    **reasons(
        "a branch or loop body of sequence or optional values (SequenceConstruct, "
        "SequenceInsert, Optional): Ziggurat compiles tensors only",
        "test_if_seq test_if_opt test_loop13_seq test_loop16_seq_none",
    ),
}

# In-scope cases that fail for a bug or a gap in the importer or a lowering: strict xfails,
# so a fix turns them into failures here until the entry goes.
BUGS: dict[str, str] = {}

# Cases whose expected outputs disagree with the operator's spec and with onnxruntime: these
# are compared with onnxruntime's outputs instead.
AGAINST_ONNXRUNTIME: dict[str, str] = reasons(
    "align_corners downsampling by scales: the expected output divides by the fractional "
    "output width (scale * input width) where the spec and onnxruntime divide by the "
    "integer output length, as Ziggurat does",
    "test_resize_downsample_scales_cubic_align_corners "
    "test_resize_downsample_scales_linear_align_corners",
)

# Outputs that matter to training only: a case that asks for them runs without them.
TRAINING_OUTPUTS = {"Dropout": "mask"}

DataSets = list[tuple[list[np.ndarray], list[np.ndarray]]]


@dataclass
class Case:
    """One ONNX backend test: a model, its data sets and tolerances."""

    name: str
    model: onnx.ModelProto
    data_sets: DataSets
    rtol: float
    atol: float


def in_scope(model: onnx.ModelProto) -> bool:
    return all(node.op_type in OPERATORS for node in model.graph.node)


def array(value: np.ndarray | TensorProto) -> np.ndarray:
    return numpy_helper.to_array(value) if isinstance(value, TensorProto) else value


def node_cases() -> list[Case]:
    """ONNX's node test cases whose models use only OPERATORS."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the case generators overflow casts on purpose
        # One call: the generators run when their modules are first imported, so a second
        # call with another operator would find nothing new.
        found = collect_testcases()
    cases = [
        Case(
            case.name,
            case.model,
            [([array(v) for v in ins], [array(v) for v in outs]) for ins, outs in case.data_sets],
            case.rtol,
            case.atol,
        )
        for case in found
        if case.model is not None and case.data_sets is not None and in_scope(case.model)
    ]
    return sorted(cases, key=lambda case: case.name)


def load_data_sets(model_dir: str) -> DataSets:
    """The (inputs, outputs) of each test_data_set_* folder of a model test."""

    def load(directory: str, prefix: str) -> list[np.ndarray]:
        count = len(glob.glob(os.path.join(directory, f"{prefix}_*.pb")))
        paths = [os.path.join(directory, f"{prefix}_{i}.pb") for i in range(count)]
        return [numpy_helper.to_array(onnx.load_tensor(path)) for path in paths]

    directories = sorted(glob.glob(os.path.join(model_dir, "test_data_set_*")))
    return [(load(directory, "input"), load(directory, "output")) for directory in directories]


def model_cases() -> list[Case]:
    """ONNX's shipped PyTorch model tests whose models use only OPERATORS."""
    cases = []
    for kind in ("pytorch-operator", "pytorch-converted"):
        for case in load_model_tests(kind=kind):
            assert case.model_dir is not None
            model = onnx.load(os.path.join(case.model_dir, "model.onnx"))
            if in_scope(model):
                data_sets = load_data_sets(case.model_dir)
                cases.append(Case(case.name, model, data_sets, case.rtol, case.atol))
    return sorted(cases, key=lambda case: case.name)


NODE_CASES = node_cases()
MODEL_CASES = model_cases()
PASSED: dict[str, set[str]] = {"node": set(), "pytorch model": set()}


def runnable(case: Case) -> tuple[onnx.ModelProto, DataSets]:
    """The case's model and data sets without TRAINING_OUTPUTS."""
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    dropped: set[str] = set()
    for node in model.graph.node:
        if node.op_type in TRAINING_OUTPUTS:
            dropped.update(node.output[1:])
            del node.output[1:]
    kept = [i for i, value in enumerate(model.graph.output) if value.name not in dropped]
    outputs = [model.graph.output[i] for i in kept]
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    data_sets = [(inputs, [expected[i] for i in kept]) for inputs, expected in case.data_sets]
    return model, data_sets


# Where the cases run: the CPU; "CUDA", the GPU (benchmarks/gpu_device_run.sh); "emulated
# CUDA", the CUDA target's kernels on the GPU emulator (tests/gpu_emulator.py).
DEVICE = os.environ.get("ZIGGURAT_ONNX_DEVICE", "CPU")


def run(case: Case) -> None:
    """Prepare the case's model once, run it on each data set, compare as ONNX's runner does."""
    model, data_sets = runnable(case)
    if DEVICE == "emulated CUDA":
        backend.gpu_missing = lambda: None  # type: ignore[attr-defined]
    rep = backend.prepare(model, DEVICE.removeprefix("emulated "))
    for inputs, expected in data_sets:
        if DEVICE == "emulated CUDA":
            from gpu_emulator import emulated_gpu

            with emulated_gpu(rep.program(rep.feeds(inputs)).compiled._functions):
                outputs = rep.run(inputs)
        else:
            outputs = rep.run(inputs)
        if case.name in AGAINST_ONNXRUNTIME:
            expected = onnxruntime_outputs(model, inputs)
        Runner.assert_similar_outputs(expected, outputs, rtol=case.rtol, atol=case.atol)


def onnxruntime_outputs(model: onnx.ModelProto, inputs: list[np.ndarray]) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [value.name for value in model.graph.input]
    return session.run(None, dict(zip(names, inputs, strict=True)))


def exclusion(case: Case) -> str | None:
    """Why the case is left out, or None."""
    graph = case.model.graph
    types = {value.type.tensor_type.elem_type for value in (*graph.input, *graph.output)}
    narrow = sorted(TensorProto.DataType.Name(t) for t in types & NARROW_TYPES)
    if narrow:
        return f"element type Ziggurat does not have: {', '.join(narrow)}"
    return EXCLUDED.get(case.name)


def marked(case: Case) -> Any:
    marks = []
    if reason := exclusion(case):
        marks.append(pytest.mark.skip(reason=f"excluded: {reason}"))
    elif case.name in BUGS:
        marks.append(pytest.mark.xfail(reason=BUGS[case.name], strict=True))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [marked(case) for case in NODE_CASES])
def test_node(case: Case) -> None:
    run(case)
    PASSED["node"].add(case.name)


@pytest.mark.parametrize("case", [marked(case) for case in MODEL_CASES])
def test_pytorch_model(case: Case) -> None:
    run(case)
    PASSED["pytorch model"].add(case.name)


class PassCounts:
    """A pytest plugin that prints how many in-scope cases passed, in the final summary."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for kind, cases in (("node", NODE_CASES), ("pytorch model", MODEL_CASES)):
            excluded = sum(exclusion(case) is not None for case in cases)
            bugs = sum(case.name in BUGS for case in cases)
            terminalreporter.write_line(
                f"onnx {kind} tests: {len(PASSED[kind])} passed, {excluded} excluded, "
                f"{bugs} known bugs (xfail), of {len(cases)} in scope"
            )


@pytest.fixture(scope="module", autouse=True)
def report_pass_counts(request: pytest.FixtureRequest) -> None:
    plugins = request.config.pluginmanager
    if not plugins.has_plugin("onnx-backend-pass-counts"):
        plugins.register(PassCounts(), "onnx-backend-pass-counts")


def test_exclusions_name_in_scope_cases_once() -> None:
    cases = {case.name: case for case in (*NODE_CASES, *MODEL_CASES)}
    listed = [set(EXCLUDED), set(BUGS), set(AGAINST_ONNXRUNTIME)]
    assert not set.union(*listed) - set(cases)
    assert sum(map(len, listed)) == len(set.union(*listed))
    by_type = {name for name, case in cases.items() if exclusion(case) != EXCLUDED.get(name)}
    assert not by_type & set.union(*listed)


# The backend API ---------------------------------------------------------------------------


def test_backend_test_runner_accepts_the_module() -> None:
    tests = BackendTest(backend, __name__)
    tests.include(r"^test_relu_cpu$").include(r"^test_PixelShuffle_cpu$")
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(tests.test_suite)
    assert result.wasSuccessful(), result.failures + result.errors
    skipped = {test.id().rsplit(".", 1)[-1] for test, _ in result.skipped}
    assert {"test_relu_cpu", "test_PixelShuffle_cpu"}.isdisjoint(skipped)
    assert result.testsRun - len(result.skipped) == 2


def test_supports_the_cpu_and_a_gpu_where_there_is_one() -> None:
    assert backend.supports_device("CPU")
    assert backend.supports_device("CPU:0")
    assert backend.supports_device("CUDA") == (backend.gpu_missing() is None)
    assert not backend.supports_device("CUDA:1")
    assert not backend.supports_device("TPU")
    with pytest.raises(ZigguratError, match="runs on the CPU and on the first CUDA GPU, not 'TPU'"):
        backend.prepare(add_relu_model(), device="TPU")
    if backend.gpu_missing() is not None:  # the runtime says what is missing
        with pytest.raises(ZigguratError, match="^error: cannot run on the GPU: "):
            backend.prepare(add_relu_model(), device="CUDA")


def test_a_model_prepared_for_cuda_runs_on_the_gpu_emulator(monkeypatch) -> None:
    # ONNX's `_cuda` test variants run where a GPU is; here the same path on the emulator.
    from gpu_emulator import emulated_gpu

    monkeypatch.setattr(backend, "gpu_missing", lambda: None)
    rep = backend.prepare(add_relu_model(), device="CUDA")
    compiled = rep.programs[()].compiled
    assert ".target sm_" in compiled._functions.ptx
    a = np.arange(-3, 3, dtype=np.float32).reshape(2, 3)
    b = np.array([0.5, -1.0, 2.0], np.float32)
    with emulated_gpu(compiled._functions):
        d, c = rep.run([a, b])
    np.testing.assert_allclose(c, a + b)
    np.testing.assert_allclose(d, np.maximum(a + b, 0))


def add_relu_model() -> onnx.ModelProto:
    """d = relu(a + b), with the sum c an output too, listed after d."""
    nodes = [helper.make_node("Add", ["a", "b"], ["c"]), helper.make_node("Relu", ["c"], ["d"])]
    graph = helper.make_graph(
        nodes,
        "add_relu",
        [
            helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [3]),
        ],
        [
            helper.make_tensor_value_info("d", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("c", TensorProto.FLOAT, [2, 3]),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_run_takes_inputs_in_order_or_by_name() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3), dtype=np.float32)
    b = rng.standard_normal(3, dtype=np.float32)
    rep = backend.prepare(add_relu_model())
    for outputs in (rep.run([a, b]), rep.run({"b": b, "a": a})):
        np.testing.assert_allclose(outputs[0], np.maximum(a + b, 0), rtol=1e-6)
        np.testing.assert_allclose(outputs["c"], a + b, rtol=1e-6)
        assert outputs.d is outputs[0] and len(outputs) == 2


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"a": np.zeros((2, 3), np.float32)}, "missing model inputs: b"),
        ({"a": np.zeros((2, 3), np.float32), "b": 0, "x": 0}, "no input named x"),
        ([np.zeros((2, 3), np.float32)], "takes 2 inputs"),
        ([np.zeros((2, 3)), np.zeros(3, np.float32)], "input 'a' should be a 2x3 array of float32"),
        ([np.zeros((3, 2), np.float32), np.zeros(3, np.float32)], "input 'a' should be a 2x3"),
    ],
)
def test_run_rejects_inputs_that_do_not_fit(inputs: Any, message: str) -> None:
    with pytest.raises(ZigguratError, match=message):
        backend.prepare(add_relu_model()).run(inputs)


def test_run_node_infers_output_types() -> None:
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    node = helper.make_node("Softmax", ["x"], ["y"], axis=0)
    (y,) = backend.run_node(node, [x])
    expected = np.exp(x) / np.exp(x).sum(axis=0)
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    assert y.dtype == np.float32
    (y,) = backend.run_node(node, {"x": x}, outputs_info=[(np.float32, (3, 4))])
    np.testing.assert_allclose(y, expected, rtol=1e-5)


def test_run_node_fixes_shape_inputs_per_value() -> None:
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    node = helper.make_node("Reshape", ["x", "shape"], ["y"])
    for shape in ([4, 3], [2, -1, 3]):
        (y,) = backend.run_node(node, [x, np.array(shape, np.int64)])
        np.testing.assert_array_equal(y, x.reshape(shape))
    graph = helper.make_graph(
        [node],
        "reshape",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4]),
            helper.make_tensor_value_info("shape", TensorProto.INT64, [2]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", "columns"])],
    )
    rep = backend.prepare(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert rep.fixed_inputs == ["shape"] and not rep.programs
    for shape in ([4, 3], [6, 2], [4, 3]):
        np.testing.assert_array_equal(rep.run([x, np.array(shape)])[0], x.reshape(shape))
    assert len(rep.programs) == 2


def test_run_node_rejects_an_invalid_node() -> None:
    with pytest.raises(ZigguratError, match="invalid ONNX node"):
        backend.run_node(helper.make_node("NoSuchOp", ["x"], ["y"]), [np.zeros(2, np.float32)])


def test_prepare_reads_a_path_and_fixes_a_batch_size(tmp_path: Path) -> None:
    model = add_relu_model()
    for value in (model.graph.input[0], *model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    path = tmp_path / "add_relu.onnx"
    onnx.save(model, path)
    with pytest.raises(ZigguratError, match="batch"):
        backend.prepare(str(path))
    rep = backend.prepare(path, batch_size=5)
    a = np.ones((5, 3), np.float32)
    np.testing.assert_array_equal(rep.run([a, -2 * a[0]])[0], np.zeros((5, 3), np.float32))


def test_prepare_rejects_an_invalid_model() -> None:
    model = add_relu_model()
    model.graph.node[1].input[0] = "nowhere"
    with pytest.raises(ZigguratError, match="invalid ONNX model"):
        backend.prepare(model)
