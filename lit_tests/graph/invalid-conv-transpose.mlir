// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @conv_transpose_channels(%x: tensor<1x3x4x4xf32>, %w: tensor<2x5x3x3xf32>) {
  // expected-error@+1 {{weight tensor<2x5x3x3xf32> must have the 3 input channels, in groups of 1}}
  %y = graph.conv2d_transpose %x, %w : (tensor<1x3x4x4xf32>, tensor<2x5x3x3xf32>) -> tensor<1x5x6x6xf32>
  func.return
}

// -----

func.func @conv_transpose_result(%x: tensor<1x2x4x4xf32>, %w: tensor<2x5x3x3xf32>) {
  // expected-error@+1 {{graph.conv2d_transpose should give tensor<1x5x9x9xf32>, not tensor<1x5x8x8xf32>}}
  %y = graph.conv2d_transpose %x, %w strides [2, 2] : (tensor<1x2x4x4xf32>, tensor<2x5x3x3xf32>) -> tensor<1x5x8x8xf32>
  func.return
}

// -----

func.func @conv_transpose_cropped_away(%x: tensor<1x2x1x1xf32>, %w: tensor<2x5x1x1xf32>) {
  // expected-error@+1 {{padding [1, 0, 0, 0] leaves no output}}
  %y = graph.conv2d_transpose %x, %w padding [1, 0, 0, 0] : (tensor<1x2x1x1xf32>, tensor<2x5x1x1xf32>) -> tensor<1x5x1x1xf32>
  func.return
}
