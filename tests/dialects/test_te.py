"""The te dialect: building computes, what the verifier rejects, and textual round trips."""

import pytest
from xdsl.builder import ImplicitBuilder
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import (
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
    f32,
    i32,
)
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import VerifyException

from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.te import ComputeOp, IntrinsicOp, ReadOp, YieldOp, compute_ops
from ziggurat.ir_io import parse_module, print_module, verify_module


def matmul(m: int = 5, k: int = 3, n: int = 6, **overrides) -> tuple[ModuleOp, ComputeOp]:
    """A module with one matmul te.compute; `overrides` replace ComputeOp.build arguments."""
    a_type, b_type = TensorType(f32, [m, k]), TensorType(f32, [k, n])
    function = func.FuncOp("matmul", ((a_type, b_type), (TensorType(f32, [m, n]),)))
    A, B = function.body.block.args
    arguments = {
        "name": "matmul",
        "inputs": [A, B],
        "result_type": TensorType(f32, [m, n]),
        "axes": ["i", "j"],
        "reduce_kind": "sum",
        "reduce_axes": ["k"],
        "reduce_extents": [k],
        "init": FloatAttr(0.0, f32),
    } | overrides
    compute, block = ComputeOp.build(**arguments)
    # A broken variant may have fewer axes; reuse the first one so the body still builds.
    i, j, k_ = [*block.args, block.args[0], block.args[0]][:3]
    with ImplicitBuilder(block):
        a = ReadOp(A, [i, k_]).result
        b = ReadOp(B, [k_, j]).result
        YieldOp(arith.MulfOp(a, b).result)
    with ImplicitBuilder(function.body.block):
        function.body.block.add_op(compute)
        func.ReturnOp(compute.result)
    return ModuleOp([function]), compute


def test_build_and_verify_a_reduction():
    module, compute = matmul()
    verify_module(module)
    assert compute.axis_names == ["i", "j"]
    assert compute.reduce_axis_names == ["k"]
    assert compute.reduce_extent_values == [3]
    assert [arg.name_hint for arg in compute.block.args] == ["i", "j", "k"]
    assert isinstance(compute.yield_op, YieldOp)
    assert compute_ops(module) == [compute]


def test_custom_syntax():
    module, _ = matmul()
    text = print_module(module)
    assert (
        'te.compute "matmul" (%0, %1) axes ["i", "j"] reduce sum ["k" = 3] '
        "init 0.000000e+00 : f32 : (tensor<5x3xf32>, tensor<3x6xf32>) -> tensor<5x6xf32>"
    ) in text
    assert "te.read %0[%i, %k] : tensor<5x3xf32>" in text
    assert "te.yield %5 : f32" in text


@pytest.mark.parametrize("generic", [False, True])
def test_round_trip(generic):
    module, _ = matmul()
    printed = print_module(module, generic)
    parsed = parse_module(printed)
    verify_module(parsed)
    assert print_module(parsed, generic) == printed
    # Custom and generic text describe the same IR.
    assert print_module(parsed, not generic) == print_module(module, not generic)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"axes": ["i"]}, "te.compute has 1 axes but its output has rank 2"),
        ({"axes": ["i", "k"]}, "axis names must be unique"),
        ({"reduce_kind": "product"}, "unknown reduce kind 'product'"),
        ({"reduce_extents": [3, 3]}, "one extent per reduce axis"),
        ({"reduce_extents": [-3]}, "reduce extents must be positive"),
        ({"init": None}, "a reduction needs an init value"),
        ({"init": IntegerAttr(0, i32)}, "init must be a f32 constant"),
        ({"result_type": TensorType(f32, [-1, 6])}, "needs a static output shape"),
        (
            {"result_type": TensorType(i32, [5, 6]), "init": IntegerAttr(0, i32)},
            "te.yield gives f32 but the output element type is i32",
        ),
    ],
)
def test_compute_verifier(overrides, message):
    _, compute = matmul(**overrides)
    with pytest.raises(VerifyException, match=message):
        compute.verify()


def test_init_needs_a_reduce_kind():
    function = func.FuncOp("f", ((TensorType(f32, [4]),), ()))
    compute, block = ComputeOp.build(
        "f", function.args, TensorType(f32, [4]), ["i"], init=FloatAttr(0.0, f32)
    )
    with ImplicitBuilder(block):
        YieldOp(ReadOp(function.args[0], block.args).result)
    with pytest.raises(VerifyException, match="reduce axes and init need a reduce kind"):
        compute.verify()


def test_body_arguments_are_one_index_per_axis():
    function = func.FuncOp("f", ((TensorType(f32, [4]),), ()))
    block = Block(arg_types=[f32])
    with ImplicitBuilder(block):
        YieldOp(block.args[0])
    compute = ComputeOp("f", function.args, TensorType(f32, [4]), ["i"], Region(block))
    with pytest.raises(VerifyException, match="must take 1 index arguments"):
        compute.verify()


def test_read_needs_one_index_per_dimension():
    module, compute = matmul()
    read = next(op for op in compute.block.ops if isinstance(op, ReadOp))
    read.operands = [read.tensor, compute.block.args[0]]
    with pytest.raises(ZigguratError, match="rank-2 tensor needs 2 indices, got 1"):
        verify_module(module)


def test_read_must_read_an_input_of_its_compute():
    _, compute = matmul()
    read = next(op for op in compute.block.ops if isinstance(op, ReadOp))
    compute.operands = [compute.inputs[1]]
    with pytest.raises(VerifyException, match="must read an input of its enclosing"):
        read.verify()


def test_read_and_yield_outside_a_compute():
    text = (
        "func.func @f(%X: tensor<4xf32>, %i: index) -> f32 {\n"
        "  %x = te.read %X[%i] : tensor<4xf32>\n"
        "  func.return %x : f32\n"
        "}\n"
    )
    with pytest.raises(ZigguratError, match="must be inside a te.compute") as error:
        verify_module(parse_module(text, "t.mlir"))
    assert error.value.where == "t.mlir:2:8"
    text = "func.func @f(%x: f32) {\n  te.yield %x : f32\n}\n"
    with pytest.raises(ZigguratError, match="expects parent op 'te.compute'"):
        verify_module(parse_module(text))


def test_custom_syntax_rejects_a_non_tensor_result():
    text = (
        'func.func @f(%X: tensor<4xf32>) {\n  %y = te.compute "f" (%X) axes ["i"] : '
        "(tensor<4xf32>) -> f32 {\n  ^bb0(%i: index):\n    %x = te.read %X[%i] : "
        "tensor<4xf32>\n    te.yield %x : f32\n  }\n  func.return\n}\n"
    )
    with pytest.raises(ZigguratError, match="must produce a tensor"):
        parse_module(text)


# Hardware intrinsics (te.intrinsic) -----------------------------------------------------------

DOT4 = """te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}
"""


def test_intrinsic_round_trips_and_names_its_pattern():
    module = parse_module(DOT4)
    verify_module(module)
    intrinsic = module.body.block.first_op
    assert isinstance(intrinsic, IntrinsicOp)
    assert intrinsic.pattern.compute_name.data == "dot4"
    symbols = (intrinsic.compute, intrinsic.reset, intrinsic.update)
    assert [s.root_reference.data for s in symbols] == ["dot4", "dot4_reset", "dot4_update"]
    text = print_module(module)
    assert print_module(parse_module(text)) == text
    assert print_module(parse_module(print_module(module, generic=True))) == text


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            (" reset @dot4_reset update @dot4_update", ""),
            "is a reduction: it needs reset and update",
        ),
        (
            ("  %c = te.compute", "  %z = arith.constant 0 : index\n  %c = te.compute"),
            "exactly one",
        ),
    ],
)
def test_intrinsic_verifier(edit: tuple[str, str], message: str):
    text = DOT4.replace(*edit)
    with pytest.raises((ZigguratError, VerifyException), match=message):
        verify_module(parse_module(text))
