// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// broadcast_to reads its input at broadcast indices (0 along a dimension of extent 1); tile
// reads output index i of a repeated dimension of extent n at i mod n.

// CHECK-LABEL: func.func @movement
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>)
func.func @movement(%x: tensor<3x1xf32>) -> (tensor<2x3x4xf32>, tensor<6x3xf32>) {
  // CHECK: te.compute "broadcast_to" (%[[X]]) axes ["i0", "i1", "i2"] : (tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK-NEXT: ^bb0(%{{.*}}: index, %[[I1:.*]]: index, %{{.*}}: index):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-NEXT: te.read %[[X]][%[[I1]], %[[ZERO]]]
  %a = graph.broadcast_to %x : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: te.compute "tile" (%[[X]]) axes ["i0", "i1"] : (tensor<3x1xf32>) -> tensor<6x3xf32> {
  // CHECK-NEXT: ^bb0(%[[J0:.*]]: index, %{{.*}}: index):
  // CHECK-NEXT: %[[THREE:.*]] = arith.constant 3 : index
  // CHECK-NEXT: %[[ROW:.*]] = arith.remui %[[J0]], %[[THREE]] : index
  // CHECK-NEXT: %[[COLUMN:.*]] = arith.constant 0 : index
  // CHECK-NEXT: te.read %[[X]][%[[ROW]], %[[COLUMN]]]
  %b = graph.tile %x repeats [2, 3] : (tensor<3x1xf32>) -> tensor<6x3xf32>
  func.return %a, %b : tensor<2x3x4xf32>, tensor<6x3xf32>
}
