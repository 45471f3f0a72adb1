// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Concat reads every input at a clamped index and selects by the position on the axis.

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x5xf32>)
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  // CHECK: te.compute "concat" (%[[A]], %[[B]]) axes ["i0", "i1"] : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : index
  // CHECK-NEXT: %[[JB:.*]] = arith.subi %[[J]], %[[C3]] : index
  // CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[JB0:.*]] = arith.maxsi %[[JB]], %[[C0]] : index
  // CHECK-NEXT: %[[VB:.*]] = te.read %[[B]][%[[I]], %[[JB0]]] : tensor<2x5xf32>
  // CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[JA:.*]] = arith.minsi %[[J]], %[[C2]] : index
  // CHECK-NEXT: %[[VA:.*]] = te.read %[[A]][%[[I]], %[[JA]]] : tensor<2x3xf32>
  // CHECK-NEXT: %[[IN_A:.*]] = arith.cmpi slt, %[[J]], %[[C3]] : index
  // CHECK-NEXT: %[[V:.*]] = arith.select %[[IN_A]], %[[VA]], %[[VB]] : f32
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  func.return %y : tensor<2x8xf32>
}
