// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A sum over float16 accumulates in float32, as numpy's matmul and sum do: the body reads
// float16, extends and computes in float32, and a cast compute rounds the sums once.

// CHECK-LABEL: func.func @matmul_f16
// CHECK-SAME: (%[[A:.*]]: tensor<3x5xf16>, %[[B:.*]]: tensor<5x2xf16>)
func.func @matmul_f16(%a: tensor<3x5xf16>, %b: tensor<5x2xf16>) -> tensor<3x2xf16> {
  // CHECK: %[[S:.*]] = te.compute "matmul" (%[[A]], %[[B]]) axes ["i", "j"] reduce sum ["k" = 5] init 0.000000e+00 : f32 : (tensor<3x5xf16>, tensor<5x2xf16>) -> tensor<3x2xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: %[[X:.*]] = te.read %[[A]][%[[I]], %[[K]]] : tensor<3x5xf16>
  // CHECK-NEXT: %[[XW:.*]] = arith.extf %[[X]] : f16 to f32
  // CHECK-NEXT: %[[W:.*]] = te.read %[[B]][%[[K]], %[[J]]] : tensor<5x2xf16>
  // CHECK-NEXT: %[[WW:.*]] = arith.extf %[[W]] : f16 to f32
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[XW]], %[[WW]] : f32
  // CHECK-NEXT: te.yield %[[P]] : f32
  // CHECK: %[[Y:.*]] = te.compute "cast" (%[[S]]) axes ["i0", "i1"] : (tensor<3x2xf32>) -> tensor<3x2xf16> {
  // CHECK: %[[V:.*]] = te.read %[[S]]
  // CHECK-NEXT: %[[R:.*]] = arith.truncf %[[V]] : f32 to f16
  // CHECK-NEXT: te.yield %[[R]] : f16
  // CHECK: te.compute "relu" (%[[Y]])
  // CHECK: arith.maximumf %{{.*}}, %{{.*}} : f16
  %y = graph.matmul %a, %b : (tensor<3x5xf16>, tensor<5x2xf16>) -> tensor<3x2xf16>
  %z = graph.relu %y : tensor<3x2xf16>
  func.return %z : tensor<3x2xf16>
}

// Constants of the body widen with it (Gemm's alpha).

// CHECK-LABEL: func.func @dense_f16
func.func @dense_f16(%a: tensor<2x3xf16>, %b: tensor<3x4xf16>) -> tensor<2x4xf16> {
  // CHECK: te.compute "dense" {{.*}} -> tensor<2x4xf32>
  // CHECK: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
  // CHECK-NEXT: arith.mulf %{{.*}}, %[[ALPHA]] : f32
  // CHECK: te.compute "cast" {{.*}} -> tensor<2x4xf16>
  %y = graph.dense %a, %b alpha 0.5 : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16>
  func.return %y : tensor<2x4xf16>
}

// Maxima, products and float32 sums are left as they are.

// CHECK-LABEL: func.func @others
func.func @others(%x: tensor<3x5xf16>, %f: tensor<3x5xf32>) -> (tensor<3xf16>, tensor<3xf16>, tensor<3xf32>) {
  // CHECK: te.compute "reduce_max" {{.*}} reduce max {{.*}} -> tensor<3xf16>
  // CHECK: te.compute "reduce_prod" {{.*}} reduce prod {{.*}} -> tensor<3xf16>
  // CHECK: te.compute "reduce_sum" {{.*}} reduce sum {{.*}} -> tensor<3xf32>
  // CHECK-NOT: te.compute "cast"
  %max = graph.reduce_max %x axes [1] : (tensor<3x5xf16>) -> tensor<3xf16>
  %prod = graph.reduce_prod %x axes [1] : (tensor<3x5xf16>) -> tensor<3xf16>
  %sum = graph.reduce_sum %f axes [1] : (tensor<3x5xf32>) -> tensor<3xf32>
  func.return %max, %prod, %sum : tensor<3xf16>, tensor<3xf16>, tensor<3xf32>
}
