"""Recurrent networks: RNN, GRU and LSTM at static sequence lengths, every direction,
activation and optional input, in either layout (layout 1, batch first, is transposed to
the graph ops' layout 0 and back).

Each activation gets its alpha and beta as onnxruntime reads `activation_alpha` and
`activation_beta`: the activations that take one consume the next value of the list, in
order, or take their default once the list is used up. The defaults are onnxruntime's,
which differ from the ONNX operators' for three of them (Affine, ScaledTanh and
ThresholdedRelu take 0).
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value

HANDLERS = Handlers()

OPS: dict[str, type[graph.RecurrentOp]] = {
    "RNN": graph.RnnOp,
    "GRU": graph.GruOp,
    "LSTM": graph.LstmOp,
}

DEFAULT_ACTIVATIONS = {
    "RNN": ["Tanh"],
    "GRU": ["Sigmoid", "Tanh"],
    "LSTM": ["Sigmoid", "Tanh", "Tanh"],
}

# The default alpha and beta of the activations that take them (onnxruntime's).
ALPHAS = {
    "LeakyRelu": 0.01,
    "ThresholdedRelu": 0.0,
    "Elu": 1.0,
    "HardSigmoid": 0.2,
    "Affine": 0.0,
    "ScaledTanh": 0.0,
}
BETAS = {"HardSigmoid": 0.5, "Affine": 0.0, "ScaledTanh": 0.0}

SPELLINGS = {name.lower(): name for name in graph.ACTIVATIONS}


def activations(node: Node, directions: int) -> list[tuple[str, float, float]]:
    """Each activation's name, alpha and beta, every direction's in turn."""
    count = len(DEFAULT_ACTIVATIONS[node.op_type])
    names = node.attribute("activations") or DEFAULT_ACTIVATIONS[node.op_type] * directions
    if len(names) != count * directions:
        raise node.error(
            f"{count * directions} activations are needed ({count} per direction), got {len(names)}"
        )
    alphas = list(node.attribute("activation_alpha") or [])
    betas = list(node.attribute("activation_beta") or [])
    result = []
    for raw in names:
        raw = raw.decode() if isinstance(raw, bytes) else str(raw)
        name = SPELLINGS.get(raw.lower())
        if name is None:
            raise node.error(f"activation '{raw}' is not supported")
        alpha = (alphas.pop(0) if alphas else ALPHAS[name]) if name in ALPHAS else 0.0
        beta = (betas.pop(0) if betas else BETAS[name]) if name in BETAS else 0.0
        result.append((name, float(alpha), float(beta)))
    return result


def to_layout_0(node: Node, value: SSAValue | None, layout: int) -> SSAValue | None:
    """X or an initial state in layout 0: its first two dimensions swapped in layout 1."""
    if value is None or layout == 0:
        return value
    return node.emit(graph.TransposeOp(value, [1, 0, 2]))


def sequence_lens(node: Node, sequence: int) -> SSAValue | None:
    """The sequence lengths, left out where they are constants that all run to the end."""
    name = node.proto.input[4] if node.has(4) else ""
    known = node.importer.constants.get(name)
    if not name or (known is not None and np.all(np.asarray(known) == sequence)):
        return None
    if known is not None and (np.any(known < 0) or np.any(known > sequence)):
        raise node.error(f"sequence_lens {known.tolist()} must be within [0, {sequence}]")
    return node.input(4)


@HANDLERS.handles(*OPS)
def recurrent(node: Node) -> list[Value]:
    op_class = OPS[node.op_type]
    node.ignore("output_sequence")  # before opset 7; Y is computed either way
    direction = node.string("direction", "forward")
    if direction not in graph.DIRECTIONS:
        raise node.error(f"direction '{direction}' is not one of {', '.join(graph.DIRECTIONS)}")
    layout = node.int("layout", 0)
    if layout not in (0, 1):
        raise node.error(f"layout {layout} is not 0 or 1")
    directions = 2 if direction == "bidirectional" else 1
    x = to_layout_0(node, node.input(0), layout)
    assert x is not None
    hidden = node.shape(2)[-1]
    hidden_size = node.attribute("hidden_size")
    if hidden_size is not None and int(hidden_size) != hidden:
        raise node.error(f"hidden_size {hidden_size} does not match R of shape {node.shape(2)}")
    clip = node.attribute("clip")
    flags = {
        "GRU": {"linear_before_reset": bool(node.int("linear_before_reset", 0))},
        "LSTM": {"input_forget": bool(node.int("input_forget", 0))},
    }.get(node.op_type, {})
    operands = [
        x,
        node.input(1),
        node.input(2),
        node.optional(3),
        sequence_lens(node, graph.shape_of(x)[0]),
        to_layout_0(node, node.optional(5), layout),
    ]
    if node.op_type == "LSTM":
        operands += [to_layout_0(node, node.optional(6), layout), node.optional(7)]
    op = op_class.build(
        operands,
        direction,
        activations(node, directions),
        None if clip is None else float(clip),
        **flags,
    )
    results: list[Value] = list(node.emit_results(op))
    if layout == 1:
        y, *states = op.results
        results = [node.emit(graph.TransposeOp(y, [2, 0, 1, 3]))]
        results += [node.emit(graph.TransposeOp(s, [1, 0, 2])) for s in states]
    return results
