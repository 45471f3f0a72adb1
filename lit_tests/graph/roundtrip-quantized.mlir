// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// The integer contractions and requantization print in their custom syntax, defaults left
// out, and read back the same from their custom and generic forms.

// CHECK-LABEL: func.func @quantized
func.func @quantized(%a: tensor<4x32xi8>, %b: tensor<32x16xi8>, %x: tensor<1x16x8x8xi8>,
                     %w: tensor<16x16x3x3xi8>, %bias: tensor<16xi32>) {
  // CHECK: graph.matmul_integer %{{.*}}, %{{.*}} : (tensor<4x32xi8>, tensor<32x16xi8>) -> tensor<4x16xi32>
  %m = graph.matmul_integer %a, %b : (tensor<4x32xi8>, tensor<32x16xi8>) -> tensor<4x16xi32>
  // CHECK: graph.matmul_integer %{{.*}}, %{{.*}} zero_points [3, -1] : (tensor<4x32xi8>, tensor<32x16xi8>) -> tensor<4x16xi32>
  %z = graph.matmul_integer %a, %b zero_points [3, -1] : (tensor<4x32xi8>, tensor<32x16xi8>) -> tensor<4x16xi32>
  // CHECK: graph.requantize %{{.*}} scale [3.906250e-03] zero_point 3 axis -1 : (tensor<4x16xi32>) -> tensor<4x16xi8>
  %y = graph.requantize %m scale [3.906250e-03] zero_point 3 axis -1 : (tensor<4x16xi32>) -> tensor<4x16xi8>
  // CHECK: graph.conv_integer %{{.*}}, %{{.*}}, %{{.*}} strides [2, 2] padding [1, 1, 1, 1] zero_points [0, 1] : (tensor<1x16x8x8xi8>, tensor<16x16x3x3xi8>, tensor<16xi32>) -> tensor<1x16x4x4xi32>
  %c = graph.conv_integer %x, %w, %bias strides [2, 2] padding [1, 1, 1, 1] zero_points [0, 1] : (tensor<1x16x8x8xi8>, tensor<16x16x3x3xi8>, tensor<16xi32>) -> tensor<1x16x4x4xi32>
  // CHECK: graph.requantize %{{.*}} scale [1.000000e-02, 2.000000e-02, 3.000000e-02, 4.000000e-02, 5.000000e-02, 6.000000e-02, 7.000000e-02, 8.000000e-02, 9.000000e-02, 1.000000e-01, 1.100000e-01, 1.200000e-01, 1.300000e-01, 1.400000e-01, 1.500000e-01, 1.600000e-01] : (tensor<1x16x4x4xi32>) -> tensor<1x16x4x4xi8>
  %q = graph.requantize %c scale [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16] : (tensor<1x16x4x4xi32>) -> tensor<1x16x4x4xi8>
  func.return
}
