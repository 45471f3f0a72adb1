// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @quantization
func.func @quantization(%x: tensor<3x4xf32>, %s: tensor<f32>, %z: tensor<i8>, %sa: tensor<4xf32>, %u: tensor<4xui8>, %sb: tensor<3x2xf32>, %h: tensor<3x4xf16>) {
  // CHECK: graph.quantize_linear %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3x4xf32>, tensor<f32>, tensor<i8>) -> tensor<3x4xi8>
  %a = graph.quantize_linear %x, %s, %z : (tensor<3x4xf32>, tensor<f32>, tensor<i8>) -> tensor<3x4xi8>
  // CHECK: graph.quantize_linear %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<3x4xui8>
  %b = graph.quantize_linear %x, %sa, %u axis 1 : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<3x4xui8>
  // CHECK: graph.quantize_linear %{{[^ ,]+}}, %{{[^ ,]+}} block_size 2 : (tensor<3x4xf32>, tensor<3x2xf32>) -> tensor<3x4xi16>
  %c = graph.quantize_linear %x, %sb block_size 2 : (tensor<3x4xf32>, tensor<3x2xf32>) -> tensor<3x4xi16>
  // CHECK: graph.dequantize_linear %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} axis 0 : (tensor<3x4xi8>, tensor<f32>, tensor<i8>) -> tensor<3x4xf16>
  %d = graph.dequantize_linear %a, %s, %z axis 0 : (tensor<3x4xi8>, tensor<f32>, tensor<i8>) -> tensor<3x4xf16>
  func.return
}
