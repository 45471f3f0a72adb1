// RUN: ziggurat-opt %s -p fold-constants --split-input-file | filecheck %s

// An op on constants becomes a constant, computed in float64 and rounded once to f32, and
// folding goes on down the chain; the constants it used are erased when nothing else uses
// them. An op with a non-constant operand stays.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: %[[C:.*]] = graph.constant dense<[3.71828175, 4.71828175, 5.71828175, 6.71828175]> : tensor<4xf32>
  // CHECK-NEXT: %[[Y:.*]] = graph.add %[[X]], %[[C]]
  // CHECK-NEXT: func.return %[[Y]]
  %one = graph.constant dense<1.0> : tensor<1xf32>
  %e = graph.exp %one : tensor<1xf32>
  %r = graph.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %s = graph.add %r, %e : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %y = graph.add %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// Shape ops fold too, and a constant that something else still uses is kept.

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  // CHECK-NEXT: %[[W:.*]] = graph.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
  // CHECK-NEXT: %[[T:.*]] = graph.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
  // CHECK-NEXT: %[[Y:.*]] = graph.mul %{{.*}}, %[[T]]
  // CHECK-NEXT: func.return %[[Y]], %[[W]]
  %w = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = graph.transpose %w perm [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %y = graph.mul %x, %t : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  func.return %y, %w : tensor<3x2xf32>, tensor<2x3xf32>
}
