// RUN: ziggurat-opt %s -p 'alter-conv-layout{block=8}' --split-input-file | filecheck %s

// A conv2d runs blocked: its input is transformed to NCHW[x]c, its constant weight and
// bias are stored blocked (folded), and its result is transformed back. The blocks are
// the largest divisors of the channels up to 8: 3 input channels make blocks of 3.

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x6x6xf32>)
// CHECK-NEXT: %[[XB:.*]] = graph.layout_transform %[[X]] from "NCHW" to "NCHW3c" : (tensor<1x3x6x6xf32>) -> tensor<1x1x6x6x3xf32>
// CHECK-NEXT: %[[W:.*]] = graph.constant dense<{{.*}}> : tensor<2x1x3x3x3x8xf32>
// CHECK-NEXT: %[[B:.*]] = graph.constant dense<{{.*}}> : tensor<2x8xf32>
// CHECK-NEXT: %[[Y:.*]] = graph.conv2d_nchwc %[[XB]], %[[W]], %[[B]] strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x1x6x6x3xf32>, tensor<2x1x3x3x3x8xf32>, tensor<2x8xf32>) -> tensor<1x2x3x3x8xf32>
// CHECK-NEXT: %[[Z:.*]] = graph.layout_transform %[[Y]] from "NCHW8c" to "NCHW" : (tensor<1x2x3x3x8xf32>) -> tensor<1x16x3x3xf32>
// CHECK-NEXT: func.return %[[Z]]
func.func @conv2d(%x: tensor<1x3x6x6xf32>) -> tensor<1x16x3x3xf32> {
  %w = graph.constant dense<0.5> : tensor<16x3x3x3xf32>
  %b = graph.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]> : tensor<16xf32>
  %y = graph.conv2d %x, %w, %b strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x3x6x6xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x3x3xf32>
  func.return %y : tensor<1x16x3x3xf32>
}

// -----

// A weight that is an argument is transformed at run time; a grouped conv2d stays.

// CHECK-LABEL: func.func @weight_argument
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x6x6xf32>, %[[W:.*]]: tensor<4x8x1x1xf32>, %[[G:.*]]: tensor<8x2x1x1xf32>)
// CHECK-NEXT: %[[XB:.*]] = graph.layout_transform %[[X]] from "NCHW" to "NCHW8c"
// CHECK-NEXT: %[[WB:.*]] = graph.layout_transform %[[W]] from "OIHW" to "OIHW8i4o"
// CHECK-NEXT: %[[Y:.*]] = graph.conv2d_nchwc %[[XB]], %[[WB]]
// CHECK-NEXT: %[[Z:.*]] = graph.layout_transform %[[Y]] from "NCHW4c" to "NCHW"
// CHECK-NEXT: %[[D:.*]] = graph.conv2d %[[X]], %[[G]] groups 4
func.func @weight_argument(%x: tensor<1x8x6x6xf32>, %w: tensor<4x8x1x1xf32>, %g: tensor<8x2x1x1xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>) {
  %y = graph.conv2d %x, %w : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %d = graph.conv2d %x, %g groups 4 : (tensor<1x8x6x6xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x6x6xf32>
  func.return %y, %d : tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>
}
