"""numpy rules for graph.rnn, graph.gru and graph.lstm, one time step at a time."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ziggurat.dialects import graph
from ziggurat.reference.operators import flag

# Recurrent networks ------------------------------------------------------------------------


def activation(name: str, alpha: float, beta: float) -> Callable[[np.ndarray], np.ndarray]:
    """A recurrent network's activation (graph.ACTIVATIONS) with its alpha and beta."""
    functions: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "Relu": lambda x: np.maximum(x, 0),
        "Tanh": np.tanh,
        "Sigmoid": lambda x: 1 / (1 + np.exp(-x)),
        "Affine": lambda x: alpha * x + beta,
        "LeakyRelu": lambda x: np.where(x >= 0, x, alpha * x),
        "ThresholdedRelu": lambda x: np.where(x > alpha, x, 0),
        "ScaledTanh": lambda x: alpha * np.tanh(beta * x),
        "HardSigmoid": lambda x: np.clip(alpha * x + beta, 0, 1),
        "Elu": lambda x: np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0))),
        "Softsign": lambda x: x / (1 + np.abs(x)),
        "Softplus": lambda x: np.logaddexp(0, x),
    }
    return functions[name]


Cell = Callable[..., tuple[list[np.ndarray], np.ndarray]]


def rnn_cell(op, x, states, w, r, bias, peepholes, functions, clip):
    (h,) = states
    f, *_ = functions
    wb, rb = np.split(bias, 2)
    h = f(clip(x @ w.T + h @ r.T + wb + rb))
    return [h], h


def gru_cell(op, x, states, w, r, bias, peepholes, functions, clip):
    (h,) = states
    f, g = functions
    wz, wr, wh = np.split(w, 3)
    rz, rr, rh = np.split(r, 3)
    wbz, wbr, wbh, rbz, rbr, rbh = np.split(bias, 6)
    z = f(clip(x @ wz.T + h @ rz.T + wbz + rbz))
    reset = f(clip(x @ wr.T + h @ rr.T + wbr + rbr))
    if flag(op, "linear_before_reset"):
        candidate = g(clip(x @ wh.T + reset * (h @ rh.T + rbh) + wbh))
    else:
        candidate = g(clip(x @ wh.T + (reset * h) @ rh.T + rbh + wbh))
    h = (1 - z) * candidate + z * h
    return [h], h


def lstm_cell(op, x, states, w, r, bias, peepholes, functions, clip):
    h, c = states
    f, g, activate_cell = functions
    wb, rb = np.split(bias, 2)
    gi, go, gf, gc = np.split(x @ w.T + h @ r.T + wb + rb, 4, axis=-1)
    pi, po, pf = np.split(peepholes, 3)
    i = f(clip(gi + pi * c))
    forget = 1 - i if flag(op, "input_forget") else f(clip(gf + pf * c))
    c = forget * c + i * g(clip(gc))
    h = f(clip(go + po * c)) * activate_cell(c)
    return [h, c], h


CELLS: dict[type[graph.RecurrentOp], Cell] = {
    graph.RnnOp: rnn_cell,
    graph.GruOp: gru_cell,
    graph.LstmOp: lstm_cell,
}


def recurrent(op: graph.RecurrentOp, *args: np.ndarray) -> list[np.ndarray]:
    """graph.rnn, graph.gru and graph.lstm: Y, Y_h (and Y_c), one time step at a time."""
    present = [n for n, _ in op.get_irdl_definition().operands if getattr(op, n) is not None]
    inputs = dict(zip(present, args, strict=True))
    x, w, r = inputs["input"], inputs["weight"], inputs["recurrence"]
    sequence, batch, _ = x.shape
    directions, hidden = op.directions, op.hidden_size
    lengths = inputs.get("sequence_lens", np.full(batch, sequence)).astype(np.int64)
    bias = inputs.get("bias", np.zeros((directions, 2 * op.GATES * hidden)))
    peepholes = inputs.get("peepholes", np.zeros((directions, 3 * hidden)))
    states = [inputs.get(n, np.zeros((directions, batch, hidden))) for n in op.state_inputs()]
    bound = None if op.clip is None else op.clip.value.data
    clip = (lambda v: v) if bound is None else (lambda v: np.clip(v, -bound, bound))
    y = np.zeros((sequence, directions, batch, hidden))
    finals = []
    rows = np.arange(batch)
    for d in range(directions):
        reverse = op.direction.data == "reverse" or d == 1
        functions = [activation(*op.activation(d, i)) for i in range(op.ACTIVATION_COUNT)]
        state = [s[d] for s in states]
        for t in range(sequence):
            active = t < lengths
            # The reverse direction runs each sequence from its own last step.
            time = np.clip(lengths - 1 - t, 0, sequence - 1) if reverse else np.full(batch, t)
            step = [w[d], r[d], bias[d], peepholes[d], functions, clip]
            new, output = CELLS[type(op)](op, x[time, rows], state, *step)
            state = [np.where(active[:, None], n, s) for n, s in zip(new, state, strict=True)]
            y[time[active], d, rows[active]] = output[active]
        # A sequence of length 0 ends in zeros, as onnxruntime gives.
        finals.append([np.where((lengths > 0)[:, None], s, 0) for s in state])
    return [y, *(np.stack(s) for s in zip(*finals, strict=True))]
