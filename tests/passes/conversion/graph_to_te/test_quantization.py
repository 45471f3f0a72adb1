"""graph-to-te's quantize_linear and dequantize_linear (passes/conversion/graph_to_te/
quantization.py) against numpy formulas: ties rounded half to even, saturation, per tensor,
per axis and blocked; and how an unsigned type is read and written."""

from __future__ import annotations

import numpy as np
from testing_graph_to_te import Case, CaseTests, define
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, f16, f32, i8, i16, i32

import ziggurat
from ziggurat.dialects import graph
from ziggurat.dialects.te import compute_ops
from ziggurat.passes.conversion.graph_to_te import GraphToTe
from ziggurat.registry import make_context


def quantized(x, scale, zero, low, high, axis=None, block=None):
    """x / scale rounded half to even, plus zero, saturated; the scale spread per axis or
    block as the case says."""
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    if block is not None:
        scale = np.repeat(scale, block, axis=-1)[..., : x.shape[-1]]
        zero = np.repeat(zero, block, axis=-1)[..., : x.shape[-1]]
    quotient = x.astype(np.float32) / scale.astype(np.float32)
    return np.clip(np.rint(quotient) + zero, low, high)


QUANTIZATION = [
    Case(
        "quantize_per_tensor_i8",
        [(3, 7), (1,), (1,)],
        lambda x, s, z: graph.QuantizeLinearOp(x, s, z, i8).output,
        lambda x, s, z: quantized(x, s, z, -128, 127),
        types=(f32, f32, i8),
        positive=True,
    ),
    Case(
        "quantize_per_axis_i16",
        [(3, 5, 2), (5,), (5,)],
        lambda x, s, z: graph.QuantizeLinearOp(x, s, z, i16, axis=1).output,
        lambda x, s, z: quantized(x, s, z, -32768, 32767, axis=1),
        types=(f32, f32, i16),
        positive=True,
    ),
    Case(
        "quantize_blocked_without_zero_point",
        [(4, 7), (4, 3)],
        lambda x, s: graph.QuantizeLinearOp(x, s, None, i8, axis=1, block_size=3).output,
        lambda x, s: quantized(x, s, np.zeros_like(s), -128, 127, block=3),
        positive=True,
    ),
    Case(
        "dequantize_per_axis_i8",
        [(4, 3), (4,), (4,)],
        lambda q, s, z: graph.DequantizeLinearOp(q, s, z, f32, axis=0).output,
        lambda q, s, z: (q.astype(np.int64) - z[:, None]) * s[:, None],
        types=(i8, f32, i8),
        integers=(-128, 128),
    ),
    Case(
        "dequantize_i32_to_f16",
        [(6,), ()],
        lambda q, s: graph.DequantizeLinearOp(q, s, None, f16).output,
        lambda q, s: (q * s).astype(np.float16),
        types=(i32, f16),
        integers=(-1000, 1000),
    ),
]


class TestNumbers(CaseTests):
    CASES = QUANTIZATION
    IN_OTHER_FLOATS = []


def test_ties_round_half_to_even():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1e9, -1e9], np.float32)
    module = ModuleOp(
        [define("f", [(8,), ()], lambda v, s: graph.QuantizeLinearOp(v, s, None, i8).output)]
    )
    (q,) = ziggurat.compile(module).f(x, np.array(1.0, np.float32))
    assert q.tolist() == [-2, -2, 0, 0, 2, 2, 127, -128]


def test_an_unsigned_type_is_written_and_read_as_such():
    ui8 = IntegerType(8, Signedness.UNSIGNED)

    def build(x, s, z):
        q = graph.QuantizeLinearOp(x, s, z, ui8).output
        return graph.DequantizeLinearOp(q, s, z, f32).output

    module = ModuleOp([define("f", [(4,), (), ()], build, types=(f32, f32, ui8))])
    GraphToTe().apply(make_context(), module)
    module.verify()
    quantize, dequantize = compute_ops(module)
    # graph-to-te leaves every type signless: the body's ops say the bits are unsigned.
    assert quantize.result.type.element_type == i8
    assert quantize.yield_op.value.type == i8
    names = [op.name for op in quantize.body.walk()]
    assert "arith.uitofp" in names and "arith.fptoui" in names
    assert "arith.extui" in [op.name for op in dequantize.body.walk()]
