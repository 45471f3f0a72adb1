// RUN: ziggurat-opt %s -p subsample-strided-convs | filecheck %s

// A 1x1 convolution with strides becomes a strided slice of the pixels it reads and the
// same convolution, bias and weight layout kept, without strides.

// CHECK-LABEL: func.func @strided
func.func @strided(%x: tensor<1x4x13x11xf32>, %w: tensor<6x4x1x1xf32>, %b: tensor<6xf32>) -> tensor<1x6x7x4xf32> {
  // CHECK-NEXT: %[[S:.*]] = graph.slice %{{.*}} offsets [0, 0, 0, 0] steps [1, 1, 2, 3] : (tensor<1x4x13x11xf32>) -> tensor<1x4x7x4xf32>
  // CHECK-NEXT: %[[Y:.*]] = graph.conv2d %[[S]], %{{.*}}, %{{.*}} : (tensor<1x4x7x4xf32>, tensor<6x4x1x1xf32>, tensor<6xf32>) -> tensor<1x6x7x4xf32>
  // CHECK-NEXT: func.return %[[Y]]
  %y = graph.conv2d %x, %w, %b strides [2, 3] : (tensor<1x4x13x11xf32>, tensor<6x4x1x1xf32>, tensor<6xf32>) -> tensor<1x6x7x4xf32>
  func.return %y : tensor<1x6x7x4xf32>
}

// A 3x3 window, padding, or no strides: as they are.

// CHECK-LABEL: func.func @kept
func.func @kept(%x: tensor<1x4x13x11xf32>, %w3: tensor<6x4x3x3xf32>, %w1: tensor<6x4x1x1xf32>) -> (tensor<1x6x6x5xf32>, tensor<1x6x8x7xf32>, tensor<1x6x13x11xf32>) {
  // CHECK-NEXT: graph.conv2d %{{.*}}, %{{.*}} strides [2, 2] :
  // CHECK-NEXT: graph.conv2d %{{.*}}, %{{.*}} strides [2, 2] padding [1, 1, 1, 1] :
  // CHECK-NEXT: graph.conv2d %{{.*}}, %{{.*}} :
  // CHECK-NEXT: func.return
  %a = graph.conv2d %x, %w3 strides [2, 2] : (tensor<1x4x13x11xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x5xf32>
  %b = graph.conv2d %x, %w1 strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x4x13x11xf32>, tensor<6x4x1x1xf32>) -> tensor<1x6x8x7xf32>
  %c = graph.conv2d %x, %w1 : (tensor<1x4x13x11xf32>, tensor<6x4x1x1xf32>) -> tensor<1x6x13x11xf32>
  func.return %a, %b, %c : tensor<1x6x6x5xf32>, tensor<1x6x8x7xf32>, tensor<1x6x13x11xf32>
}
