// RUN: ziggurat-opt %s -p fold-batch-norm | filecheck %s

// After a dense the channels are the output's columns: the columns of op(b) are scaled
// (rows of b under trans_b) and the bias, which carries the dense's beta, is shifted; the
// folded dense has beta 1. Here f = [1, 3].

// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf32>)
func.func @dense(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // CHECK-NEXT: %[[W:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [9.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
  // CHECK-NEXT: %[[B:.*]] = graph.constant dense<[2.500000e+00, 1.525000e+01]> : tensor<2xf32>
  // CHECK-NEXT: %[[Y:.*]] = graph.dense %[[X]], %[[W]], %[[B]] trans_b alpha 5.000000e-01 : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  // CHECK-NEXT: func.return %[[Y]]
  %w = graph.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %s = graph.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = graph.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %m = graph.constant dense<[0.0, -1.0]> : tensor<2xf32>
  %v = graph.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %y = graph.dense %x, %w, %b trans_b alpha 0.5 beta 2.0 : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %z = graph.batch_norm %y, %s, %beta, %m, %v epsilon 1.0 : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  func.return %z : tensor<3x2xf32>
}
