// RUN: ziggurat-opt %s -p 'alter-conv-layout{block=8 whole-blocks=true}' | filecheck %s

// With whole-blocks, a convolution runs blocked only where its input and output channels
// are multiples of the block: 12 filters (blocks of 6) stay.

// CHECK-LABEL: func.func @whole_blocks
// CHECK-NEXT: graph.layout_transform %{{.*}} from "NCHW" to "NCHW8c"
// CHECK-NEXT: graph.layout_transform %{{.*}} from "OIHW" to "OIHW8i8o"
// CHECK-NEXT: %[[Y:.*]] = graph.conv2d_nchwc
// CHECK-NEXT: %[[Z:.*]] = graph.layout_transform %[[Y]] from "NCHW8c" to "NCHW"
// CHECK-NEXT: graph.conv2d %[[Z]], %{{.*}} : (tensor<1x16x4x4xf32>, tensor<12x16x1x1xf32>)
func.func @whole_blocks(%x: tensor<1x16x4x4xf32>, %w: tensor<16x16x1x1xf32>, %v: tensor<12x16x1x1xf32>) -> tensor<1x12x4x4xf32> {
  %y = graph.conv2d %x, %w : (tensor<1x16x4x4xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x4x4xf32>
  %a = graph.conv2d %y, %v : (tensor<1x16x4x4xf32>, tensor<12x16x1x1xf32>) -> tensor<1x12x4x4xf32>
  func.return %a : tensor<1x12x4x4xf32>
}
