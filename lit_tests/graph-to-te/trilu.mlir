// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Trilu keeps an element where its column is at least its row plus k (upper) or at most
// that (lower); k is a constant or read from its operand.

// CHECK-LABEL: func.func @upper
func.func @upper(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // CHECK: te.compute "trilu" (%{{.*}}) axes ["i0", "i1", "i2"]
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[ROW:.*]]: index, %[[COLUMN:.*]]: index):
  // CHECK-NEXT: %[[K:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[DIAGONAL:.*]] = arith.addi %[[ROW]], %[[K]] : index
  // CHECK-NEXT: %[[KEPT:.*]] = arith.cmpi sge, %[[COLUMN]], %[[DIAGONAL]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %{{.*}}[%[[A]], %[[ROW]], %[[COLUMN]]]
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: arith.select %[[KEPT]], %[[V]], %[[ZERO]] : f32
  %y = graph.trilu %x upper k 1 : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  func.return %y : tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @lower_by_operand
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xi64>, %[[K:.*]]: tensor<i64>)
func.func @lower_by_operand(%x: tensor<3x4xi64>, %k: tensor<i64>) -> tensor<3x4xi64> {
  // CHECK: te.compute "trilu" (%[[X]], %[[K]]) axes ["i0", "i1"]
  // CHECK-NEXT: ^bb0(%[[ROW:.*]]: index, %[[COLUMN:.*]]: index):
  // CHECK-NEXT: %[[RAW:.*]] = te.read %[[K]][] : tensor<i64>
  // CHECK-NEXT: %[[OFFSET:.*]] = arith.index_cast %[[RAW]] : i64 to index
  // CHECK-NEXT: %[[DIAGONAL:.*]] = arith.addi %[[ROW]], %[[OFFSET]] : index
  // CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[PAST:.*]] = arith.addi %[[DIAGONAL]], %[[ONE]] : index
  // CHECK-NEXT: %[[KEPT:.*]] = arith.cmpi slt, %[[COLUMN]], %[[PAST]] : index
  // CHECK: arith.select %[[KEPT]], %{{.*}}, %{{.*}} : i64
  %y = graph.trilu %x, %k : (tensor<3x4xi64>, tensor<i64>) -> tensor<3x4xi64>
  func.return %y : tensor<3x4xi64>
}
