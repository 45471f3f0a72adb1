// RUN: ziggurat-opt %s -p fuse-ops | filecheck %s

// Injective ops fuse together, with the elementwise ops around them. The pool takes the
// relu after it; the reshape does not fuse into the pool (its edge is not elementwise) but
// starts a group with what follows.

// CHECK-LABEL: func.func private @fused_max_pool2d_relu
// CHECK-LABEL: func.func private @fused_reshape_transpose_sigmoid
// CHECK-NEXT: graph.reshape
// CHECK-NEXT: graph.transpose
// CHECK-NEXT: graph.sigmoid
// CHECK-NEXT: func.return
// CHECK-LABEL: func.func @layout
// CHECK-NEXT: %[[P:.*]] = func.call @fused_max_pool2d_relu
// CHECK-NEXT: %[[S:.*]] = func.call @fused_reshape_transpose_sigmoid(%[[P]])
// CHECK-NEXT: func.return %[[S]]
func.func @layout(%x: tensor<1x4x8x8xf32>) -> tensor<16x4xf32> {
  %p = graph.max_pool2d %x kernel [2, 2] strides [2, 2] : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %r = graph.relu %p : tensor<1x4x4x4xf32>
  %f = graph.reshape %r : (tensor<1x4x4x4xf32>) -> tensor<4x16xf32>
  %t = graph.transpose %f perm [1, 0] : (tensor<4x16xf32>) -> tensor<16x4xf32>
  %s = graph.sigmoid %t : tensor<16x4xf32>
  func.return %s : tensor<16x4xf32>
}
