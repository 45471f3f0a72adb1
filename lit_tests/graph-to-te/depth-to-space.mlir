// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// DepthToSpace reads output pixel (y, x) from pixel (y / b, x / b) of the channel holding
// offset (y % b, x % b): in DCR order the offset is the major part of the channel, in CRD
// the minor one. SpaceToDepth reads the other way round.

// CHECK-LABEL: func.func @depth_to_space_crd
func.func @depth_to_space_crd(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  // CHECK: te.compute "depth_to_space" (%[[X:.*]]) axes ["n", "c", "h", "w"]
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index):
  // CHECK-NEXT: %[[TWO:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[ROW:.*]] = arith.remui %[[H]], %[[TWO]] : index
  // CHECK-NEXT: %[[COLUMN:.*]] = arith.remui %[[W]], %[[TWO]] : index
  // CHECK-NEXT: %[[R2:.*]] = arith.muli %[[ROW]], %[[TWO]] : index
  // CHECK-NEXT: %[[OFFSET:.*]] = arith.addi %[[R2]], %[[COLUMN]] : index
  // CHECK-NEXT: %[[FOUR:.*]] = arith.constant 4 : index
  // CHECK-NEXT: %[[C4:.*]] = arith.muli %[[C]], %[[FOUR]] : index
  // CHECK-NEXT: %[[CHANNEL:.*]] = arith.addi %[[C4]], %[[OFFSET]] : index
  // CHECK-NEXT: %[[Y:.*]] = arith.divui %[[H]], %[[TWO]] : index
  // CHECK-NEXT: %[[X2:.*]] = arith.divui %[[W]], %[[TWO]] : index
  // CHECK-NEXT: te.read %[[X]][%[[N]], %[[CHANNEL]], %[[Y]], %[[X2]]] : tensor<1x8x2x3xf32>
  %y = graph.depth_to_space %x blocksize 2 mode "CRD" : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  func.return %y : tensor<1x2x4x6xf32>
}

// CHECK-LABEL: func.func @space_to_depth_dcr
func.func @space_to_depth_dcr(%x: tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32> {
  // CHECK: te.compute "space_to_depth" (%[[X:.*]]) axes ["n", "c", "h", "w"]
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index):
  // CHECK-NEXT: %[[TWO:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[CHANNEL:.*]] = arith.remui %[[C]], %[[TWO]] : index
  // CHECK-NEXT: %[[OFFSET:.*]] = arith.divui %[[C]], %[[TWO]] : index
  // CHECK-NEXT: %[[ROW:.*]] = arith.divui %[[OFFSET]], %[[TWO]] : index
  // CHECK-NEXT: %[[COLUMN:.*]] = arith.remui %[[OFFSET]], %[[TWO]] : index
  // CHECK-NEXT: %[[H2:.*]] = arith.muli %[[H]], %[[TWO]] : index
  // CHECK-NEXT: %[[Y:.*]] = arith.addi %[[H2]], %[[ROW]] : index
  // CHECK-NEXT: %[[W2:.*]] = arith.muli %[[W]], %[[TWO]] : index
  // CHECK-NEXT: %[[X2:.*]] = arith.addi %[[W2]], %[[COLUMN]] : index
  // CHECK-NEXT: te.read %[[X]][%[[N]], %[[CHANNEL]], %[[Y]], %[[X2]]] : tensor<1x2x4x6xf32>
  %y = graph.space_to_depth %x blocksize 2 : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  func.return %y : tensor<1x8x2x3xf32>
}
