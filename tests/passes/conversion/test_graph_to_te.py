"""graph-to-te: the te.compute ops each graph op becomes, the error for an op it cannot
lower, and the numbers every op computes through the whole CPU pipeline against numpy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from xdsl.builder import ImplicitBuilder
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    ModuleOp,
    TensorType,
    f16,
    f32,
    f64,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Region, SSAValue

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.dialects.te import ComputeOp, ReadOp, compute_ops
from ziggurat.ir_io import parse_module, print_module, verify_module
from ziggurat.passes.conversion.graph_to_te import GraphToTe, reassociation
from ziggurat.reference import batch_norm as batch_norm_reference
from ziggurat.reference import conv2d as conv2d_reference
from ziggurat.reference import erf as erf_reference
from ziggurat.reference import evaluate
from ziggurat.reference import gather as gather_reference
from ziggurat.reference import layer_norm as layer_norm_reference
from ziggurat.reference import log_softmax as log_softmax_reference
from ziggurat.reference import lrn as lrn_reference
from ziggurat.reference import pool2d as pool_reference
from ziggurat.reference import power as power_reference
from ziggurat.reference import softmax as softmax_reference
from ziggurat.registry import make_context
from ziggurat.targets.cpu.runtime import numpy_dtype


def define(
    name: str,
    shapes: list[tuple[int, ...]],
    build: Callable[..., SSAValue | Sequence[SSAValue]],
    types: Sequence[Attribute] = (),
):
    """A function of tensors of `shapes`, their element types `types` then f32, returning
    what `build` makes of its arguments (one value or several)."""
    elements = [*types, *[f32] * (len(shapes) - len(types))]
    block = Block(arg_types=[TensorType(e, s) for e, s in zip(elements, shapes, strict=True)])
    with ImplicitBuilder(block):
        built = build(*block.args)
        results = [built] if isinstance(built, SSAValue) else list(built)
        func.ReturnOp(*results)
    signature = ([a.type for a in block.args], [r.type for r in results])
    return func.FuncOp(name, signature, Region(block))


def lower(*functions: func.FuncOp) -> ModuleOp:
    module = ModuleOp(list(functions))
    verify_module(module)
    GraphToTe().apply(make_context(), module)
    verify_module(module)
    return module


def computes(build: Callable[..., SSAValue], *shapes: tuple[int, ...]) -> list[ComputeOp]:
    return compute_ops(lower(define("f", list(shapes), build)))


def ops_in(compute: ComputeOp, name: str) -> int:
    return sum(op.name == name for op in compute.body.walk())


# Structure ---------------------------------------------------------------------------------


def test_conv2d_with_padding_reads_clamped_and_selects_zero():
    (conv,) = computes(
        lambda x, w: graph.Conv2dOp(x, w, padding=[1, 1, 1, 1]).output, (1, 3, 7, 7), (4, 3, 3, 3)
    )
    assert conv.compute_name.data == "conv2d"
    assert conv.axis_names == ["n", "c", "h", "w"]
    assert conv.reduce_axis_names == ["rc", "ry", "rx"]
    assert conv.reduce_extent_values == [3, 3, 3]
    assert conv.reduce_kind.data == "sum"
    # Four bounds tests (top, bottom, left, right), one select, clamped indices.
    assert ops_in(conv, "arith.cmpi") == 4
    assert ops_in(conv, "arith.select") == 1
    assert ops_in(conv, "arith.maxsi") == 2 and ops_in(conv, "arith.minsi") == 2


def test_conv2d_without_padding_reads_directly_and_bias_is_its_own_compute():
    conv, bias = computes(
        lambda x, w, b: graph.Conv2dOp(x, w, b, strides=[2, 2]).output,
        (1, 3, 7, 7),
        (4, 3, 3, 3),
        (4,),
    )
    assert [conv.compute_name.data, bias.compute_name.data] == ["conv2d", "bias_add"]
    assert ops_in(conv, "arith.select") == 0 and ops_in(conv, "arith.cmpi") == 0
    assert bias.inputs[0] is conv.result


def test_grouped_conv2d_offsets_the_input_channel_by_group():
    (conv,) = computes(
        lambda x, w: graph.Conv2dOp(x, w, groups=2).output, (1, 4, 5, 5), (6, 2, 3, 3)
    )
    assert ops_in(conv, "arith.divui") == 1  # the group of the output channel
    assert conv.reduce_extent_values == [2, 3, 3]


def test_matmul_reduces_over_k_and_broadcasts_batches_with_index_zero():
    (matmul,) = computes(lambda a, b: graph.MatmulOp(a, b).output, (1, 7, 3), (5, 3, 13))
    assert matmul.axis_names == ["b0", "i", "j"]
    assert matmul.reduce_axis_names == ["k"]
    a_read = next(op for op in matmul.body.walk() if isinstance(op, ReadOp))
    assert isinstance(a_read.indices[0].owner, arith.ConstantOp)


def test_softmax_is_max_exp_sum_divide():
    ops = computes(lambda x: graph.SoftmaxOp(x, 0).output, (7, 13))
    assert [c.compute_name.data for c in ops] == [
        "softmax_max",
        "softmax_exp",
        "softmax_sum",
        "softmax",
    ]
    assert [c.reduce_kind.data for c in (ops[0], ops[2])] == ["max", "sum"]
    assert ops[0].result.type == TensorType(f32, [1, 13])


def test_pools_pad_with_minus_infinity_or_divide_a_sum():
    (max_pool,) = computes(
        lambda x: graph.MaxPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1]).output, (1, 2, 7, 7)
    )
    assert max_pool.reduce_kind.data == "max"
    assert max_pool.init.value.data == float("-inf")
    assert ops_in(max_pool, "arith.select") == 1
    total, average = computes(lambda x: graph.AvgPool2dOp(x, [2, 2], [2, 2]).output, (1, 2, 8, 8))
    assert [total.compute_name.data, average.compute_name.data] == [
        "avg_pool2d_sum",
        "avg_pool2d",
    ]
    # No padding, no ceil mode: every window counts 4 elements, a constant.
    assert ops_in(average, "arith.sitofp") == 0


def test_broadcasting_add_reads_size_one_dimensions_at_zero():
    (add,) = computes(lambda a, b: graph.AddOp(a, b).output, (7, 1, 13), (13,))
    assert add.axis_names == ["i0", "i1", "i2"]
    reads = [op for op in add.body.walk() if isinstance(op, ReadOp)]
    assert [len(r.indices) for r in reads] == [3, 1]
    assert reads[1].indices[0] is add.block.args[2]


def test_reshape_linearizes_and_delinearizes():
    (reshape,) = computes(lambda x: graph.ReshapeOp(x, [6, 4]).output, (2, 3, 4))
    assert reshape.compute_name.data == "reshape"
    assert ops_in(reshape, "arith.divui") >= 1 and ops_in(reshape, "arith.remui") >= 1


@pytest.mark.parametrize(
    "source, target, groups",
    [
        (
            (1, 232, 14, 14),
            (1, 2, 116, 14, 14),
            [([0], [0]), ([1], [1, 2]), ([2], [3]), ([3], [4])],
        ),
        ((2, 3, 4), (4, 6), [([0, 1, 2], [0, 1])]),
        ((1, 12), (12,), [([0, 1], [0])]),
        ((12, 1), (12,), [([0], [0]), ([1], [])]),
        ((6, 0), (0, 3), [([0, 1], [0, 1])]),  # nothing to read: one group
    ],
)
def test_a_reshape_maps_groups_of_dimensions(source, target, groups):
    assert [([*a], [*b]) for a, b in reassociation(source, target)] == groups


def test_split_is_one_compute_per_piece_read_at_its_offset():
    module = lower(define("f", [(7, 13)], lambda x: graph.SplitOp(x, 1, [2, 10, 1]).outputs))
    pieces = compute_ops(module)
    assert [c.result.type for c in pieces] == [TensorType(f32, (7, n)) for n in (2, 10, 1)]
    (ret,) = [op for op in module.walk() if isinstance(op, func.ReturnOp)]
    assert list(ret.arguments) == [c.result for c in pieces]
    assert [ops_in(c, "arith.addi") for c in pieces] == [0, 1, 1]


def test_gather_reads_the_index_then_the_data_at_it_clamped():
    function = define(
        "f", [(5, 3), (2,)], lambda d, i: graph.GatherOp(d, i, 0).output, types=(f32, i64)
    )
    (gather,) = compute_ops(lower(function))
    index_read, data_read = [op for op in gather.body.walk() if isinstance(op, ReadOp)]
    assert index_read.tensor is gather.inputs[1] and data_read.tensor is gather.inputs[0]
    assert ops_in(gather, "arith.index_cast") == 1
    assert ops_in(gather, "arith.minsi") == 1 and ops_in(gather, "arith.maxsi") == 1


def test_layer_norm_is_a_sum_the_mean_a_sum_of_squares_and_the_result():
    ops = computes(lambda x, s: graph.LayerNormOp(x, s, None, 1).output, (2, 7, 13), (13,))
    assert [c.compute_name.data for c in ops] == [
        "layer_norm_sum",
        "layer_norm_mean",
        "layer_norm_square_sum",
        "layer_norm",
    ]
    assert [c.reduce_extent_values for c in ops] == [[7, 13], [], [7, 13], []]
    assert ops[0].result.type == TensorType(f32, [2, 1, 1])


def test_pow_takes_the_power_of_the_magnitude_and_selects_the_sign():
    (pow_,) = computes(lambda a, b: graph.PowOp(a, b).output, (7, 13), (13,))
    assert ops_in(pow_, "math.absf") == 1 and ops_in(pow_, "math.powf") == 1
    assert ops_in(pow_, "arith.select") == 3


def test_log_softmax_is_max_sum_of_exponentials_and_the_difference():
    ops = computes(lambda x: graph.LogSoftmaxOp(x, 0).output, (7, 13))
    assert [c.compute_name.data for c in ops] == [
        "log_softmax_max",
        "log_softmax_sum",
        "log_softmax",
    ]
    assert [c.reduce_kind.data for c in ops[:2]] == ["max", "sum"]
    assert ops_in(ops[1], "math.exp") == 1 and ops_in(ops[2], "math.log") == 1


def test_global_max_pool_and_lrn_structure():
    (pool,) = computes(lambda x: graph.GlobalMaxPool2dOp(x).output, (2, 3, 7, 13))
    assert pool.reduce_kind.data == "max" and pool.reduce_extent_values == [7, 13]
    squares, lrn = computes(lambda x: graph.LrnOp(x, 5).output, (1, 7, 3, 3))
    assert squares.reduce_axis_names == ["rc"] and squares.reduce_extent_values == [5]
    assert ops_in(squares, "arith.select") == 1 and ops_in(lrn, "math.powf") == 1


def test_constants_become_tensor_arith_constants():
    value = DenseIntOrFPElementsAttr.from_list(TensorType(f32, [3]), [1.0, 2.0, 3.0])
    module = lower(define("f", [], lambda: graph.ConstantOp(value).output))
    constants = [op for op in module.walk() if isinstance(op, arith.ConstantOp)]
    assert [c.value for c in constants] == [value]


def test_no_graph_op_remains_and_the_output_round_trips():
    module = parse_module(EVERY_OP_TEXT)
    GraphToTe().apply(make_context(), module)
    verify_module(module)
    assert not [op for op in module.walk() if op.name.startswith("graph.")]
    for generic in (False, True):
        text = print_module(module, generic)
        assert print_module(parse_module(text), generic) == text


EVERY_OP_TEXT = """
func.func @f(%x: tensor<1x2x5x5xf32>, %a: tensor<2x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<6x1xf32>) {
  %y = graph.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] ceil_mode : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  %z = graph.flatten %a axis 2 : (tensor<2x3xf32>) -> tensor<6x1xf32>
  func.return %y, %z : tensor<1x2x3x3xf32>, tensor<6x1xf32>
}
"""


def test_an_op_the_pass_cannot_lower_is_named_with_its_location():
    text = 'func.func @f(%x: tensor<4xf32>) {\n  %y = "graph.gelu"(%x) : (tensor<4xf32>) -> tensor<4xf32>\n  func.return\n}\n'
    module = parse_module(text, "model.mlir", ctx=make_context(allow_unregistered=True))
    with pytest.raises(ZigguratError, match="graph-to-te cannot lower 'graph.gelu'") as error:
        GraphToTe().apply(make_context(), module)
    assert error.value.where == "model.mlir:2:8"


# Numbers -----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    shapes: list[tuple[int, ...]]
    build: Callable[..., SSAValue]
    reference: Callable[..., np.ndarray | Sequence[np.ndarray]]
    positive: bool = False  # inputs must be positive (sqrt, variances)
    types: tuple[Attribute, ...] = ()  # element types of the first inputs; f32 for the rest
    integers: tuple[int, int] = (-3, 3)  # integer inputs are drawn from [low, high)


CONSTANT = np.arange(13, dtype=np.float32) / 7


def constant_plus(x):
    value = DenseIntOrFPElementsAttr.from_list(TensorType(f32, [13]), CONSTANT.tolist())
    return graph.AddOp(x, graph.ConstantOp(value).output).output


def constant_like(x: SSAValue, values: Sequence[float], shape: Sequence[int] = ()) -> SSAValue:
    """A constant tensor of `x`'s element type."""
    element = graph.tensor(x).element_type
    value = DenseIntOrFPElementsAttr.from_list(TensorType(element, shape), list(values))
    return graph.ConstantOp(value).output


def scaled(x: SSAValue, factor: float) -> SSAValue:
    return graph.MulOp(x, constant_like(x, [factor])).output


# Integral exponents of both parities and fractional ones, negative ones included.
EXPONENTS = np.array([-3, -2, -1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, -0.5, 5], np.float32)


def gelu_tanh(x: SSAValue) -> SSAValue:
    """GELU's tanh approximation as exporters spell it, with pow(x, 3)."""
    cube = graph.PowOp(x, constant_like(x, [3.0])).output
    inner = graph.AddOp(x, scaled(cube, 0.044715)).output
    tanh = graph.TanhOp(scaled(inner, float(np.sqrt(2 / np.pi)))).output
    one_plus = graph.AddOp(tanh, constant_like(x, [1.0])).output
    return graph.MulOp(scaled(x, 0.5), one_plus).output


def gelu_tanh_reference(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def gelu_erf(x: SSAValue) -> SSAValue:
    erf = graph.ErfOp(scaled(x, float(1 / np.sqrt(2)))).output
    return graph.MulOp(scaled(x, 0.5), graph.AddOp(erf, constant_like(x, [1.0])).output).output


CASES = [
    # Convolutions.
    Case(
        "conv_plain",
        [(1, 3, 7, 7), (4, 3, 3, 3)],
        lambda x, w: graph.Conv2dOp(x, w).output,
        conv2d_reference,
    ),
    Case(
        "conv_ihwo_weights",
        [(1, 3, 7, 7), (3, 3, 2, 5), (5,)],
        lambda x, w, b: graph.Conv2dOp(x, w, b, [1, 2], [1, 1, 0, 1], weight_layout="IHWO").output,
        lambda x, w, b: conv2d_reference(x, w.transpose(3, 0, 1, 2), b, (1, 2), (1, 1, 0, 1)),
    ),
    Case(
        "conv_stride_pad_dilation_groups",
        [(2, 4, 13, 13), (6, 2, 3, 3), (6,)],
        lambda x, w, b: graph.Conv2dOp(x, w, b, [2, 2], [1, 2, 0, 1], [2, 1], 2).output,
        lambda x, w, b: conv2d_reference(x, w, b, (2, 2), (1, 2, 0, 1), (2, 1), 2),
    ),
    Case(
        "conv_depthwise",
        [(1, 6, 7, 7), (6, 1, 3, 3), (6,)],
        lambda x, w, b: graph.Conv2dOp(x, w, b, padding=[1, 1, 1, 1], groups=6).output,
        lambda x, w, b: conv2d_reference(x, w, b, padding=(1, 1, 1, 1), groups=6),
    ),
    Case(
        "conv_1x1",
        [(1, 5, 1, 1), (7, 5, 1, 1)],
        lambda x, w: graph.Conv2dOp(x, w).output,
        conv2d_reference,
    ),
    Case(
        "conv_stride2_pad",
        [(1, 2, 7, 7), (3, 2, 3, 3)],
        lambda x, w: graph.Conv2dOp(x, w, strides=[2, 2], padding=[1, 1, 1, 1]).output,
        lambda x, w: conv2d_reference(x, w, strides=(2, 2), padding=(1, 1, 1, 1)),
    ),
    # Contractions.
    Case(
        "dense_bias_alpha_beta",
        [(7, 13), (13, 5), (5,)],
        lambda a, b, c: graph.DenseOp(a, b, c, alpha=0.5, beta=2.0).output,
        lambda a, b, c: 0.5 * a @ b + 2.0 * c,
    ),
    Case(
        "dense_transposed",
        [(13, 7), (5, 13), (7, 1)],
        lambda a, b, c: graph.DenseOp(a, b, c, trans_a=True, trans_b=True).output,
        lambda a, b, c: a.T @ b.T + c,
    ),
    Case(
        "dense_one", [(1, 1), (1, 1)], lambda a, b: graph.DenseOp(a, b).output, lambda a, b: a @ b
    ),
    Case("matmul", [(7, 13), (13, 5)], lambda a, b: graph.MatmulOp(a, b).output, np.matmul),
    Case(
        "matmul_batch_broadcast",
        [(5, 1, 7, 3), (4, 3, 13)],
        lambda a, b: graph.MatmulOp(a, b).output,
        np.matmul,
    ),
    Case(
        "matmul_vector_left",
        [(13,), (2, 13, 7)],
        lambda a, b: graph.MatmulOp(a, b).output,
        np.matmul,
    ),
    Case(
        "matmul_vector_right", [(7, 13), (13,)], lambda a, b: graph.MatmulOp(a, b).output, np.matmul
    ),
    # Broadcasting arithmetic.
    Case("add", [(7, 1, 13), (13,)], lambda a, b: graph.AddOp(a, b).output, np.add),
    Case("sub", [(1,), (7, 1)], lambda a, b: graph.SubOp(a, b).output, np.subtract),
    Case("mul", [(7, 13), (7, 1)], lambda a, b: graph.MulOp(a, b).output, np.multiply),
    Case("div", [(13,), (7, 1, 13)], lambda a, b: graph.DivOp(a, b).output, np.divide),
    Case("constant", [(7, 13)], constant_plus, lambda x: x + CONSTANT),
    Case(
        "pow_square",
        [(7, 13)],
        lambda x: graph.PowOp(x, constant_like(x, [2.0])).output,
        lambda x: x**2,
    ),
    Case(
        "pow_integral_and_fractional_exponents",
        [(7, 13)],
        lambda x: graph.PowOp(x, constant_like(x, EXPONENTS.tolist(), (13,))).output,
        lambda x: power_reference(x, EXPONENTS.astype(np.float64)),
    ),
    Case(
        "pow_positive_base",
        [(7, 13), (7, 1)],
        lambda a, b: graph.PowOp(a, b).output,
        np.power,
        positive=True,
    ),
    Case("gelu_tanh", [(7, 13)], gelu_tanh, gelu_tanh_reference),
    Case("maximum", [(7, 13), (13,)], lambda a, b: graph.MaximumOp(a, b).output, np.maximum),
    Case("minimum", [(7, 1), (1, 13)], lambda a, b: graph.MinimumOp(a, b).output, np.minimum),
    # Elementwise functions.
    Case("relu", [(7, 13)], lambda x: graph.ReluOp(x).output, lambda x: np.maximum(x, 0)),
    Case("sigmoid", [(7, 13)], lambda x: graph.SigmoidOp(x).output, lambda x: 1 / (1 + np.exp(-x))),
    Case("tanh", [(1,)], lambda x: graph.TanhOp(x).output, np.tanh),
    Case("exp", [(13,)], lambda x: graph.ExpOp(x).output, np.exp),
    Case("sqrt", [(7, 13)], lambda x: graph.SqrtOp(x).output, np.sqrt, positive=True),
    Case(
        "erf",
        [(7, 13)],
        lambda x: graph.ErfOp(scaled(x, 3.0)).output,
        lambda x: erf_reference(3 * x),
    ),
    Case(
        "gelu_erf",
        [(13,)],
        gelu_erf,
        lambda x: 0.5 * x * (1 + erf_reference(x / np.sqrt(2))),
    ),
    Case("neg", [(7, 13)], lambda x: graph.NegOp(x).output, np.negative),
    Case("abs", [(13,)], lambda x: graph.AbsOp(x).output, np.abs),
    Case("log", [(7, 13)], lambda x: graph.LogOp(x).output, np.log, positive=True),
    Case("reciprocal", [(7, 13)], lambda x: graph.ReciprocalOp(x).output, np.reciprocal),
    Case(
        "leaky_relu",
        [(7, 13)],
        lambda x: graph.LeakyReluOp(x, 0.1).output,
        lambda x: np.where(x >= 0, x, 0.1 * x),
    ),
    Case(
        "leaky_relu_default_rank0",
        [()],
        lambda x: graph.LeakyReluOp(x).output,
        lambda x: np.where(x >= 0, x, 0.01 * x),
    ),
    Case(
        "clip",
        [(7, 13)],
        lambda x: graph.ClipOp(x, -0.5, 0.5).output,
        lambda x: np.clip(x, -0.5, 0.5),
    ),
    Case(
        "clip_min_only",
        [(13,)],
        lambda x: graph.ClipOp(x, min=0.25).output,
        lambda x: np.maximum(x, 0.25),
    ),
    Case(
        "clip_max_only",
        [(7, 1)],
        lambda x: graph.ClipOp(x, max=-0.25).output,
        lambda x: np.minimum(x, -0.25),
    ),
    Case(
        "clip_min_above_max",
        [(7,)],
        lambda x: graph.ClipOp(x, 1.0, -1.0).output,
        lambda x: np.minimum(np.maximum(x, 1.0), -1.0),
    ),
    # Softmax on several axes.
    Case(
        "softmax_last",
        [(7, 13)],
        lambda x: graph.SoftmaxOp(x, -1).output,
        lambda x: softmax_reference(x, -1),
    ),
    Case(
        "softmax_first",
        [(7, 13)],
        lambda x: graph.SoftmaxOp(x, 0).output,
        lambda x: softmax_reference(x, 0),
    ),
    Case(
        "softmax_middle",
        [(2, 7, 5)],
        lambda x: graph.SoftmaxOp(x, 1).output,
        lambda x: softmax_reference(x, 1),
    ),
    Case(
        "softmax_one",
        [(1,)],
        lambda x: graph.SoftmaxOp(x, 0).output,
        lambda x: softmax_reference(x, 0),
    ),
    Case(
        "log_softmax_last",
        [(7, 13)],
        lambda x: graph.LogSoftmaxOp(x, -1).output,
        lambda x: log_softmax_reference(x, -1),
    ),
    Case(
        "log_softmax_middle",
        [(2, 7, 5)],
        lambda x: graph.LogSoftmaxOp(x, 1).output,
        lambda x: log_softmax_reference(x, 1),
    ),
    Case(
        "log_softmax_one",
        [(1,)],
        lambda x: graph.LogSoftmaxOp(x, 0).output,
        lambda x: log_softmax_reference(x, 0),
    ),
    # Normalization.
    Case(
        "lrn",
        [(2, 7, 5, 3)],
        lambda x: graph.LrnOp(x, 3).output,
        lambda x: lrn_reference(x, 3),
    ),
    Case(
        "lrn_even_size",
        [(1, 13, 2, 2)],
        lambda x: graph.LrnOp(x, 4, 1e-2, 0.5, 2.0).output,
        lambda x: lrn_reference(x, 4, 1e-2, 0.5, 2.0),
    ),
    Case(
        "lrn_wider_than_the_channels",
        [(1, 5, 3, 3)],
        lambda x: graph.LrnOp(x, 7, 0.5, 0.75, 1.0).output,
        lambda x: lrn_reference(x, 7, 0.5, 0.75, 1.0),
    ),
    Case(
        "lrn_size_one",
        [(1, 7, 1, 1)],
        lambda x: graph.LrnOp(x, 1, 1.0, 1.0, 1.0).output,
        lambda x: x / (1 + x * x),
    ),
    Case(
        "batch_norm",
        [(2, 3, 7, 7), (3,), (3,), (3,), (3,)],
        lambda *v: graph.BatchNormOp(*v, epsilon=1e-3).output,
        lambda *v: batch_norm_reference(*v, epsilon=1e-3),
        positive=True,
    ),
    Case(
        "batch_norm_rank2",
        [(7, 13), (13,), (13,), (13,), (13,)],
        lambda *v: graph.BatchNormOp(*v).output,
        batch_norm_reference,
        positive=True,
    ),
    Case(
        "layer_norm_last_axis",
        [(7, 13), (13,), (13,)],
        lambda x, s, b: graph.LayerNormOp(x, s, b, -1).output,
        layer_norm_reference,
    ),
    Case(
        "layer_norm_two_axes_no_bias",
        [(2, 7, 13), (13,)],
        lambda x, s: graph.LayerNormOp(x, s, None, 1, 1e-3).output,
        lambda x, s: layer_norm_reference(x, s, axis=1, epsilon=1e-3),
    ),
    Case(
        "layer_norm_every_axis",
        [(7, 13), (7, 13), (1,)],
        lambda x, s, b: graph.LayerNormOp(x, s, b, 0).output,
        lambda x, s, b: layer_norm_reference(x, s, b, axis=0),
    ),
    # Conversions.
    Case(
        "cast_truncates_toward_zero",
        [(7, 13)],
        lambda x: graph.CastOp(graph.MulOp(x, x).output, i32).output,
        lambda x: (x * x).astype(np.int32),
    ),
    Case(
        "cast_to_f16_and_f64",
        [(7, 13)],
        lambda x: graph.CastOp(graph.CastOp(x, f16).output, f64).output,
        lambda x: x.astype(np.float16).astype(np.float64),
    ),
    Case(
        "cast_integers_wrap_and_round",
        [(13,)],
        lambda x: graph.CastOp(graph.CastOp(x, i32).output, f32).output,
        lambda x: x.astype(np.int32).astype(np.float32),
        types=(i64,),
        integers=(-(2**40), 2**40),
    ),
    Case(
        "cast_through_bool",
        [(7, 13)],
        lambda x: graph.CastOp(graph.CastOp(graph.ReluOp(x).output, i1).output, i64).output,
        lambda x: (np.maximum(x, 0) != 0).astype(np.int64),
    ),
    Case(
        "cast_bool_to_float_rank0",
        [()],
        lambda x: graph.CastOp(graph.CastOp(x, i1).output, f32).output,
        lambda x: (x != 0).astype(np.float32),
        types=(i32,),
    ),
    Case(
        "cast_from_f16",
        [(7,)],
        lambda x: graph.CastOp(x, f32).output,
        lambda x: x.astype(np.float32),
        types=(f16,),
    ),
    # Pools.
    Case(
        "max_pool_pad",
        [(1, 3, 7, 7)],
        lambda x: graph.MaxPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1]).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 1, 1, 1)),
    ),
    Case(
        "max_pool_ceil_dilation",
        [(2, 2, 13, 13)],
        lambda x: graph.MaxPool2dOp(x, [2, 3], [2, 2], [0, 1, 1, 0], [2, 1], True).output,
        lambda x: pool_reference(x, (2, 3), (2, 2), (0, 1, 1, 0), (2, 1), True),
    ),
    Case(
        "max_pool_floor",
        [(1, 1, 7, 7)],
        lambda x: graph.MaxPool2dOp(x, [2, 2], [2, 2]).output,
        lambda x: pool_reference(x, (2, 2), (2, 2), (0, 0, 0, 0)),
    ),
    Case(
        "avg_pool_exclude_pad",
        [(1, 3, 7, 7)],
        lambda x: graph.AvgPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1]).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 1, 1, 1), kind="avg"),
    ),
    Case(
        "avg_pool_include_pad",
        [(1, 3, 7, 7)],
        lambda x: graph.AvgPool2dOp(x, [3, 3], [2, 2], [1, 0, 1, 2], count_include_pad=True).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 0, 1, 2), kind="avg", include_pad=True),
    ),
    Case(
        "avg_pool_ceil_include_pad",
        [(2, 2, 13, 13)],
        lambda x: graph.AvgPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1], True, True).output,
        lambda x: pool_reference(x, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), True, "avg", True),
    ),
    Case(
        "avg_pool_ceil_exclude_pad",
        [(1, 2, 7, 7)],
        lambda x: graph.AvgPool2dOp(x, [2, 2], [2, 2], ceil_mode=True).output,
        lambda x: pool_reference(x, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1), True, "avg"),
    ),
    Case(
        "global_avg_pool",
        [(2, 3, 7, 13)],
        lambda x: graph.GlobalAvgPool2dOp(x).output,
        lambda x: x.mean(axis=(2, 3), keepdims=True),
    ),
    Case(
        "global_max_pool",
        [(2, 3, 7, 13)],
        lambda x: graph.GlobalMaxPool2dOp(x).output,
        lambda x: x.max(axis=(2, 3), keepdims=True),
    ),
    Case(
        "global_max_pool_one",
        [(1, 1, 1, 1)],
        lambda x: graph.GlobalMaxPool2dOp(x).output,
        lambda x: x,
    ),
    Case(
        "global_avg_pool_one",
        [(1, 1, 1, 1)],
        lambda x: graph.GlobalAvgPool2dOp(x).output,
        lambda x: x,
    ),
    # Data movement.
    Case(
        "reshape",
        [(7, 13)],
        lambda x: graph.ReshapeOp(x, [13, 7]).output,
        lambda x: x.reshape(13, 7),
    ),
    Case(
        "reshape_rank3",
        [(2, 3, 4)],
        lambda x: graph.ReshapeOp(x, [4, -1]).output,
        lambda x: x.reshape(4, 6),
    ),
    Case(
        "reshape_ones",
        [(1, 3, 1, 5)],
        lambda x: graph.ReshapeOp(x, [15]).output,
        lambda x: x.reshape(15),
    ),
    Case(
        "transpose",
        [(2, 3, 5)],
        lambda x: graph.TransposeOp(x, [2, 0, 1]).output,
        lambda x: x.transpose(2, 0, 1),
    ),
    Case(
        "transpose_matrix", [(7, 13)], lambda x: graph.TransposeOp(x, [1, 0]).output, lambda x: x.T
    ),
    Case(
        "slice_strided_backwards",
        [(3, 7, 9)],
        lambda x: graph.SliceOp(x, [1, 6, 0], [2, 3, 5], [1, -2, 2]).output,
        lambda x: x[1:3, 6:0:-2, 0::2],
    ),
    Case(
        "flatten_0",
        [(2, 3, 4, 5)],
        lambda x: graph.FlattenOp(x, 0).output,
        lambda x: x.reshape(1, -1),
    ),
    Case(
        "flatten_2",
        [(2, 3, 4, 5)],
        lambda x: graph.FlattenOp(x, 2).output,
        lambda x: x.reshape(6, 20),
    ),
    Case(
        "flatten_last",
        [(2, 3, 4, 5)],
        lambda x: graph.FlattenOp(x, -1).output,
        lambda x: x.reshape(24, 5),
    ),
    Case(
        "concat_three",
        [(2, 1, 5), (2, 3, 5), (2, 7, 5)],
        lambda *v: graph.ConcatOp(v, 1).output,
        lambda *v: np.concatenate(v, axis=1),
    ),
    Case(
        "concat_first_axis",
        [(1, 13), (7, 13)],
        lambda *v: graph.ConcatOp(v, 0).output,
        lambda *v: np.concatenate(v, axis=0),
    ),
    Case("concat_one", [(7,)], lambda x: graph.ConcatOp([x], 0).output, lambda x: x),
    Case(
        "concat_i64",
        [(2, 3), (2, 1)],
        lambda *v: graph.ConcatOp(v, -1).output,
        lambda *v: np.concatenate(v, axis=-1),
        types=(i64, i64),
        integers=(-(2**40), 2**40),
    ),
    Case(
        "transpose_reshape_i32",
        [(7, 13)],
        lambda x: graph.ReshapeOp(graph.TransposeOp(x, [1, 0]).output, [-1]).output,
        lambda x: x.T.reshape(-1),
        types=(i32,),
        integers=(-100, 100),
    ),
    Case(
        "split_three",
        [(7, 13)],
        lambda x: graph.SplitOp(x, 1, [2, 10, 1]).outputs,
        lambda x: np.split(x, [2, 12], axis=1),
    ),
    Case(
        "split_negative_axis",
        [(13, 2, 7)],
        lambda x: graph.SplitOp(x, -3, [6, 7]).outputs,
        lambda x: np.split(x, [6], axis=0),
    ),
    Case("split_one", [(1,)], lambda x: graph.SplitOp(x, 0, [1]).outputs, lambda x: [x]),
    Case(
        "split_i64",
        [(7, 5)],
        lambda x: graph.SplitOp(x, 0, [3, 4]).outputs,
        lambda x: np.split(x, [3], axis=0),
        types=(i64,),
        integers=(-(2**40), 2**40),
    ),
    Case(
        "gather_first_axis",
        [(7, 13), (5,)],
        lambda d, i: graph.GatherOp(d, i, 0).output,
        lambda d, i: np.take(d, i, axis=0),
        types=(f32, i64),
        integers=(-7, 7),
    ),
    Case(
        "gather_matrix_of_indices",
        [(2, 13, 7), (3, 4)],
        lambda d, i: graph.GatherOp(d, i, 1).output,
        lambda d, i: np.take(d, i, axis=1),
        types=(f32, i32),
        integers=(-13, 13),
    ),
    Case(
        "gather_scalar_index",
        [(7, 13), ()],
        lambda d, i: graph.GatherOp(d, i, -1).output,
        lambda d, i: np.take(d, i, axis=-1),
        types=(f32, i64),
        integers=(-13, 0),
    ),
    Case(
        "gather_out_of_range_clamps",
        [(7,), (13,)],
        lambda d, i: graph.GatherOp(d, i, 0).output,
        lambda d, i: gather_reference(d, i, 0),
        types=(f32, i32),
        integers=(-10, 10),
    ),
    Case(
        "gather_i64_data",
        [(5, 1), (4,)],
        lambda d, i: graph.GatherOp(d, i, 0).output,
        lambda d, i: np.take(d, i, axis=0),
        types=(i64, i64),
        integers=(-5, 5),
    ),
    Case(
        "pad_constant",
        [(7, 13)],
        lambda x: graph.PadOp(x, [1, 0, 2, 3], 0.5).output,
        lambda x: np.pad(x, ((1, 2), (0, 3)), constant_values=0.5),
    ),
    Case(
        "pad_reflect",
        [(7, 13)],
        lambda x: graph.PadOp(x, [2, 12, 6, 3], mode="reflect").output,
        lambda x: np.pad(x, ((2, 6), (12, 3)), mode="reflect"),
    ),
    Case(
        "pad_reflect_past_the_edge",
        [(3, 1, 2)],
        lambda x: graph.PadOp(x, [4, 2, 0, 7, 1, 3], mode="reflect").output,
        lambda x: np.pad(x, ((4, 7), (2, 1), (0, 3)), mode="reflect"),
    ),
    Case(
        "pad_edge",
        [(1, 7, 13)],
        lambda x: graph.PadOp(x, [1, 2, 0, 0, 3, 1], mode="edge").output,
        lambda x: np.pad(x, ((1, 0), (2, 3), (0, 1)), mode="edge"),
    ),
    Case(
        "pad_wrap",
        [(7, 3)],
        lambda x: graph.PadOp(x, [0, 4, 9, 5], mode="wrap").output,
        lambda x: np.pad(x, ((0, 9), (4, 5)), mode="wrap"),
    ),
    Case(
        "pad_i64",
        [(7,)],
        lambda x: graph.PadOp(x, [2, 3], 9.0).output,
        lambda x: np.pad(x, (2, 3), constant_values=9),
        types=(i64,),
    ),
    # Reductions.
    Case(
        "reduce_sum",
        [(2, 3, 5)],
        lambda x: graph.ReduceSumOp(x, [1]).output,
        lambda x: x.sum(axis=1),
    ),
    Case(
        "reduce_sum_all",
        [(7, 13)],
        lambda x: graph.ReduceSumOp(x, [0, 1]).output,
        lambda x: x.sum(),
    ),
    Case(
        "reduce_mean_keepdims",
        [(2, 3, 5)],
        lambda x: graph.ReduceMeanOp(x, [0, 2], keepdims=True).output,
        lambda x: x.mean(axis=(0, 2), keepdims=True),
    ),
    Case(
        "reduce_max",
        [(7, 13)],
        lambda x: graph.ReduceMaxOp(x, [-1]).output,
        lambda x: x.max(axis=-1),
    ),
    Case(
        "reduce_max_keepdims",
        [(7, 1, 13)],
        lambda x: graph.ReduceMaxOp(x, [0], keepdims=True).output,
        lambda x: x.max(axis=0, keepdims=True),
    ),
]


def define_case(case: Case) -> func.FuncOp:
    return define(case.name, case.shapes, case.build, case.types)


@pytest.fixture(scope="module")
def compiled():
    module = ModuleOp([define_case(case) for case in CASES])
    return ziggurat.compile(module, target="cpu")


def inputs(case: Case) -> list[np.ndarray]:
    rng = np.random.default_rng(len(case.name))
    types = [*case.types, *[f32] * (len(case.shapes) - len(case.types))]
    arrays = []
    for shape, element in zip(case.shapes, types, strict=True):
        dtype = numpy_dtype(element, "")
        if np.issubdtype(dtype, np.integer):
            arrays.append(rng.integers(*case.integers, shape).astype(dtype))
            continue
        array = np.asarray(rng.standard_normal(shape)).astype(dtype)
        arrays.append(np.abs(array) + dtype.type(0.1) if case.positive else array)
    return arrays


def expected_results(case: Case, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The case's own numpy formula on its inputs, floats widened to float64."""
    wide = [a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a for a in arrays]
    expected = case.reference(*wide)
    return [np.asarray(e) for e in expected] if isinstance(expected, list) else [expected]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_numbers_match_numpy(compiled, case):
    arrays = inputs(case)
    results = getattr(compiled, case.name)(*arrays)
    expected = expected_results(case, arrays)
    assert len(results) == len(expected)
    for actual, wanted in zip(results, expected, strict=True):
        assert actual.shape == wanted.shape
        np.testing.assert_allclose(actual, wanted, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_numpy_reference_evaluates_every_op(case):
    """targets/reference.py, which `ziggurat run` checks against, agrees with each case's
    own numpy formula."""
    arrays = inputs(case)
    function = define_case(case)
    results = evaluate(ModuleOp([function]), case.name, arrays)
    expected = expected_results(case, arrays)
    result_types = function.function_type.outputs.data
    assert len(results) == len(expected) == len(result_types)
    for actual, wanted, result_type in zip(results, expected, result_types, strict=True):
        assert actual.dtype == numpy_dtype(result_type.element_type, "")
        assert actual.shape == wanted.shape
        np.testing.assert_allclose(actual, wanted, rtol=1e-6, atol=1e-6)


# One case of every op that takes floating-point tensors, to run in f64 and f16 too.
OTHER_FLOAT_CASES = [
    "conv_stride2_pad",
    "dense_bias_alpha_beta",
    "matmul_batch_broadcast",
    "add",
    "sub",
    "mul",
    "div",
    "pow_integral_and_fractional_exponents",
    "gelu_tanh",
    "maximum",
    "minimum",
    "relu",
    "sigmoid",
    "tanh",
    "exp",
    "sqrt",
    "erf",
    "neg",
    "abs",
    "log",
    "reciprocal",
    "leaky_relu",
    "clip",
    "softmax_middle",
    "log_softmax_middle",
    "batch_norm",
    "layer_norm_two_axes_no_bias",
    "lrn_even_size",
    "max_pool_ceil_dilation",
    "avg_pool_ceil_include_pad",
    "global_avg_pool",
    "global_max_pool",
    "reshape_rank3",
    "transpose",
    "flatten_2",
    "concat_three",
    "split_three",
    "gather_matrix_of_indices",
    "pad_reflect_past_the_edge",
    "pad_constant",
    "cast_to_f16_and_f64",
    "reduce_sum_all",
    "reduce_mean_keepdims",
    "reduce_max",
]
OTHER_FLOATS = {"f64": (f64, 1e-12), "f16": (f16, 2e-2)}


def in_other_float(case: Case, suffix: str) -> Case:
    """`case` with its f32 inputs in another floating-point type."""
    element = OTHER_FLOATS[suffix][0]
    types = [*case.types, *[f32] * (len(case.shapes) - len(case.types))]
    types = [element if t == f32 else t for t in types]
    return Case(
        f"{case.name}_{suffix}",
        case.shapes,
        case.build,
        case.reference,
        case.positive,
        tuple(types),
        case.integers,
    )


OTHER_FLOAT_CASE_LIST = [
    in_other_float(case, suffix)
    for suffix in OTHER_FLOATS
    for case in CASES
    if case.name in OTHER_FLOAT_CASES
]


@pytest.fixture(scope="module")
def compiled_other_floats():
    module = ModuleOp([define_case(case) for case in OTHER_FLOAT_CASE_LIST])
    return ziggurat.compile(module, target="cpu")


def test_every_other_float_case_is_a_case():
    assert len(OTHER_FLOAT_CASE_LIST) == len(OTHER_FLOATS) * len(OTHER_FLOAT_CASES)


@pytest.mark.parametrize("case", OTHER_FLOAT_CASE_LIST, ids=[c.name for c in OTHER_FLOAT_CASE_LIST])
def test_f64_and_f16_match_the_reference(compiled_other_floats, case):
    """Each op in f64 and f16 against the numpy reference, which computes in float64 and
    rounds to the result type: f64 must agree to rounding, f16 to its precision."""
    tolerance = OTHER_FLOATS[case.name.rsplit("_", 1)[1]][1]
    arrays = inputs(case)
    results = getattr(compiled_other_floats, case.name)(*arrays)
    expected = evaluate(ModuleOp([define_case(case)]), case.name, arrays)
    assert len(results) == len(expected)
    for actual, wanted in zip(results, expected, strict=True):
        assert actual.dtype == wanted.dtype and actual.shape == wanted.shape
        np.testing.assert_allclose(
            actual.astype(np.float64), wanted.astype(np.float64), rtol=tolerance, atol=tolerance
        )


OTHER_TYPES = """
func.func @dot(%a: tensor<13xf32>, %b: tensor<13xf32>) -> tensor<f32> {
  %y = graph.matmul %a, %b : (tensor<13xf32>, tensor<13xf32>) -> tensor<f32>
  func.return %y : tensor<f32>
}
func.func @softmax_f64(%x: tensor<7x13xf64>) -> tensor<7x13xf64> {
  %y = graph.softmax %x axis 1 : tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @max_pool_f16(%x: tensor<1x1x7x7xf16>) -> tensor<1x1x4x4xf16> {
  %y = graph.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x1x7x7xf16>) -> tensor<1x1x4x4xf16>
  func.return %y : tensor<1x1x4x4xf16>
}
"""


def test_rank_zero_results_f64_and_f16():
    compiled = ziggurat.compile(OTHER_TYPES)
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((2, 13)).astype(np.float32)
    np.testing.assert_allclose(compiled.dot(a, b)[0], a @ b, rtol=1e-5)
    x = rng.standard_normal((7, 13))
    np.testing.assert_allclose(compiled.softmax_f64(x)[0], softmax_reference(x, 1), rtol=1e-12)
    h = rng.standard_normal((1, 1, 7, 7)).astype(np.float16)
    expected = pool_reference(h, (3, 3), (2, 2), (1, 1, 1, 1)).astype(np.float16)
    np.testing.assert_array_equal(compiled.max_pool_f16(h)[0], expected)


ONNX_OPS_OTHER_TYPES = """
func.func @erf_f64(%x: tensor<7x13xf64>) -> tensor<7x13xf64> {
  %y = graph.erf %x : tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @erf_f16(%x: tensor<13xf16>) -> tensor<13xf16> {
  %y = graph.erf %x : tensor<13xf16>
  func.return %y : tensor<13xf16>
}
func.func @pow_f64(%x: tensor<7x13xf64>, %e: tensor<13xf64>) -> tensor<7x13xf64> {
  %y = graph.pow %x, %e : (tensor<7x13xf64>, tensor<13xf64>) -> tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @log_softmax_f64(%x: tensor<7x13xf64>) -> tensor<7x13xf64> {
  %y = graph.log_softmax %x axis 0 : tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @layer_norm_f64(%x: tensor<7x13xf64>, %s: tensor<13xf64>) -> tensor<7x13xf64> {
  %y = graph.layer_norm %x, %s, %s axis 1 : (tensor<7x13xf64>, tensor<13xf64>, tensor<13xf64>) -> tensor<7x13xf64>
  func.return %y : tensor<7x13xf64>
}
func.func @clip_f16(%x: tensor<13xf16>) -> tensor<13xf16> {
  %y = graph.clip %x min -0.5 max 0.75 : tensor<13xf16>
  func.return %y : tensor<13xf16>
}
func.func @global_max_pool_f16(%x: tensor<1x3x7x7xf16>) -> tensor<1x3x1x1xf16> {
  %y = graph.global_max_pool2d %x : (tensor<1x3x7x7xf16>) -> tensor<1x3x1x1xf16>
  func.return %y : tensor<1x3x1x1xf16>
}
func.func @rank0(%x: tensor<f32>, %e: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<i64>) {
  %p = graph.pow %x, %e : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %m = graph.maximum %p, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %l = graph.leaky_relu %x alpha 0.5 : tensor<f32>
  %c = graph.cast %x : (tensor<f32>) -> tensor<i64>
  func.return %p, %m, %l, %c : tensor<f32>, tensor<f32>, tensor<f32>, tensor<i64>
}
"""


def test_onnx_ops_in_f64_f16_and_rank_zero():
    compiled = ziggurat.compile(ONNX_OPS_OTHER_TYPES)
    rng = np.random.default_rng(13)
    x = rng.standard_normal((7, 13))
    np.testing.assert_allclose(compiled.erf_f64(x)[0], erf_reference(x), rtol=1e-14)
    e = EXPONENTS.astype(np.float64)
    np.testing.assert_allclose(compiled.pow_f64(x, e)[0], power_reference(x, e), rtol=1e-14)
    np.testing.assert_allclose(
        compiled.log_softmax_f64(x)[0], log_softmax_reference(x, 0), rtol=1e-13
    )
    s = rng.standard_normal(13)
    np.testing.assert_allclose(
        compiled.layer_norm_f64(x, s)[0], layer_norm_reference(x, s, s), rtol=1e-12, atol=1e-12
    )
    h = rng.standard_normal(13).astype(np.float16)
    expected = erf_reference(h.astype(np.float64)).astype(np.float16)
    np.testing.assert_allclose(compiled.erf_f16(h)[0], expected, atol=1e-3)
    np.testing.assert_array_equal(compiled.clip_f16(h)[0], np.clip(h, -0.5, 0.75))
    p = rng.standard_normal((1, 3, 7, 7)).astype(np.float16)
    np.testing.assert_array_equal(
        compiled.global_max_pool_f16(p)[0], p.max(axis=(2, 3), keepdims=True)
    )
    base, exponent = np.float32(-1.5), np.float32(3.0)
    power, maximum, leaky, integer = compiled.rank0(np.array(base), np.array(exponent))
    assert power.shape == () and power == np.float32(-3.375)
    assert maximum == base and leaky == np.float32(-0.75) and integer == -1


def test_f64_to_f16_rounds_once_like_numpy():
    """Through a plain f32 a value just past an f16 tie would round onto the tie, then to
    even; the cast rounds to odd in f32 first, so it rounds once, as numpy does."""
    tie = 1 + 2.0**-11
    x = np.array(
        [tie + 2.0**-40, tie - 2.0**-40, -(tie + 2.0**-40), tie, 2.0**-25 + 2.0**-70]
        + [65520.0 - 2.0**-30, 1e300, 1e-30, np.nan, -np.inf]
    )
    compiled = ziggurat.compile(
        "func.func @cast(%x: tensor<10xf64>) -> tensor<10xf16> {\n"
        "  %y = graph.cast %x : (tensor<10xf64>) -> tensor<10xf16>\n"
        "  func.return %y : tensor<10xf16>\n}\n"
    )
    with np.errstate(over="ignore"):
        expected = x.astype(np.float16)
        assert not np.array_equal(x.astype(np.float32).astype(np.float16), expected)
    np.testing.assert_array_equal(compiled.cast(x)[0], expected)
