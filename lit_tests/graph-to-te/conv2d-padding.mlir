// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Padding is a clamped read chosen by arith.select on an in-bounds test, so the compute
// never reads out of bounds; the bias is added by a compute of its own.

// CHECK-LABEL: func.func @conv2d_padding
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x7x7xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
func.func @conv2d_padding(%x: tensor<1x3x7x7xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: %[[CONV:.*]] = te.compute "conv2d" (%[[X]], %[[W]]) axes ["n", "c", "h", "w"] reduce sum ["rc" = 3, "ry" = 3, "rx" = 3] init 0.000000e+00 : f32 : (tensor<1x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[WI:.*]]: index, %[[RC:.*]]: index, %[[RY:.*]]: index, %[[RX:.*]]: index):
  // CHECK: %[[HS:.*]] = arith.muli %[[H]], %{{.*}} : index
  // CHECK-NEXT: %[[HR:.*]] = arith.addi %[[HS]], %[[RY]] : index
  // CHECK: %[[ROW:.*]] = arith.subi %[[HR]], %{{.*}} : index
  // CHECK: %[[TOP:.*]] = arith.cmpi sge, %[[ROW]], %{{.*}} : index
  // CHECK-NEXT: %[[ROW0:.*]] = arith.maxsi %[[ROW]], %{{.*}} : index
  // CHECK: %[[BOTTOM:.*]] = arith.cmpi slt, %[[ROW0]], %{{.*}} : index
  // CHECK: %[[ROW1:.*]] = arith.minsi %[[ROW0]], %{{.*}} : index
  // CHECK: %[[COL1:.*]] = arith.minsi
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[N]], %[[RC]], %[[ROW1]], %[[COL1]]] : tensor<1x3x7x7xf32>
  // CHECK-COUNT-3: arith.andi
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[PADDED:.*]] = arith.select %{{.*}}, %[[V]], %[[ZERO]] : f32
  // CHECK-NEXT: %[[WV:.*]] = te.read %[[W]][%[[C]], %[[RC]], %[[RY]], %[[RX]]] : tensor<4x3x3x3xf32>
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[PADDED]], %[[WV]] : f32
  // CHECK-NEXT: te.yield %[[P]] : f32
  // CHECK: %[[OUT:.*]] = te.compute "bias_add" (%[[CONV]], %[[B]]) axes ["n", "c", "h", "w"]
  // CHECK: te.read %[[B]][%{{.*}}] : tensor<4xf32>
  // CHECK: func.return %[[OUT]] : tensor<1x4x4x4xf32>
  %y = graph.conv2d %x, %w, %b strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x3x7x7xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  func.return %y : tensor<1x4x4x4xf32>
}

// Without padding the window never leaves the input: a plain read, no test.

// CHECK-LABEL: func.func @conv2d_valid
func.func @conv2d_valid(%x: tensor<1x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32> {
  // CHECK: te.compute "conv2d"
  // CHECK-NOT: arith.select
  // CHECK: func.return
  %y = graph.conv2d %x, %w : (tensor<1x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32>
  func.return %y : tensor<1x4x5x5xf32>
}
