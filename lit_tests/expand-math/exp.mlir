// RUN: ziggurat-opt %s -p expand-math,vectorize-loops,loop-to-llvm | filecheck %s

// An f32 exp is arithmetic, no libm call, so that a vector loop computes it in its lanes:
// x clamped, n = floor(x log2(e) + 1/2), a polynomial of r = x - n ln(2), times 2^n made
// from two exponent fields, then +inf above the range, 0 below it, NaN kept.

// CHECK-LABEL: llvm.func @exp(
// CHECK-NOT: llvm.exp
// CHECK: llvm.call_intrinsic "llvm.floor.v16f32"
// CHECK: llvm.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
// CHECK: llvm.ashr
// CHECK: llvm.shl
// CHECK: llvm.bitcast %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: llvm.fcmp "olt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: llvm.fcmp "ogt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: llvm.fcmp "uno" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT: llvm.exp
// CHECK: llvm.return
func.func @exp(%X: memref<64xf32>, %Y: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %x = memref.load %X[%i] : memref<64xf32>
    %e = math.exp %x : f32
    memref.store %e, %Y[%i] : memref<64xf32>
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return
}
