// RUN: ziggurat-opt %s -p fuse-ops | filecheck %s

// Groups that are the same up to their inputs share one function; a group that differs
// (here in a stride) gets the next free name.

// CHECK-LABEL: func.func private @fused_conv2d_relu(
// CHECK-LABEL: func.func private @fused_conv2d_relu_1(
// CHECK: graph.conv2d %{{.*}}, %{{.*}} strides [2, 2]
// CHECK-NOT: func.func private
// CHECK-LABEL: func.func @blocks
// CHECK-NEXT: %[[A:.*]] = func.call @fused_conv2d_relu(%{{.*}}, %{{.*}})
// CHECK-NEXT: %[[B:.*]] = func.call @fused_conv2d_relu(%[[A]], %{{.*}})
// CHECK-NEXT: %[[C:.*]] = func.call @fused_conv2d_relu_1(%[[B]], %{{.*}})
// CHECK-NEXT: func.return %[[C]]
func.func @blocks(%x: tensor<1x4x8x8xf32>, %w1: tensor<4x4x3x3xf32>, %w2: tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %y1 = graph.conv2d %x, %w1 padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %r1 = graph.relu %y1 : tensor<1x4x8x8xf32>
  %y2 = graph.conv2d %r1, %w2 padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %r2 = graph.relu %y2 : tensor<1x4x8x8xf32>
  %y3 = graph.conv2d %r2, %w2 strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  %r3 = graph.relu %y3 : tensor<1x4x4x4xf32>
  func.return %r3 : tensor<1x4x4x4xf32>
}
