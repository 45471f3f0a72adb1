// RUN: ziggurat-opt %s -p 'alter-conv-layout{block=8}' | filecheck %s

// A transform back does not sink into an op that is not elementwise (the pool reads
// NCHW), nor past an operand that broadcasts along the blocked axis and is not a constant:
// that would need a broadcast of a block.

// CHECK-LABEL: func.func @stays
// CHECK: %[[Y:.*]] = graph.conv2d_nchwc
// CHECK-NEXT: %[[Z:.*]] = graph.layout_transform %[[Y]] from "NCHW8c" to "NCHW"
// CHECK-NEXT: %[[A:.*]] = graph.add %[[Z]], %{{.*}} : (tensor<1x8x6x6xf32>, tensor<1x1x6x6xf32>)
// CHECK-NEXT: %[[P:.*]] = graph.max_pool2d %[[A]]
func.func @stays(%x: tensor<1x8x6x6xf32>, %w: tensor<8x8x1x1xf32>, %t: tensor<1x1x6x6xf32>) -> tensor<1x8x3x3xf32> {
  %y = graph.conv2d %x, %w : (tensor<1x8x6x6xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32>
  %a = graph.add %y, %t : (tensor<1x8x6x6xf32>, tensor<1x1x6x6xf32>) -> tensor<1x8x6x6xf32>
  %p = graph.max_pool2d %a kernel [2, 2] strides [2, 2] : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
  func.return %p : tensor<1x8x3x3xf32>
}
