"""Attention (opsets 23 to 25) and RotaryEmbedding (opset 23), each imported as the graph
ops of its definition, so that fusion and the targets' matmul, softmax and elementwise
schedules take them as they are.

Attention's bias is the sum of what is known at import time (the causal frontier and the
windows of a static offset) as one constant, and what is known at run time: a float mask
as it is, a boolean one as log(mask) (0 where it attends, -inf elsewhere), and the
frontiers that `nonpad_kv_seqlen` moves per batch as the log of a product of clipped
integer differences (1 where allowed, 0 elsewhere). A row masked everywhere gives zeros
(graph.masked_softmax).
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from xdsl.dialects.builtin import IntegerType, TensorType, f16, f32, i64
from xdsl.ir import SSAValue

from ziggurat.dialects import graph
from ziggurat.elements import array_to_dense, element_dtype
from ziggurat.frontends.onnx.node import ELEMENT_TYPES, Handlers, Node, Value

HANDLERS = Handlers()


def constant(node: Node, array: np.ndarray, like: SSAValue) -> SSAValue:
    """`array` as a graph constant of `like`'s element type."""
    element = graph.tensor(like).element_type
    return node.emit(graph.ConstantOp(array_to_dense(array, TensorType(element, array.shape))))


def heads_first(node: Node, x: SSAValue, heads: int | None) -> SSAValue:
    """A 3-D (batch, sequence, heads * size) tensor as (batch, heads, sequence, size)."""
    batch, sequence, hidden = graph.shape_of(x)
    if not heads or hidden % heads:
        raise node.error(f"3-D inputs need num_heads attributes dividing {hidden}, got {heads}")
    split = node.emit(graph.ReshapeOp(x, [batch, sequence, heads, hidden // heads]))
    return node.emit(graph.TransposeOp(split, [0, 2, 1, 3]))


def allowed(
    queries: int,
    keys: int,
    offset: int,
    causal: bool,
    left: int,
    right: int,
) -> np.ndarray:
    """Which keys each query attends for a static offset: its causal frontier and windows."""
    position = np.arange(queries)[:, None] + offset
    key = np.arange(keys)[None, :]
    attend = np.ones((queries, keys), bool)
    if causal:
        attend &= key <= position
    if left >= 0:
        attend &= position - key <= left
    if right >= 0:
        attend &= key - position <= right
    return attend


def per_batch_allowed(
    node: Node,
    lengths: SSAValue,
    like: SSAValue,
    queries: int,
    keys: int,
    causal: bool,
    left: int,
    right: int,
) -> SSAValue:
    """1 where a key is attended, else 0, shape (batch, 1, queries, keys), for the offset
    nonpad_kv_seqlen - queries of each batch: each condition an integer difference d(len)
    that is at least 1 where it holds, clipped to [0, 1], and their minimum."""
    element = graph.tensor(like).element_type
    count = node.emit(graph.CastOp(lengths, element))
    count = node.emit(graph.ReshapeOp(count, [graph.shape_of(lengths)[0], 1, 1, 1]))
    i = np.arange(queries)[:, None]
    j = np.arange(keys)[None, :]
    # (coefficient of len, constant part): key < len; j <= i + len - q; the windows.
    conditions = [(1, -j + 0 * i)]
    if causal:
        conditions.append((1, i - queries - j + 1))
    if left >= 0:
        conditions.append((-1, left - i + queries + j + 1))
    if right >= 0:
        conditions.append((1, right - j + i - queries + 1))
    result: SSAValue | None = None
    for sign, part in conditions:
        signed = count if sign > 0 else node.emit(graph.NegOp(count))
        difference = node.emit(graph.AddOp(signed, constant(node, part.astype(np.float64), like)))
        clipped = node.emit(graph.ClipOp(difference, 0.0, 1.0))
        result = clipped if result is None else node.emit(graph.MinimumOp(result, clipped))
    assert result is not None
    return result


def mask_bias(node: Node, mask: SSAValue, like: SSAValue, keys: int) -> SSAValue:
    """attn_mask as an additive bias (a boolean one as 0 or -inf), its last dimension
    padded to the keys as not attended."""
    element = graph.tensor(like).element_type
    boolean = isinstance(graph.tensor(mask).element_type, IntegerType)
    if boolean:
        mask = node.emit(graph.CastOp(mask, element))
    shape = graph.shape_of(mask)
    if shape[-1] < keys:
        pads = [0] * (2 * len(shape))
        pads[-1] = keys - shape[-1]
        mask = node.emit(graph.PadOp(mask, pads, 0.0 if boolean else -math.inf))
    return node.emit(graph.LogOp(mask)) if boolean else mask


def add(node: Node, a: SSAValue | None, b: SSAValue) -> SSAValue:
    return b if a is None else node.emit(graph.AddOp(a, b))


def batched_matmul(node: Node, a: SSAValue, b: SSAValue) -> SSAValue:
    """a @ b over (batch, heads, ...) as one batch of matrices, so that its nest is a
    batched matmul the targets schedule as one."""
    batch, heads, rows, inner = graph.shape_of(a)
    columns = graph.shape_of(b)[3]
    a = node.emit(graph.ReshapeOp(a, [batch * heads, rows, inner]))
    b = node.emit(graph.ReshapeOp(b, [batch * heads, inner, columns]))
    product = node.emit(graph.MatmulOp(a, b))
    return node.emit(graph.ReshapeOp(product, [batch, heads, rows, columns]))


@HANDLERS.handles("Attention")
def attention(node: Node) -> list[Value]:
    q, k, v = node.input(0), node.input(1), node.input(2)
    rank = len(graph.shape_of(q))
    q_heads, kv_heads = node.attribute("q_num_heads"), node.attribute("kv_num_heads")
    if rank == 3:
        q, k, v = (
            heads_first(node, q, q_heads),
            heads_first(node, k, kv_heads),
            heads_first(node, v, kv_heads),
        )
    elif rank != 4:
        raise node.error(f"Q, K and V must be 3-D or 4-D, got {q.type}")
    batch, heads, queries, size = graph.shape_of(q)
    kv_count = graph.shape_of(k)[1]
    past_key, past_value = node.optional(4), node.optional(5)
    if (past_key is None) != (past_value is None):
        raise node.error("past_key and past_value go together")
    past = 0
    if past_key is not None and past_value is not None:
        past = graph.shape_of(past_key)[2]
        k = node.emit(graph.ConcatOp([past_key, k], 2))
        v = node.emit(graph.ConcatOp([past_value, v], 2))
    present_key, present_value = k, v
    keys = graph.shape_of(k)[2]
    lengths = node.optional(6)
    element = graph.tensor(q).element_type
    dtype = element_dtype(element)
    if element == f16:  # computed in f32, as onnxruntime does, and rounded at the end
        q, k, v = (node.emit(graph.CastOp(value, f32)) for value in (q, k, v))

    # Q and K each scaled by sqrt(scale) in their type (onnxruntime's and ONNX's order).
    root = np.array(math.sqrt(node.float("scale", 1 / math.sqrt(size))), dtype)
    root = constant(node, root, q)
    q = node.emit(graph.MulOp(q, root))
    k = node.emit(graph.MulOp(k, root))
    if heads != kv_count:
        if heads % kv_count:
            raise node.error(f"{heads} query heads do not share {kv_count} key heads evenly")
        # Each key head serves a group of consecutive query heads.
        group = np.arange(heads, dtype=np.int64) // (heads // kv_count)
        indices = node.emit(graph.ConstantOp(array_to_dense(group, TensorType(i64, [heads]))))
        k = node.emit(graph.GatherOp(k, indices, 1))
        v = node.emit(graph.GatherOp(v, indices, 1))
    scores = batched_matmul(node, q, node.emit(graph.TransposeOp(k, [0, 1, 3, 2])))
    raw = scores
    softcap = node.float("softcap", 0.0)
    if softcap > 0:
        cap = constant(node, np.array(softcap, dtype), scores)
        scores = node.emit(graph.DivOp(scores, cap))
        scores = node.emit(graph.MulOp(node.emit(graph.TanhOp(scores)), cap))
    capped = scores

    causal = bool(node.int("is_causal", 0))
    left, right = node.int("left_window_size", -1), node.int("right_window_size", -1)
    bias: SSAValue | None = None
    if node.has(3):
        mask = node.input(3)
        if graph.tensor(mask).element_type == f16:
            mask = node.emit(graph.CastOp(mask, f32))
        bias = mask_bias(node, mask, scores, keys)
    if lengths is None:
        attend = allowed(queries, keys, past, causal, left, right)
        if not attend.all():
            static = np.where(attend, 0.0, -np.inf).astype(dtype)
            bias = add(node, bias, constant(node, static, scores))
    else:
        if past:
            raise node.error("nonpad_kv_seqlen cannot be combined with past_key and past_value")
        valid = per_batch_allowed(node, lengths, scores, queries, keys, causal, left, right)
        bias = add(node, bias, node.emit(graph.LogOp(valid)))
    if bias is not None:
        scores = node.emit(graph.AddOp(scores, bias))
    biased = scores

    precision = node.attribute("softmax_precision")
    work = graph.tensor(scores).element_type
    if precision is not None:
        wanted = ELEMENT_TYPES.get(int(precision))
        if wanted is None:
            name = onnx.TensorProto.DataType.Name(int(precision)).lower()
            raise node.error(f"softmax_precision {name} is not supported")
        if wanted != work:
            scores = node.emit(graph.CastOp(scores, wanted))
    probabilities = node.emit(graph.MaskedSoftmaxOp(scores, -1))
    if graph.tensor(probabilities).element_type != work:
        probabilities = node.emit(graph.CastOp(probabilities, work))
    y = batched_matmul(node, probabilities, v)
    if rank == 3:
        y = node.emit(graph.TransposeOp(y, [0, 2, 1, 3]))
        y = node.emit(graph.ReshapeOp(y, [batch, queries, -1]))
    mode = node.int("qk_matmul_output_mode", 0)
    if mode not in range(4):
        raise node.error(f"qk_matmul_output_mode {mode} is not supported")
    qk = [raw, capped, biased, probabilities][mode]
    if work != element:
        y, qk = (node.emit(graph.CastOp(value, element)) for value in (y, qk))
    return [y, present_key, present_value, qk]


@HANDLERS.handles("RotaryEmbedding")
def rotary_embedding(node: Node) -> list[Value]:
    x = node.input(0)
    shape = graph.shape_of(x)
    heads = node.int("num_heads", 0)
    if len(shape) == 4:
        batch, heads, sequence, size = shape
        rows = node.emit(graph.TransposeOp(x, [0, 2, 1, 3]))
    elif len(shape) == 3:
        batch, sequence, hidden = shape
        if not heads or hidden % heads:
            raise node.error(f"a 3-D input needs num_heads dividing {hidden}, got {heads}")
        size = hidden // heads
        rows = node.emit(graph.ReshapeOp(x, [batch, sequence, heads, size]))
    else:
        raise node.error(f"the input must be 3-D or 4-D, got {x.type}")
    rotated = node.int("rotary_embedding_dim", 0) or size
    half = rotated // 2
    if rotated % 2 or rotated > size:
        raise node.error(f"rotary_embedding_dim {rotated} must be even and at most {size}")
    cos, sin = node.input(1), node.input(2)
    if node.has(3):
        positions = node.input(3)
        cos = node.emit(graph.GatherOp(cos, positions, 0))
        sin = node.emit(graph.GatherOp(sin, positions, 0))
    for cache in (cos, sin):
        if graph.shape_of(cache) != (batch, sequence, half):
            raise node.error(f"the caches must give {(batch, sequence, half)}, not {cache.type}")
    cos = node.emit(graph.ReshapeOp(cos, [batch, sequence, 1, half]))
    sin = node.emit(graph.ReshapeOp(sin, [batch, sequence, 1, half]))
    interleaved = bool(node.int("interleaved", 0))
    first = piece(node, rows, 0, half, 2 if interleaved else 1)
    second = piece(node, rows, 1 if interleaved else half, half, 2 if interleaved else 1)
    real = node.emit(
        graph.SubOp(node.emit(graph.MulOp(cos, first)), node.emit(graph.MulOp(sin, second)))
    )
    imaginary = node.emit(
        graph.AddOp(node.emit(graph.MulOp(sin, first)), node.emit(graph.MulOp(cos, second)))
    )
    if interleaved:
        pairs = [
            node.emit(graph.ReshapeOp(p, [batch, sequence, heads, half, 1]))
            for p in (real, imaginary)
        ]
        joined = node.emit(graph.ConcatOp(pairs, 4))
        parts = [node.emit(graph.ReshapeOp(joined, [batch, sequence, heads, rotated]))]
    else:
        parts = [real, imaginary]
    if rotated < size:
        parts.append(piece(node, rows, rotated, size - rotated, 1))
    out = node.emit(graph.ConcatOp(parts, 3)) if len(parts) > 1 else parts[0]
    if len(shape) == 4:
        return [node.emit(graph.TransposeOp(out, [0, 2, 1, 3]))]
    return [node.emit(graph.ReshapeOp(out, list(shape)))]


def piece(node: Node, rows: SSAValue, start: int, count: int, step: int) -> SSAValue:
    """`count` elements of the last dimension from `start` by `step`."""
    shape = graph.shape_of(rows)
    offsets = [0, 0, 0, start]
    return node.emit(graph.SliceOp(rows, offsets, [*shape[:3], count], [1, 1, 1, step]))
