// RUN: ziggurat-opt %s -p convert-math-to-libm,loop-to-llvm | filecheck %s

// LLVM intrinsics where LLVM has one, libm where it has none (an f32 exp is expanded into
// arithmetic first: exp.mlir).

// CHECK-DAG: llvm.func @erff(f32) -> f32
// CHECK-LABEL: llvm.func @math
// CHECK: %[[E:.*]] = llvm.call_intrinsic "llvm.exp.f64"(%{{.*}}) : (f64) -> f64
// CHECK: %[[T:.*]] = llvm.call_intrinsic "llvm.tanh.f32"(%{{.*}}) : (f32) -> f32
// CHECK: %[[R:.*]] = llvm.call @erff(%[[T]]) : (f32) -> f32
// CHECK: %[[S:.*]] = llvm.call_intrinsic "llvm.sqrt.f32"(%[[R]]) : (f32) -> f32
// CHECK: llvm.fdiv %{{.*}}, %[[S]] : f32
// CHECK: llvm.call_intrinsic "llvm.fma.v8f32"
func.func @math(%x: f32, %d: f64, %v: vector<8xf32>) -> (f32, f64, vector<8xf32>) {
  %e = math.exp %d : f64
  %t = math.tanh %x : f32
  %r = math.erf %t : f32
  %s = math.rsqrt %r : f32
  %f = math.fma %v, %v, %v : vector<8xf32>
  func.return %s, %e, %f : f32, f64, vector<8xf32>
}
