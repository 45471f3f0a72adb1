// RUN: ziggurat-opt %s -p fold-batch-norm --split-input-file | filecheck %s

// Batch norm stays when the conv2d's result has another user, when a weight or a
// parameter is not a constant, or when its input is not a conv2d or dense.

// CHECK-LABEL: func.func @other_user
func.func @other_user(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  // CHECK: graph.conv2d
  // CHECK: graph.batch_norm
  %w = graph.constant dense<0.5> : tensor<2x2x1x1xf32>
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %y = graph.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z = graph.batch_norm %y, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %y, %z : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @weight_argument
func.func @weight_argument(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: graph.batch_norm
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %y = graph.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z = graph.batch_norm %y, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %z : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @parameter_argument
func.func @parameter_argument(%x: tensor<1x2x4x4xf32>, %mean: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: graph.batch_norm
  %w = graph.constant dense<0.5> : tensor<2x2x1x1xf32>
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %y = graph.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %z = graph.batch_norm %y, %p, %p, %mean, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %z : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @after_relu
func.func @after_relu(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: graph.batch_norm
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %y = graph.relu %x : tensor<1x2x4x4xf32>
  %z = graph.batch_norm %y, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %z : tensor<1x2x4x4xf32>
}
