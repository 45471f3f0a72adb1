"""The graph dialect's control flow (graph.if, graph.loop, graph.yield) and recurrent
networks (graph.rnn, graph.gru, graph.lstm): building them, their result types and pattern
kinds, and xDSL's cleanups over their regions. Their textual forms and verifier errors
are the lit tests' (lit_tests/graph/*-control.mlir, *-recurrent.mlir)."""

import pytest
from xdsl.dialects.builtin import TensorType, f32, i1, i32
from xdsl.ir import Block, Region
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

from ziggurat.dialects import graph
from ziggurat.dialects.graph import PatternKind, pattern_kind
from ziggurat.ir_io import parse_module, print_module
from ziggurat.registry import make_context


def arguments(*types: TensorType) -> list:
    return list(Block(arg_types=types).args)


def test_if_and_loop_build_and_are_opaque():
    condition, x = arguments(TensorType(i1, ()), TensorType(f32, (4,)))
    then, other = Block(), Block()
    then.add_op(graph.YieldOp(x))
    negated = graph.NegOp(x)
    other.add_ops([negated, graph.YieldOp(negated.output)])
    branch = graph.IfOp(condition, [x.type], Region(then), Region(other))
    branch.verify()
    assert pattern_kind(branch) is PatternKind.OPAQUE

    body = Block(arg_types=[graph.ITERATION, x.type])
    body.add_op(graph.YieldOp(body.args[1], x))
    types = graph.LoopOp.result_types_for(7, [x.type], [x.type])
    assert types == [x.type, TensorType(f32, (7, 4))]
    loop = graph.LoopOp(7, [x], types, Region(body))
    loop.verify()
    assert pattern_kind(loop) is PatternKind.OPAQUE


@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
@pytest.mark.parametrize(
    ("op_class", "gates", "states"),
    [(graph.RnnOp, 1, 1), (graph.GruOp, 3, 1), (graph.LstmOp, 4, 2)],
)
def test_recurrent_ops_build_with_their_results(op_class, gates, states, direction):
    directions = 2 if direction == "bidirectional" else 1
    x, w, r, lengths = arguments(
        TensorType(f32, (5, 3, 11)),
        TensorType(f32, (directions, gates * 7, 11)),
        TensorType(f32, (directions, gates * 7, 7)),
        TensorType(i32, (3,)),
    )
    operands = [x, w, r, None, lengths, None] + [None, None] * (op_class is graph.LstmOp)
    activations = [("Tanh", 0.0, 0.0)] * op_class.ACTIVATION_COUNT * directions
    op = op_class.build(operands, direction, activations, clip=2.0)
    op.verify()
    state = TensorType(f32, (directions, 3, 7))
    assert [r.type for r in op.results] == [TensorType(f32, (5, directions, 3, 7))] + [
        state
    ] * states
    assert op.hidden_size == 7 and op.directions == directions
    assert op.sequence_lens is lengths and op.bias is None
    assert op.activation(directions - 1, 0) == ("Tanh", 0.0, 0.0)
    assert pattern_kind(op) is PatternKind.OPAQUE


def test_unused_control_flow_and_networks_are_dead_code():
    text = """
    func.func @f(%c: tensor<i1>, %x: tensor<2x1x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
      %a = graph.if %c : tensor<i1> -> (tensor<2x1x3xf32>) {
        %n = graph.neg %x : tensor<2x1x3xf32>
        graph.yield %n : tensor<2x1x3xf32>
      } else {
        graph.yield %x : tensor<2x1x3xf32>
      }
      %h, %s = graph.loop 2 (%x) : (tensor<2x1x3xf32>) -> (tensor<2x1x3xf32>, tensor<2x2x1x3xf32>) {
      ^bb0(%i: tensor<i64>, %v: tensor<2x1x3xf32>):
        graph.yield %v, %v : tensor<2x1x3xf32>, tensor<2x1x3xf32>
      }
      %y, %yh = graph.rnn %x, %w, %r direction "forward" activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<2x1x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<2x1x1x4xf32>, tensor<1x1x4xf32>)
      func.return
    }
    """
    module = parse_module(text)
    DeadCodeElimination().apply(make_context(), module)
    assert "graph." not in print_module(module)
