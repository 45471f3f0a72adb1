// RUN: ziggurat-opt %s -p pack-weights | filecheck %s

// A conv2d's constant OIHW weight becomes an IHWO constant (output channels innermost,
// as the CPU schedule packs them); a dense's constant b read transposed becomes the
// transposed constant. The old constants go when nothing else uses them.

// CHECK-LABEL: func.func @conv2d
func.func @conv2d(%x: tensor<1x2x5x5xf32>, %b: tensor<3xf32>) -> tensor<1x3x2x5xf32> {
  // CHECK-NEXT: %[[W:.*]] = graph.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00]], {{\[\[}}7.000000e+00, 9.000000e+00, 1.100000e+01]]], {{\[\[\[}}2.000000e+00, 4.000000e+00, 6.000000e+00]], {{\[\[}}8.000000e+00, 1.000000e+01, 1.200000e+01]]]]> : tensor<2x2x1x3xf32>
  // CHECK-NEXT: %[[Y:.*]] = graph.conv2d %{{.*}}, %[[W]], %{{.*}} strides [2, 1] weight_layout "IHWO" : (tensor<1x2x5x5xf32>, tensor<2x2x1x3xf32>, tensor<3xf32>) -> tensor<1x3x2x5xf32>
  // CHECK-NEXT: func.return %[[Y]]
  %w = graph.constant dense<[[[[1.0], [7.0]], [[2.0], [8.0]]], [[[3.0], [9.0]], [[4.0], [10.0]]], [[[5.0], [11.0]], [[6.0], [12.0]]]]> : tensor<3x2x2x1xf32>
  %y = graph.conv2d %x, %w, %b strides [2, 1] : (tensor<1x2x5x5xf32>, tensor<3x2x2x1xf32>, tensor<3xf32>) -> tensor<1x3x2x5xf32>
  func.return %y : tensor<1x3x2x5xf32>
}

// CHECK-LABEL: func.func @dense
func.func @dense(%a: tensor<3x4xf32>) -> tensor<3x2xf32> {
  // CHECK-NEXT: %[[B:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 5.000000e+00], [2.000000e+00, 6.000000e+00], [3.000000e+00, 7.000000e+00], [4.000000e+00, 8.000000e+00]]> : tensor<4x2xf32>
  // CHECK-NEXT: %[[D:.*]] = graph.dense %{{.*}}, %[[B]] alpha 2.000000e+00 : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  // CHECK-NEXT: func.return %[[D]]
  %b = graph.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %d = graph.dense %a, %b trans_b alpha 2.0 : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  func.return %d : tensor<3x2xf32>
}

// Weights computed at run time, grouped convolutions and a dense without trans_b stay as
// they are; a constant another op uses too stays beside the packed one.

// CHECK-LABEL: func.func @unpacked
func.func @unpacked(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>, %a: tensor<3x4xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<3x4xf32>, tensor<1x4x3x3xf32>) {
  // CHECK: graph.conv2d %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>)
  %y = graph.conv2d %x, %w : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  // CHECK: %[[G:.*]] = graph.constant dense<1.000000e+00> : tensor<4x2x3x3xf32>
  // CHECK: graph.conv2d %{{[^ ,]+}}, %[[G]] groups 2 : (
  %g = graph.constant dense<1.0> : tensor<4x2x3x3xf32>
  %z = graph.conv2d %x, %g groups 2 : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  // CHECK: graph.dense %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3x4xf32>, tensor<4x4xf32>)
  %b = graph.constant dense<2.0> : tensor<4x4xf32>
  %d = graph.dense %a, %b : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.conv2d %{{[^ ,]+}}, %{{[^ ,]+}} weight_layout "IHWO" : (tensor<1x4x5x5xf32>, tensor<4x3x3x4xf32>)
  %shared = graph.constant dense<3.0> : tensor<4x4x3x3xf32>
  %s = graph.conv2d %x, %shared : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %t = graph.add %s, %shared : (tensor<1x4x3x3xf32>, tensor<4x4x3x3xf32>) -> tensor<4x4x3x3xf32>
  func.return %y, %z, %d, %s : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<3x4xf32>, tensor<1x4x3x3xf32>
}
