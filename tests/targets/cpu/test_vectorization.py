"""Vectorized loops on the CPU: loops annotated `#loop.vectorize` (and those LLVM vectorizes
itself) match numpy and use vector instructions of the host's width, with narrower vectors
for a known rest, exp within 2 ulp, booleans a byte each, and vector ops written by hand."""

from __future__ import annotations

import math
import re

import llvmlite.binding as llvm
import numpy as np
import pytest
from testing_cpu import compile_text, random

from ziggurat.ir_io import parse_module
from ziggurat.targets.cpu import llvm_ir, optimized_llvm_ir

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


@pytest.mark.parametrize("columns", [1, 3, 4, 13, 16, 29])
@pytest.mark.parametrize("offset", [0, 1])
def test_every_other_pixel_is_deinterleaved(columns: int, offset: int):
    # out[x] = row[2x + offset] + 2 * rows[2x][offset]: a stride-2 pool's row (two vector
    # loads shuffled; the second ends at the last lane's pixel, so a row that ends there
    # is not read past) and a doubled index along rows (gathered).
    width = 2 * columns - 1 + offset
    text = f"""
func.func @every_other(%R: memref<{width}xf32>, %M: memref<{2 * columns}x2xf32>, %O: memref<{columns}xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %cx = arith.constant {columns} : index
  %offset = arith.constant {offset} : index
  %two = arith.constant 2.0 : f32
  scf.for %x = %c0 to %cx step %c1 {{
    %d = arith.muli %x, %c2 : index
    %i = arith.addi %d, %offset : index
    %a = memref.load %R[%i] : memref<{width}xf32>
    %j = arith.muli %c2, %x : index
    %b = memref.load %M[%j, %offset] : memref<{2 * columns}x2xf32>
    %t = arith.mulf %two, %b : f32
    %s = arith.addf %a, %t : f32
    memref.store %s, %O[%x] : memref<{columns}xf32>
  }} {{loop.annotations = [#loop.vectorize<16>]}}
  func.return
}}"""
    compiled = compile_text(text)
    row, rows = random(width, seed=columns), random(2 * columns, 2, seed=offset)
    out = np.zeros(columns, np.float32)
    compiled.every_other(row, rows, out)
    np.testing.assert_array_equal(out, row[offset::2] + 2 * rows[::2, offset])
    if columns >= 4:
        assert "shufflevector" in compiled.optimized_ir


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
