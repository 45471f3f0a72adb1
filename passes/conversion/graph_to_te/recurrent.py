"""Recurrent networks: graph.rnn, graph.gru and graph.lstm as

1. a projection of the whole input sequence, before the time loop: the part of every gate
   that does not depend on the state (X_t W^T, one reduction over all time steps);
2. a `te.loop` over the time steps carrying the states: its body is the recurrence (a
   reduction over the previous hidden state, H_{t-1} R^T) and the cell's elementwise
   computes, each over (direction, batch, hidden) and reading step t of the projection,
   where each direction reads its own time (a reversed one runs each sequence from its own
   last step) and a finished sequence keeps its state;
3. after the loop, the compute that places each step's state in Y (where a direction was
   reversed, or sequences end early) and those that zero the final states of empty
   sequences.

The code is the same whatever the sequence length: one loop, not one step per time step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IndexType, TensorType
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from ziggurat.dialects import arith_extra, graph, te
from ziggurat.passes.conversion.graph_to_te.body import Body, Index, Reduction, compute
from ziggurat.passes.conversion.graph_to_te.elementwise import UNARY

Activation = Callable[[Body, SSAValue, float, float], SSAValue]


def scaled(b: Body, x: SSAValue, factor: float, offset: float = 0.0) -> SSAValue:
    """factor * x + offset."""
    y = b.emit(arith.MulfOp(x, b.float(factor)))
    return y if offset == 0.0 else b.emit(arith.AddfOp(y, b.float(offset)))


def where_positive(b: Body, x: SSAValue, other: SSAValue) -> SSAValue:
    """x where x >= 0, else `other`."""
    return b.select(b.emit(arith_extra.CmpfOp(x, b.float(0.0), "oge")), x, other)


def hard_sigmoid(b: Body, x: SSAValue, alpha: float, beta: float) -> SSAValue:
    low = b.emit(arith.MaximumfOp(scaled(b, x, alpha, beta), b.float(0.0)))
    return b.emit(arith.MinimumfOp(low, b.float(1.0)))


def softsign(b: Body, x: SSAValue) -> SSAValue:
    magnitude = b.emit(math_dialect.AbsFOp(x))
    return b.emit(arith.DivfOp(x, b.emit(arith.AddfOp(b.float(1.0), magnitude))))


def softplus(b: Body, x: SSAValue) -> SSAValue:
    """log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)), which does not overflow."""
    negative = b.emit(arith.NegfOp(b.emit(math_dialect.AbsFOp(x))))
    tail = b.emit(math_dialect.Log1pOp(b.emit(math_dialect.ExpOp(negative))))
    return b.emit(arith.AddfOp(b.emit(arith.MaximumfOp(x, b.float(0.0))), tail))


# Relu, Tanh and Sigmoid as the graph ops of those names lower.
ACTIVATIONS: dict[str, Activation] = {
    "Relu": lambda b, x, alpha, beta: UNARY[graph.ReluOp](b, x),
    "Tanh": lambda b, x, alpha, beta: UNARY[graph.TanhOp](b, x),
    "Sigmoid": lambda b, x, alpha, beta: UNARY[graph.SigmoidOp](b, x),
    "Affine": lambda b, x, alpha, beta: scaled(b, x, alpha, beta),
    "LeakyRelu": lambda b, x, alpha, beta: where_positive(b, x, scaled(b, x, alpha)),
    "ThresholdedRelu": lambda b, x, alpha, beta: b.select(
        b.emit(arith_extra.CmpfOp(x, b.float(alpha), "ogt")), x, b.float(0.0)
    ),
    "ScaledTanh": lambda b, x, alpha, beta: scaled(
        b, b.emit(math_dialect.TanhOp(scaled(b, x, beta))), alpha
    ),
    "HardSigmoid": hard_sigmoid,
    "Elu": lambda b, x, alpha, beta: where_positive(
        b, x, scaled(b, b.emit(math_dialect.ExpM1Op(x)), alpha)
    ),
    "Softsign": lambda b, x, alpha, beta: softsign(b, x),
    "Softplus": lambda b, x, alpha, beta: softplus(b, x),
}


class Network:
    """One recurrent op being lowered: its shapes and inputs, and the index arithmetic and
    gate algebra its computes share."""

    def __init__(self, op: graph.RecurrentOp):
        self.op = op
        self.sequence, self.batch, self.input_size = graph.shape_of(op.input)
        self.directions, self.hidden = op.directions, op.hidden_size
        self.element = graph.tensor(op.input).element_type
        self.state_type = TensorType(self.element, (self.directions, self.batch, self.hidden))
        self.lengths = op.sequence_lens
        self.bias = op.bias
        self.peepholes = getattr(op, "peepholes", None)
        self.clip = None if op.clip is None else op.clip.value.data
        self.projection: SSAValue | None = None  # set once the projection is built

    # Time and masking

    def length(self, b: Body, batch: SSAValue) -> Index:
        if self.lengths is None:
            return self.sequence
        return b.emit(arith_extra.IndexCastOp(b.read(self.lengths, [batch]), IndexType()))

    def time(self, b: Body, d: SSAValue, batch: SSAValue, step: Index) -> Index:
        """The time step direction `d` of sequence `batch` reads at loop step `step`."""
        if self.op.direction.data == "forward":
            return step
        backward = b.max(b.sub(b.sub(self.length(b, batch), 1), step), 0)
        if self.op.direction.data == "reverse":
            return backward
        return b.select(self.first(b, d), b.index(step), b.index(backward))

    def first(self, b: Body, d: SSAValue) -> SSAValue:
        return b.emit(arith_extra.CmpiOp(d, b.index(0), "eq"))

    def active(self, b: Body, batch: SSAValue, step: Index) -> SSAValue | None:
        """Whether sequence `batch` still runs at `step` (None: every sequence does)."""
        return None if self.lengths is None else b.less(step, self.length(b, batch))

    def masked(self, b: Body, active: SSAValue | None, value: SSAValue, other: SSAValue):
        return value if active is None else b.select(active, value, other)

    def inputs(self, *values: SSAValue | None) -> list[SSAValue]:
        """The tensors a compute reads: `values` and the op's optional inputs."""
        extra = (self.projection, self.bias, self.peepholes, self.lengths)
        return [v for v in dict.fromkeys((*values, *extra)) if v is not None]

    # Gates

    def activate(self, b: Body, d: SSAValue, index: int, x: SSAValue) -> SSAValue:
        """Activation `index` (f, g, h) of direction `d` at x."""
        candidates = [self.op.activation(direction, index) for direction in range(self.directions)]
        values = [
            ACTIVATIONS[name](b, x, alpha, beta) for name, alpha, beta in dict.fromkeys(candidates)
        ]
        if len(values) == 1:
            return values[0]
        return b.select(self.first(b, d), values[0], values[1])

    def clipped(self, b: Body, x: SSAValue) -> SSAValue:
        if self.clip is None:
            return x
        low = b.emit(arith.MaximumfOp(x, b.float(-self.clip)))
        return b.emit(arith.MinimumfOp(low, b.float(self.clip)))

    def biases(self, b: Body, d: SSAValue, gate: int, j: SSAValue, recurrence: bool = True):
        """The W bias of `gate` at hidden unit j, plus its R bias if `recurrence`."""
        if self.bias is None:
            return None
        row = b.add(b.mul(gate, self.hidden), j)
        total = b.read(self.bias, [d, row])
        if recurrence:
            offset = b.add(row, self.op.GATES * self.hidden)
            total = b.emit(arith.AddfOp(total, b.read(self.bias, [d, offset])))
        return total

    def gate(
        self,
        b: Body,
        indices: tuple[SSAValue, SSAValue, SSAValue],
        step: SSAValue,
        gate: int,
        hidden: SSAValue | None,
        extra: SSAValue | None = None,
        recurrence_bias: bool = True,
    ) -> SSAValue:
        """The clipped pre-activation of `gate` at (d, batch, j): its projection at this
        step's time, plus `hidden`'s part of the recurrence (same gate numbering), its W
        bias, its R bias if `recurrence_bias`, and `extra` (a peephole term)."""
        d, batch, j = indices
        assert self.projection is not None
        unit = b.add(b.mul(gate, self.hidden), j)
        total = b.read(self.projection, [self.time(b, d, batch, step), d, batch, unit])
        terms = [
            None if hidden is None else b.read(hidden, [d, batch, unit]),
            self.biases(b, d, gate, j, recurrence_bias),
            extra,
        ]
        for term in terms:
            if term is not None:
                total = b.emit(arith.AddfOp(total, term))
        return self.clipped(b, total)

    # The computes

    def project(self) -> te.ComputeOp:
        """X_t W^T for every time step t: (time, direction, batch, gates x hidden)."""
        op = self.op
        gates = op.GATES * self.hidden

        def body(b: Body, t, d, batch, g, k) -> SSAValue:
            x = b.read(op.input, [t, batch, k])
            return b.emit(arith.MulfOp(x, b.read(op.weight, [d, g, k])))

        result = TensorType(self.element, (self.sequence, self.directions, self.batch, gates))
        reduction = Reduction("sum", ["k"], [self.input_size], 0.0)
        return compute(
            "rnn_input",
            [op.input, op.weight],
            result,
            ["t", "d", "b", "g"],
            body,
            reduction,
        )

    def recurrence(self, h: SSAValue, rows: int, first_row: int = 0) -> te.ComputeOp:
        """H_{t-1} R^T for `rows` gate rows of R from `first_row` on."""

        def body(b: Body, d, batch, g, k) -> SSAValue:
            row = b.add(g, first_row)
            return b.emit(
                arith.MulfOp(b.read(h, [d, batch, k]), b.read(self.op.recurrence, [d, row, k]))
            )

        result = TensorType(self.element, (self.directions, self.batch, rows))
        reduction = Reduction("sum", ["k"], [self.hidden], 0.0)
        return compute(
            "rnn_hidden", [h, self.op.recurrence], result, ["d", "b", "g"], body, reduction
        )

    def state(
        self, name: str, reads: Sequence[SSAValue], function: Callable[..., SSAValue]
    ) -> te.ComputeOp:
        """A compute over (direction, batch, hidden) of `function(b, d, batch, j)`."""

        def body(b: Body, d, batch, j) -> SSAValue:
            return function(b, d, batch, j)

        return compute(name, self.inputs(*reads), self.state_type, ["d", "b", "j"], body)

    def output(self, steps: SSAValue) -> te.ComputeOp:
        """Y from the states of each step: direction d's state at time s is the one of the
        step that read time s; zero past a sequence's end."""
        op = self.op
        result = TensorType(self.element, (self.sequence, self.directions, self.batch, self.hidden))

        def body(b: Body, s, d, batch, j) -> SSAValue:
            # A step's time is its own inverse: step s read time(s).
            value = b.read(steps, [self.time(b, d, batch, s), d, batch, j])
            return self.masked(b, self.active(b, batch, s), value, b.float(0.0))

        reads = [v for v in (steps, op.sequence_lens) if v is not None]
        return compute("rnn_output", reads, result, ["s", "d", "b", "j"], body)

    def final(self, state: SSAValue) -> te.ComputeOp:
        """A final state, zero for an empty sequence (as onnxruntime gives)."""
        assert self.lengths is not None

        def body(b: Body, d, batch, j) -> SSAValue:
            value = b.read(state, [d, batch, j])
            empty = b.less(0, self.length(b, batch))
            return b.select(empty, value, b.float(0.0))

        return compute("rnn_final", [state, self.lengths], self.state_type, ["d", "b", "j"], body)


# The cells: given the network, the loop step and the previous states, the computes of one
# step and the next states (the hidden state first).

Cell = Callable[[Network, SSAValue, list[SSAValue]], tuple[list[Operation], list[SSAValue]]]


def rnn_cell(net: Network, step: SSAValue, states: list[SSAValue]):
    (h,) = states
    hidden = net.recurrence(h, net.hidden)

    def next_h(b: Body, d, batch, j) -> SSAValue:
        value = net.activate(b, d, 0, net.gate(b, (d, batch, j), step, 0, hidden.result))
        return net.masked(b, net.active(b, batch, step), value, b.read(h, [d, batch, j]))

    state = net.state("rnn_state", [h, hidden.result], next_h)
    return [hidden, state], [state.result]


def gru_cell(net: Network, step: SSAValue, states: list[SSAValue]):
    (h,) = states
    size = net.hidden
    linear_before_reset = net.op.linear_before_reset is not None  # type: ignore[attr-defined]
    hidden = net.recurrence(h, (3 if linear_before_reset else 2) * size)
    computes: list[Operation] = [hidden]

    def reset(b: Body, d, batch, j) -> SSAValue:
        return net.activate(b, d, 0, net.gate(b, (d, batch, j), step, 1, hidden.result))

    if linear_before_reset:
        reads = [h, hidden.result]

        def candidate(b: Body, d, batch, j) -> SSAValue:
            unit = b.add(2 * size, j)
            recurrent = b.read(hidden.result, [d, batch, unit])
            biased = net.biases(b, d, 2 + net.op.GATES, j, recurrence=False)
            if biased is not None:
                recurrent = b.emit(arith.AddfOp(recurrent, biased))
            scaled = b.emit(arith.MulfOp(reset(b, d, batch, j), recurrent))
            return net.gate(b, (d, batch, j), step, 2, None, scaled, recurrence_bias=False)

    else:
        # The reset gate scales the state before its recurrence: a second reduction.
        reset_h = net.state(
            "gru_reset",
            [h, hidden.result],
            lambda b, d, batch, j: b.emit(
                arith.MulfOp(reset(b, d, batch, j), b.read(h, [d, batch, j]))
            ),
        )
        candidate_hidden = net.recurrence(reset_h.result, size, 2 * size)
        computes += [reset_h, candidate_hidden]
        reads = [h, hidden.result, candidate_hidden.result]

        def candidate(b: Body, d, batch, j) -> SSAValue:
            term = b.read(candidate_hidden.result, [d, batch, j])
            return net.gate(b, (d, batch, j), step, 2, None, term)

    def next_h(b: Body, d, batch, j) -> SSAValue:
        z = net.activate(b, d, 0, net.gate(b, (d, batch, j), step, 0, hidden.result))
        new = net.activate(b, d, 1, candidate(b, d, batch, j))
        previous = b.read(h, [d, batch, j])
        # (1 - z) * new + z * previous
        value = b.emit(
            arith.AddfOp(new, b.emit(arith.MulfOp(z, b.emit(arith.SubfOp(previous, new)))))
        )
        return net.masked(b, net.active(b, batch, step), value, previous)

    state = net.state("gru_state", reads, next_h)
    return [*computes, state], [state.result]


def lstm_cell(net: Network, step: SSAValue, states: list[SSAValue]):
    h, c = states
    size = net.hidden
    hidden = net.recurrence(h, 4 * size)
    input_forget = net.op.input_forget is not None  # type: ignore[attr-defined]

    def peephole(b: Body, d, j, gate: int, cell: SSAValue) -> SSAValue | None:
        if net.peepholes is None:
            return None
        weight = b.read(net.peepholes, [d, b.add(gate * size, j)])
        return b.emit(arith.MulfOp(weight, cell))

    def next_c(b: Body, d, batch, j) -> SSAValue:
        at = (d, batch, j)
        previous = b.read(c, [d, batch, j])
        i = net.activate(
            b, d, 0, net.gate(b, at, step, 0, hidden.result, peephole(b, d, j, 0, previous))
        )
        if input_forget:
            forget = b.emit(arith.SubfOp(b.float(1.0), i))
        else:
            f = net.gate(b, at, step, 2, hidden.result, peephole(b, d, j, 2, previous))
            forget = net.activate(b, d, 0, f)
        new = net.activate(b, d, 1, net.gate(b, at, step, 3, hidden.result))
        value = b.emit(
            arith.AddfOp(b.emit(arith.MulfOp(forget, previous)), b.emit(arith.MulfOp(i, new)))
        )
        return net.masked(b, net.active(b, batch, step), value, previous)

    cell = net.state("lstm_cell", [c, hidden.result], next_c)

    def next_h(b: Body, d, batch, j) -> SSAValue:
        at = (d, batch, j)
        memory = b.read(cell.result, [d, batch, j])
        o = net.gate(b, at, step, 1, hidden.result, peephole(b, d, j, 1, memory))
        value = b.emit(arith.MulfOp(net.activate(b, d, 0, o), net.activate(b, d, 2, memory)))
        return net.masked(b, net.active(b, batch, step), value, b.read(h, [d, batch, j]))

    state = net.state("lstm_state", [h, hidden.result, cell.result], next_h)
    return [hidden, cell, state], [state.result, cell.result]


CELLS: dict[type[graph.RecurrentOp], Cell] = {
    graph.RnnOp: rnn_cell,
    graph.GruOp: gru_cell,
    graph.LstmOp: lstm_cell,
}


class RecurrentLowering(RewritePattern):
    lowers = graph.RecurrentOp

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: graph.RecurrentOp, rewriter: PatternRewriter) -> None:
        net = Network(op)
        projection = net.project()
        net.projection = projection.result
        ops: list[Operation] = [projection]
        inits: list[SSAValue] = []
        for initial in op.state_inputs().values():
            if initial is None:
                zeros = arith.ConstantOp(DenseIntOrFPElementsAttr.from_list(net.state_type, [0.0]))
                ops.append(zeros)
                initial = zeros.result
            inits.append(initial)
        block = Block(arg_types=[IndexType(), *(v.type for v in inits)])
        block.args[0].name_hint = "t"
        computes, states = CELLS[type(op)](net, block.args[0], list(block.args[1:]))
        for compute_op in computes:
            block.add_op(compute_op)
        block.add_op(te.LoopYieldOp(*states, states[0]))
        steps_type = TensorType(net.element, (net.sequence, *net.state_type.get_shape()))
        loop = te.LoopOp(net.sequence, inits, [*(v.type for v in inits), steps_type], Region(block))
        ops.append(loop)
        *finals, steps = loop.results
        if op.direction.data != "forward" or op.sequence_lens is not None:
            y = net.output(steps)
            ops.append(y)
            steps = y.result
        if op.sequence_lens is not None:
            zeroed = [net.final(state) for state in finals]
            ops += zeroed
            finals = [z.result for z in zeroed]
        rewriter.replace(op, ops, [steps, *finals])


PATTERNS = (RecurrentLowering(),)
