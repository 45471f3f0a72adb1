// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// LLVM intrinsics where LLVM has one, libm where it has none.

// CHECK-DAG: llvm.func @erff(f32) -> f32
// CHECK-LABEL: llvm.func @math
// CHECK: %[[E:.*]] = llvm.call_intrinsic "llvm.exp.f32"(%{{.*}}) : (f32) -> f32
// CHECK: %[[T:.*]] = llvm.call_intrinsic "llvm.tanh.f32"(%[[E]]) : (f32) -> f32
// CHECK: %[[R:.*]] = llvm.call @erff(%[[T]]) : (f32) -> f32
// CHECK: %[[S:.*]] = llvm.call_intrinsic "llvm.sqrt.f32"(%[[R]]) : (f32) -> f32
// CHECK: llvm.fdiv %{{.*}}, %[[S]] : f32
// CHECK: llvm.call_intrinsic "llvm.fma.v8f32"
func.func @math(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>) {
  %e = math.exp %x : f32
  %t = math.tanh %e : f32
  %r = math.erf %t : f32
  %s = math.rsqrt %r : f32
  %f = math.fma %v, %v, %v : vector<8xf32>
  func.return %s, %f : f32, vector<8xf32>
}
