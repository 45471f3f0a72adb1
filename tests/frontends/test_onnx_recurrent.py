"""RNN, GRU and LSTM (frontends/onnx/recurrent.py) against onnxruntime at odd shapes, the
compiled program and the numpy reference both: every direction, activation (with its
alpha and beta, given or defaulted), clip, layout, optional input and output; the code
does not grow with the sequence length; and each error a user can cause."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from onnx import TensorProto, helper
from testing_onnx import check, make_model, random_feeds

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.frontends.onnx import import_model

F32 = TensorProto.FLOAT
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
INPUTS = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]


def network(
    op_type: str,
    sequence: int = 5,
    batch: int = 3,
    size: int = 11,
    hidden: int = 7,
    direction: str = "forward",
    optional: tuple[str, ...] = (),
    layout: int = 0,
    outputs: tuple[str, ...] | None = None,
    **attributes: Any,
):
    """A model of one recurrent node whose inputs X, W, R and `optional` are graph inputs."""
    directions = 2 if direction == "bidirectional" else 1
    gates = GATES[op_type] * hidden
    states = [batch, directions, hidden] if layout else [directions, batch, hidden]
    shapes = {
        "X": [batch, sequence, size] if layout else [sequence, batch, size],
        "W": [directions, gates, size],
        "R": [directions, gates, hidden],
        "B": [directions, 2 * gates],
        "sequence_lens": [batch],
        "initial_h": states,
        "initial_c": states,
        "P": [directions, 3 * hidden],
    }
    count = 8 if op_type == "LSTM" else 6
    names = [n if n in ("X", "W", "R", *optional) else "" for n in INPUTS[:count]]
    while not names[-1]:
        names.pop()
    outputs = outputs or (("Y", "Y_h", "Y_c") if op_type == "LSTM" else ("Y", "Y_h"))
    node = helper.make_node(
        op_type,
        names,
        list(outputs),
        hidden_size=hidden,
        direction=direction,
        **({"layout": layout} if layout else {}),
        **attributes,
    )
    types = {n: (TensorProto.INT32 if n == "sequence_lens" else F32, shapes[n]) for n in names if n}
    return make_model([node], types, [o for o in outputs if o])


def feeds(model, lengths: list[int] | None = None) -> dict[str, np.ndarray]:
    values = random_feeds(model)
    if lengths is not None:
        values["sequence_lens"] = np.array(lengths, np.int32)
    return values


@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
@pytest.mark.parametrize("op_type", ["RNN", "GRU", "LSTM"])
def test_every_direction(op_type, direction):
    check(network(op_type, direction=direction))


ALL = ("B", "sequence_lens", "initial_h", "initial_c", "P")


@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
@pytest.mark.parametrize("op_type", ["RNN", "GRU", "LSTM"])
def test_every_optional_input_sequences_ending_early(op_type, direction):
    """Sequences of lengths 5, 2 and 0 (a reversed one runs from its own last step; an
    empty one gives zeros), a bias, initial states and peepholes."""
    model = network(op_type, direction=direction, optional=ALL)
    check(model, feeds(model, [5, 2, 0]))


@pytest.mark.parametrize("linear_before_reset", [0, 1])
def test_gru_linear_before_reset(linear_before_reset):
    model = network(
        "GRU", direction="bidirectional", optional=("B",), linear_before_reset=linear_before_reset
    )
    check(model)


def test_lstm_input_forget_and_clip():
    model = network("LSTM", optional=("B", "P"), input_forget=1, clip=0.5)
    check(model)


@pytest.mark.parametrize("op_type", ["GRU", "RNN"])
def test_clip(op_type):
    check(network(op_type, direction="bidirectional", clip=0.3))


# Each activation with its alpha and beta given, then defaulted.
ACTIVATIONS = [
    ("Relu", [], []),
    ("Tanh", [], []),
    ("Sigmoid", [], []),
    ("Affine", [0.7], [-0.2]),
    ("LeakyRelu", [0.3], []),
    ("ThresholdedRelu", [0.4], []),
    ("ScaledTanh", [1.5], [0.6]),
    ("HardSigmoid", [0.3], [0.4]),
    ("Elu", [0.8], []),
    ("Softsign", [], []),
    ("Softplus", [], []),
]


@pytest.mark.parametrize(("name", "alpha", "beta"), ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_every_activation(name, alpha, beta):
    given = {"activation_alpha": alpha} if alpha else {}
    given |= {"activation_beta": beta} if beta else {}
    # Small weights keep Affine, Relu and the others from growing without bound.
    model = network("RNN", sequence=4, batch=2, size=3, hidden=5, activations=[name], **given)
    values = {name: value * 0.5 for name, value in random_feeds(model).items()}
    check(model, values, rtol=1e-4, atol=1e-5)


def test_default_alphas_and_betas_and_their_order():
    """The activations that take an alpha (or beta) consume the list in order; the rest of
    them take their defaults (onnxruntime's), different per direction here."""
    activations = ["HardSigmoid", "Elu", "LeakyRelu", "Sigmoid", "ScaledTanh", "Affine"]
    model = network(
        "LSTM",
        sequence=4,
        batch=2,
        size=3,
        hidden=5,
        direction="bidirectional",
        activations=activations,
        activation_alpha=[0.3, 0.9],
        activation_beta=[0.25],
    )
    check(model)


def test_activation_names_are_read_in_any_case():
    check(network("GRU", sequence=3, activations=["sigmoid", "TANH"]))


def test_layout_1_is_batch_first():
    """onnxruntime has no layout 1: the same network in layout 0 on transposed inputs,
    its outputs transposed, is the reference."""
    optional = ("initial_h", "initial_c")
    batch_first = network("LSTM", direction="bidirectional", optional=optional, layout=1)
    values = random_feeds(batch_first)
    compiled = ziggurat.compile(batch_first)
    got = compiled(*values.values())
    model = network("LSTM", direction="bidirectional", optional=optional)
    swapped = {
        n: np.ascontiguousarray(v.transpose(1, 0, 2)) if n not in ("W", "R") else v
        for n, v in values.items()
    }
    y, y_h, y_c = check(model, swapped)(*swapped.values())
    np.testing.assert_allclose(got[0], y.transpose(2, 0, 1, 3), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], y_h.transpose(1, 0, 2), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], y_c.transpose(1, 0, 2), rtol=1e-5, atol=1e-6)


def test_unused_outputs_are_left_out():
    check(network("LSTM", outputs=("", "Y_h")))
    check(network("GRU", direction="reverse", outputs=("Y",)))


def test_constant_full_sequence_lengths_need_no_masking():
    model = network("RNN", optional=("sequence_lens",))
    model.graph.initializer.append(
        helper.make_tensor("sequence_lens", TensorProto.INT32, [3], [5, 5, 5])
    )
    del model.graph.input[3]
    assert "sequence_lens" not in str(import_model(model))
    check(model)


def test_the_code_does_not_grow_with_the_sequence():
    """One loop over time, whatever its length: the same ops for 4 steps as for 100."""
    sizes = []
    for sequence in (4, 100):
        module = import_model(network("LSTM", sequence=sequence, direction="bidirectional"))
        ziggurat.pipeline.lower(module, "loop")
        sizes.append(sum(1 for _ in module.walk()))
    assert sizes[0] == sizes[1]


def test_a_long_sequence():
    model = network("LSTM", sequence=100, batch=2, size=5, hidden=6, optional=("B",))
    check(model, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"activations": ["Gelu"]}, "activation 'Gelu' is not supported"),
        ({"activations": ["Tanh", "Tanh"]}, "1 activations are needed (1 per direction), got 2"),
        ({"hidden_size": 4}, "hidden_size 4 does not match R of shape (1, 7, 7)"),
        ({"layout": 2}, "layout 2 is not 0 or 1"),
    ],
)
def test_errors_name_the_node(attributes, message):
    model = network("RNN")
    node = model.graph.node[0]
    kept = [a for a in node.attribute if a.name not in attributes]
    del node.attribute[:]
    node.attribute.extend(kept)
    node.attribute.extend(helper.make_attribute(k, v) for k, v in attributes.items())
    node.name = "rnn"
    with pytest.raises(ZigguratError) as error:
        import_model(model)
    assert "node 'rnn' (RNN)" in str(error.value) and message in str(error.value)
