"""The importer's Attention and RotaryEmbedding (frontends/onnx/attention.py) against
onnxruntime at odd shapes: 4-D and 3-D inputs, grouped query heads, scale, softcap, causal
and window masks, float masks of every rank (shorter ones padded), past key and value,
nonpad_kv_seqlen, every qk_matmul_output_mode and softmax_precision; rotary embeddings
with and without position ids, interleaved, partial, 3-D."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto
from onnx.reference import ReferenceEvaluator
from testing_onnx_breadth import check, import_error, one_node, random_feeds

import ziggurat
from ziggurat.frontends.onnx import import_model, input_names

I64 = TensorProto.INT64


def attention(inputs: dict[str, list[int]], order=None, opset=23, outputs=1, **attributes):
    types = {"len": I64}
    return one_node(
        "Attention", inputs, types=types, order=order, opset=opset, outputs=outputs, **attributes
    )


FOUR_D = {"q": [2, 3, 4, 8], "k": [2, 3, 6, 8], "v": [2, 3, 6, 5]}


@pytest.mark.parametrize(
    "attributes",
    [{}, {"scale": 0.07}, {"softcap": 1.5}, {"is_causal": 1}, {"is_causal": 1, "softcap": 2.0}],
    ids=["plain", "scale", "softcap", "causal", "causal_softcap"],
)
def test_four_dimensional(attributes):
    check(attention(FOUR_D, **attributes), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("causal", [0, 1])
def test_three_dimensional_grouped_heads(causal):
    inputs = {"q": [2, 4, 36], "k": [2, 6, 12], "v": [2, 6, 10]}
    model = attention(inputs, q_num_heads=6, kv_num_heads=2, is_causal=causal)
    check(model, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mask", [[4, 6], [2, 1, 4, 6], [3, 4, 6], [2, 3, 4, 6]])
@pytest.mark.parametrize("causal", [0, 1])
def test_float_masks(mask, causal):
    model = attention({**FOUR_D, "mask": mask}, is_causal=causal)
    feeds = random_feeds(model)
    feeds["mask"] = np.where(feeds["mask"] > 1.0, -np.inf, feeds["mask"]).astype(np.float32)
    check(model, feeds, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mask", [[4, 6], [2, 3, 4, 6], [3, 4, 6]])
@pytest.mark.parametrize("causal", [0, 1])
def test_boolean_masks(mask, causal):
    model = attention({**FOUR_D, "mask": mask}, opset=24, is_causal=causal)
    model.graph.input[3].type.tensor_type.elem_type = TensorProto.BOOL
    feeds = random_feeds(model)
    feeds["mask"] = np.random.default_rng(3).random(mask) > 0.3
    check(model, feeds, rtol=1e-4, atol=1e-5)


def test_a_short_mask_is_padded_as_not_attended():
    """(onnxruntime refuses a mask shorter than the keys: ONNX's reference decides.)"""
    model = attention({**FOUR_D, "mask": [4, 4]}, opset=24, is_causal=1)
    feeds = random_feeds(model)
    (expected,) = ReferenceEvaluator(model).run(None, feeds)
    module = import_model(model)
    (got,) = ziggurat.compile(module)(*(feeds[n] for n in input_names(module)))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_a_fully_masked_row_is_zero():
    model = attention({**FOUR_D, "mask": [4, 6]}, outputs=4, qk_matmul_output_mode=3)
    feeds = random_feeds(model)
    feeds["mask"][1] = -np.inf
    y, *_, probabilities = check(model, feeds, rtol=1e-4, atol=1e-5)
    assert not np.isnan(y).any() and np.all(y[:, :, 1] == 0)
    assert np.all(probabilities[:, :, 1] == 0)


@pytest.mark.parametrize("causal", [0, 1])
def test_past_and_present(causal):
    inputs = {**FOUR_D, "mask": [4, 9], "past_key": [2, 3, 3, 8], "past_value": [2, 3, 3, 5]}
    model = attention(inputs, outputs=3, is_causal=causal)
    check(model, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", [0, 1, 2, 3])
def test_qk_matmul_output_modes(mode):
    model = attention(
        {**FOUR_D, "mask": [4, 6]}, outputs=4, qk_matmul_output_mode=mode, softcap=2.0
    )
    check(model, rtol=1e-4, atol=1e-5)


def test_softmax_precision_and_half_inputs():
    model = attention({**FOUR_D}, softmax_precision=TensorProto.DOUBLE)
    check(model, rtol=1e-4, atol=1e-5)
    half = attention({**FOUR_D}, is_causal=1)
    for value in half.graph.input:
        value.type.tensor_type.elem_type = TensorProto.FLOAT16
    check(half, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("causal", [0, 1])
def test_nonpad_kv_seqlen(causal):
    model = attention(
        {"q": [3, 2, 2, 8], "k": [3, 2, 6, 8], "v": [3, 2, 6, 8], "len": [3]},
        order=["q", "k", "v", "", "", "", "len"],
        opset=24,
        is_causal=causal,
    )
    feeds = random_feeds(model)
    feeds["len"] = np.array([6, 3, 4], np.int64)
    check(model, feeds, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "attributes",
    [
        {"is_causal": 1, "left_window_size": 2},
        {"left_window_size": 1, "right_window_size": 2},
        {"left_window_size": -1, "right_window_size": 0},
    ],
    ids=["causal_left", "both_sides", "right_only"],
)
def test_windows(attributes):
    check(attention(FOUR_D, opset=25, **attributes), rtol=1e-4, atol=1e-5)


def test_windows_with_nonpad_kv_seqlen():
    model = attention(
        {"q": [2, 3, 4, 8], "k": [2, 3, 8, 8], "v": [2, 3, 8, 8], "len": [2]},
        order=["q", "k", "v", "", "", "", "len"],
        opset=25,
        is_causal=1,
        left_window_size=2,
    )
    feeds = random_feeds(model)
    feeds["len"] = np.array([8, 6], np.int64)
    check(model, feeds, rtol=1e-4, atol=1e-5)


ROTARY = {
    "4d": ({"x": [2, 3, 4, 8], "cos": [6, 4], "sin": [6, 4], "ids": [2, 4]}, {}),
    "interleaved": (
        {"x": [2, 3, 4, 8], "cos": [6, 4], "sin": [6, 4], "ids": [2, 4]},
        {"interleaved": 1},
    ),
    "partial": (
        {"x": [2, 3, 4, 10], "cos": [6, 3], "sin": [6, 3], "ids": [2, 4]},
        {"rotary_embedding_dim": 6},
    ),
    "partial_interleaved": (
        {"x": [1, 2, 5, 8], "cos": [7, 2], "sin": [7, 2], "ids": [1, 5]},
        {"rotary_embedding_dim": 4, "interleaved": 1},
    ),
    "3d": ({"x": [2, 4, 24], "cos": [6, 4], "sin": [6, 4], "ids": [2, 4]}, {"num_heads": 3}),
    "no_ids": ({"x": [2, 3, 4, 8], "cos": [2, 4, 4], "sin": [2, 4, 4]}, {}),
}


@pytest.mark.parametrize("name", sorted(ROTARY))
def test_rotary_embedding(name):
    inputs, attributes = ROTARY[name]
    model = one_node("RotaryEmbedding", inputs, types={"ids": I64}, opset=23, **attributes)
    feeds = random_feeds(model, integers=(0, 6))
    check(model, feeds, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "model, message",
    [
        (
            attention({"q": [2, 4, 12], "k": [2, 6, 12], "v": [2, 6, 12]}),
            "node 'n' (Attention): error: 3-D inputs need num_heads attributes",
        ),
        (
            attention({"q": [1, 3, 2, 4], "k": [1, 2, 2, 4], "v": [1, 2, 2, 4]}),
            "node 'n' (Attention): error: 3 query heads do not share 2 key heads evenly",
        ),
        (
            one_node(
                "RotaryEmbedding",
                {"x": [1, 2, 3, 8], "c": [4, 4], "s": [4, 4], "p": [1, 3]},
                types={"p": I64},
                opset=23,
                rotary_embedding_dim=5,
            ),
            "node 'n' (RotaryEmbedding): error: rotary_embedding_dim 5 must be even",
        ),
    ],
    ids=["heads", "groups", "rotary_dim"],
)
def test_refusals_name_the_node(model, message):
    assert message in import_error(model)
