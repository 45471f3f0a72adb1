// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Reductions name one reduce axis per reduced dimension; keepdims keeps it as an output
// axis of extent 1. A mean divides the sum by the element count.

// CHECK-LABEL: func.func @reduce_mean
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x5xf32>)
func.func @reduce_mean(%x: tensor<2x3x5xf32>) -> tensor<1x3x1xf32> {
  // CHECK: %[[SUM:.*]] = te.compute "reduce_mean_sum" (%[[X]]) axes ["i0", "i1", "i2"] reduce sum ["r0" = 2, "r1" = 5] init 0.000000e+00 : f32 : (tensor<2x3x5xf32>) -> tensor<1x3x1xf32> {
  // CHECK-NEXT: ^bb0(%{{.*}}: index, %[[I1:.*]]: index, %{{.*}}: index, %[[R0:.*]]: index, %[[R1:.*]]: index):
  // CHECK-NEXT: te.read %[[X]][%[[R0]], %[[I1]], %[[R1]]] : tensor<2x3x5xf32>
  // CHECK: %[[Y:.*]] = te.compute "reduce_mean" (%[[SUM]])
  // CHECK: arith.constant 1.000000e+01 : f32
  // CHECK: func.return %[[Y]]
  %y = graph.reduce_mean %x axes [0, 2] keepdims : (tensor<2x3x5xf32>) -> tensor<1x3x1xf32>
  func.return %y : tensor<1x3x1xf32>
}

// CHECK-LABEL: func.func @reduce_max
func.func @reduce_max(%x: tensor<7x13xf32>) -> tensor<7xf32> {
  // CHECK: te.compute "reduce_max" (%{{.*}}) axes ["i0"] reduce max ["r0" = 13] init 0xff800000 : f32 : (tensor<7x13xf32>) -> tensor<7xf32>
  %y = graph.reduce_max %x axes [-1] : (tensor<7x13xf32>) -> tensor<7xf32>
  func.return %y : tensor<7xf32>
}

// CHECK-LABEL: func.func @reduce_sum_all
func.func @reduce_sum_all(%x: tensor<7x13xf32>) -> tensor<f32> {
  // CHECK: te.compute "reduce_sum" (%{{.*}}) axes [] reduce sum ["r0" = 7, "r1" = 13] init 0.000000e+00 : f32 : (tensor<7x13xf32>) -> tensor<f32>
  %y = graph.reduce_sum %x axes [0, 1] : (tensor<7x13xf32>) -> tensor<f32>
  func.return %y : tensor<f32>
}
