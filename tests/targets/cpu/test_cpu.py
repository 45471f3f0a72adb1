"""The CPU target end to end: hand-written loop IR compiled and compared with numpy."""

from __future__ import annotations

import importlib.util
import math
import os
import re
import sys
import threading
import time
from pathlib import Path

import llvmlite.binding as llvm
import numpy as np
import pytest

from ziggurat.diagnostics import ZigguratError
from ziggurat.ir_io import parse_module
from ziggurat.targets.cpu import compile_loop_module, llvm_ir, optimized_llvm_ir, threads

SHAPES = [1, 7, 13]


def compile_text(text: str):
    return compile_loop_module(parse_module(text))


def random(*shape: int, dtype=np.float32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def matmul_ir(m: int, n: int, k: int) -> str:
    return f"""
func.func @matmul(%A: memref<{m}x{k}xf32>, %B: memref<{k}x{n}xf32>,
                  %C: memref<{m}x{n}xf32> {{ziggurat.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = arith.constant {m} : index
  %n = arith.constant {n} : index
  %k = arith.constant {k} : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %m step %c1 {{
    scf.for %j = %c0 to %n step %c1 {{
      %sum = scf.for %l = %c0 to %k step %c1 iter_args(%acc = %zero) -> (f32) {{
        %a = memref.load %A[%i, %l] : memref<{m}x{k}xf32>
        %b = memref.load %B[%l, %j] : memref<{k}x{n}xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %acc, %p : f32
        scf.yield %s : f32
      }}
      memref.store %sum, %C[%i, %j] : memref<{m}x{n}xf32>
    }}
  }}
  func.return
}}
"""


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (7, 13, 1), (13, 7, 7), (7, 1, 13)])
def test_matmul_allocates_outputs_or_writes_in_place(m: int, n: int, k: int):
    compiled = compile_text(matmul_ir(m, n, k))
    A, B = random(m, k), random(k, n, seed=1)
    (C,) = compiled.matmul(A, B)
    np.testing.assert_allclose(C, A @ B, rtol=1e-5, atol=1e-5)
    assert C.ctypes.data % 64 == 0
    out = np.zeros((m, n), np.float32)
    returned = compiled.matmul(A, B, out)
    assert returned[0] is out
    np.testing.assert_allclose(out, A @ B, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(compiled(A, B)[0], A @ B, rtol=1e-5, atol=1e-5)


DYNAMIC_ADD = """
func.func @add(%A: memref<?x?xf32>, %B: memref<?x?xf32>, %C: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %A, %c0 : memref<?x?xf32>
  %cols = memref.dim %A, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %a = memref.load %A[%i, %j] : memref<?x?xf32>
      %b = memref.load %B[%i, %j] : memref<?x?xf32>
      %s = arith.addf %a, %b : f32
      memref.store %s, %C[%i, %j] : memref<?x?xf32>
    }
  }
  func.return
}
"""


@pytest.mark.parametrize("rows,cols", [(1, 1), (7, 13), (13, 1)])
def test_dynamic_shapes(rows: int, cols: int):
    compiled = compile_text(DYNAMIC_ADD)
    A, B = random(rows, cols), random(rows, cols, seed=1)
    C = np.empty_like(A)
    compiled.add(A, B, C)
    np.testing.assert_allclose(C, A + B)


def test_dynamic_shapes_accept_strided_views():
    compiled = compile_text(
        DYNAMIC_ADD.replace("memref<?x?xf32>", "memref<?x?xf32, strided<[?, ?], offset: ?>>")
    )
    A = random(13, 14)[::2, 1::3]
    B = random(7, 5, seed=1)
    C = np.empty_like(B)
    compiled.add(A, B, C)
    np.testing.assert_allclose(C, A + B)


def test_wrong_arguments_are_errors_naming_function_and_argument():
    compiled = compile_text(matmul_ir(7, 13, 5))
    A, B = random(7, 5), random(5, 13)
    with pytest.raises(ZigguratError, match="matmul: argument 0 must have dtype float32"):
        compiled.matmul(A.astype(np.float64), B)
    with pytest.raises(ZigguratError, match=r"matmul: argument 1 must have shape \(5, 13\)"):
        compiled.matmul(A, B.T.copy())
    with pytest.raises(ZigguratError, match="matmul: argument 1 must be C-contiguous"):
        compiled.matmul(A, np.asfortranarray(B))
    with pytest.raises(ZigguratError, match="matmul takes 2 or 3 arguments, got 1"):
        compiled.matmul(A)
    with pytest.raises(AttributeError, match="no function 'matmal'"):
        compiled.matmal(A, B)


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


def test_reduction_returns_a_scalar():
    compiled = compile_text("""
func.func @sum(%X: memref<?xf64>) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %X, %c0 : memref<?xf64>
  %zero = arith.constant 0.0 : f64
  %total = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %x = memref.load %X[%i] : memref<?xf64>
    %s = arith.addf %acc, %x : f64
    scf.yield %s : f64
  }
  func.return %total : f64
}
""")
    for n in SHAPES:
        X = random(n, dtype=np.float64)
        assert compiled.sum(X) == pytest.approx(X.sum())


def test_scalar_functions_while_and_calls():
    compiled = compile_text("""
func.func @gcd(%a: i32, %b: i32) -> i32 {
  %zero = arith.constant 0 : i32
  %r:2 = scf.while (%x = %a, %y = %b) : (i32, i32) -> (i32, i32) {
    %more = arith.cmpi ne, %y, %zero : i32
    scf.condition(%more) %x, %y : i32, i32
  } do {
  ^bb0(%x: i32, %y: i32):
    %rem = arith.remsi %x, %y : i32
    scf.yield %y, %rem : i32, i32
  }
  func.return %r#0 : i32
}
func.func @lcm(%a: i32, %b: i32) -> i32 {
  %g = func.call @gcd(%a, %b) : (i32, i32) -> i32
  %q = arith.divsi %a, %g : i32
  %l = arith.muli %q, %b : i32
  func.return %l : i32
}
func.func @mix(%i: index, %x: f64) -> (f64, index) {
  %f = arith.index_cast %i : index to i64
  %d = arith.sitofp %f : i64 to f64
  %s = arith.mulf %d, %x : f64
  %c3 = arith.constant 3 : index
  %j = arith.floordivsi %i, %c3 : index
  func.return %s, %j : f64, index
}
""")
    assert compiled.gcd(84, 36) == math.gcd(84, 36)
    assert compiled.lcm(4, 6) == 12
    assert compiled.mix(-7, 1.5) == (-10.5, -3)


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


def test_subview_copy_and_memref_results():
    compiled = compile_text("""
func.func @block(%X: memref<13x13xf32>, %r: index, %c: index, %Y: memref<3x4xf32>) {
  %view = memref.subview %X[%r, %c] [3, 4] [1, 2]
      : memref<13x13xf32> to memref<3x4xf32, strided<[13, 2], offset: ?>>
  "memref.copy"(%view, %Y) : (memref<3x4xf32, strided<[13, 2], offset: ?>>, memref<3x4xf32>) -> ()
  func.return
}
func.func @row(%X: memref<7x13xf32>, %r: index) -> memref<13xf32, strided<[1], offset: ?>> {
  %view = memref.subview %X[%r, 0] [1, 13] [1, 1]
      : memref<7x13xf32> to memref<13xf32, strided<[1], offset: ?>>
  func.return %view : memref<13xf32, strided<[1], offset: ?>>
}
""")
    X = random(13, 13)
    Y = np.empty((3, 4), np.float32)
    compiled.block(X, 2, 5, Y)
    np.testing.assert_array_equal(Y, X[2:5, 5:13:2])
    X = random(7, 13)
    row = compiled.row(X, 6)
    np.testing.assert_array_equal(row, X[6])
    assert not np.shares_memory(row, X)


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


ELEMENTWISE = """
func.func @scale(%X: memref<1024xf32>, %Y: memref<1024xf32> {ziggurat.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 1024 : index
  %k = arith.constant 3.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<1024xf32>
    %y = arith.mulf %x, %k : f32
    memref.store %y, %Y[%i] : memref<1024xf32>
  }
  func.return
}
"""


def test_elementwise_loop_is_vectorized_for_the_host():
    optimized = optimized_llvm_ir(parse_module(ELEMENTWISE))
    widths = [int(w) for w in re.findall(r"<(\d+) x float>", optimized)]
    assert widths, optimized
    if "+avx2" in llvm.get_host_cpu_features().flatten():
        assert max(widths) >= 8


def test_loop_annotations_become_loop_metadata():
    # Storing in reverse order is a loop loop-to-llvm does not vectorize itself: its
    # annotations go to LLVM as loop metadata.
    text = ELEMENTWISE.replace(
        "    memref.store %y, %Y[%i] : memref<1024xf32>\n  }",
        "    %c1023 = arith.constant 1023 : index\n"
        "    %r = arith.subi %c1023, %i : index\n"
        "    memref.store %y, %Y[%r] : memref<1024xf32>\n"
        "  } {loop.annotations = [#loop.unroll<4>, #loop.vectorize<8>]}",
    )
    ir = llvm_ir(parse_module(text))
    assert "!llvm.loop" in ir
    assert '!"llvm.loop.unroll.count", i32 4' in ir
    assert '!"llvm.loop.vectorize.width", i32 8' in ir
    # LLVM's O3 pipeline honours the width.
    assert set(re.findall(r"<(\d+) x float>", optimized_llvm_ir(parse_module(text)))) == {"8"}
    X = random(1024)
    np.testing.assert_allclose(compile_text(text).scale(X)[0], 3 * X[::-1])


def test_shared_memory_is_an_error_on_the_cpu():
    text = """
func.func @f() {
  %t = memref.alloc() : memref<8xf32, #loop.scope<shared>>
  func.return
}
"""
    with pytest.raises(ZigguratError, match=r"<input>:3:8: error: .*shared.* CPU"):
        compile_text(text)


# Parallel loops: the thread pool --------------------------------------------------------------

STRIDED_SCALE = """
func.func @scale(%X: memref<?xf32>, %Y: memref<?xf32>, %lb: index, %ub: index, %step: index) {
  %two = arith.constant 2.0 : f32
  scf.for %i = %lb to %ub step %step {
    %x = memref.load %X[%i] : memref<?xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %Y[%i] : memref<?xf32>
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""


@pytest.fixture
def restore_threads():
    before = threads.num_threads()
    yield
    threads.set_num_threads(before)


@pytest.fixture(scope="module")
def strided_scale():
    return compile_text(STRIDED_SCALE)


@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize(
    "lb,ub,step", [(0, 0, 1), (0, 1, 1), (0, 2, 1), (1, 4, 1), (0, 13, 1), (3, 1001, 4), (5, 4, 1)]
)
def test_parallel_loop_runs_every_iteration_once(
    strided_scale, restore_threads, count, lb, ub, step
):
    threads.set_num_threads(count)
    X = random(1001)
    Y = np.full_like(X, -1.0)
    strided_scale.scale(X, Y, lb, ub, step)
    expected = np.full_like(X, -1.0)
    expected[lb:ub:step] = 2 * X[lb:ub:step]
    np.testing.assert_array_equal(Y, expected)


# Iteration i raises flag i, then waits (a bounded number of sched_yield calls) for the other
# iteration's flag and records whether it came: both can see it only if the two iterations
# run at the same time, on two threads.
HANDSHAKE = """
func.func private @sched_yield() -> i32

func.func @handshake(%flags: memref<2xi32>, %seen: memref<2xi32>, %limit: i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %start = arith.constant 0 : i64
  %step = arith.constant 1 : i64
  scf.for %i = %c0 to %c2 step %c1 {
    memref.store %one, %flags[%i] : memref<2xi32>
    %other = arith.subi %c1, %i : index
    %waited = scf.while (%n = %start) : (i64) -> i64 {
      %y = func.call @sched_yield() : () -> i32
      %f = memref.load %flags[%other] : memref<2xi32>
      %unset = arith.cmpi eq, %f, %zero : i32
      %more = arith.cmpi slt, %n, %limit : i64
      %go = arith.andi %unset, %more : i1
      scf.condition(%go) %n : i64
    } do {
    ^bb0(%m: i64):
      %next = arith.addi %m, %step : i64
      scf.yield %next : i64
    }
    %came = arith.cmpi slt, %waited, %limit : i64
    %came_i32 = arith.extui %came : i1 to i32
    memref.store %came_i32, %seen[%i] : memref<2xi32>
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""


def test_parallel_iterations_run_at_the_same_time(restore_threads):
    compiled = compile_text(HANDSHAKE)
    threads.set_num_threads(2)
    for _ in range(3):
        flags, seen = np.zeros(2, np.int32), np.zeros(2, np.int32)
        compiled.handshake(flags, seen, 10_000_000)
        assert list(seen) == [1, 1]
    # On one thread the first iteration gives up waiting.
    threads.set_num_threads(1)
    flags, seen = np.zeros(2, np.int32), np.zeros(2, np.int32)
    compiled.handshake(flags, seen, 1000)
    assert list(seen) == [0, 1]


WAIT_FOR_PYTHON = """
func.func private @sched_yield() -> i32

func.func @wait(%flag: memref<1xi32>, %started: memref<1xi32>, %limit: i64) -> i1 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %start = arith.constant 0 : i64
  %step = arith.constant 1 : i64
  memref.store %one, %started[%c0] : memref<1xi32>
  %waited = scf.while (%n = %start) : (i64) -> i64 {
    %y = func.call @sched_yield() : () -> i32
    %f = memref.load %flag[%c0] : memref<1xi32>
    %unset = arith.cmpi eq, %f, %zero : i32
    %more = arith.cmpi slt, %n, %limit : i64
    %go = arith.andi %unset, %more : i1
    scf.condition(%go) %n : i64
  } do {
  ^bb0(%m: i64):
    %next = arith.addi %m, %step : i64
    scf.yield %next : i64
  }
  %came = arith.cmpi slt, %waited, %limit : i64
  func.return %came : i1
}
"""


def test_a_running_kernel_releases_the_gil():
    compiled = compile_text(WAIT_FOR_PYTHON)
    flag, started = np.zeros(1, np.int32), np.zeros(1, np.int32)
    result: list[bool] = []
    worker = threading.Thread(target=lambda: result.append(compiled.wait(flag, started, 10**8)))
    worker.start()
    # Python runs here while the kernel waits: it sets the flag the kernel waits for.
    deadline = time.monotonic() + 30
    while not started[0] and time.monotonic() < deadline:
        time.sleep(0.001)
    flag[0] = 1
    worker.join()
    assert result == [True]


def test_parallel_kernels_called_from_several_python_threads(strided_scale, restore_threads):
    threads.set_num_threads(2)
    failures: list[int] = []

    def run(seed: int) -> None:
        X = random(777, seed=seed)
        for _ in range(50):
            Y = np.zeros_like(X)
            strided_scale.scale(X, Y, 0, 777, 1)
            if not np.array_equal(Y, 2 * X):
                failures.append(seed)

    callers = [threading.Thread(target=run, args=(seed,)) for seed in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert failures == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_its_own_workers(strided_scale, restore_threads):
    threads.set_num_threads(2)
    X = random(1000)
    Y = np.zeros_like(X)
    strided_scale.scale(X, Y, 0, 1000, 1)  # the parent's workers run
    child = os.fork()
    if child == 0:
        Y[:] = 0
        strided_scale.scale(X, Y, 0, 1000, 1)
        os._exit(0 if np.array_equal(Y, 2 * X) else 1)
    deadline = time.monotonic() + 60
    while (status := os.waitpid(child, os.WNOHANG)) == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    if status == (0, 0):
        os.kill(child, 9)
        os.waitpid(child, 0)
        pytest.fail("the forked child hung in a parallel loop")
    assert os.waitstatus_to_exitcode(status[1]) == 0


def test_number_of_threads_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ZIGGURAT_NUM_THREADS", "3")
    assert threads.default_num_threads() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("ZIGGURAT_NUM_THREADS", bad)
        with pytest.raises(ZigguratError, match="ZIGGURAT_NUM_THREADS must be a positive"):
            threads.default_num_threads()
    with pytest.raises(ZigguratError, match="must be positive"):
        threads.set_num_threads(0)


# Vectorized loops ----------------------------------------------------------------------------

VECTORIZED = """
func.func @relu_axpy(%a: f32, %X: memref<?xf32>, %Y: memref<?xf32>, %Z: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %Z, %c0 : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %shifted = arith.addi %i, %c3 : index
    %x = memref.load %X[%shifted] : memref<?xf32>
    %y = memref.load %Y[%i] : memref<?xf32>
    %p = arith.mulf %a, %x : f32
    %s = arith.addf %p, %y : f32
    %r = arith.maximumf %s, %zero : f32
    memref.store %r, %Z[%i] : memref<?xf32>
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return
}

func.func @sum_and_max(%X: memref<?xf32>) -> (f32, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -1.0e30 : f32
  %n = memref.dim %X, %c0 : memref<?xf32>
  %s, %m = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero, %top = %low) -> (f32, f32) {
    %x = memref.load %X[%i] : memref<?xf32>
    %t = arith.addf %acc, %x : f32
    %u = arith.maximumf %x, %top : f32
    scf.yield %t, %u : f32, f32
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return %s, %m : f32, f32
}

func.func @integer_sum(%X: memref<?xi32>, %start: i32) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %X, %c0 : memref<?xi32>
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %start) -> (i32) {
    %x = memref.load %X[%i] : memref<?xi32>
    %t = arith.addi %acc, %x : i32
    scf.yield %t : i32
  } {loop.annotations = [#loop.vectorize<8>]}
  func.return %s : i32
}
"""


@pytest.fixture(scope="module")
def vectorized():
    return compile_text(VECTORIZED)


@pytest.mark.parametrize("n", [0, 1, 15, 16, 17, 33, 1000])
def test_vectorized_loops_match_numpy(vectorized, n: int):
    X, Y = random(n + 3), random(n, seed=1)
    Z = np.empty(n, np.float32)
    vectorized.relu_axpy(np.float32(1.5), X, Y, Z)
    np.testing.assert_allclose(Z, np.maximum(1.5 * X[3:] + Y, 0), rtol=1e-6, atol=1e-6)
    total, top = vectorized.sum_and_max(X)
    np.testing.assert_allclose(total, X.sum(dtype=np.float64), rtol=1e-5, atol=1e-5)
    assert top == X.max()
    integers = np.random.default_rng(n).integers(-1000, 1000, n, dtype=np.int32)
    assert vectorized.integer_sum(integers, 7) == int(integers.sum()) + 7


def test_vectorized_loops_use_vector_instructions(vectorized):
    optimized = vectorized.optimized_ir
    assert "<16 x float>" in optimized
    assert "@llvm.vector.reduce.fadd.v16f32" in optimized
    assert "<8 x i32>" in optimized


def static_sum_and_relu(n: int) -> str:
    return f"""
func.func @sum_relu(%X: memref<{n}xf32>, %Y: memref<{n}xf32>) -> f32 {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant {n} : index
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %cn step %c1 iter_args(%acc = %zero) -> (f32) {{
    %x = memref.load %X[%i] : memref<{n}xf32>
    %positive = arith.cmpf ogt, %x, %zero : f32
    %r = arith.select %positive, %x, %zero : f32
    memref.store %r, %Y[%i] : memref<{n}xf32>
    %t = arith.addf %acc, %x : f32
    scf.yield %t : f32
  }} {{loop.annotations = [#loop.vectorize<16>]}}
  func.return %s : f32
}}"""


@pytest.mark.parametrize("n", [3, 4, 12, 29, 31, 45, 64])
def test_a_known_rest_runs_in_narrower_vectors(n: int):
    # (Comparisons of vectors give vectors of i1.)
    compiled = compile_text(static_sum_and_relu(n))
    X = random(n, seed=n)
    Y = np.empty(n, np.float32)
    total = compiled.sum_relu(X, Y)
    np.testing.assert_allclose(total, X.sum(dtype=np.float64), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(Y, np.maximum(X, 0))
    widths = {16: n >= 16, 8: n % 16 >= 8, 4: n % 8 >= 4}
    for width, used in widths.items():
        assert (f"<{width} x float>" in compiled.optimized_ir) == used, width


def exp_loop(n: int, vectorize: bool) -> str:
    annotation = " {loop.annotations = [#loop.vectorize<16>]}" if vectorize else ""
    return f"""
func.func @exp(%X: memref<{n}xf32>, %Y: memref<{n}xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant {n} : index
  scf.for %i = %c0 to %cn step %c1 {{
    %x = memref.load %X[%i] : memref<{n}xf32>
    %e = math.exp %x : f32
    memref.store %e, %Y[%i] : memref<{n}xf32>
  }}{annotation}
  func.return
}}"""


@pytest.mark.parametrize("vectorize", [True, False])
def test_exp_is_within_two_ulp_and_keeps_its_special_values(vectorize: bool):
    special = [0.0, -0.0, 1e-30, 1.0, -1.0, 88.7, 88.73, 89.0, -87.3, -95.0, -103.9, -104.0]
    special += [np.inf, -np.inf, np.nan]
    x = np.concatenate([random(4096 - len(special)) * 60, np.array(special)]).astype(np.float32)
    compiled = compile_text(exp_loop(len(x), vectorize))
    assert "expf" not in compiled.optimized_ir  # arithmetic, not a libm call per lane
    y = np.empty_like(x)
    compiled.exp(x, y)
    exact = np.exp(x.astype(np.float64))
    normal = (exact >= np.finfo(np.float32).tiny) & (exact <= np.finfo(np.float32).max)
    relative = np.abs(y[normal] - exact[normal]) / exact[normal]
    assert relative.max() < 2 * np.finfo(np.float32).eps  # 2 ulp
    tiny = ~normal & (exact < 1)  # subnormal or 0
    np.testing.assert_allclose(y[tiny], exact[tiny], rtol=0, atol=2e-45)
    assert np.all(np.isposinf(y[exact > np.finfo(np.float32).max]))
    assert np.isnan(y[-1]) and y[-2] == 0.0 and y[-3] == np.inf


@pytest.mark.parametrize("columns", [3, 14, 16, 29])
def test_a_tile_written_back_across_its_layout_gathers(columns: int):
    # tile[x][f] -> out[f][x] through bias and relu, x in vector lanes.
    text = f"""
func.func @back(%T: memref<{columns}x16xf32>, %b: memref<16xf32>, %O: memref<16x{columns}xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cx = arith.constant {columns} : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  scf.for %f = %c0 to %c16 step %c1 {{
    scf.for %x = %c0 to %cx step %c1 {{
      %t = memref.load %T[%x, %f] : memref<{columns}x16xf32>
      %bias = memref.load %b[%f] : memref<16xf32>
      %s = arith.addf %t, %bias : f32
      %r = arith.maximumf %s, %zero : f32
      memref.store %r, %O[%f, %x] : memref<16x{columns}xf32>
    }} {{loop.annotations = [#loop.vectorize<16>]}}
  }}
  func.return
}}"""
    compiled = compile_text(text)
    tile, bias = random(columns, 16, seed=columns), random(16, seed=1)
    out = np.zeros((16, columns), np.float32)
    compiled.back(tile, bias, out)
    np.testing.assert_array_equal(out, np.maximum(tile.T + bias[:, None], 0))
    if columns >= 4:
        assert "x float>" in compiled.optimized_ir


# The hand-scheduled kernels of benchmarks/kernels.py, at small shapes -------------------------


@pytest.fixture(scope="module")
def kernels():
    folder = Path(__file__).parents[3] / "benchmarks"
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(folder))  # the script imports its sibling workers.py
        return load_script(folder)


def load_script(folder: Path):
    spec = importlib.util.spec_from_file_location("benchmark_kernels", folder / "kernels.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("count", [1, 2, 3])
def test_tiled_matmul_and_dense_match_numpy(kernels, restore_threads, count: int):
    threads.set_num_threads(count)
    A, B, bias = random(24, 37), random(37, 96, seed=1), random(96, seed=2)
    (C,) = compile_text(kernels.gemm_ir(24, 96, 37)).gemm(A, B)
    np.testing.assert_allclose(C, A @ B, rtol=1e-4, atol=1e-4)
    (D,) = compile_text(kernels.gemm_ir(24, 96, 37, bias_relu=True)).gemm(A, B, bias)
    np.testing.assert_allclose(D, np.maximum(A @ B + bias, 0), rtol=1e-4, atol=1e-4)


def test_tiled_matmul_keeps_its_register_tile_in_registers(kernels):
    optimized = compile_text(kernels.gemm_ir(8, 32, 64)).optimized_ir
    # Local buffers are on the stack, and the 8x32 tile is not even there: only the 64x32
    # panel of B is.
    assert "aligned_alloc" not in optimized
    assert re.findall(r"alloca \[(\d+) x float\]", optimized) == ["2048"]
    assert "<16 x float>" in optimized


def test_packed_conv2d_matches_numpy(kernels, restore_threads):
    threads.set_num_threads(2)
    image, weights = random(1, 16, 5, 7), random(32, 16, 3, 3, seed=1)
    (out,) = compile_text(kernels.conv2d_ir(16, 5, 7, 32, columns=7)).conv2d(image, weights)
    padded = np.pad(image[0], ((0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
    expected = np.einsum("chwij,fcij->fhw", windows, weights)
    np.testing.assert_allclose(out[0], expected, rtol=1e-4, atol=1e-4)


VECTOR_OPS = """
func.func @dot_max(%X: memref<16xf32>, %Y: memref<16xf32>, %Z: memref<16xf32>) -> (f32, f32) {
  %c0 = arith.constant 0 : index
  %two = arith.constant 2.0 : f32
  %x = vector.load %X[%c0] : memref<16xf32>, vector<16xf32>
  %y = vector.load %Y[%c0] : memref<16xf32>, vector<16xf32>
  %t = vector.broadcast %two : f32 to vector<16xf32>
  %f = vector.fma %x, %y, %t : vector<16xf32>
  vector.store %f, %Z[%c0] : memref<16xf32>, vector<16xf32>
  %m = vector.reduction <maxnumf>, %f : vector<16xf32> into f32
  %s = vector.reduction <add>, %f, %two : vector<16xf32> into f32
  func.return %m, %s : f32, f32
}
"""


def test_vector_ops_written_by_hand():
    X, Y = random(16), random(16, seed=1)
    Z = np.empty(16, np.float32)
    top, total = compile_text(VECTOR_OPS).dot_max(X, Y, Z)
    np.testing.assert_allclose(Z, X * Y + 2, rtol=1e-6)
    assert top == Z.max()
    np.testing.assert_allclose(total, Z.sum(dtype=np.float64) + 2, rtol=1e-5)


def test_vectorized_loop_over_booleans_keeps_one_byte_each():
    text = """
func.func @negate(%X: memref<?xi1>, %Y: memref<?xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %true = arith.constant true
  %n = memref.dim %X, %c0 : memref<?xi1>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<?xi1>
    %y = arith.xori %x, %true : i1
    memref.store %y, %Y[%i] : memref<?xi1>
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return
}
"""
    X = np.random.default_rng(0).integers(0, 2, 37).astype(np.bool_)
    Y = np.zeros_like(X)
    compile_text(text).negate(X, Y)
    np.testing.assert_array_equal(Y, ~X)


def test_vectorized_loops_with_math_functions():
    # exp is an LLVM intrinsic on vectors too; erf is a libm call, so its loop is left to LLVM.
    text = """
func.func @gelu_parts(%X: memref<?xf32>, %E: memref<?xf32>, %R: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %X, %c0 : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<?xf32>
    %e = math.exp %x : f32
    memref.store %e, %E[%i] : memref<?xf32>
  } {loop.annotations = [#loop.vectorize<16>]}
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<?xf32>
    %r = math.erf %x : f32
    memref.store %r, %R[%i] : memref<?xf32>
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return
}
"""
    X = random(21)
    E, R = np.empty_like(X), np.empty_like(X)
    compiled = compile_text(text)
    compiled.gelu_parts(X, E, R)
    np.testing.assert_allclose(E, np.exp(X), rtol=1e-6)
    np.testing.assert_allclose(R, [math.erf(x) for x in X], rtol=1e-5, atol=1e-6)
    assert "<16 x float>" in compiled.optimized_ir


def test_each_thread_has_its_own_local_buffers(restore_threads):
    # Every iteration fills a 200 KB local buffer with its own number and reads it back: a
    # buffer shared between threads would mix numbers.
    text = """
func.func @fill(%out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %size = arith.constant 50000 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %buffer = memref.alloc() : memref<50000xf32, #loop.scope<local>>
    %i32 = arith.index_cast %i : index to i32
    %value = arith.sitofp %i32 : i32 to f32
    scf.for %j = %c0 to %size step %c1 {
      memref.store %value, %buffer[%j] : memref<50000xf32, #loop.scope<local>>
    }
    %total = scf.for %j = %c0 to %size step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %buffer[%j] : memref<50000xf32, #loop.scope<local>>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %total, %out[%i] : memref<64xf32>
    memref.dealloc %buffer : memref<50000xf32, #loop.scope<local>>
  } {loop.annotations = [#loop.parallel]}
  func.return
}
"""
    compiled = compile_text(text)
    threads.set_num_threads(3)
    for _ in range(3):
        out = np.zeros(64, np.float32)
        compiled.fill(out)
        np.testing.assert_array_equal(out, np.arange(64, dtype=np.float32) * 50000)
