// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @conv_transpose
func.func @conv_transpose(%x: tensor<1x2x3x4xf32>, %w: tensor<2x5x3x3xf32>, %b: tensor<5xf32>, %g: tensor<2x4x3x3xf32>) {
  // CHECK: graph.conv2d_transpose %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} strides [2, 2] padding [1, 1, 1, 0] output_padding [1, 0] : (tensor<1x2x3x4xf32>, tensor<2x5x3x3xf32>, tensor<5xf32>) -> tensor<1x5x6x8xf32>
  %y = graph.conv2d_transpose %x, %w, %b strides [2, 2] padding [1, 1, 1, 0] output_padding [1, 0] : (tensor<1x2x3x4xf32>, tensor<2x5x3x3xf32>, tensor<5xf32>) -> tensor<1x5x6x8xf32>
  // CHECK: graph.conv2d_transpose %{{[^ ,]+}}, %{{[^ ,]+}} padding [-1, 0, 0, 0] dilation [2, 1] groups 2 : (tensor<1x2x3x4xf32>, tensor<2x4x3x3xf32>) -> tensor<1x8x8x6xf32>
  %z = graph.conv2d_transpose %x, %g padding [-1, 0, 0, 0] dilation [2, 1] groups 2 : (tensor<1x2x3x4xf32>, tensor<2x4x3x3xf32>) -> tensor<1x8x8x6xf32>
  func.return
}
