"""The graph dialect: building ops with inferred types, pattern kinds, what the verifiers
reject, and textual round trips in custom and generic form."""

import numpy as np
import pytest
from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    IntegerType,
    TensorType,
    f16,
    f32,
    f64,
    i1,
    i32,
    i64,
)
from xdsl.ir import Block
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination
from xdsl.utils.exceptions import VerifyException

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects import graph
from ziggurat.dialects.graph import PatternKind, pattern_kind
from ziggurat.ir_io import parse_module, print_module, verify_module
from ziggurat.registry import make_context

EVERY_OP = """
func.func @every_op(%x: tensor<1x4x9x9xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>,
                    %a: tensor<2x3xf32>, %m: tensor<4x3xf32>, %v: tensor<4xf32>,
                    %d: tensor<5x7xf64>, %h: tensor<7xf16>, %n: tensor<2x3xi32>,
                    %wp: tensor<4x3x3x8xf32>) {
  %c = graph.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %ci = graph.constant dense<3> : tensor<2x3xi32>
  %c1 = graph.constant dense<[[1.0], [2.0], [3.0], [4.0]]> : tensor<4x1xf32>
  %dense = graph.dense %a, %m, %v trans_b alpha 5.000000e-01 beta 2.000000e+00 : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %dense2 = graph.dense %a, %a trans_a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %matmul = graph.matmul %a, %dense2 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %vector = graph.matmul %v, %m : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
  %conv = graph.conv2d %x, %w, %b strides [2, 2] padding [1, 0, 2, 1] dilation [2, 1] groups 2 : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %plain = graph.conv2d %x, %w groups 2 : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x7x7xf32>
  %packed = graph.conv2d %x, %wp weight_layout "IHWO" : (tensor<1x4x9x9xf32>, tensor<4x3x3x8xf32>) -> tensor<1x8x7x7xf32>
  %add = graph.add %m, %c1 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %sub = graph.sub %d, %d : (tensor<5x7xf64>, tensor<5x7xf64>) -> tensor<5x7xf64>
  %mul = graph.mul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %div = graph.div %h, %h : (tensor<7xf16>, tensor<7xf16>) -> tensor<7xf16>
  %pow = graph.pow %m, %c1 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %maximum = graph.maximum %d, %d : (tensor<5x7xf64>, tensor<5x7xf64>) -> tensor<5x7xf64>
  %minimum = graph.minimum %h, %h : (tensor<7xf16>, tensor<7xf16>) -> tensor<7xf16>
  %relu = graph.relu %x : tensor<1x4x9x9xf32>
  %sigmoid = graph.sigmoid %d : tensor<5x7xf64>
  %tanh = graph.tanh %h : tensor<7xf16>
  %exp = graph.exp %v : tensor<4xf32>
  %sqrt = graph.sqrt %v : tensor<4xf32>
  %erf = graph.erf %h : tensor<7xf16>
  %neg = graph.neg %d : tensor<5x7xf64>
  %abs = graph.abs %v : tensor<4xf32>
  %log = graph.log %v : tensor<4xf32>
  %reciprocal = graph.reciprocal %v : tensor<4xf32>
  %leaky = graph.leaky_relu %x alpha 0.2 : tensor<1x4x9x9xf32>
  %clip = graph.clip %d min 0.0 max 6.0 : tensor<5x7xf64>
  %clip_max = graph.clip %h max 1.0 : tensor<7xf16>
  %log_softmax = graph.log_softmax %d axis 0 : tensor<5x7xf64>
  %lrn = graph.lrn %x size 3 alpha 2.0e-4 beta 0.5 bias 2.0 : tensor<1x4x9x9xf32>
  %softmax = graph.softmax %a axis -1 : tensor<2x3xf32>
  %bn = graph.batch_norm %x, %v, %v, %v, %v epsilon 1.000000e-03 : (tensor<1x4x9x9xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
  %max = graph.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] dilation [1, 2] ceil_mode : (tensor<1x4x9x9xf32>) -> tensor<1x4x5x4xf32>
  %avg = graph.avg_pool2d %x kernel [2, 2] padding [0, 0, 1, 1] count_include_pad : (tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
  %global = graph.global_avg_pool2d %x : (tensor<1x4x9x9xf32>) -> tensor<1x4x1x1xf32>
  %global_max = graph.global_max_pool2d %x : (tensor<1x4x9x9xf32>) -> tensor<1x4x1x1xf32>
  %reshape = graph.reshape %n : (tensor<2x3xi32>) -> tensor<6xi32>
  %transpose = graph.transpose %x perm [0, 2, 3, 1] : (tensor<1x4x9x9xf32>) -> tensor<1x9x9x4xf32>
  %slice = graph.slice %x offsets [0, 3, 8, 1] steps [1, 1, -2, 3] : (tensor<1x4x9x9xf32>) -> tensor<1x1x4x3xf32>
  %flatten = graph.flatten %x axis 2 : (tensor<1x4x9x9xf32>) -> tensor<4x81xf32>
  %concat = graph.concat %a, %a, %a axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<6x3xf32>
  %split:2 = graph.split %a axis -1 sizes [1, 2] : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  %gather = graph.gather %m, %n axis 0 : (tensor<4x3xf32>, tensor<2x3xi32>) -> tensor<2x3x3xf32>
  %pad = graph.pad %n pads [1, 0, 0, 2] value 7.0 : (tensor<2x3xi32>) -> tensor<3x5xi32>
  %reflect = graph.pad %a pads [0, 1, 0, 2] mode "reflect" : (tensor<2x3xf32>) -> tensor<2x6xf32>
  %ln = graph.layer_norm %a, %a, %a axis 0 epsilon 1.0e-3 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %ln2 = graph.layer_norm %d, %d axis -2 : (tensor<5x7xf64>, tensor<5x7xf64>) -> tensor<5x7xf64>
  %cast = graph.cast %n : (tensor<2x3xi32>) -> tensor<2x3xf16>
  %sum = graph.reduce_sum %x axes [1, -1] : (tensor<1x4x9x9xf32>) -> tensor<1x9xf32>
  %mean = graph.reduce_mean %d axes [0] keepdims : (tensor<5x7xf64>) -> tensor<1x7xf64>
  %rmax = graph.reduce_max %h axes [0] : (tensor<7xf16>) -> tensor<f16>
  %ix = graph.constant dense<[[0, 2], [1, 0]]> : tensor<2x2xi64>
  %nd = graph.constant dense<[[1], [3]]> : tensor<2x1xi64>
  %onoff = graph.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %s0 = graph.constant dense<0.5> : tensor<f32>
  %z0 = graph.constant dense<3> : tensor<i8>
  %gather_elements = graph.gather_elements %m, %ix axis 1 : (tensor<4x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  %gather_nd = graph.gather_nd %m, %nd : (tensor<4x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  %scatter_elements = graph.scatter_elements %m, %ix, %gather_elements axis 1 reduction "max" : (tensor<4x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>) -> tensor<4x3xf32>
  %scatter_nd = graph.scatter_nd %m, %nd, %gather_nd reduction "add" : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %one_hot = graph.one_hot %n, %onoff axis 1 depth 4 : (tensor<2x3xi32>, tensor<2xf32>) -> tensor<2x4x3xf32>
  %trilu = graph.trilu %m upper k 1 : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %d2s = graph.depth_to_space %x blocksize 2 mode "CRD" : (tensor<1x4x9x9xf32>) -> tensor<1x1x18x18xf32>
  %s2d = graph.space_to_depth %d2s blocksize 2 : (tensor<1x1x18x18xf32>) -> tensor<1x4x9x9xf32>
  %einsum = graph.einsum %a, %m equation "ij,kj->ik" : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %deconv = graph.conv2d_transpose %x, %wp strides [2, 1] padding [1, 0, 0, 1] : (tensor<1x4x9x9xf32>, tensor<4x3x3x8xf32>) -> tensor<1x3x18x15xf32>
  %resize = graph.resize %x mode "linear" scales [1.0, 1.0, 2.0, 2.0] : (tensor<1x4x9x9xf32>) -> tensor<1x4x18x18xf32>
  %quantized = graph.quantize_linear %a, %s0, %z0 : (tensor<2x3xf32>, tensor<f32>, tensor<i8>) -> tensor<2x3xi8>
  %dequantized = graph.dequantize_linear %quantized, %s0, %z0 : (tensor<2x3xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3xf32>
  %masked = graph.masked_softmax %a axis -1 : tensor<2x3xf32>
  %blocked = graph.layout_transform %x from "NCHW" to "NCHW2c" : (tensor<1x4x9x9xf32>) -> tensor<1x2x9x9x2xf32>
  %wb = graph.constant dense<0.5> : tensor<2x2x3x3x2x4xf32>
  %nchwc = graph.conv2d_nchwc %blocked, %wb strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x2x9x9x2xf32>, tensor<2x2x3x3x2x4xf32>) -> tensor<1x2x5x5x4xf32>
  %u = graph.constant dense<[250, 3, 7, 0, 255]> : tensor<5xui8>
  %bools = graph.constant dense<true> : tensor<4x3xi1>
  %compare = graph.compare "le", %m, %c1 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xi1>
  %select = graph.select %compare, %m, %c1 : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %and = graph.and %compare, %bools : (tensor<4x3xi1>, tensor<4x3xi1>) -> tensor<4x3xi1>
  %or = graph.or %u, %u : (tensor<5xui8>, tensor<5xui8>) -> tensor<5xui8>
  %xor = graph.xor %n, %ci : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %not = graph.not %compare : tensor<4x3xi1>
  %mod = graph.mod %u, %u : (tensor<5xui8>, tensor<5xui8>) -> tensor<5xui8>
  %fmod = graph.mod %d, %d fmod : (tensor<5x7xf64>, tensor<5x7xf64>) -> tensor<5x7xf64>
  %prelu = graph.prelu %m, %c1 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %sign = graph.sign %n : tensor<2x3xi32>
  %floor = graph.floor %h : tensor<7xf16>
  %ceil = graph.ceil %v : tensor<4xf32>
  %round = graph.round %d : tensor<5x7xf64>
  %sin = graph.sin %v : tensor<4xf32>
  %cos = graph.cos %v : tensor<4xf32>
  %softplus = graph.softplus %v : tensor<4xf32>
  %softsign = graph.softsign %v : tensor<4xf32>
  %mish = graph.mish %v : tensor<4xf32>
  %elu = graph.elu %v alpha 0.5 : tensor<4xf32>
  %selu = graph.selu %v : tensor<4xf32>
  %celu = graph.celu %h alpha 2.0 : tensor<7xf16>
  %hard_sigmoid = graph.hard_sigmoid %v alpha 0.25 : tensor<4xf32>
  %thresholded = graph.thresholded_relu %v alpha 0.5 : tensor<4xf32>
  %gelu = graph.gelu %v tanh : tensor<4xf32>
  %broadcast = graph.broadcast_to %c1 : (tensor<4x1xf32>) -> tensor<2x4x3xf32>
  %tile = graph.tile %u repeats [2] : (tensor<5xui8>) -> tensor<10xui8>
  %arg_max = graph.arg_max %m axis 1 keepdims : (tensor<4x3xf32>) -> tensor<4x1xi64>
  %arg_min = graph.arg_min %u axis 0 select_last_index : (tensor<5xui8>) -> tensor<i64>
  %rmin = graph.reduce_min %compare axes [0] : (tensor<4x3xi1>) -> tensor<3xi1>
  %prod = graph.reduce_prod %n axes [1] : (tensor<2x3xi32>) -> tensor<2xi32>
  %l1 = graph.reduce_l1 %m axes [0, 1] keepdims : (tensor<4x3xf32>) -> tensor<1x1xf32>
  %l2 = graph.reduce_l2 %m axes [] : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %squares = graph.reduce_sum_square %d axes [1] : (tensor<5x7xf64>) -> tensor<5xf64>
  %log_sum = graph.reduce_log_sum %h axes [0] keepdims : (tensor<7xf16>) -> tensor<1xf16>
  %log_sum_exp = graph.reduce_log_sum_exp %m axes [-1] : (tensor<4x3xf32>) -> tensor<4xf32>
  %cumsum = graph.cumsum %n axis 1 exclusive reverse : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %rms = graph.rms_norm %m, %c1 axis 1 epsilon 1.0e-3 : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %group = graph.group_norm %x, %v, %v groups 2 : (tensor<1x4x9x9xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
  %cond = graph.constant dense<true> : tensor<i1>
  %if = graph.if %cond : tensor<i1> -> (tensor<4xf32>) {
    graph.yield %v : tensor<4xf32>
  } else {
    graph.yield %exp : tensor<4xf32>
  }
  %final, %steps = graph.loop 3 (%v) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  ^bb0(%i: tensor<i64>, %state: tensor<4xf32>):
    %next = graph.add %state, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %next, %state : tensor<4xf32>, tensor<4xf32>
  }
  %rx = graph.reshape %a : (tensor<2x3xf32>) -> tensor<2x1x3xf32>
  %rw = graph.constant dense<0.5> : tensor<1x4x3xf32>
  %rr = graph.constant dense<0.25> : tensor<1x4x4xf32>
  %rnn:2 = graph.rnn %rx, %rw, %rr direction "forward" activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<2x1x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<2x1x1x4xf32>, tensor<1x1x4xf32>)
  %gw = graph.constant dense<0.5> : tensor<2x12x3xf32>
  %gr = graph.constant dense<0.25> : tensor<2x12x4xf32>
  %gb = graph.constant dense<0.1> : tensor<2x24xf32>
  %gru:2 = graph.gru %rx, %gw, %gr bias %gb direction "bidirectional" activations ["Sigmoid", "Tanh", "HardSigmoid", "Softsign"] alpha array<f32: 0.0, 0.0, 0.2, 0.0> beta array<f32: 0.0, 0.0, 0.5, 0.0> clip 2.5 linear_before_reset : (tensor<2x1x3xf32>, tensor<2x12x3xf32>, tensor<2x12x4xf32>, tensor<2x24xf32>) -> (tensor<2x2x1x4xf32>, tensor<2x1x4xf32>)
  %lw = graph.constant dense<0.5> : tensor<1x16x3xf32>
  %lr = graph.constant dense<0.25> : tensor<1x16x4xf32>
  %lens = graph.constant dense<2> : tensor<1xi32>
  %lh = graph.constant dense<0.0> : tensor<1x1x4xf32>
  %lp = graph.constant dense<0.3> : tensor<1x12xf32>
  %lstm:3 = graph.lstm %rx, %lw, %lr sequence_lens %lens initial_h %lh initial_c %lh peepholes %lp direction "reverse" activations ["Sigmoid", "Tanh", "LeakyRelu"] alpha array<f32: 0.0, 0.0, 0.1> beta array<f32: 0.0, 0.0, 0.0> input_forget : (tensor<2x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1xi32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x12xf32>) -> (tensor<2x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  %qa = graph.constant dense<1> : tensor<2x3xi8>
  %qx = graph.constant dense<1> : tensor<1x4x9x9xi8>
  %qw = graph.constant dense<2> : tensor<8x4x3x3xi8>
  %qb = graph.constant dense<2> : tensor<3x2xi8>
  %qm = graph.matmul_integer %qa, %qb zero_points [1, 0] : (tensor<2x3xi8>, tensor<3x2xi8>) -> tensor<2x2xi32>
  %qc = graph.conv_integer %qx, %qw strides [2, 2] : (tensor<1x4x9x9xi8>, tensor<8x4x3x3xi8>) -> tensor<1x8x4x4xi32>
  %qr = graph.requantize %qc scale [0.25] zero_point 1 : (tensor<1x8x4x4xi32>) -> tensor<1x8x4x4xi8>
  func.return
}
"""


def test_every_op_parses_and_verifies():
    module = parse_module(EVERY_OP)
    verify_module(module)
    names = {op.name for op in module.walk() if op.name.startswith("graph.")}
    assert names == {f"graph.{op.name.split('.')[1]}" for op in graph.Graph.operations}


@pytest.mark.parametrize("generic", [False, True])
def test_round_trip(generic):
    module = parse_module(EVERY_OP)
    printed = print_module(module, generic)
    parsed = parse_module(printed)
    verify_module(parsed)
    assert print_module(parsed, generic) == printed
    assert print_module(parsed, not generic) == print_module(module, not generic)


def test_defaults_are_left_out_of_the_custom_syntax():
    module = parse_module(EVERY_OP)
    text = print_module(module)
    assert "graph.conv2d %x, %w groups 2 : (" in text
    assert "graph.dense %a, %a trans_a : (" in text
    assert "graph.avg_pool2d %x kernel [2, 2] padding [0, 0, 1, 1] count_include_pad : (" in text
    assert 'graph.pad %a pads [0, 1, 0, 2] mode "reflect" : (' in text
    assert "graph.layer_norm %d, %d axis -2 : (" in text
    assert "graph.clip %h max 1.000000e+00 : tensor<7xf16>" in text
    assert "graph.lrn %x size 3 alpha 2.000000e-04 beta 5.000000e-01 bias 2.000000e+00 :" in text
    # The generic form spells the defaults out.
    assert "strides = array<i64: 1, 1>" in print_module(module, generic=True)


def block(*shapes: tuple[int, ...], element=f32) -> list:
    return list(Block(arg_types=[TensorType(element, s) for s in shapes]).args)


def check(op, shape, kind: PatternKind, element=f32):
    assert op.results[0].type == TensorType(element, shape)
    assert pattern_kind(op) is kind
    op.verify()


def test_built_ops_infer_their_result_type_and_declare_their_pattern_kind():
    x, w, b, a, m = block((2, 6, 7, 7), (6, 2, 3, 3), (6,), (7, 13), (13, 5))
    out = PatternKind.OUT_ELEMENTWISE_FUSABLE
    check(graph.Conv2dOp(x, w, b, [2, 2], [1, 1, 1, 1], groups=3), (2, 6, 4, 4), out)
    check(graph.Conv2dOp(x, w, dilation=[2, 1], groups=3), (2, 6, 3, 5), out)
    check(graph.DenseOp(a, m), (7, 5), out)
    check(graph.DenseOp(m, a, trans_a=True, trans_b=True), (5, 7), out)
    check(graph.MatmulOp(a, m), (7, 5), out)
    check(graph.MaxPool2dOp(x, [3, 3], [2, 2], [1, 1, 1, 1]), (2, 6, 4, 4), out)
    check(graph.MaxPool2dOp(x, [2, 2], [2, 2], ceil_mode=True), (2, 6, 4, 4), out)
    check(graph.AvgPool2dOp(x, [2, 2], [2, 2]), (2, 6, 3, 3), out)
    check(graph.GlobalAvgPool2dOp(x), (2, 6, 1, 1), out)
    p, q = block((7, 1, 13), (13,))
    check(graph.AddOp(p, q), (7, 1, 13), PatternKind.BROADCAST)
    check(graph.SubOp(q, p), (7, 1, 13), PatternKind.BROADCAST)
    check(graph.MulOp(a, a), (7, 13), PatternKind.BROADCAST)
    check(graph.DivOp(a, block((7, 1))[0]), (7, 13), PatternKind.BROADCAST)
    check(graph.BatchNormOp(x, b, b, b, b), (2, 6, 7, 7), PatternKind.BROADCAST)
    for unary in (graph.ReluOp, graph.SigmoidOp, graph.TanhOp, graph.ExpOp, graph.SqrtOp):
        check(unary(a), (7, 13), PatternKind.ELEMENTWISE)
    check(graph.SoftmaxOp(a, 0), (7, 13), PatternKind.OPAQUE)
    check(graph.ReshapeOp(x, [-1, 49]), (12, 49), PatternKind.INJECTIVE)
    check(graph.TransposeOp(a, [1, 0]), (13, 7), PatternKind.INJECTIVE)
    check(graph.FlattenOp(x, 0), (1, 588), PatternKind.INJECTIVE)
    check(graph.FlattenOp(x, 4), (588, 1), PatternKind.INJECTIVE)
    check(graph.FlattenOp(x, -1), (84, 7), PatternKind.INJECTIVE)
    check(graph.ConcatOp([a, a], -1), (7, 26), PatternKind.INJECTIVE)
    check(graph.ReduceSumOp(x, [1, 2]), (2, 7), PatternKind.REDUCTION)
    check(graph.ReduceMeanOp(x, [-1], keepdims=True), (2, 6, 7, 1), PatternKind.REDUCTION)
    check(graph.ReduceMaxOp(a, [0, 1]), (), PatternKind.REDUCTION)
    value = DenseIntOrFPElementsAttr.from_list(TensorType(i32, [2]), [1, 2])
    check(graph.ConstantOp(value), (2,), PatternKind.OPAQUE, element=i32)


def test_onnx_ops_infer_their_result_types_and_declare_their_pattern_kinds():
    x, a, s, column = block((2, 6, 7, 7), (7, 13), (13,), (7, 1))
    (indices,) = block((3, 1), element=i64)
    (scalar,) = block((), element=i32)
    split = graph.SplitOp(a, -1, [6, 1, 6])
    assert [r.type for r in split.outputs] == [TensorType(f32, (7, n)) for n in (6, 1, 6)]
    assert pattern_kind(split) is PatternKind.INJECTIVE
    split.verify()
    check(graph.GatherOp(a, indices, 1), (7, 3, 1), PatternKind.INJECTIVE)
    check(graph.GatherOp(x, scalar, -3), (2, 7, 7), PatternKind.INJECTIVE)
    check(graph.GatherOp(indices, scalar), (1,), PatternKind.INJECTIVE, element=i64)
    check(graph.PadOp(a, [1, 2, 3, 4]), (11, 19), PatternKind.INJECTIVE)
    check(graph.PadOp(indices, [0, 0, 1, 1], 5, "edge"), (4, 2), PatternKind.INJECTIVE, i64)
    check(graph.LayerNormOp(a, s, s), (7, 13), PatternKind.OPAQUE)
    check(graph.LayerNormOp(x, column, None, 2, 1e-3), (2, 6, 7, 7), PatternKind.OPAQUE)
    check(graph.CastOp(a, i64), (7, 13), PatternKind.ELEMENTWISE, element=i64)
    check(graph.CastOp(scalar, i1), (), PatternKind.ELEMENTWISE, element=i1)
    (e,) = block(())
    for binary in (graph.PowOp, graph.MaximumOp, graph.MinimumOp):
        check(binary(a, e), (7, 13), PatternKind.BROADCAST)
    unary = (graph.ErfOp, graph.NegOp, graph.AbsOp, graph.LogOp, graph.ReciprocalOp)
    for op in unary:
        check(op(a), (7, 13), PatternKind.ELEMENTWISE)
    check(graph.LeakyReluOp(e, 0.5), (), PatternKind.ELEMENTWISE)
    check(graph.ClipOp(a, None, 6.0), (7, 13), PatternKind.ELEMENTWISE)
    check(graph.LogSoftmaxOp(a, -1), (7, 13), PatternKind.OPAQUE)
    check(graph.LrnOp(x, 5), (2, 6, 7, 7), PatternKind.OPAQUE)
    out = PatternKind.OUT_ELEMENTWISE_FUSABLE
    check(graph.GlobalMaxPool2dOp(x), (2, 6, 1, 1), out)
    assert graph.LeakyReluOp(a).alpha.value.data == pytest.approx(0.01)
    assert graph.ClipOp(a, 0.0).max is None
    lrn = graph.LrnOp(x, 5)
    assert [lrn.alpha.value.data, lrn.beta.value.data, lrn.bias.value.data] == pytest.approx(
        [1e-4, 0.75, 1.0]
    )


def test_matmul_follows_numpy_broadcasting_and_vectors():
    cases = [
        ((5, 1, 2, 3), (4, 3, 6)),
        ((3,), (3,)),
        ((3,), (2, 3, 4)),
        ((2, 3, 4), (4,)),
        ((1, 7, 3), (13, 3, 1)),
    ]
    for a_shape, b_shape in cases:
        a, b = block(a_shape, b_shape)
        expected = np.matmul(np.zeros(a_shape), np.zeros(b_shape)).shape
        assert graph.MatmulOp(a, b).output.type == TensorType(f32, expected)


def test_pattern_kind_of_other_ops_is_opaque():
    assert pattern_kind(arith.ConstantOp.from_int_and_width(1, 32)) is PatternKind.OPAQUE


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda a, x, v: graph.DenseOp(a, a), "contracts 13 with 7"),
        (lambda a, x, v: graph.MatmulOp(a, a), "contracts 13 with 7"),
        (lambda a, x, v: graph.AddOp(a, v), "do not broadcast"),
        (lambda a, x, v: graph.Conv2dOp(x, a), "OIHW weight"),
        (lambda a, x, v: graph.MaxPool2dOp(x, [9, 9]), "does not fit"),
        (lambda a, x, v: graph.TransposeOp(a, [0, 0]), "not a permutation"),
        (lambda a, x, v: graph.ReshapeOp(a, [5, -1, -1]), "cannot reshape"),
        (lambda a, x, v: graph.ReshapeOp(a, [4, -1]), "cannot reshape tensor<7x13xf32>"),
        (lambda a, x, v: graph.ConcatOp([a, v], 0), "cannot concatenate"),
        (lambda a, x, v: graph.ReduceSumOp(a, [2]), "out of range"),
        (lambda a, x, v: graph.SplitOp(a, 1, [6, 6]), r"\[6, 6\] do not add up to 13"),
        (lambda a, x, v: graph.SplitOp(a, 0, [8, -1]), "must be given and not negative"),
        (lambda a, x, v: graph.ReshapeOp(a, [0, -1]), "cannot infer the -1 of"),
        (lambda a, x, v: graph.SplitOp(a, 2, [7]), "axis 2 is out of range"),
        (lambda a, x, v: graph.GatherOp(a, a, 0), "i32 or i64 indices"),
        (lambda a, x, v: graph.PadOp(a, [1, 2]), "pads needs 4 values"),
        (lambda a, x, v: graph.PadOp(a, [1, -1, 0, 0]), "pads must be non-negative"),
        (lambda a, x, v: graph.PadOp(a, [0] * 4, mode="symmetric"), "unknown pad mode"),
        (lambda a, x, v: graph.LayerNormOp(a, v), "does not broadcast to tensor<7x13xf32>"),
        (lambda a, x, v: graph.LayerNormOp(a, a, v, 0), "does not broadcast to tensor<7x13xf32>"),
        (lambda a, x, v: graph.CastOp(a, IntegerType(128)), "cannot convert i128"),
        (lambda a, x, v: graph.PowOp(a, v), "do not broadcast"),
        (lambda a, x, v: graph.LogSoftmaxOp(a, 2), "axis 2 is out of range"),
        (lambda a, x, v: graph.GlobalMaxPool2dOp(a), "global_max_pool2d needs an NCHW input"),
        (lambda a, x, v: graph.LrnOp(v, 3), "graph.lrn needs channels on axis 1"),
        (lambda a, x, v: graph.LrnOp(x, 0), "size must be positive"),
    ],
)
def test_building_an_invalid_op_raises(build, message):
    a, x, v = block((7, 13), (1, 6, 7, 7), (5,))
    with pytest.raises(VerifyException, match=message):
        build(a, x, v)


def function(body: str, arguments: str = "%x: tensor<1x4x8x8xf32>") -> str:
    return f"func.func @f({arguments}) {{\n  {body}\n  func.return\n}}\n"


INVALID = [
    (
        "%y = graph.conv2d %x, %w strides [0, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>",
        "%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>",
        "strides must be positive",
    ),
    (
        "%y = graph.conv2d %x, %w groups 3 : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>",
        "%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>",
        "groups 3 must divide the 4 input and 6 output channels",
    ),
    (
        "%y = graph.conv2d %x, %w groups 2 : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>",
        "%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>",
        "weight has 4 input channels per group, expected 2",
    ),
    (
        "%y = graph.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>",
        "should give tensor<1x6x6x6xf32>",
    ),
    (
        "%y = graph.conv2d %x, %w padding [1, 1] : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>",
        "padding needs 4 values",
    ),
    (
        "%y = graph.add %x, %z : (tensor<1x4x8x8xf32>, tensor<3xf32>) -> tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %z: tensor<3xf32>",
        "do not broadcast",
    ),
    (
        "%y = graph.add %x, %z : (tensor<1x4x8x8xf32>, tensor<8xf64>) -> tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %z: tensor<8xf64>",
        "element types differ",
    ),
    (
        "%y = graph.relu %x : tensor<4xui32>",
        "%x: tensor<4xui32>",
        "expected floating-point or signed integer tensors",
    ),
    (
        "%y = graph.add %x, %x : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>",
        "%x: tensor<4xi1>",
        "expected floating-point, signed integer or unsigned integer tensors",
    ),
    (
        '%y = graph.compare "lt", %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>',
        "%x: tensor<4xf32>",
        "should give tensor<4xi1>",
    ),
    (
        "%y = graph.select %x, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>",
        "%x: tensor<4xf32>",
        "expected boolean tensors, got tensor<4xf32>",
    ),
    (
        "%y = graph.dense %a, %a, %c : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>) -> tensor<2x2xf32>",
        "%a: tensor<2x2xf32>, %c: tensor<3xf32>",
        "does not broadcast to 2x2",
    ),
    (
        "%y = graph.softmax %x axis 4 : tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "axis 4 is out of range for rank 4",
    ),
    (
        "%y = graph.max_pool2d %x kernel [2] : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "kernel needs 2 values",
    ),
    (
        "%y = graph.avg_pool2d %x kernel [2, 2] padding [0, 0, -1, 0] : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "padding must be non-negative",
    ),
    (
        "%y = graph.global_avg_pool2d %x : (tensor<4x8xf32>) -> tensor<4x8xf32>",
        "%x: tensor<4x8xf32>",
        "needs an NCHW input",
    ),
    (
        "%y = graph.batch_norm %x, %v, %v, %v, %v : (tensor<1x4x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %v: tensor<3xf32>",
        "one element per channel",
    ),
    (
        "%y = graph.reshape %x : (tensor<1x4x8x8xf32>) -> tensor<255xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "cannot reshape",
    ),
    (
        "%y = graph.transpose %x perm [0, 1, 2] : (tensor<1x4x8x8xf32>) -> tensor<1x4x8xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "not a permutation of rank 4",
    ),
    (
        "%y = graph.flatten %x axis 5 : (tensor<1x4x8x8xf32>) -> tensor<256x1xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "axis 5 is out of range for rank 5",
    ),
    (
        "%y = graph.concat %x, %z axis 1 : (tensor<1x4x8x8xf32>, tensor<1x4x8x7xf32>) -> tensor<1x8x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %z: tensor<1x4x8x7xf32>",
        "cannot concatenate",
    ),
    (
        "%y = graph.reduce_sum %x axes [1, -3] : (tensor<1x4x8x8xf32>) -> tensor<1x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "distinct",
    ),
    (
        "%y = graph.reduce_max %x axes [1] keepdims : (tensor<1x4x8x8xf32>) -> tensor<1x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "should give tensor<1x1x8x8xf32>",
    ),
    (
        '%y = "graph.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>',
        "",
        "graph.constant of tensor<2xf32> gives tensor<3xf32>",
    ),
    (
        "%y = graph.matmul %x, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x7xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "should give tensor<1x4x8x8xf32>",
    ),
    (
        "%y = graph.gather %x, %i axis 1 : (tensor<1x4x8x8xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %i: tensor<2xf32>",
        "needs i32 or i64 indices, got tensor<2xf32>",
    ),
    (
        "%y = graph.gather %x, %i axis 1 : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x2x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %i: tensor<2xi64>",
        "should give tensor<1x2x8x8xf32>",
    ),
    (
        '%y = graph.pad %x pads [0, 0, 1, 1, 0, 0, 1, 1] mode "mirror" : (tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32>',
        "%x: tensor<1x4x8x8xf32>",
        "unknown pad mode 'mirror'",
    ),
    (
        "%y = graph.pad %x pads [1, 2] : (tensor<4xi32>) -> tensor<6xi32>",
        "%x: tensor<4xi32>",
        "should give tensor<7xi32>, not tensor<6xi32>",
    ),
    (
        "%y = graph.pad %x pads [1, 1] value 0.5 : (tensor<4xi32>) -> tensor<6xi32>",
        "%x: tensor<4xi32>",
        "cannot pad tensor<4xi32> with 0.5",
    ),
    (
        "%y = graph.layer_norm %x, %s axis 1 : (tensor<1x4x8x8xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>",
        "tensor<4xf32> does not broadcast to tensor<1x4x8x8xf32>",
    ),
    (
        "%y = graph.cast %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x8xi32>",
        "%x: tensor<1x4x8x8xf32>",
        "should give tensor<1x4x8x8xi32>",
    ),
    (
        "%y = graph.cast %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xbf16>",
        "%x: tensor<1x4x8x8xf32>",
        "graph.cast cannot convert bf16",
    ),
    (
        "%y = graph.pow %x, %e : (tensor<1x4x8x8xf32>, tensor<f64>) -> tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>, %e: tensor<f64>",
        "element types differ",
    ),
    (
        "%y = graph.maximum %x, %e : (tensor<1x4x8x8xf32>, tensor<8x1xf32>) -> tensor<1x4x8x1xf32>",
        "%x: tensor<1x4x8x8xf32>, %e: tensor<8x1xf32>",
        "should give tensor<1x4x8x8xf32>",
    ),
    (
        "%y = graph.erf %x : tensor<4xi64>",
        "%x: tensor<4xi64>",
        "expected floating-point tensors",
    ),
    (
        "%y = graph.leaky_relu %x alpha 0.1 : tensor<4xi32>",
        "%x: tensor<4xi32>",
        "expected floating-point tensors",
    ),
    (
        "%y = graph.log_softmax %x axis -5 : tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "axis -5 is out of range for rank 4",
    ),
    (
        "%y = graph.lrn %x size -1 : tensor<1x4x8x8xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "graph.lrn size must be positive, got -1",
    ),
    (
        "%y = graph.global_max_pool2d %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x1xf32>",
        "%x: tensor<1x4x8x8xf32>",
        "should give tensor<1x4x1x1xf32>",
    ),
]


@pytest.mark.parametrize("body, arguments, message", INVALID)
def test_the_verifier_names_the_failing_op(body, arguments, message):
    module = parse_module(function(body, arguments), "bad.mlir")
    with pytest.raises(ZigguratError, match=message) as error:
        verify_module(module)
    assert error.value.where == "bad.mlir:2:8"


def test_split_results_must_be_the_pieces():
    text = function(
        "%y:2 = graph.split %x axis 1 sizes [1, 3] : "
        "(tensor<1x4x8x8xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x2x8x8xf32>)"
    )
    module = parse_module(text, "bad.mlir")
    with pytest.raises(ZigguratError, match="graph.split should give .*, tensor<1x3x8x8xf32>"):
        verify_module(module)


def test_graph_ops_are_pure_so_xdsl_cleanups_apply():
    text = function(
        "%a = graph.relu %x : tensor<1x4x8x8xf32>\n"
        "  %b = graph.relu %x : tensor<1x4x8x8xf32>\n"
        "  %c = graph.add %a, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>\n"
        "  %dead = graph.exp %x : tensor<1x4x8x8xf32>\n"
        '  "test.use"(%c) : (tensor<1x4x8x8xf32>) -> ()'
    )
    module = parse_module(text, ctx=make_context(allow_unregistered=True))
    CommonSubexpressionElimination().apply(make_context(), module)
    DeadCodeElimination().apply(make_context(), module)
    names = [op.name for op in module.walk() if op.name.startswith("graph.")]
    assert names == ["graph.relu", "graph.add"]


def test_float_types_other_than_f32_verify():
    x16, x64 = block((3,), element=f16)[0], block((3,), element=f64)[0]
    check(graph.SoftmaxOp(x16, 0), (3,), PatternKind.OPAQUE, element=f16)
    check(graph.ReduceMeanOp(x64, [0]), (), PatternKind.REDUCTION, element=f64)
