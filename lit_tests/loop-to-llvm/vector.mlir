// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// 1-D vector ops written by hand: an FMA is LLVM's fma intrinsic, a reduction LLVM's
// vector.reduce intrinsic, with the accumulator folded in by the scalar operation (fadd and
// fmul take it as their start value instead).

// CHECK-LABEL: llvm.func @fma_max(
// CHECK: %[[F:.*]] = llvm.call_intrinsic "llvm.fma.v8f32"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: %[[M:.*]] = llvm.call_intrinsic "llvm.vector.reduce.fmax.v8f32"(%[[F]]) : (vector<8xf32>) -> f32
// CHECK: %[[R:.*]] = llvm.call_intrinsic "llvm.maxnum.f32"(%{{.*}}, %[[M]]) : (f32, f32) -> f32
// CHECK: llvm.return %[[R]] : f32
func.func @fma_max(%a: vector<8xf32>, %b: vector<8xf32>, %c: vector<8xf32>, %start: f32) -> f32 {
  %f = vector.fma %a, %b, %c : vector<8xf32>
  %m = vector.reduction <maxnumf>, %f, %start : vector<8xf32> into f32
  func.return %m : f32
}

// CHECK-LABEL: llvm.func @sum(
// CHECK: llvm.call_intrinsic "llvm.vector.reduce.fadd.v8f32"(%{{.*}}, %{{.*}}) {fastmathFlags = #llvm.fastmath<reassoc>} : (f32, vector<8xf32>) -> f32
// CHECK: %[[S:.*]] = llvm.call_intrinsic "llvm.vector.reduce.add.v4i32"(%{{.*}}) : (vector<4xi32>) -> i32
// CHECK: llvm.add %{{.*}}, %[[S]] : i32
func.func @sum(%a: vector<8xf32>, %i: vector<4xi32>, %start: f32, %n: i32) -> (f32, i32) {
  %s = vector.reduction <add>, %a, %start fastmath<reassoc> : vector<8xf32> into f32
  %t = vector.reduction <add>, %i, %n : vector<4xi32> into i32
  func.return %s, %t : f32, i32
}

// A shuffle of two vectors by a constant mask is LLVM's shufflevector.

// CHECK-LABEL: llvm.func @even_lanes(
// CHECK: %[[E:.*]] = llvm.shufflevector %{{.*}}, %{{.*}} [0, 2, 5, 7] : vector<4xf32>
// CHECK: llvm.return %[[E]] : vector<4xf32>
func.func @even_lanes(%a: vector<4xf32>, %b: vector<4xf32>) -> vector<4xf32> {
  %e = vector.shuffle %a, %b [0, 2, 5, 7] : vector<4xf32>, vector<4xf32>
  func.return %e : vector<4xf32>
}
