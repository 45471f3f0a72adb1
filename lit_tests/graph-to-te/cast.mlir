// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A cast reads an element and converts it with the one arith conversion numpy's astype
// means: floats widen or round, floats truncate toward zero into integers, integers
// sign-extend or wrap, and a boolean is a comparison with zero (or a zero-extension back).

// CHECK-LABEL: func.func @casts
func.func @casts(%x: tensor<4xf32>, %n: tensor<4xi64>) -> (tensor<4xi32>, tensor<4xf16>, tensor<4xf64>, tensor<4xf32>, tensor<4xi32>, tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xi64>) {
  // CHECK: te.compute "cast" (%{{.*}}) axes ["i0"] : (tensor<4xf32>) -> tensor<4xi32> {
  // CHECK: arith.fptosi %{{.*}} : f32 to i32
  %a = graph.cast %x : (tensor<4xf32>) -> tensor<4xi32>
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %b = graph.cast %x : (tensor<4xf32>) -> tensor<4xf16>
  // CHECK: arith.extf %{{.*}} : f32 to f64
  %c = graph.cast %x : (tensor<4xf32>) -> tensor<4xf64>
  // CHECK: arith.sitofp %{{.*}} : i64 to f32
  %d = graph.cast %n : (tensor<4xi64>) -> tensor<4xf32>
  // CHECK: arith.trunci %{{.*}} : i64 to i32
  %e = graph.cast %n : (tensor<4xi64>) -> tensor<4xi32>
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: arith.cmpf une, %{{.*}}, %[[ZERO]] : f32
  %f = graph.cast %x : (tensor<4xf32>) -> tensor<4xi1>
  // CHECK: %[[IZERO:.*]] = arith.constant 0 : i64
  // CHECK-NEXT: arith.cmpi ne, %{{.*}}, %[[IZERO]] : i64
  %g = graph.cast %n : (tensor<4xi64>) -> tensor<4xi1>
  // CHECK: arith.uitofp %{{.*}} : i1 to f32
  %h = graph.cast %g : (tensor<4xi1>) -> tensor<4xf32>
  // CHECK: arith.extui %{{.*}} : i1 to i64
  %i = graph.cast %f : (tensor<4xi1>) -> tensor<4xi64>
  func.return %a, %b, %c, %d, %e, %f, %g, %h, %i : tensor<4xi32>, tensor<4xf16>, tensor<4xf64>, tensor<4xf32>, tensor<4xi32>, tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xi64>
}

// A cast to the same type reads the element as it is.

// CHECK-LABEL: func.func @same
func.func @same(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[V:.*]] = te.read
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.cast %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// f64 to f16 rounds to odd in f32 first (nearest toward zero, last bit set when inexact),
// so that the final rounding to f16 is the only one, as numpy's.

// CHECK-LABEL: func.func @f64_to_f16
func.func @f64_to_f16(%x: tensor<4xf64>) -> tensor<4xf16> {
  // CHECK: %[[V:.*]] = te.read
  // CHECK-NEXT: %[[NEAREST:.*]] = arith.truncf %[[V]] : f64 to f32
  // CHECK-NEXT: %[[BACK:.*]] = arith.extf %[[NEAREST]] : f32 to f64
  // CHECK-NEXT: %[[INEXACT:.*]] = arith.cmpf one, %[[BACK]], %[[V]] : f64
  // CHECK: %[[BITS:.*]] = arith.bitcast %[[NEAREST]] : f32 to i32
  // CHECK: arith.subi %[[BITS]]
  // CHECK: arith.ori
  // CHECK: %[[ODD:.*]] = arith.bitcast %{{.*}} : i32 to f32
  // CHECK-NEXT: %[[Y:.*]] = arith.truncf %[[ODD]] : f32 to f16
  // CHECK-NEXT: te.yield %[[Y]] : f16
  %y = graph.cast %x : (tensor<4xf64>) -> tensor<4xf16>
  func.return %y : tensor<4xf16>
}
