// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @quantize_to_float(%x: tensor<3xf32>, %s: tensor<f32>) {
  // expected-error@+1 {{the result must hold 8-, 16- or 32-bit integers, got f32}}
  %q = graph.quantize_linear %x, %s : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @quantize_zero_point_type(%x: tensor<3xf32>, %s: tensor<f32>, %z: tensor<i16>) {
  // expected-error@+1 {{zero point tensor<i16> must hold i8}}
  %q = graph.quantize_linear %x, %s, %z : (tensor<3xf32>, tensor<f32>, tensor<i16>) -> tensor<3xi8>
  func.return
}

// -----

func.func @quantize_per_axis_shape(%x: tensor<3x4xf32>, %s: tensor<3xf32>) {
  // expected-error@+1 {{a per-axis scale of axis 1 must have shape (4,)}}
  %q = graph.quantize_linear %x, %s : (tensor<3x4xf32>, tensor<3xf32>) -> tensor<3x4xi8>
  func.return
}

// -----

func.func @dequantize_blocks(%q: tensor<3x5xi8>, %s: tensor<3x2xf32>) {
  // expected-error@+1 {{a scale of blocks of 2 along axis 1 must have shape (3, 3)}}
  %x = graph.dequantize_linear %q, %s block_size 2 : (tensor<3x5xi8>, tensor<3x2xf32>) -> tensor<3x5xf32>
  func.return
}

// -----

func.func @dequantize_float(%q: tensor<3xf32>, %s: tensor<f32>) {
  // expected-error@+1 {{the input must hold 8-, 16- or 32-bit integers, got f32}}
  %x = graph.dequantize_linear %q, %s : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  func.return
}
