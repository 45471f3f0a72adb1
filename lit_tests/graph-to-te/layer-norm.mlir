// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Layer normalization is four computes: the sum over the normalized dimensions, the mean,
// the sum of squared deviations from the mean, and the normalized, scaled and shifted
// result. The reductions keep the normalized dimensions with extent 1.

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[S:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<3x4xf32>)
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  // CHECK: %[[SUM:.*]] = te.compute "layer_norm_sum" (%[[X]]) axes ["i0", "i1", "i2"] reduce sum ["r0" = 3, "r1" = 4] init 0.000000e+00 : f32 : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  // CHECK-NEXT: ^bb0(%[[I0:.*]]: index, %{{.*}}: index, %{{.*}}: index, %[[R0:.*]]: index, %[[R1:.*]]: index):
  // CHECK-NEXT: te.read %[[X]][%[[I0]], %[[R0]], %[[R1]]] : tensor<2x3x4xf32>
  // CHECK: %[[MEAN:.*]] = te.compute "layer_norm_mean" (%[[SUM]])
  // CHECK: arith.constant 1.200000e+01 : f32
  // CHECK-NEXT: arith.divf
  // CHECK: %[[SQUARES:.*]] = te.compute "layer_norm_square_sum" (%[[X]], %[[MEAN]]) axes ["i0", "i1", "i2"] reduce sum ["r0" = 3, "r1" = 4]
  // CHECK: %[[D:.*]] = arith.subf
  // CHECK-NEXT: arith.mulf %[[D]], %[[D]] : f32
  // CHECK: %[[Y:.*]] = te.compute "layer_norm" (%[[X]], %[[MEAN]], %[[SQUARES]], %[[S]], %[[B]]) axes ["i0", "i1", "i2"] : (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  // CHECK-NEXT: ^bb0(%[[J0:.*]]: index, %[[J1:.*]]: index, %[[J2:.*]]: index):
  // CHECK: arith.constant 1.000000e-05 : f32
  // CHECK: math.sqrt
  // CHECK: te.read %[[S]][%[[J2]]] : tensor<4xf32>
  // CHECK: te.read %[[B]][%[[J1]], %[[J2]]] : tensor<3x4xf32>
  // CHECK-NEXT: arith.addf
  // CHECK: func.return %[[Y]]
  %y = graph.layer_norm %x, %s, %b axis 1 : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  func.return %y : tensor<2x3x4xf32>
}

// Without a bias the result is the scaled deviation.

// CHECK-LABEL: func.func @no_bias
func.func @no_bias(%x: tensor<7xf32>, %s: tensor<7xf32>) -> tensor<7xf32> {
  // CHECK: te.compute "layer_norm" (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) axes ["i0"]
  // CHECK: %[[Y:.*]] = arith.mulf
  // CHECK-NEXT: te.yield %[[Y]] : f32
  %y = graph.layer_norm %x, %s axis 0 : (tensor<7xf32>, tensor<7xf32>) -> tensor<7xf32>
  func.return %y : tensor<7xf32>
}
