// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A layout transform reads each element at its coordinate along each axis: joined from
// the output's axis and block (c * 8 + cb), split for the source (c / 4, c % 4). The
// blocked conv2d reduces over channel blocks, the window, then the channels of a block;
// its bias is read per block and channel.

// CHECK-LABEL: func.func @blocked
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x5x5xf32>, %[[W:.*]]: tensor<2x2x3x3x8x4xf32>, %[[B:.*]]: tensor<2x4xf32>)
func.func @blocked(%x: tensor<1x16x5x5xf32>, %w: tensor<2x2x3x3x8x4xf32>, %b: tensor<2x4xf32>) -> tensor<1x8x5x5xf32> {
  // CHECK: %[[A:.*]] = te.compute "layout_transform" (%[[X]]) axes ["n", "c", "h", "w", "cb"]
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[WI:.*]]: index, %[[CB:.*]]: index):
  // CHECK-NEXT: %[[EIGHT:.*]] = arith.constant 8 : index
  // CHECK-NEXT: %[[CO:.*]] = arith.muli %[[C]], %[[EIGHT]] : index
  // CHECK-NEXT: %[[CC:.*]] = arith.addi %[[CO]], %[[CB]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[N]], %[[CC]], %[[H]], %[[WI]]]
  // CHECK-NEXT: te.yield %[[V]]
  %a = graph.layout_transform %x from "NCHW" to "NCHW8c" : (tensor<1x16x5x5xf32>) -> tensor<1x2x5x5x8xf32>
  // CHECK: %[[Y:.*]] = te.compute "conv2d_nchwc" (%[[A]], %[[W]]) axes ["n", "c", "h", "w", "cb"] reduce sum ["rc" = 2, "ry" = 3, "rx" = 3, "rcb" = 8]
  // CHECK-NEXT: ^bb0(%{{.*}}: index, %[[OC:.*]]: index, %{{.*}}: index, %{{.*}}: index, %[[OCB:.*]]: index, %[[RC:.*]]: index, %[[RY:.*]]: index, %[[RX:.*]]: index, %[[RCB:.*]]: index):
  // CHECK: te.read %[[A]][%{{.*}}, %[[RC]], %{{.*}}, %{{.*}}, %[[RCB]]]
  // CHECK: te.read %[[W]][%[[OC]], %[[RC]], %[[RY]], %[[RX]], %[[RCB]], %[[OCB]]]
  // CHECK: %[[YB:.*]] = te.compute "bias_add" (%[[Y]], %[[B]])
  // CHECK: te.read %[[B]][%{{.*}}, %{{.*}}] : tensor<2x4xf32>
  %y = graph.conv2d_nchwc %a, %w, %b padding [1, 1, 1, 1] : (tensor<1x2x5x5x8xf32>, tensor<2x2x3x3x8x4xf32>, tensor<2x4xf32>) -> tensor<1x2x5x5x4xf32>
  // CHECK: %[[Z:.*]] = te.compute "layout_transform" (%[[YB]]) axes ["n", "c", "h", "w"]
  // CHECK-NEXT: ^bb0(%[[N2:.*]]: index, %[[C2:.*]]: index, %[[H2:.*]]: index, %[[W2:.*]]: index):
  // CHECK-NEXT: %[[FOUR:.*]] = arith.constant 4 : index
  // CHECK-NEXT: %[[Q:.*]] = arith.divui %[[C2]], %[[FOUR]] : index
  // CHECK-NEXT: %[[R:.*]] = arith.remui %[[C2]], %[[FOUR]] : index
  // CHECK-NEXT: te.read %[[YB]][%[[N2]], %[[Q]], %[[H2]], %[[W2]], %[[R]]]
  %z = graph.layout_transform %y from "NCHW4c" to "NCHW" : (tensor<1x2x5x5x4xf32>) -> tensor<1x8x5x5xf32>
  func.return %z : tensor<1x8x5x5xf32>
}
