// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @float_operand(%a: tensor<4x32xf32>, %b: tensor<32x16xi8>) {
  // expected-error@+1 {{expected int8 tensors, got tensor<4x32xf32>}}
  %m = graph.matmul_integer %a, %b : (tensor<4x32xf32>, tensor<32x16xi8>) -> tensor<4x16xi32>
  func.return
}

// -----

func.func @bias_type(%x: tensor<1x16x8x8xi8>, %w: tensor<16x16x3x3xi8>, %bias: tensor<16xf32>) {
  // expected-error@+1 {{the bias must be an int32 tensor, got tensor<16xf32>}}
  %c = graph.conv_integer %x, %w, %bias : (tensor<1x16x8x8xi8>, tensor<16x16x3x3xi8>, tensor<16xf32>) -> tensor<1x16x6x6xi32>
  func.return
}

// -----

func.func @scales(%x: tensor<4x16xi32>) {
  // expected-error@+1 {{3 scales for axis 1 of extent 16}}
  %y = graph.requantize %x scale [0.5, 0.25, 0.125] : (tensor<4x16xi32>) -> tensor<4x16xi8>
  func.return
}

// -----

func.func @zero_point(%x: tensor<4x16xi32>) {
  // expected-error@+1 {{the zero point 300 is not an int8}}
  %y = graph.requantize %x scale [0.5] zero_point 300 : (tensor<4x16xi32>) -> tensor<4x16xi8>
  func.return
}
