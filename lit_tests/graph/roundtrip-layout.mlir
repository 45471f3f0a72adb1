// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// The layout ops of alter-conv-layout print in their custom syntax and parse back, from
// the custom and the generic form.

// CHECK-LABEL: func.func @blocked
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x5x5xf32>, %[[W:.*]]: tensor<2x2x3x3x8x4xf32>, %[[B:.*]]: tensor<2x4xf32>)
func.func @blocked(%x: tensor<1x16x5x5xf32>, %w: tensor<2x2x3x3x8x4xf32>, %b: tensor<2x4xf32>) -> tensor<1x8x3x3xf32> {
  // CHECK-NEXT: %[[A:.*]] = graph.layout_transform %[[X]] from "NCHW" to "NCHW8c" : (tensor<1x16x5x5xf32>) -> tensor<1x2x5x5x8xf32>
  // CHECK-NEXT: %[[Y:.*]] = graph.conv2d_nchwc %[[A]], %[[W]], %[[B]] strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x2x5x5x8xf32>, tensor<2x2x3x3x8x4xf32>, tensor<2x4xf32>) -> tensor<1x2x3x3x4xf32>
  // CHECK-NEXT: %[[Z:.*]] = graph.layout_transform %[[Y]] from "NCHW4c" to "NCHW" : (tensor<1x2x3x3x4xf32>) -> tensor<1x8x3x3xf32>
  // CHECK-NEXT: func.return %[[Z]]
  %a = graph.layout_transform %x from "NCHW" to "NCHW8c" : (tensor<1x16x5x5xf32>) -> tensor<1x2x5x5x8xf32>
  %y = graph.conv2d_nchwc %a, %w, %b strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x2x5x5x8xf32>, tensor<2x2x3x3x8x4xf32>, tensor<2x4xf32>) -> tensor<1x2x3x3x4xf32>
  %z = graph.layout_transform %y from "NCHW4c" to "NCHW" : (tensor<1x2x3x3x4xf32>) -> tensor<1x8x3x3xf32>
  func.return %z : tensor<1x8x3x3xf32>
}
