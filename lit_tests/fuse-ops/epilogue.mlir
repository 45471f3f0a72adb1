// RUN: ziggurat-opt %s -p fuse-ops --split-input-file | filecheck %s

// A conv2d takes the elementwise and broadcast ops after it as its epilogue; the group
// becomes a private function marked ziggurat.fused and naming its anchor op (for the default
// schedules), called where the ops were, with the values it reads from outside as arguments.

// CHECK-LABEL: func.func private @fused_conv2d_add_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32> attributes {ziggurat.fused, ziggurat.anchor = "conv2d"}
// CHECK-NEXT: %[[Y:.*]] = graph.conv2d %[[X]], %[[W]]
// CHECK-NEXT: %[[Z:.*]] = graph.add %[[Y]], %[[B]]
// CHECK-NEXT: %[[R:.*]] = graph.relu %[[Z]]
// CHECK-NEXT: func.return %[[R]]
// CHECK-LABEL: func.func @conv2d_bias_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// CHECK-NEXT: %[[B:.*]] = graph.constant
// CHECK-NEXT: %[[R:.*]] = func.call @fused_conv2d_add_relu(%[[X]], %[[W]], %[[B]])
// CHECK-NEXT: func.return %[[R]]
func.func @conv2d_bias_relu(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %b = graph.constant dense<0.5> : tensor<4x1x1xf32>
  %y = graph.conv2d %x, %w padding [1, 1, 1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %z = graph.add %y, %b : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %r = graph.relu %z : tensor<1x4x8x8xf32>
  func.return %r : tensor<1x4x8x8xf32>
}

// -----

// Branches that meet again fuse whole into the epilogue: the post-dominator of the dense
// is the mul where its two branches join.

// CHECK-LABEL: func.func private @fused_dense_sigmoid_tanh_mul
// CHECK-NEXT: graph.dense
// CHECK-NEXT: graph.sigmoid
// CHECK-NEXT: graph.tanh
// CHECK-NEXT: graph.mul
// CHECK-NEXT: func.return
// CHECK-LABEL: func.func @diamond
// CHECK-NEXT: func.call @fused_dense_sigmoid_tanh_mul
// CHECK-NEXT: func.return
func.func @diamond(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %d = graph.dense %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %s = graph.sigmoid %d : tensor<4x16xf32>
  %t = graph.tanh %d : tensor<4x16xf32>
  %m = graph.mul %s, %t : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  func.return %m : tensor<4x16xf32>
}

// -----

// A value the function returns has no post-dominator: it ends its group, and the relu
// after it starts another. An epilogue must be elementwise: the transpose after a matmul
// is not taken.

// CHECK-LABEL: func.func private @fused_matmul
// CHECK-SAME: attributes {ziggurat.fused, ziggurat.anchor = "matmul"}
// CHECK-NEXT: graph.matmul
// CHECK-NEXT: func.return
// CHECK-LABEL: func.func private @fused_relu_transpose
// CHECK-SAME: attributes {ziggurat.fused} {
// CHECK-NEXT: graph.relu
// CHECK-NEXT: graph.transpose
// CHECK-NEXT: func.return
// CHECK-LABEL: func.func @returned
// CHECK-NEXT: %[[M:.*]] = func.call @fused_matmul
// CHECK-NEXT: %[[T:.*]] = func.call @fused_relu_transpose(%[[M]])
// CHECK-NEXT: func.return %[[M]], %[[T]]
func.func @returned(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> (tensor<4x16xf32>, tensor<16x4xf32>) {
  %m = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %r = graph.relu %m : tensor<4x16xf32>
  %t = graph.transpose %r perm [1, 0] : (tensor<4x16xf32>) -> tensor<16x4xf32>
  func.return %m, %t : tensor<4x16xf32>, tensor<16x4xf32>
}
