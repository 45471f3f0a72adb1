// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// An einsum is one compute over the output's letters, reducing over the letters summed;
// its body multiplies the operands read at their letters. In matmul's layout it is named
// matmul, so the matmul schedules take it.

// CHECK-LABEL: func.func @batch_matmul
// CHECK-SAME: (%[[A:.*]]: tensor<5x2x3xf32>, %[[B:.*]]: tensor<5x3x4xf32>)
func.func @batch_matmul(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  // CHECK: te.compute "matmul" (%[[A]], %[[B]]) axes ["b", "i", "k"] reduce sum ["j" = 3] init 0.000000e+00 : f32
  // CHECK-NEXT: ^bb0(%[[BATCH:.*]]: index, %[[I:.*]]: index, %[[K:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[X:.*]] = te.read %[[A]][%[[BATCH]], %[[I]], %[[J]]] : tensor<5x2x3xf32>
  // CHECK-NEXT: %[[Y:.*]] = te.read %[[B]][%[[BATCH]], %[[J]], %[[K]]] : tensor<5x3x4xf32>
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
  // CHECK-NEXT: te.yield %[[P]] : f32
  %y = graph.einsum %a, %b equation "bij, bjk -> bik" : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  func.return %y : tensor<5x2x4xf32>
}

// A repeated letter reads a diagonal; an ellipsis's dimensions are axes e0, e1, ...

// CHECK-LABEL: func.func @batch_diagonal
func.func @batch_diagonal(%x: tensor<3x5x5xf64>) -> tensor<3x5xf64> {
  // CHECK: te.compute "einsum" (%[[X:.*]]) axes ["e0", "i"] : (tensor<3x5x5xf64>) -> tensor<3x5xf64> {
  // CHECK-NEXT: ^bb0(%[[E:.*]]: index, %[[I:.*]]: index):
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[E]], %[[I]], %[[I]]] : tensor<3x5x5xf64>
  // CHECK-NEXT: te.yield %[[V]] : f64
  %y = graph.einsum %x equation "...ii->...i" : (tensor<3x5x5xf64>) -> tensor<3x5xf64>
  func.return %y : tensor<3x5xf64>
}

// An implicit output is the letters seen once, sorted; an operand's extent of 1
// broadcasts (read at 0).

// CHECK-LABEL: func.func @implicit_broadcast
func.func @implicit_broadcast(%a: tensor<1x3xf32>, %b: tensor<4x3xf32>) -> tensor<4xf32> {
  // CHECK: te.compute "einsum" (%[[A:.*]], %[[B:.*]]) axes ["e0"] reduce sum ["i" = 3]
  // CHECK-NEXT: ^bb0(%[[E:.*]]: index, %[[I:.*]]: index):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-NEXT: te.read %[[A]][%[[ZERO]], %[[I]]] : tensor<1x3xf32>
  // CHECK-NEXT: te.read %[[B]][%[[E]], %[[I]]] : tensor<4x3xf32>
  %y = graph.einsum %a, %b equation "...i,...i" : (tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
