"""A step of graph-to-te after the patterns: a sum over float16 accumulates in float32, as
numpy's (and so ONNX's reference) matmul and sum do, then rounds once to float16. Summing in
float16 loses an ulp every few terms: a 64-term dot product lands 1 to 2 ulps off.

The compute's body is widened in place: a float16 read is extended, a float16 constant and
every float16 result becomes float32 (so a product of two float16 values is exact), and a
`cast` compute after it rounds the float32 sums to float16 for its users.

    %y = te.compute "matmul" (%a, %b) ... reduce sum ["k" = 8] init 0.0 : f16 : ... -> tensor<4x4xf16>
becomes
    %s = te.compute "matmul" (%a, %b) ... reduce sum ["k" = 8] init 0.0 : f32 : ... -> tensor<4x4xf32>
    %y = te.compute "cast" (%s) axes ["i0", "i1"] : (tensor<4x4xf32>) -> tensor<4x4xf16>
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.dialects.builtin import FloatAttr, ModuleOp, TensorType, f16, f32
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from ziggurat.dialects.te import ComputeOp, ReadOp
from ziggurat.passes.conversion.graph_to_te.body import Body, compute, generic_axes


def widen_accumulation(module: ModuleOp) -> None:
    """Make every float16 sum in `module` accumulate in float32."""
    for op in list(module.walk()):
        if isinstance(op, ComputeOp) and accumulates_in_f16(op):
            widen(op)


def accumulates_in_f16(op: ComputeOp) -> bool:
    result_type = op.result.type
    assert isinstance(result_type, TensorType)
    kind = op.reduce_kind
    return kind is not None and kind.data == "sum" and result_type.element_type == f16


def widen(op: ComputeOp) -> None:
    """Compute `op`'s body and sum in float32; a cast after it rounds to float16."""
    for inner in list(op.block.walk()):
        widen_body_op(inner)
    assert isinstance(op.init, FloatAttr)
    op.init = FloatAttr(op.init.value.data, f32)
    narrow_type = op.result.type
    assert isinstance(narrow_type, TensorType)
    wide_type = TensorType(f32, narrow_type.get_shape())
    wide = Rewriter.replace_value_with_new_type(op.result, wide_type)

    def body(b: Body, *indices: SSAValue) -> SSAValue:
        return b.emit(arith.TruncFOp(b.read(wide, indices), f16))

    axes = generic_axes(len(narrow_type.get_shape()))
    rounded = compute("cast", [wide], narrow_type, axes, body)
    Rewriter.insert_op(rounded, InsertPoint.after(op))
    wide.replace_uses_with_if(rounded.result, lambda use: not rounded.is_ancestor(use.operation))


def widen_body_op(op: Operation) -> None:
    """Make `op`, one op of a compute body, give float32 where it gave float16."""
    if isinstance(op, ReadOp):
        if op.result.type == f16:
            extended = arith.ExtFOp(op.result, f32)
            Rewriter.insert_op(extended, InsertPoint.after(op))
            op.result.replace_uses_with_if(
                extended.result, lambda use: use.operation is not extended
            )
        return
    if isinstance(op, arith.ConstantOp):
        value = op.value
        if isinstance(value, FloatAttr) and value.type == f16:
            Rewriter.replace_op(op, arith.ConstantOp(FloatAttr(value.value.data, f32)))
        return
    for result in op.results:
        if result.type == f16:
            Rewriter.replace_value_with_new_type(result, f32)
    # A conversion between float16 and float32 the body made is now float32 to float32.
    if isinstance(op, arith.ExtFOp | arith.TruncFOp) and op.input.type == op.result.type:
        op.result.replace_all_uses_with(op.input)
        Rewriter.erase_op(op)
