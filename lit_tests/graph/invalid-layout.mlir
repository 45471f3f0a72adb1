// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @bad_layout(%x: tensor<1x16x5x5xf32>) {
  // expected-error@+1 {{invalid layout 'NCHW8C'}}
  %y = graph.layout_transform %x from "NCHW" to "NCHW8C" : (tensor<1x16x5x5xf32>) -> tensor<1x2x5x5x8xf32>
  func.return
}

// -----

func.func @block_without_axis(%x: tensor<1x16x5x5xf32>) {
  // expected-error@+1 {{invalid layout 'NHW8c': a block needs its axis}}
  %y = graph.layout_transform %x from "NCHW" to "NHW8c" : (tensor<1x16x5x5xf32>) -> tensor<1x5x5x8xf32>
  func.return
}

// -----

func.func @other_axes(%x: tensor<1x16x5x5xf32>) {
  // expected-error@+1 {{layouts NCHW and NCDW have different axes}}
  %y = graph.layout_transform %x from "NCHW" to "NCDW" : (tensor<1x16x5x5xf32>) -> tensor<1x16x5x5xf32>
  func.return
}

// -----

func.func @not_divisible(%x: tensor<1x12x5x5xf32>) {
  // expected-error@+1 {{axis C of extent 12 does not split into blocks of 8 (NCHW8c)}}
  %y = graph.layout_transform %x from "NCHW" to "NCHW8c" : (tensor<1x12x5x5xf32>) -> tensor<1x2x5x5x8xf32>
  func.return
}

// -----

func.func @wrong_block_extent(%x: tensor<1x2x5x5x4xf32>) {
  // expected-error@+1 {{the 8c block of layout NCHW8c has extent 4}}
  %y = graph.layout_transform %x from "NCHW8c" to "NCHW" : (tensor<1x2x5x5x4xf32>) -> tensor<1x16x5x5xf32>
  func.return
}

// -----

func.func @wrong_result(%x: tensor<1x16x5x5xf32>) {
  // expected-error@+1 {{graph.layout_transform should give tensor<1x4x5x5x4xf32>, not tensor<1x2x5x5x8xf32>}}
  %y = graph.layout_transform %x from "NCHW" to "NCHW4c" : (tensor<1x16x5x5xf32>) -> tensor<1x2x5x5x8xf32>
  func.return
}

// -----

func.func @conv_blocks(%x: tensor<1x2x5x5x8xf32>, %w: tensor<2x2x3x3x4x4xf32>) {
  // expected-error@+1 {{weight tensor<2x2x3x3x4x4xf32> does not take the input's 2 blocks of 8 channels}}
  %y = graph.conv2d_nchwc %x, %w : (tensor<1x2x5x5x8xf32>, tensor<2x2x3x3x4x4xf32>) -> tensor<1x2x3x3x4xf32>
  func.return
}

// -----

func.func @conv_rank(%x: tensor<1x16x5x5xf32>, %w: tensor<2x2x3x3x8x4xf32>) {
  // expected-error@+1 {{graph.conv2d_nchwc needs an NCHW[x]c input and an OIHW[x]i[y]o weight}}
  %y = graph.conv2d_nchwc %x, %w : (tensor<1x16x5x5xf32>, tensor<2x2x3x3x8x4xf32>) -> tensor<1x2x3x3x4xf32>
  func.return
}

// -----

func.func @conv_bias(%x: tensor<1x2x5x5x8xf32>, %w: tensor<2x2x3x3x8x4xf32>, %b: tensor<8xf32>) {
  // expected-error@+1 {{bias must be tensor<2x4x...>, got tensor<8xf32>}}
  %y = graph.conv2d_nchwc %x, %w, %b : (tensor<1x2x5x5x8xf32>, tensor<2x2x3x3x8x4xf32>, tensor<8xf32>) -> tensor<1x2x3x3x4xf32>
  func.return
}
