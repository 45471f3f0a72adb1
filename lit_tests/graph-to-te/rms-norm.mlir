// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// RMS normalization is two computes: the sum of squares over the normalized dimensions (kept
// with extent 1), and x / sqrt(sum / count + epsilon) * scale.

// CHECK-LABEL: func.func @rms
// CHECK-SAME: (%[[X:.*]]: tensor<3x5xf32>, %[[S:.*]]: tensor<5xf32>)
func.func @rms(%x: tensor<3x5xf32>, %s: tensor<5xf32>) -> tensor<3x5xf32> {
  // CHECK: %[[SQUARES:.*]] = te.compute "rms_norm_square_sum" (%[[X]]) axes ["i0", "i1"] reduce sum ["r0" = 5] init 0.000000e+00 : f32 : (tensor<3x5xf32>) -> tensor<3x1xf32>
  // CHECK: te.compute "rms_norm" (%[[X]], %[[SQUARES]], %[[S]])
  // CHECK: arith.constant 5.000000e+00 : f32
  // CHECK: arith.constant 1.000000e-05 : f32
  // CHECK: math.sqrt
  // CHECK: arith.divf
  // CHECK: arith.mulf
  %y = graph.rms_norm %x, %s axis -1 : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}
