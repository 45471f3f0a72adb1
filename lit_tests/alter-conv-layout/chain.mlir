// RUN: ziggurat-opt %s -p 'alter-conv-layout{block=8}' | filecheck %s

// The transform back to NCHW sinks below elementwise and broadcast ops, and meets the
// next conv2d's transform to NCHW8c: they cancel. A constant broadcast operand is folded
// into the blocked layout, a block of 1 where it broadcasts; an argument of the full shape
// is transformed. The chain keeps one transform at each end.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x6x6xf32>, %[[S:.*]]: tensor<1x16x6x6xf32>)
// CHECK-NEXT: %[[XB:.*]] = graph.layout_transform %[[X]] from "NCHW" to "NCHW8c"
// CHECK-NEXT: %[[W1:.*]] = graph.constant
// CHECK-NEXT: %[[Y1:.*]] = graph.conv2d_nchwc %[[XB]], %[[W1]]
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<{{.*}}> : tensor<1x2x1x1x8xf32>
// CHECK-NEXT: %[[A:.*]] = graph.add %[[Y1]], %[[C]] : (tensor<1x2x6x6x8xf32>, tensor<1x2x1x1x8xf32>) -> tensor<1x2x6x6x8xf32>
// CHECK-NEXT: %[[R:.*]] = graph.relu %[[A]] : tensor<1x2x6x6x8xf32>
// CHECK-NEXT: %[[W2:.*]] = graph.constant
// CHECK-NEXT: %[[Y2:.*]] = graph.conv2d_nchwc %[[R]], %[[W2]]
// CHECK-NEXT: %[[SB:.*]] = graph.layout_transform %[[S]] from "NCHW" to "NCHW8c"
// CHECK-NEXT: %[[M:.*]] = graph.mul %[[Y2]], %[[SB]] : (tensor<1x2x6x6x8xf32>, tensor<1x2x6x6x8xf32>) -> tensor<1x2x6x6x8xf32>
// CHECK-NEXT: %[[Z:.*]] = graph.layout_transform %[[M]] from "NCHW8c" to "NCHW"
// CHECK-NEXT: func.return %[[Z]]
func.func @chain(%x: tensor<1x16x6x6xf32>, %s: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w1 = graph.constant dense<0.25> : tensor<16x16x3x3xf32>
  %w2 = graph.constant dense<0.125> : tensor<16x16x1x1xf32>
  %c = graph.constant dense<0.75> : tensor<16x1x1xf32>
  %y1 = graph.conv2d %x, %w1 padding [1, 1, 1, 1] : (tensor<1x16x6x6xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x6x6xf32>
  %a = graph.add %y1, %c : (tensor<1x16x6x6xf32>, tensor<16x1x1xf32>) -> tensor<1x16x6x6xf32>
  %r = graph.relu %a : tensor<1x16x6x6xf32>
  %y2 = graph.conv2d %r, %w2 : (tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x6x6xf32>
  %m = graph.mul %y2, %s : (tensor<1x16x6x6xf32>, tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  func.return %m : tensor<1x16x6x6xf32>
}
