// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Reshape and flatten linearize the output index and delinearize it into the input's
// (the leading index needs no remainder, a size-1 dimension is index 0), within each group
// of dimensions they merge or split; here all three of the input make one group.

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  // CHECK: te.compute "reshape" (%[[X]]) axes ["i0", "i1"] : (tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[C6:.*]] = arith.constant 6 : index
  // CHECK-NEXT: %[[ROW:.*]] = arith.muli %[[I]], %[[C6]] : index
  // CHECK-NEXT: %[[L:.*]] = arith.addi %[[ROW]], %[[J]] : index
  // CHECK-NEXT: %[[C12:.*]] = arith.constant 12 : index
  // CHECK-NEXT: %[[D0:.*]] = arith.divui %[[L]], %[[C12]] : index
  // CHECK-NEXT: %[[C4:.*]] = arith.constant 4 : index
  // CHECK-NEXT: %[[Q1:.*]] = arith.divui %[[L]], %[[C4]] : index
  // CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : index
  // CHECK-NEXT: %[[D1:.*]] = arith.remui %[[Q1]], %[[C3]] : index
  // CHECK-NEXT: %[[D2:.*]] = arith.remui %[[L]], %[[C4]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[D0]], %[[D1]], %[[D2]]] : tensor<2x3x4xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.reshape %x : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  func.return %y : tensor<4x6xf32>
}

// CHECK-LABEL: func.func @flatten
func.func @flatten(%x: tensor<1x3x2x2xf32>) -> tensor<1x12xf32> {
  // CHECK: te.compute "flatten" (%{{.*}}) axes ["i0", "i1"] : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
  // CHECK: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK: te.read %{{.*}}[%[[ZERO]], %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x3x2x2xf32>
  %y = graph.flatten %x axis 1 : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
  func.return %y : tensor<1x12xf32>
}

// Only the dimensions a reshape merges or splits are linearized and delinearized: here
// dimension 1 splits into two and the others are read as they are.

// CHECK-LABEL: func.func @split_one_dimension
// CHECK-SAME: (%[[X:.*]]: tensor<2x6x5xf32>)
func.func @split_one_dimension(%x: tensor<2x6x5xf32>) -> tensor<2x3x2x5xf32> {
  // CHECK: ^bb0(%[[I0:.*]]: index, %[[I1:.*]]: index, %[[I2:.*]]: index, %[[I3:.*]]: index):
  // CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[HIGH:.*]] = arith.muli %[[I1]], %[[C2]] : index
  // CHECK-NEXT: %[[MERGED:.*]] = arith.addi %[[HIGH]], %[[I2]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[I0]], %[[MERGED]], %[[I3]]] : tensor<2x6x5xf32>
  %y = graph.reshape %x : (tensor<2x6x5xf32>) -> tensor<2x3x2x5xf32>
  func.return %y : tensor<2x3x2x5xf32>
}

// Transpose reads the input at the permuted output indices.

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x5xf32>)
func.func @transpose(%x: tensor<2x3x5xf32>) -> tensor<5x2x3xf32> {
  // CHECK: te.compute "transpose" (%[[X]]) axes ["i0", "i1", "i2"] : (tensor<2x3x5xf32>) -> tensor<5x2x3xf32> {
  // CHECK-NEXT: ^bb0(%[[I0:.*]]: index, %[[I1:.*]]: index, %[[I2:.*]]: index):
  // CHECK-NEXT: te.read %[[X]][%[[I1]], %[[I2]], %[[I0]]] : tensor<2x3x5xf32>
  %y = graph.transpose %x perm [2, 0, 1] : (tensor<2x3x5xf32>) -> tensor<5x2x3xf32>
  func.return %y : tensor<5x2x3xf32>
}



// Slice reads the input at offset + index * step along each dimension.

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x9xf32>)
func.func @slice(%x: tensor<2x3x9xf32>) -> tensor<2x2x3xf32> {
  // CHECK: te.compute "slice" (%[[X]]) axes ["i0", "i1", "i2"] : (tensor<2x3x9xf32>) -> tensor<2x2x3xf32> {
  // CHECK-NEXT: ^bb0(%[[I0:.*]]: index, %[[I1:.*]]: index, %[[I2:.*]]: index):
  // CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[ROW:.*]] = arith.addi %[[I1]], %[[ONE]] : index
  // CHECK-NEXT: %[[STEP:.*]] = arith.constant -3 : index
  // CHECK-NEXT: %[[BACK:.*]] = arith.muli %[[I2]], %[[STEP]] : index
  // CHECK-NEXT: %[[LAST:.*]] = arith.constant 8 : index
  // CHECK-NEXT: %[[COLUMN:.*]] = arith.addi %[[BACK]], %[[LAST]] : index
  // CHECK-NEXT: te.read %[[X]][%[[I0]], %[[ROW]], %[[COLUMN]]] : tensor<2x3x9xf32>
  %y = graph.slice %x offsets [0, 1, 8] steps [1, 1, -3] : (tensor<2x3x9xf32>) -> tensor<2x2x3xf32>
  func.return %y : tensor<2x2x3xf32>
}
