// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A batched matmul sums over k; batch dimensions broadcast as in numpy, a size-1 batch
// dimension being read at index 0.

// CHECK-LABEL: func.func @matmul_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<5x1x7x3xf32>, %[[B:.*]]: tensor<4x3x13xf32>)
func.func @matmul_broadcast(%a: tensor<5x1x7x3xf32>, %b: tensor<4x3x13xf32>) -> tensor<5x4x7x13xf32> {
  // CHECK: %[[Y:.*]] = te.compute "matmul" (%[[A]], %[[B]]) axes ["b0", "b1", "i", "j"] reduce sum ["k" = 3] init 0.000000e+00 : f32 : (tensor<5x1x7x3xf32>, tensor<4x3x13xf32>) -> tensor<5x4x7x13xf32> {
  // CHECK-NEXT: ^bb0(%[[B0:.*]]: index, %[[B1:.*]]: index, %[[I:.*]]: index, %[[J:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[X:.*]] = te.read %[[A]][%[[B0]], %[[ZERO]], %[[I]], %[[K]]] : tensor<5x1x7x3xf32>
  // CHECK-NEXT: %[[W:.*]] = te.read %[[B]][%[[B1]], %[[K]], %[[J]]] : tensor<4x3x13xf32>
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[W]] : f32
  // CHECK-NEXT: te.yield %[[P]] : f32
  // CHECK: func.return %[[Y]]
  %y = graph.matmul %a, %b : (tensor<5x1x7x3xf32>, tensor<4x3x13xf32>) -> tensor<5x4x7x13xf32>
  func.return %y : tensor<5x4x7x13xf32>
}

// A vector on the right is a column that is then dropped: no j axis.

// CHECK-LABEL: func.func @matrix_vector
// CHECK-SAME: (%[[A:.*]]: tensor<7x13xf32>, %[[V:.*]]: tensor<13xf32>)
func.func @matrix_vector(%a: tensor<7x13xf32>, %v: tensor<13xf32>) -> tensor<7xf32> {
  // CHECK: te.compute "matmul" (%[[A]], %[[V]]) axes ["i"] reduce sum ["k" = 13]
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: te.read %[[A]][%[[I]], %[[K]]] : tensor<7x13xf32>
  // CHECK-NEXT: te.read %[[V]][%[[K]]] : tensor<13xf32>
  %y = graph.matmul %a, %v : (tensor<7x13xf32>, tensor<13xf32>) -> tensor<7xf32>
  func.return %y : tensor<7xf32>
}

// Dense (ONNX Gemm) transposes by swapping read indices, scales by alpha in the body and
// adds beta times the bias in a compute of its own.

// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[A:.*]]: tensor<3x2xf32>, %[[B:.*]]: tensor<4x3xf32>, %[[C:.*]]: tensor<4xf32>)
func.func @dense(%a: tensor<3x2xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  // CHECK: %[[D:.*]] = te.compute "dense" (%[[A]], %[[B]]) axes ["i", "j"] reduce sum ["k" = 3]
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: %[[X:.*]] = te.read %[[A]][%[[K]], %[[I]]] : tensor<3x2xf32>
  // CHECK-NEXT: %[[W:.*]] = te.read %[[B]][%[[J]], %[[K]]] : tensor<4x3xf32>
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[W]] : f32
  // CHECK-NEXT: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
  // CHECK-NEXT: %[[S:.*]] = arith.mulf %[[P]], %[[ALPHA]] : f32
  // CHECK-NEXT: te.yield %[[S]] : f32
  // CHECK: %[[Y:.*]] = te.compute "bias_add" (%[[D]], %[[C]]) axes ["i", "j"]
  // CHECK: %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
  // CHECK: func.return %[[Y]]
  %y = graph.dense %a, %b, %c trans_a trans_b alpha 0.5 beta 2.0 : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  func.return %y : tensor<2x4xf32>
}
