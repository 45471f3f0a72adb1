// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// GatherElements reads the index at the output's place, counts it from the end when
// negative, clamps it into the axis, and reads the data with the axis's index replaced.

// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME: (%[[D:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x2xi64>)
func.func @gather_elements(%d: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  // CHECK: te.compute "gather_elements" (%[[D]], %[[I]]) axes ["i0", "i1"] : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index):
  // CHECK-NEXT: %[[RAW:.*]] = te.read %[[I]][%[[A]], %[[B]]] : tensor<3x2xi64>
  // CHECK-NEXT: %[[INDEX:.*]] = arith.index_cast %[[RAW]] : i64 to index
  // CHECK: %[[SIGNED:.*]] = arith.select
  // CHECK: %[[BELOW:.*]] = arith.minsi %[[SIGNED]]
  // CHECK-NEXT: %[[CLAMPED:.*]] = arith.maxsi %[[BELOW]]
  // CHECK-NEXT: %[[V:.*]] = te.read %[[D]][%[[A]], %[[CLAMPED]]] : tensor<3x4xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.gather_elements %d, %i axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  func.return %y : tensor<3x2xf32>
}

// GatherND reads each index of the tuple along the indices' last dimension, then the data
// at the batch indices, the tuple and the output's trailing indices.

// CHECK-LABEL: func.func @gather_nd
// CHECK-SAME: (%[[D:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<2x5x1xi32>)
func.func @gather_nd(%d: tensor<2x3x4xf32>, %i: tensor<2x5x1xi32>) -> tensor<2x5x4xf32> {
  // CHECK: te.compute "gather_nd" (%[[D]], %[[I]]) axes ["i0", "i1", "i2"]
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index, %[[C:.*]]: index):
  // CHECK: %[[RAW:.*]] = te.read %[[I]][%[[A]], %[[B]], %{{.*}}] : tensor<2x5x1xi32>
  // CHECK-NEXT: arith.index_cast %[[RAW]] : i32 to index
  // CHECK: %[[CLAMPED:.*]] = arith.maxsi
  // CHECK-NEXT: %[[V:.*]] = te.read %[[D]][%[[A]], %[[CLAMPED]], %[[C]]] : tensor<2x3x4xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.gather_nd %d, %i batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x5x1xi32>) -> tensor<2x5x4xf32>
  func.return %y : tensor<2x5x4xf32>
}
