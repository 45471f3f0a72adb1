// RUN: ziggurat-opt %s -p expand-gpu-math | filecheck %s

// A GPU has no libm: log, tanh, erf, pow, sin, cos, log1p and expm1 become arithmetic
// (and math.exp, which expand-math expands); f16 is computed in f32.

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

// sin and cos: the multiple of pi/4 (an integer, its octant), then both polynomials,
// chosen by the octant; log1p and expm1 through log (its bitcast) and exp.

// CHECK-LABEL: func.func @trigonometry
// CHECK-NOT: math.sin
// CHECK: math.floor
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.andi
// CHECK: arith.cmpi sgt
// CHECK-NOT: math.cos
// CHECK: func.return
func.func @trigonometry(%x: f32) -> (f32, f32) {
  %s = math.sin %x : f32
  %c = math.cos %x : f32
  func.return %s, %c : f32, f32
}

// CHECK-LABEL: func.func @near_one
// CHECK-NOT: math.log1p
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: math.exp
// CHECK-NOT: math.expm1
// CHECK: func.return
func.func @near_one(%x: f32) -> (f32, f32) {
  %l = math.log1p %x : f32
  %e = math.expm1 %x : f32
  func.return %l, %e : f32, f32
}

// f64 exp, log and pow are expanded in f64 (exp scales by 2^n through the exponent's bits);
// an integral exponent's power is a product of squares.

// CHECK-LABEL: func.func @double
// CHECK-NOT: math.exp
// CHECK: arith.bitcast %{{.*}} : f64 to i64
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i64 to f64
// CHECK-NOT: math.log
// CHECK-NOT: math.powf
// CHECK: func.return
func.func @double(%x: f64, %y: f64) -> (f64, f64, f64) {
  %e = math.exp %x : f64
  %l = math.log %x : f64
  %p = math.powf %x, %y : f64
  func.return %e, %l, %p : f64, f64, f64
}
