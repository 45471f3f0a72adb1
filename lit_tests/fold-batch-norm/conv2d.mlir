// RUN: ziggurat-opt %s -p fold-batch-norm | filecheck %s

// Batch norm after a conv2d with constant weights scales each output channel's weights by
// f = scale / sqrt(variance + epsilon) and makes the bias (b - mean) * f + beta; here
// f = [1, 3]. The old constants go once nothing uses them.

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>)
func.func @conv2d(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x4xf32> {
  // CHECK-NEXT: %[[W:.*]] = graph.constant dense<{{\[\[\[\[}}5.000000e-01]], {{\[\[}}5.000000e-01]]], {{\[\[\[}}1.500000e+00]], {{\[\[}}1.500000e+00]]]]> : tensor<2x2x1x1xf32>
  // CHECK-NEXT: %[[B:.*]] = graph.constant dense<[5.000000e-01, 9.250000e+00]> : tensor<2xf32>
  // CHECK-NEXT: %[[Y:.*]] = graph.conv2d %[[X]], %[[W]], %[[B]] strides [2, 1] padding [1, 0, 1, 0]
  // CHECK-NEXT: func.return %[[Y]]
  %w = graph.constant dense<0.5> : tensor<2x2x1x1xf32>
  %b = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %s = graph.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = graph.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %m = graph.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %v = graph.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %y = graph.conv2d %x, %w, %b strides [2, 1] padding [1, 0, 1, 0] : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x4xf32>
  %z = graph.batch_norm %y, %s, %beta, %m, %v epsilon 1.0 : (tensor<1x2x3x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x4xf32>
  func.return %z : tensor<1x2x3x4xf32>
}
