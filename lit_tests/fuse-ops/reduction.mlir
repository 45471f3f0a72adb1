// RUN: ziggurat-opt %s -p fuse-ops | filecheck %s

// Elementwise ops before a reduction fuse into it as its prologue; a reduction ends its
// group, so the exp after it is a group of its own; an opaque op (softmax) stands alone.

// CHECK-LABEL: func.func private @fused_sub_exp_reduce_sum
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[C:.*]]: tensor<16xf32>) -> tensor<4xf32>
// CHECK-NEXT: graph.sub
// CHECK-NEXT: graph.exp
// CHECK-NEXT: graph.reduce_sum
// CHECK-NEXT: func.return
// CHECK-LABEL: func.func private @fused_exp
// CHECK-LABEL: func.func private @fused_softmax
// CHECK-LABEL: func.func @prologue
// CHECK-NEXT: %[[C:.*]] = graph.constant
// CHECK-NEXT: %[[S:.*]] = func.call @fused_sub_exp_reduce_sum(%{{.*}}, %[[C]])
// CHECK-NEXT: %[[E:.*]] = func.call @fused_exp(%[[S]])
// CHECK-NEXT: %[[M:.*]] = func.call @fused_softmax(%[[E]])
// CHECK-NEXT: func.return %[[M]]
func.func @prologue(%x: tensor<4x16xf32>) -> tensor<4xf32> {
  %c = graph.constant dense<1.0> : tensor<16xf32>
  %d = graph.sub %x, %c : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %e = graph.exp %d : tensor<4x16xf32>
  %s = graph.reduce_sum %e axes [1] : (tensor<4x16xf32>) -> tensor<4xf32>
  %f = graph.exp %s : tensor<4xf32>
  %m = graph.softmax %f axis 0 : tensor<4xf32>
  func.return %m : tensor<4xf32>
}
