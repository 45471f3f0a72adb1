// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// Float add, sub and mul may contract into FMAs: they get the `contract` flag besides their
// own. Division does not.

// CHECK-LABEL: llvm.func @multiply_add
// CHECK: %[[P:.*]] = llvm.fmul %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<contract>} : f32
// CHECK: %[[S:.*]] = llvm.fadd %{{.*}}, %[[P]] {fastmathFlags = #llvm.fastmath<contract>} : f32
// CHECK: %[[D:.*]] = llvm.fsub %[[S]], %{{.*}} {fastmathFlags = #llvm.fastmath<nnan,contract>} : f32
// CHECK: llvm.fdiv %[[D]], %{{.*}} : f32
func.func @multiply_add(%a: f32, %b: f32, %c: f32) -> f32 {
  %p = arith.mulf %a, %b : f32
  %s = arith.addf %c, %p : f32
  %d = arith.subf %s, %a fastmath<nnan> : f32
  %q = arith.divf %d, %b : f32
  func.return %q : f32
}
