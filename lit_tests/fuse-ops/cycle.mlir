// RUN: ziggurat-opt %s -p fuse-ops | filecheck %s

// The dense and the add post-dominate together, but the path between them through the
// softmax is not fusable: fusing the dense into the add would put the softmax both before
// and after the group, a cycle. So the dense's epilogue stops before.

// CHECK-LABEL: func.func private @fused_dense
// CHECK-NEXT: graph.dense
// CHECK-NEXT: func.return
// CHECK-LABEL: func.func private @fused_softmax
// CHECK-LABEL: func.func private @fused_relu_add
// CHECK-LABEL: func.func @no_cycle
// CHECK-NEXT: %[[D:.*]] = func.call @fused_dense
// CHECK-NEXT: %[[S:.*]] = func.call @fused_softmax(%[[D]])
// CHECK-NEXT: %[[A:.*]] = func.call @fused_relu_add(%[[D]], %[[S]])
// CHECK-NEXT: func.return %[[A]]
func.func @no_cycle(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %d = graph.dense %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %s = graph.softmax %d axis 1 : tensor<4x16xf32>
  %r = graph.relu %d : tensor<4x16xf32>
  %y = graph.add %r, %s : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  func.return %y : tensor<4x16xf32>
}
