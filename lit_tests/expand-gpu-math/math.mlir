// RUN: ziggurat-opt %s -p expand-gpu-math | filecheck %s

// A GPU has no libm: log, tanh, erf and pow become arithmetic (and math.exp, which
// expand-math expands); f16 is computed in f32.

// CHECK-LABEL: func.func @f32
// CHECK-NOT: math.log
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: math.exp
// CHECK: math.copysign
// CHECK: arith.divf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.powf
// CHECK: func.return
func.func @f32(%x: f32, %y: f32) -> (f32, f32, f32, f32) {
  %l = math.log %x : f32
  %t = math.tanh %x : f32
  %e = math.erf %x : f32
  %p = math.powf %x, %y : f32
  func.return %l, %t, %e, %p : f32, f32, f32, f32
}

// CHECK-LABEL: func.func @f16
// CHECK: %[[WIDE:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[E:.*]] = math.exp %[[WIDE]] : f32
// CHECK: arith.truncf %[[E]] : f32 to f16
func.func @f16(%x: f16) -> f16 {
  %e = math.exp %x : f16
  func.return %e : f16
}
