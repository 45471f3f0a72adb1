// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @float_operand(%a: tensor<4x32xf32>, %b: tensor<32x16xi8>) {
  // expected-error@+1 {{expected int8 or uint8 tensors, got tensor<4x32xf32>}}
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
  // expected-error@+1 {{the zero point 300 is not a value of i8}}
  %y = graph.requantize %x scale [0.5] zero_point 300 : (tensor<4x16xi32>) -> tensor<4x16xi8>
  func.return
}

// -----

func.func @uint8_zero_point(%x: tensor<4x16xi32>) {
  // expected-error@+1 {{the zero point -1 is not a value of ui8}}
  %y = graph.requantize %x scale [0.5] zero_point -1 : (tensor<4x16xi32>) -> tensor<4x16xui8>
  func.return
}

// -----

func.func @requantize_type(%x: tensor<4x16xi32>) {
  // expected-error@+1 {{graph.requantize gives int8 or uint8, not i16}}
  %y = graph.requantize %x scale [0.5] : (tensor<4x16xi32>) -> tensor<4x16xi16>
  func.return
}

// -----

func.func @operand_zero_point(%a: tensor<4x32xui8>, %b: tensor<32x16xi8>) {
  // expected-error@+1 {{the zero point 128 is not a value of i8}}
  %m = graph.matmul_integer %a, %b zero_points [128, 128] : (tensor<4x32xui8>, tensor<32x16xi8>) -> tensor<4x16xi32>
  func.return
}

// -----

func.func @weight_zero_points(%x: tensor<1x3x8x8xui8>, %w: tensor<4x3x3x3xui8>) {
  // expected-error@+1 {{graph.conv_integer needs the input's zero point, then the weight's: one, or one per output channel (4); got 3 zero points}}
  %c = graph.conv_integer %x, %w zero_points [0, 1, 2] : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xui8>) -> tensor<1x4x6x6xi32>
  func.return
}

// -----

func.func @column_zero_points(%a: tensor<4x32xui8>, %b: tensor<32x16xi8>) {
  // expected-error@+1 {{graph.matmul_integer needs a's zero point, then b's: one, or one per column (16); got 3 zero points}}
  %m = graph.matmul_integer %a, %b zero_points [1, 2, 3] : (tensor<4x32xui8>, tensor<32x16xi8>) -> tensor<4x16xi32>
  func.return
}
