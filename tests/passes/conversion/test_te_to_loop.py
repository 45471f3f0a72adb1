"""te-to-loop: the loop nests, buffers and signatures it emits, and their numbers on the CPU."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import ModuleOp, UnitAttr
from xdsl.ir import Operation
from xdsl.transforms.canonicalize import CanonicalizePass
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

import ziggurat
from ziggurat.diagnostics import ZigguratError
from ziggurat.dialects.te import ComputeOp, ReadOp
from ziggurat.ir_io import parse_module, print_module, verify_module
from ziggurat.passes.conversion.graph_to_te import GraphToTe
from ziggurat.passes.conversion.te_to_loop import TeToLoop
from ziggurat.passes.te.te_inline import TeInline
from ziggurat.registry import make_context
from ziggurat.targets.cpu import compile_loop_module

# Hand-written te functions; `{n}`-style fields are filled in per shape.


def relu(name: str, shape: str) -> str:
    rank = shape.count("x") + 1
    axes = ", ".join(f'"d{n}"' for n in range(rank))
    args = ", ".join(f"%d{n}" for n in range(rank))
    block_args = ", ".join(f"%d{n}: index" for n in range(rank))
    return f"""
func.func @{name}(%X: tensor<{shape}xf32>) -> tensor<{shape}xf32> {{
  %Y = te.compute "relu" (%X) axes [{axes}] : (tensor<{shape}xf32>) -> tensor<{shape}xf32> {{
  ^bb0({block_args}):
    %x = te.read %X[{args}] : tensor<{shape}xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }}
  func.return %Y : tensor<{shape}xf32>
}}
"""


def matmul(name: str, m: int, k: int, n: int) -> str:
    return f"""
func.func @{name}(%A: tensor<{m}x{k}xf32>, %B: tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = {k}]
         init 0.000000e+00 : f32 : (tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<{m}x{k}xf32>
    %b = te.read %B[%k, %j] : tensor<{k}x{n}xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }}
  func.return %C : tensor<{m}x{n}xf32>
}}
"""


def row_reduce(name: str, kind: str, m: int, n: int, element: str, init: str) -> str:
    """Reduce each row of an m x n matrix with `kind`."""
    return f"""
func.func @{name}(%X: tensor<{m}x{n}x{element}>) -> tensor<{m}x{element}> {{
  %Y = te.compute "{kind}" (%X) axes ["i"] reduce {kind} ["j" = {n}]
         init {init} : {element} : (tensor<{m}x{n}x{element}>) -> tensor<{m}x{element}> {{
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<{m}x{n}x{element}>
    te.yield %x : {element}
  }}
  func.return %Y : tensor<{m}x{element}>
}}
"""


def total(name: str, m: int, n: int) -> str:
    """The sum of all elements, a rank-0 result with two reduce axes."""
    return f"""
func.func @{name}(%X: tensor<{m}x{n}xf32>) -> tensor<f32> {{
  %Y = te.compute "total" (%X) axes [] reduce sum ["i" = {m}, "j" = {n}]
         init 0.000000e+00 : f32 : (tensor<{m}x{n}xf32>) -> tensor<f32> {{
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<{m}x{n}xf32>
    te.yield %x : f32
  }}
  func.return %Y : tensor<f32>
}}
"""


def pad(name: str, n: int) -> str:
    """Zero-pad a vector by one on each side: a clamped read chosen by arith.select."""
    return f"""
func.func @{name}(%X: tensor<{n}xf32>) -> tensor<{n + 2}xf32> {{
  %Y = te.compute "pad" (%X) axes ["i"] : (tensor<{n}xf32>) -> tensor<{n + 2}xf32> {{
  ^bb0(%i: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cn = arith.constant {n} : index
    %low = arith.cmpi sge, %i, %c1 : index
    %high = arith.cmpi sle, %i, %cn : index
    %inside = arith.andi %low, %high : i1
    %shifted = arith.subi %i, %c1 : index
    %clamped = arith.select %inside, %shifted, %c0 : index
    %x = te.read %X[%clamped] : tensor<{n}xf32>
    %zero = arith.constant 0.000000e+00 : f32
    %y = arith.select %inside, %x, %zero : f32
    te.yield %y : f32
  }}
  func.return %Y : tensor<{n + 2}xf32>
}}
"""


def dense_relu(name: str, m: int, k: int, n: int, weights: np.ndarray) -> str:
    """relu(A @ W + 1) with W a constant: three chained computes, two intermediates."""
    values = np.array2string(weights, separator=", ", threshold=10**6, floatmode="unique")
    return f"""
func.func @{name}(%A: tensor<{m}x{k}xf32>) -> tensor<{m}x{n}xf32> {{
  %W = arith.constant dense<{values}> : tensor<{k}x{n}xf32>
  %one = arith.constant dense<1.0> : tensor<{n}xf32>
  %C = te.compute "matmul" (%A, %W) axes ["i", "j"] reduce sum ["k" = {k}]
         init 0.000000e+00 : f32 : (tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<{m}x{k}xf32>
    %b = te.read %W[%k, %j] : tensor<{k}x{n}xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }}
  %D = te.compute "bias" (%C, %one) axes ["i", "j"] : (tensor<{m}x{n}xf32>, tensor<{n}xf32>) -> tensor<{m}x{n}xf32> {{
  ^bb0(%i: index, %j: index):
    %c = te.read %C[%i, %j] : tensor<{m}x{n}xf32>
    %b = te.read %one[%j] : tensor<{n}xf32>
    %s = arith.addf %c, %b : f32
    te.yield %s : f32
  }}
  %Y = te.compute "relu" (%D) axes ["i", "j"] : (tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  ^bb0(%i: index, %j: index):
    %d = te.read %D[%i, %j] : tensor<{m}x{n}xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %d, %z : f32
    te.yield %r : f32
  }}
  func.return %Y : tensor<{m}x{n}xf32>
}}
"""


def returns_argument(name: str, n: int) -> str:
    """Returns (relu(X), X, relu(X)): a copied argument and a result returned twice."""
    return f"""
func.func @{name}(%X: tensor<{n}xf32>) -> (tensor<{n}xf32>, tensor<{n}xf32>, tensor<{n}xf32>) {{
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<{n}xf32>) -> tensor<{n}xf32> {{
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<{n}xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }}
  func.return %Y, %X, %Y : tensor<{n}xf32>, tensor<{n}xf32>, tensor<{n}xf32>
}}
"""


def calls(name: str, callee: str, n: int) -> str:
    """Doubles `callee`'s result; also returns that result itself, straight from the call."""
    return f"""
func.func @{name}(%X: tensor<{n}xf32>) -> (tensor<{n}xf32>, tensor<{n}xf32>) {{
  %R = func.call @{callee}(%X) : (tensor<{n}xf32>) -> tensor<{n}xf32>
  %Y = te.compute "double" (%R) axes ["i"] : (tensor<{n}xf32>) -> tensor<{n}xf32> {{
  ^bb0(%i: index):
    %r = te.read %R[%i] : tensor<{n}xf32>
    %y = arith.addf %r, %r : f32
    te.yield %y : f32
  }}
  %S = func.call @{callee}(%Y) : (tensor<{n}xf32>) -> tensor<{n}xf32>
  func.return %S, %R : tensor<{n}xf32>, tensor<{n}xf32>
}}
"""


def lower(text: str) -> ModuleOp:
    module = parse_module(text, "input.mlir")
    verify_module(module)
    TeToLoop().apply(make_context(), module)
    verify_module(module)
    return module


def function(module: ModuleOp, name: str) -> func.FuncOp:
    (found,) = [f for f in module.ops if isinstance(f, func.FuncOp) and f.sym_name.data == name]
    return found


def ops_of(op: Operation, kind: type[Operation]) -> list:
    return [o for o in op.walk() if isinstance(o, kind)]


def top_level(f: func.FuncOp) -> list[str]:
    """The names of a function's top-level ops, constants left out."""
    return [op.name for op in f.body.block.ops if not isinstance(op, arith.ConstantOp)]


def is_output(f: func.FuncOp, index: int) -> bool:
    assert f.arg_attrs is not None
    return f.arg_attrs.data[index].data.get("ziggurat.output") == UnitAttr()


# Structure -----------------------------------------------------------------------------


def test_elementwise_becomes_one_loop_per_axis_storing_into_the_output_argument():
    f = function(lower(relu("relu", "7x13")), "relu")
    assert [str(t) for t in f.function_type.inputs] == ["memref<7x13xf32>", "memref<7x13xf32>"]
    assert f.function_type.outputs.data == ()
    assert not is_output(f, 0) and is_output(f, 1)
    assert top_level(f) == ["scf.for", "func.return"]
    outer = next(op for op in f.body.block.ops if isinstance(op, scf.ForOp))
    inner = ops_of(outer.body, scf.ForOp)
    assert len(inner) == 1
    assert [outer.body.block.args[0].name_hint, inner[0].body.block.args[0].name_hint] == [
        "d0",
        "d1",
    ]
    assert [arith_value(loop.ub) for loop in (outer, inner[0])] == [7, 13]
    (load,) = ops_of(f, memref.LoadOp)
    (store,) = ops_of(f, memref.StoreOp)
    assert load.memref is f.body.block.args[0]
    assert store.memref is f.body.block.args[1]
    assert list(store.indices) == [outer.body.block.args[0], inner[0].body.block.args[0]]
    assert not ops_of(f, ReadOp) and not ops_of(f, ComputeOp)


def arith_value(value) -> int:
    assert isinstance(value.owner, arith.ConstantOp)
    return value.owner.value.value.data


def test_reduction_carries_the_accumulator_in_iter_args():
    f = function(lower(matmul("matmul", 5, 3, 6)), "matmul")
    i_loop, j_loop, k_loop = ops_of(f, scf.ForOp)
    assert [loop.body.block.args[0].name_hint for loop in (i_loop, j_loop, k_loop)] == [
        "i",
        "j",
        "k",
    ]
    assert not i_loop.iter_args and not j_loop.iter_args
    (init,) = k_loop.iter_args
    assert isinstance(init.owner, arith.ConstantOp) and init.owner.value.value.data == 0.0
    (add,) = ops_of(k_loop, arith.AddfOp)
    assert add.lhs is k_loop.body.block.args[1]
    assert k_loop.body.block.last_op.operands[0] is add.result  # scf.yield of the sum
    (store,) = ops_of(f, memref.StoreOp)
    assert store.value is k_loop.res[0]
    assert store.parent_block() is j_loop.body.block


@pytest.mark.parametrize(
    "kind,element,init,combiner",
    [
        ("max", "f32", "-3.4e+38", arith.MaximumfOp),
        ("min", "f64", "1.0e+300", arith.MinimumfOp),
        ("sum", "i32", "0", arith.AddiOp),
        ("max", "i32", "-2147483648", arith.MaxSIOp),
        ("min", "i64", "9223372036854775807", arith.MinSIOp),
    ],
)
def test_each_reduce_kind_has_its_combiner(kind, element, init, combiner):
    f = function(lower(row_reduce("r", kind, 3, 4, element, init)), "r")
    (loop,) = [op for op in ops_of(f, scf.ForOp) if op.iter_args]
    (combine,) = ops_of(loop, combiner)
    assert loop.body.block.args[1] in combine.operands


def test_several_reduce_axes_nest_their_accumulators():
    f = function(lower(total("total", 3, 4)), "total")
    i_loop, j_loop = ops_of(f, scf.ForOp)
    assert j_loop.iter_args[0] is i_loop.body.block.args[1]
    assert i_loop.body.block.last_op.operands[0] is j_loop.res[0]
    (store,) = ops_of(f, memref.StoreOp)
    assert store.value is i_loop.res[0] and not store.indices


def test_intermediates_are_allocated_and_freed_after_their_last_use():
    f = function(lower(dense_relu("f", 2, 3, 4, np.ones((3, 4), np.float32))), "f")
    names = top_level(f)
    assert names == [
        "memref.get_global",
        "memref.get_global",
        "memref.alloc",  # C
        "scf.for",
        "memref.alloc",  # D
        "scf.for",
        "memref.dealloc",  # C, last read by the bias
        "scf.for",  # relu, straight into the output
        "memref.dealloc",  # D, last read by the relu
        "func.return",
    ]
    allocs = ops_of(f, memref.AllocOp)
    deallocs = ops_of(f, memref.DeallocOp)
    assert [d.memref for d in deallocs] == [a.memref for a in allocs]
    assert all(a.alignment.value.data == 64 for a in allocs)
    last_store = ops_of(f, memref.StoreOp)[-1]
    assert last_store.memref is f.body.block.args[-1]


def test_an_unused_compute_is_freed_right_after_it():
    text = relu("f", "7").replace(
        "func.return %Y",
        '%U = te.compute "u" (%X) axes ["i"] : (tensor<7xf32>) -> '
        "tensor<7xf32> {\n^bb0(%i: index):\n %x = te.read %X[%i] : tensor<7xf32>\n"
        " te.yield %x : f32\n}\nfunc.return %Y",
    )
    f = function(lower(text), "f")
    assert top_level(f) == ["scf.for", "memref.alloc", "scf.for", "memref.dealloc", "func.return"]


def test_returned_arguments_and_repeated_results_are_copied():
    f = function(lower(returns_argument("f", 7)), "f")
    X, out0, out1, out2 = f.body.block.args
    assert [is_output(f, n) for n in range(4)] == [False, True, True, True]
    assert top_level(f) == ["scf.for", "scf.for", "scf.for", "func.return"]
    stores = ops_of(f, memref.StoreOp)
    assert [s.memref for s in stores] == [out0, out1, out2]
    loads = ops_of(f, memref.LoadOp)
    # relu reads X; the copies read X (the returned argument) and out0 (the relu).
    assert [load.memref for load in loads] == [X, X, out0]
    assert not ops_of(f, memref.AllocOp)


def test_tensor_constants_become_deduplicated_private_globals():
    text = """
func.func @f() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xi32>) {
  %a = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c = arith.constant dense<3> : tensor<2xi32>
  func.return %a, %b, %c : tensor<2xf32>, tensor<2xf32>, tensor<2xi32>
}
func.func @g() -> tensor<2xf32> {
  %a = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  func.return %a : tensor<2xf32>
}
"""
    module = lower(text)
    globals_ = [op for op in module.ops if isinstance(op, memref.GlobalOp)]
    assert [g.sym_name.data for g in globals_] == ["__constant_0", "__constant_1"]
    assert all(g.constant == UnitAttr() and g.sym_visibility.data == "private" for g in globals_)
    assert [str(g.type) for g in globals_] == ["memref<2xf32>", "memref<2xi32>"]
    gets = ops_of(module, memref.GetGlobalOp)
    assert [g.name_.root_reference.data for g in gets] == [
        "__constant_0",
        "__constant_0",
        "__constant_1",
        "__constant_0",
    ]
    assert not ops_of(module, memref.DeallocOp)


def test_constant_names_do_not_clash_with_existing_symbols():
    text = """
func.func @__constant_0() { func.return }
func.func @f() -> tensor<2xf32> {
  %a = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  func.return %a : tensor<2xf32>
}
"""
    module = lower(text)
    (global_op,) = ops_of(module, memref.GlobalOp)
    assert global_op.sym_name.data == "__constant_1"


def test_scalars_stay_scalars():
    text = """
func.func @scale(%X: tensor<3xf32>, %s: f32) -> (tensor<3xf32>, f32) {
  %two = arith.constant 2.0 : f32
  %t = arith.mulf %s, %two : f32
  %Y = te.compute "scale" (%X) axes ["i"] : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<3xf32>
    %y = arith.mulf %x, %t : f32
    te.yield %y : f32
  }
  func.return %Y, %t : tensor<3xf32>, f32
}
"""
    f = function(lower(text), "scale")
    assert [str(t) for t in f.function_type.inputs] == ["memref<3xf32>", "f32", "memref<3xf32>"]
    assert [str(t) for t in f.function_type.outputs] == ["f32"]
    (mul,) = [op for op in f.body.block.ops if isinstance(op, arith.MulfOp)]
    assert list(f.body.block.last_op.operands) == [mul.result]


def test_calls_pass_output_buffers():
    module = lower(relu("callee", "7") + calls("caller", "callee", 7))
    callee = function(module, "callee")
    assert [str(t) for t in callee.function_type.inputs] == ["memref<7xf32>", "memref<7xf32>"]
    f = function(module, "caller")
    X, out0, out1 = f.body.block.args
    first, second = ops_of(f, func.CallOp)
    assert list(first.arguments) == [X, out1]  # R is returned second: computed there
    assert not first.results and not second.results
    (alloc,) = ops_of(f, memref.AllocOp)
    assert list(second.arguments) == [alloc.memref, out0]
    assert top_level(f)[-2:] == ["memref.dealloc", "func.return"]


def test_declarations_get_the_bufferized_signature():
    text = """
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
func.func @f(%X: tensor<4xf32>) -> tensor<4xf32> {
  %Y = func.call @external(%X) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %Y : tensor<4xf32>
}
"""
    module = lower(text)
    external = function(module, "external")
    assert [str(t) for t in external.function_type.inputs] == ["memref<4xf32>", "memref<4xf32>"]
    assert is_output(external, 1)


def test_output_is_standard_ir_that_round_trips_in_generic_form():
    module = lower(dense_relu("f", 2, 3, 4, np.ones((3, 4), np.float32)) + returns_argument("g", 3))
    names = {op.name.split(".")[0] for op in module.walk()}
    assert names <= {"builtin", "func", "scf", "memref", "arith"}
    text = print_module(module, generic=True)
    again = parse_module(text)
    verify_module(again)
    assert print_module(again) == print_module(module)


# Errors --------------------------------------------------------------------------------


def test_an_unknown_tensor_op_is_named_with_its_location():
    text = """func.func @f(%X: tensor<4xf32>) -> tensor<4xf32> {
  %Y = arith.addf %X, %X : tensor<4xf32>
  func.return %Y : tensor<4xf32>
}
"""
    module = parse_module(text, "model.mlir")
    with pytest.raises(ZigguratError, match="cannot lower 'arith.addf'") as error:
        TeToLoop().apply(make_context(), module)
    assert error.value.where == "model.mlir:2:8"
    assert "te.compute" not in print_module(module)  # nothing changed before the error
    assert "tensor<4xf32>" in print_module(module)


def test_a_dynamic_result_is_an_error():
    text = """func.func @f(%X: tensor<?xf32>) -> tensor<?xf32> {
  func.return %X : tensor<?xf32>
}
"""
    with pytest.raises(ZigguratError, match="static result shapes"):
        TeToLoop().apply(make_context(), parse_module(text, "model.mlir"))


# xDSL's cleanup passes on te-level and loop-level IR -----------------------------------


def apply_xdsl(module: ModuleOp, *passes) -> ModuleOp:
    for cleanup in passes:
        cleanup.apply(make_context(), module)
    verify_module(module)
    return module


# %Z repeats %Y exactly, %V differs from it in one constant, nothing uses %U.
DEAD_AND_DUPLICATE = """
func.func @f(%X: tensor<7xf32>) -> (tensor<7xf32>, tensor<7xf32>, tensor<7xf32>) {
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  %U = te.compute "unused" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    te.yield %x : f32
  }
  %Z = te.compute "relu" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  %V = te.compute "relu" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    %z = arith.constant 1.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  func.return %Y, %Z, %V : tensor<7xf32>, tensor<7xf32>, tensor<7xf32>
}
"""


def test_dce_deletes_unused_computes_only():
    module = apply_xdsl(parse_module(DEAD_AND_DUPLICATE), DeadCodeElimination())
    assert [c.compute_name.data for c in ops_of(module, ComputeOp)] == ["relu", "relu", "relu"]


def test_cse_merges_identical_computes_only():
    # Like MLIR's, xDSL's cse also erases the unused compute.
    module = apply_xdsl(parse_module(DEAD_AND_DUPLICATE), CommonSubexpressionElimination())
    Y, V = ops_of(module, ComputeOp)
    assert list(function(module, "f").body.block.last_op.operands) == [Y.result, Y.result, V.result]
    (one,) = [c for c in ops_of(V, arith.ConstantOp)]
    assert one.value.value.data == 1.0


def test_canonicalize_keeps_used_computes_and_folds_their_bodies():
    text = relu("f", "7").replace(
        "%r = arith.maximumf %x, %z : f32",
        "%one = arith.constant 1.0 : f32\n %two = arith.addf %one, %one : f32\n"
        " %m = arith.mulf %x, %two : f32\n %r = arith.maximumf %m, %z : f32",
    )
    module = apply_xdsl(parse_module(DEAD_AND_DUPLICATE), CanonicalizePass())
    assert len(ops_of(module, ComputeOp)) == 3
    module = apply_xdsl(parse_module(text), CanonicalizePass())
    assert len(ops_of(module, ComputeOp)) == 1
    assert not ops_of(module, arith.AddfOp)  # 1 + 1 folded inside the body


def test_cleanups_on_loop_level_output_keep_the_structure():
    module = lower(dense_relu("f", 1, 3, 1, np.ones((3, 1), np.float32)) + relu("g", "7"))
    apply_xdsl(module, CanonicalizePass(), CommonSubexpressionElimination(), DeadCodeElimination())
    # Loops of one iteration are gone, the stores and frees stay.
    assert len(ops_of(function(module, "f"), memref.StoreOp)) == 3
    assert len(ops_of(function(module, "f"), memref.DeallocOp)) == 2
    assert len(ops_of(function(module, "g"), scf.ForOp)) == 1


# Numbers on the CPU ----------------------------------------------------------------------

SHAPES = [(1, 1, 1), (7, 13, 5), (13, 1, 7)]
WEIGHTS = {
    shape: np.random.default_rng(5).standard_normal(shape[1:]).astype(np.float32)
    for shape in SHAPES
}


def numeric_module() -> str:
    parts = []
    for m, k, n in SHAPES:
        parts += [
            matmul(f"matmul_{m}_{k}_{n}", m, k, n),
            row_reduce(f"max_{m}_{k}", "max", m, k, "f32", "-3.4e+38"),
            row_reduce(f"imin_{m}_{k}", "min", m, k, "i32", "2147483647"),
            row_reduce(f"isum_{m}_{k}", "sum", m, k, "i32", "0"),
            total(f"total_{m}_{k}", m, k),
            pad(f"pad_{m}", m),
            relu(f"relu_{m}_{k}", f"{m}x{k}"),
            dense_relu(f"dense_{m}_{k}_{n}", m, k, n, WEIGHTS[(m, k, n)]),
            returns_argument(f"returns_{m}", m),
            calls(f"calls_{m}", f"relu_{m}", m),
            relu(f"relu_{m}", f"{m}"),
        ]
    return "".join(parts)


@pytest.fixture(scope="module", params=["te-to-loop", "te-to-loop then cleanups"])
def compiled(request):
    module = lower(numeric_module())
    if request.param != "te-to-loop":
        apply_xdsl(
            module, CanonicalizePass(), CommonSubexpressionElimination(), DeadCodeElimination()
        )
    return compile_loop_module(module)


def random(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def integers(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-1000, 1000, shape).astype(np.int32)


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("m,k,n", SHAPES)
def test_matmul_and_reductions(compiled, m, k, n):
    A, B = random(m, k), random(k, n, seed=1)
    close(getattr(compiled, f"matmul_{m}_{k}_{n}")(A, B)[0], A @ B)
    close(getattr(compiled, f"max_{m}_{k}")(A)[0], A.max(axis=1))
    close(getattr(compiled, f"total_{m}_{k}")(A)[0], A.sum())
    ints = integers(m, k)
    np.testing.assert_array_equal(getattr(compiled, f"imin_{m}_{k}")(ints)[0], ints.min(axis=1))
    np.testing.assert_array_equal(getattr(compiled, f"isum_{m}_{k}")(ints)[0], ints.sum(axis=1))


@pytest.mark.parametrize("m,k,n", SHAPES)
def test_elementwise_padding_and_chains(compiled, m, k, n):
    A, X = random(m, k), random(m, seed=2)
    close(getattr(compiled, f"relu_{m}_{k}")(A)[0], np.maximum(A, 0))
    close(getattr(compiled, f"pad_{m}")(X)[0], np.pad(X, 1))
    expected = np.maximum(A @ WEIGHTS[(m, k, n)] + 1, 0)
    close(getattr(compiled, f"dense_{m}_{k}_{n}")(A)[0], expected)


@pytest.mark.parametrize("m", [m for m, _, _ in SHAPES])
def test_returned_arguments_and_calls(compiled, m):
    X = random(m, seed=3)
    relu_x = np.maximum(X, 0)
    first, argument, again = getattr(compiled, f"returns_{m}")(X)
    close(first, relu_x)
    close(argument, X)
    close(again, relu_x)
    twice, once = getattr(compiled, f"calls_{m}")(X)
    close(once, relu_x)
    close(twice, np.maximum(2 * relu_x, 0))


CHAINED_SUMS = """
func.func @f(%x: tensor<4x64x3xf32>) -> tensor<4xf32> {
  %a = graph.reduce_sum %x axes [2] : (tensor<4x64x3xf32>) -> tensor<4x64xf32>
  %b = graph.reduce_sum %a axes [1] : (tensor<4x64xf32>) -> tensor<4xf32>
  %c = graph.neg %b : tensor<4xf32>
  func.return %c : tensor<4xf32>
}
"""


def test_what_a_reduction_computed_at_its_consumer_reads_is_freed_after_the_consumer():
    """The second sum runs inside the negation's nest (te-inline marks it), reading the
    first sum's buffer: that buffer is freed after the negation's nest, not before it."""
    module = parse_module(CHAINED_SUMS)
    GraphToTe().apply(make_context(), module)
    TeInline().apply(make_context(), module)
    f = function(lower(print_module(module)), "f")
    assert top_level(f) == ["memref.alloc", "scf.for", "scf.for", "memref.dealloc", "func.return"]
    x = np.random.default_rng(3).standard_normal((4, 64, 3)).astype(np.float32)
    (y,) = ziggurat.compile(CHAINED_SUMS, cache=False).f(x)
    np.testing.assert_allclose(y, -x.sum(axis=(1, 2)), rtol=1e-5)
