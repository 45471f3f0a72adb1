"""The CPU runtime's calling convention (targets/cpu/runtime.py): outputs allocated or
written in place, dynamic shapes and strided views, scalar and memref results, and wrong
arguments as errors naming the function and the argument."""

from __future__ import annotations

import math

import numpy as np
import pytest
from testing_cpu import SHAPES, compile_text, random

from ziggurat.diagnostics import ZigguratError


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (7, 13, 1), (13, 7, 7), (7, 1, 13)])
def test_matmul_allocates_outputs_or_writes_in_place(kernels, m: int, n: int, k: int):
    compiled = compile_text(kernels.matmul_ir(m, n, k))
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


def test_wrong_arguments_are_errors_naming_function_and_argument(kernels):
    compiled = compile_text(kernels.matmul_ir(7, 13, 5))
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
