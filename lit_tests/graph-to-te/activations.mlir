// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// The activations and unary functions ONNX models use besides the core ones: each is one
// elementwise compute of arith and math ops on the element it reads.

// CHECK-LABEL: func.func @functions
func.func @functions(%x: tensor<7xf32>) -> (tensor<7xf32>, tensor<7xf32>, tensor<7xf32>, tensor<7xf32>, tensor<7xf32>) {
  // CHECK: te.compute "erf"
  // CHECK: %[[ERF:.*]] = math.erf %{{.*}} : f32
  // CHECK-NEXT: te.yield %[[ERF]] : f32
  %erf = graph.erf %x : tensor<7xf32>
  // CHECK: te.compute "neg"
  // CHECK: arith.negf
  %neg = graph.neg %x : tensor<7xf32>
  // CHECK: te.compute "abs"
  // CHECK: math.absf
  %abs = graph.abs %x : tensor<7xf32>
  // CHECK: te.compute "log"
  // CHECK: math.log
  %log = graph.log %x : tensor<7xf32>
  // CHECK: te.compute "reciprocal"
  // CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
  // CHECK-NEXT: arith.divf %[[ONE]], %{{.*}} : f32
  %reciprocal = graph.reciprocal %x : tensor<7xf32>
  func.return %erf, %neg, %abs, %log, %reciprocal : tensor<7xf32>, tensor<7xf32>, tensor<7xf32>, tensor<7xf32>, tensor<7xf32>
}

// libm has no half-precision erf: f16 is widened to f32 around it.

// CHECK-LABEL: func.func @erf_f16
func.func @erf_f16(%x: tensor<7xf16>) -> tensor<7xf16> {
  // CHECK: %[[V:.*]] = te.read %{{.*}}[%{{.*}}] : tensor<7xf16>
  // CHECK-NEXT: %[[W:.*]] = arith.extf %[[V]] : f16 to f32
  // CHECK-NEXT: %[[E:.*]] = math.erf %[[W]] : f32
  // CHECK-NEXT: %[[N:.*]] = arith.truncf %[[E]] : f32 to f16
  // CHECK-NEXT: te.yield %[[N]] : f16
  %y = graph.erf %x : tensor<7xf16>
  func.return %y : tensor<7xf16>
}

// CHECK-LABEL: func.func @leaky_relu
func.func @leaky_relu(%x: tensor<7xf32>) -> tensor<7xf32> {
  // CHECK: %[[V:.*]] = te.read
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[POSITIVE:.*]] = arith.cmpf oge, %[[V]], %[[ZERO]] : f32
  // CHECK-NEXT: %[[ALPHA:.*]] = arith.constant 1.000000e-01 : f32
  // CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[V]], %[[ALPHA]] : f32
  // CHECK-NEXT: %[[Y:.*]] = arith.select %[[POSITIVE]], %[[V]], %[[SCALED]] : f32
  // CHECK-NEXT: te.yield %[[Y]] : f32
  %y = graph.leaky_relu %x alpha 0.1 : tensor<7xf32>
  func.return %y : tensor<7xf32>
}

// Clip is maximumf with the lower bound, then minimumf with the upper one; a missing bound
// emits nothing.

// CHECK-LABEL: func.func @clip
func.func @clip(%x: tensor<7xf32>) -> (tensor<7xf32>, tensor<7xf32>) {
  // CHECK: %[[V:.*]] = te.read
  // CHECK-NEXT: %[[LOW:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[A:.*]] = arith.maximumf %[[V]], %[[LOW]] : f32
  // CHECK-NEXT: %[[HIGH:.*]] = arith.constant 6.000000e+00 : f32
  // CHECK-NEXT: %[[B:.*]] = arith.minimumf %[[A]], %[[HIGH]] : f32
  // CHECK-NEXT: te.yield %[[B]] : f32
  %relu6 = graph.clip %x min 0.0 max 6.0 : tensor<7xf32>
  // CHECK: %[[W:.*]] = te.read
  // CHECK-NEXT: %[[HIGH2:.*]] = arith.constant 1.000000e+00 : f32
  // CHECK-NEXT: %[[C:.*]] = arith.minimumf %[[W]], %[[HIGH2]] : f32
  // CHECK-NEXT: te.yield %[[C]] : f32
  %upper = graph.clip %x max 1.0 : tensor<7xf32>
  func.return %relu6, %upper : tensor<7xf32>, tensor<7xf32>
}
