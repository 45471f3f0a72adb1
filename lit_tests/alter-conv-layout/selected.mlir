// RUN: ziggurat-opt %s -p 'alter-conv-layout{block=8 most-pixels=16 least-channels=8}' | filecheck %s

// Only the convolutions a target selects run blocked: at most most-pixels pixels in each
// output image, at least least-channels input and output channels.

// CHECK-LABEL: func.func @selected
// CHECK-NEXT: graph.layout_transform %{{.*}} from "NCHW" to "NCHW8c"
// CHECK-NEXT: graph.layout_transform %{{.*}} from "OIHW" to "OIHW8i8o"
// CHECK-NEXT: %[[Y:.*]] = graph.conv2d_nchwc
// CHECK-NEXT: %[[Z:.*]] = graph.layout_transform %[[Y]] from "NCHW8c" to "NCHW"
// CHECK-NEXT: graph.conv2d %[[Z]], %{{.*}} : (tensor<1x8x4x4xf32>, tensor<4x8x1x1xf32>)
// CHECK-NEXT: graph.conv2d %{{.*}}, %{{.*}} padding [2, 2, 2, 2] : (tensor<1x8x4x4xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
func.func @selected(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>, %v: tensor<4x8x1x1xf32>, %u: tensor<8x8x3x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x8x6x6xf32>) {
  %y = graph.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // 4 filters: fewer than least-channels.
  %a = graph.conv2d %y, %v : (tensor<1x8x4x4xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x4x4xf32>
  // 36 pixels: more than most-pixels.
  %b = graph.conv2d %y, %u padding [2, 2, 2, 2] : (tensor<1x8x4x4xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  func.return %a, %b : tensor<1x4x4x4xf32>, tensor<1x8x6x6xf32>
}
