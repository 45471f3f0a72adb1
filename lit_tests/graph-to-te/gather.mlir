// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Gather reads the index, counts it from the end when negative, clamps it into the axis so
// no read is out of bounds, and reads the data there.

// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[D:.*]]: tensor<5x3xf32>, %[[I:.*]]: tensor<2x4xi64>)
func.func @gather(%d: tensor<5x3xf32>, %i: tensor<2x4xi64>) -> tensor<2x4x3xf32> {
  // CHECK: te.compute "gather" (%[[D]], %[[I]]) axes ["i0", "i1", "i2"] : (tensor<5x3xf32>, tensor<2x4xi64>) -> tensor<2x4x3xf32> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index, %[[C:.*]]: index):
  // CHECK-NEXT: %[[RAW:.*]] = te.read %[[I]][%[[A]], %[[B]]] : tensor<2x4xi64>
  // CHECK-NEXT: %[[INDEX:.*]] = arith.index_cast %[[RAW]] : i64 to index
  // CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[NEG:.*]] = arith.cmpi slt, %[[INDEX]], %[[C0]] : index
  // CHECK-NEXT: %[[C5:.*]] = arith.constant 5 : index
  // CHECK-NEXT: %[[WRAPPED:.*]] = arith.addi %[[INDEX]], %[[C5]] : index
  // CHECK-NEXT: %[[SIGNED:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[INDEX]] : index
  // CHECK-NEXT: %[[C4:.*]] = arith.constant 4 : index
  // CHECK-NEXT: %[[BELOW:.*]] = arith.minsi %[[SIGNED]], %[[C4]] : index
  // CHECK-NEXT: %[[CLAMPED:.*]] = arith.maxsi %[[BELOW]], %[[C0]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[D]][%[[CLAMPED]], %[[C]]] : tensor<5x3xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.gather %d, %i axis 0 : (tensor<5x3xf32>, tensor<2x4xi64>) -> tensor<2x4x3xf32>
  func.return %y : tensor<2x4x3xf32>
}

// A rank-0 index drops the axis; i32 indices and integer data work the same way.

// CHECK-LABEL: func.func @gather_scalar
// CHECK-SAME: (%[[D:.*]]: tensor<4x5xi64>, %[[I:.*]]: tensor<i32>)
func.func @gather_scalar(%d: tensor<4x5xi64>, %i: tensor<i32>) -> tensor<4xi64> {
  // CHECK: te.compute "gather" (%[[D]], %[[I]]) axes ["i0"] : (tensor<4x5xi64>, tensor<i32>) -> tensor<4xi64> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index):
  // CHECK-NEXT: %[[RAW:.*]] = te.read %[[I]][] : tensor<i32>
  // CHECK-NEXT: arith.index_cast %[[RAW]] : i32 to index
  // CHECK: %[[V:.*]] = te.read %[[D]][%[[A]], %{{.*}}] : tensor<4x5xi64>
  // CHECK-NEXT: te.yield %[[V]] : i64
  %y = graph.gather %d, %i axis 1 : (tensor<4x5xi64>, tensor<i32>) -> tensor<4xi64>
  func.return %y : tensor<4xi64>
}
