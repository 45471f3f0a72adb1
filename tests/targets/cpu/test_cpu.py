"""The CPU target end to end: hand-written loop IR of each kind of op compiled and compared
with numpy: control flow, integer, cast and math ops, globals, allocations, scf.parallel,
and the generic and affine forms upstream MLIR writes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from testing_cpu import SHAPES, compile_text, random

from ziggurat.diagnostics import ZigguratError


def test_scf_if_with_results():
    compiled = compile_text("""
func.func @leaky_relu(%X: memref<13xf32>, %Y: memref<13xf32> {ziggurat.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 13 : index
  %zero = arith.constant 0.0 : f32
  %slope = arith.constant 0.125 : f32
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<13xf32>
    %positive = arith.cmpf ogt, %x, %zero : f32
    %y = scf.if %positive -> (f32) {
      scf.yield %x : f32
    } else {
      %scaled = arith.mulf %x, %slope : f32
      scf.yield %scaled : f32
    }
    memref.store %y, %Y[%i] : memref<13xf32>
  }
  func.return
}
""")
    X = random(13)
    np.testing.assert_allclose(compiled.leaky_relu(X)[0], np.where(X > 0, X, X * 0.125))


def test_integer_and_cast_ops_match_numpy():
    compiled = compile_text("""
func.func @ints(%A: memref<13xi32>, %B: memref<13xi32>, %F: memref<13xf32>,
                %Q: memref<13xi32> {ziggurat.output}, %R: memref<13xi32> {ziggurat.output},
                %M: memref<13xi32> {ziggurat.output}, %T: memref<13xi32> {ziggurat.output},
                %U: memref<13xf64> {ziggurat.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 13 : index
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.load %A[%i] : memref<13xi32>
    %b = memref.load %B[%i] : memref<13xi32>
    %f = memref.load %F[%i] : memref<13xf32>
    %q = arith.floordivsi %a, %b : i32
    %r = arith.ceildivsi %a, %b : i32
    %m = arith.maxsi %a, %b : i32
    %t = arith.fptosi %f : f32 to i32
    %e = arith.extf %f : f32 to f64
    %u = arith.negf %e : f64
    memref.store %q, %Q[%i] : memref<13xi32>
    memref.store %r, %R[%i] : memref<13xi32>
    memref.store %m, %M[%i] : memref<13xi32>
    memref.store %t, %T[%i] : memref<13xi32>
    memref.store %u, %U[%i] : memref<13xf64>
  }
  func.return
}
""")
    rng = np.random.default_rng(0)
    A = rng.integers(-50, 50, 13).astype(np.int32)
    B = rng.choice([-7, -3, -1, 1, 2, 5], 13).astype(np.int32)
    F = random(13) * 10
    Q, R, M, T, U = compiled.ints(A, B, F)
    np.testing.assert_array_equal(Q, A // B)
    np.testing.assert_array_equal(R, -(-A // B))
    np.testing.assert_array_equal(M, np.maximum(A, B))
    np.testing.assert_array_equal(T, np.trunc(F).astype(np.int32))
    np.testing.assert_allclose(U, -F.astype(np.float64))


UNARY_MATH = {
    "exp": np.exp,
    "log": lambda x: np.log(np.abs(x) + 0.5),
    "sqrt": lambda x: np.sqrt(np.abs(x)),
    "tanh": np.tanh,
    "erf": np.vectorize(math.erf, otypes=[np.float32]),
    "absf": np.abs,
    "floor": np.floor,
    "ceil": np.ceil,
    "sin": np.sin,
    "cos": np.cos,
    "rsqrt": lambda x: 1 / np.sqrt(np.abs(x)),
    "exp2": np.exp2,
    "log2": lambda x: np.log2(np.abs(x) + 0.5),
    "log1p": lambda x: np.log1p(np.abs(x)),
    "round": lambda x: np.sign(x) * np.floor(np.abs(x) + 0.5),
}


def test_math_functions_match_numpy():
    """One function per math op, all in one module so LLVM runs once."""
    functions = []
    for name in UNARY_MATH:
        # log-like functions get a positive argument the way the numpy reference does.
        prepare = {
            "log": "%a = math.absf %x : f32\n    %p = arith.addf %a, %half : f32",
            "log2": "%a = math.absf %x : f32\n    %p = arith.addf %a, %half : f32",
            "sqrt": "%p = math.absf %x : f32",
            "rsqrt": "%p = math.absf %x : f32",
            "log1p": "%p = math.absf %x : f32",
        }.get(name, "%p = arith.addf %x, %zero : f32")
        functions.append(f"""
func.func @{name}(%X: memref<13xf32>, %Y: memref<13xf32> {{ziggurat.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 13 : index
  %half = arith.constant 0.5 : f32
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {{
    %x = memref.load %X[%i] : memref<13xf32>
    {prepare}
    %y = math.{name} %p : f32
    memref.store %y, %Y[%i] : memref<13xf32>
  }}
  func.return
}}""")
    compiled = compile_text("\n".join(functions))
    X = random(13) * 2
    for name, reference in UNARY_MATH.items():
        (Y,) = getattr(compiled, name)(X)
        np.testing.assert_allclose(Y, reference(X), rtol=2e-6, atol=2e-6, err_msg=name)


def test_binary_and_ternary_math():
    compiled = compile_text("""
func.func @f(%x: f32, %y: f32, %z: f32) -> (f32, f32, f32, f32) {
  %p = math.powf %x, %y : f32
  %f = math.fma %x, %y, %z : f32
  %c = math.copysign %x, %z : f32
  %m = arith.minimumf %y, %z : f32
  func.return %p, %f, %c, %m : f32, f32, f32, f32
}
""")
    p, f, c, m = compiled.f(1.5, 2.5, -3.0)
    assert p == pytest.approx(1.5**2.5, rel=1e-6)
    assert f == pytest.approx(1.5 * 2.5 - 3.0)
    assert (c, m) == (-1.5, -3.0)


def test_global_constants_and_mutable_globals():
    compiled = compile_text("""
"memref.global"() <{sym_name = "weights", sym_visibility = "private", type = memref<2x3xf32>,
    initial_value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>, constant}> : () -> ()
"memref.global"() <{sym_name = "counter", type = memref<1xi64>,
    initial_value = dense<0> : tensor<1xi64>}> : () -> ()
func.func @scale(%X: memref<2x3xf32>, %Y: memref<2x3xf32> {ziggurat.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %W = memref.get_global @weights : memref<2x3xf32>
  %count = memref.get_global @counter : memref<1xi64>
  scf.for %i = %c0 to %c2 step %c1 {
    scf.for %j = %c0 to %c3 step %c1 {
      %x = memref.load %X[%i, %j] : memref<2x3xf32>
      %w = memref.load %W[%i, %j] : memref<2x3xf32>
      %y = arith.mulf %x, %w : f32
      memref.store %y, %Y[%i, %j] : memref<2x3xf32>
    }
  }
  %old = memref.load %count[%c0] : memref<1xi64>
  %one = arith.constant 1 : i64
  %new = arith.addi %old, %one : i64
  memref.store %new, %count[%c0] : memref<1xi64>
  func.return
}
func.func @calls() -> i64 {
  %c0 = arith.constant 0 : index
  %count = memref.get_global @counter : memref<1xi64>
  %n = memref.load %count[%c0] : memref<1xi64>
  func.return %n : i64
}
""")
    X = random(2, 3)
    weights = np.arange(1, 7, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(compiled.scale(X)[0], X * weights)
    compiled.scale(X)
    assert compiled.calls() == 2


def test_alloc_dealloc_temporaries_and_copy():
    compiled = compile_text("""
func.func @twice_plus_one(%X: memref<?xf32>, %Y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %X, %c0 : memref<?xf32>
  %tmp = memref.alloc(%n) : memref<?xf32>
  %scratch = memref.alloca() : memref<4xf32, #loop.scope<local>>
  %two = arith.constant 2.0 : f32
  %one = arith.constant 1.0 : f32
  memref.store %one, %scratch[%c0] : memref<4xf32, #loop.scope<local>>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<?xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %tmp[%i] : memref<?xf32>
  }
  "memref.copy"(%tmp, %Y) : (memref<?xf32>, memref<?xf32>) -> ()
  %bias = memref.load %scratch[%c0] : memref<4xf32, #loop.scope<local>>
  scf.for %i = %c0 to %n step %c1 {
    %y = memref.load %Y[%i] : memref<?xf32>
    %z = arith.addf %y, %bias : f32
    memref.store %z, %Y[%i] : memref<?xf32>
  }
  memref.dealloc %tmp : memref<?xf32>
  func.return
}
""")
    for n in SHAPES:
        X = random(n)
        Y = np.empty_like(X)
        compiled.twice_plus_one(X, Y)
        np.testing.assert_allclose(Y, 2 * X + 1)


def test_scf_parallel_and_execute_region():
    compiled = compile_text("""
func.func @transpose(%X: memref<7x13xf32>, %Y: memref<13x7xf32> {ziggurat.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %c13 = arith.constant 13 : index
  "scf.parallel"(%c0, %c0, %c7, %c13, %c1, %c1) <{operandSegmentSizes = array<i32: 2, 2, 2, 0>}> ({
  ^bb0(%i: index, %j: index):
    %x = scf.execute_region -> f32 {
      %v = memref.load %X[%i, %j] : memref<7x13xf32>
      scf.yield %v : f32
    }
    memref.store %x, %Y[%j, %i] : memref<13x7xf32>
    scf.reduce
  }) : (index, index, index, index, index, index) -> ()
  func.return
}
""")
    X = random(7, 13)
    np.testing.assert_array_equal(compiled.transpose(X)[0], X.T)


GENERIC_FORM = """
"builtin.module"() ({
  "func.func"() <{function_type = (memref<7x13xf32>, memref<7x13xf32>) -> (), sym_name = "double"}> ({
  ^bb0(%arg0: memref<7x13xf32>, %arg1: memref<7x13xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 7 : index}> : () -> index
    %2 = "arith.constant"() <{value = 13 : index}> : () -> index
    %3 = "arith.constant"() <{value = 1 : index}> : () -> index
    "scf.for"(%0, %1, %3) ({
    ^bb0(%arg2: index):
      "scf.for"(%0, %2, %3) ({
      ^bb0(%arg3: index):
        %4 = "memref.load"(%arg0, %arg2, %arg3) <{nontemporal = false}> : (memref<7x13xf32>, index, index) -> f32
        %5 = "arith.addf"(%4, %4) <{fastmath = #arith.fastmath<none>}> : (f32, f32) -> f32
        "memref.store"(%5, %arg1, %arg2, %arg3) <{nontemporal = false}> : (f32, memref<7x13xf32>, index, index) -> ()
        "scf.yield"() : () -> ()
      }) : (index, index, index) -> ()
      "scf.yield"() : () -> ()
    }) : (index, index, index) -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
"""


def test_upstream_generic_form():
    compiled = compile_text(GENERIC_FORM)
    X = random(7, 13)
    Y = np.empty_like(X)
    compiled.double(X, Y)
    np.testing.assert_array_equal(Y, 2 * X)


# affine.load/store in generic form: xDSL parses their custom form's indices as symbols.
AFFINE_MATMUL = """
func.func @matmul(%A: memref<13x7xf32>, %B: memref<7x13xf32>, %C: memref<13x13xf32>) {
  affine.for %i = 0 to 13 {
    affine.for %j = 0 to 13 {
      affine.for %k = 0 to 7 {
        %a = "affine.load"(%A, %i, %k) <{map = affine_map<(d0, d1) -> (d0, d1)>}> : (memref<13x7xf32>, index, index) -> f32
        %b = "affine.load"(%B, %k, %j) <{map = affine_map<(d0, d1) -> (d0, d1)>}> : (memref<7x13xf32>, index, index) -> f32
        %c = "affine.load"(%C, %i, %j) <{map = affine_map<(d0, d1) -> (d0, d1)>}> : (memref<13x13xf32>, index, index) -> f32
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %c, %p : f32
        "affine.store"(%s, %C, %i, %j) <{map = affine_map<(d0, d1) -> (d0, d1)>}> : (f32, memref<13x13xf32>, index, index) -> ()
      }
    }
  }
  return
}
"""


def test_affine_matmul_as_upstream_writes_it():
    compiled = compile_text(AFFINE_MATMUL)
    A, B = random(13, 7), random(7, 13, seed=1)
    C = np.zeros((13, 13), np.float32)
    compiled.matmul(A, B, C)
    np.testing.assert_allclose(C, A @ B, rtol=1e-5, atol=1e-5)


def test_shared_memory_is_an_error_on_the_cpu():
    text = """
func.func @f() {
  %t = memref.alloc() : memref<8xf32, #loop.scope<shared>>
  func.return
}
"""
    with pytest.raises(ZigguratError, match=r"<input>:3:8: error: .*shared.* CPU"):
        compile_text(text)
