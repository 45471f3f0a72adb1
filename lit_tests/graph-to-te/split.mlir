// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Split is one compute per piece, each reading the input at its offset along the axis.

// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:.*]]: tensor<4x5xf32>)
func.func @split(%x: tensor<4x5xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>) {
  // CHECK: %[[A:.*]] = te.compute "split" (%[[X]]) axes ["i0", "i1"] : (tensor<4x5xf32>) -> tensor<4x2xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[I]], %[[J]]] : tensor<4x5xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  // CHECK: %[[B:.*]] = te.compute "split" (%[[X]]) axes ["i0", "i1"] : (tensor<4x5xf32>) -> tensor<4x3xf32> {
  // CHECK-NEXT: ^bb0(%[[I2:.*]]: index, %[[J2:.*]]: index):
  // CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[JS:.*]] = arith.addi %[[J2]], %[[C2]] : index
  // CHECK-NEXT: %[[W:.*]] = te.read %[[X]][%[[I2]], %[[JS]]] : tensor<4x5xf32>
  // CHECK-NEXT: te.yield %[[W]] : f32
  // CHECK: func.return %[[A]], %[[B]]
  %a, %b = graph.split %x axis -1 sizes [2, 3] : (tensor<4x5xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>)
  func.return %a, %b : tensor<4x2xf32>, tensor<4x3xf32>
}
