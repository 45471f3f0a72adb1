// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Group normalization keeps its statistics per item and group ([n, g]): the sum over the
// group's channels (channel g * 2 + r0) and the dimensions after them, the mean, the sum of
// squared deviations, and the normalized result reading them at the channel's group (c / 2),
// scaled and shifted per channel.

// CHECK-LABEL: func.func @group_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x6x5xf32>, %[[S:.*]]: tensor<6xf32>, %[[B:.*]]: tensor<6xf32>)
func.func @group_norm(%x: tensor<2x6x5xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<2x6x5xf32> {
  // CHECK: %[[SUM:.*]] = te.compute "group_norm_sum" (%[[X]]) axes ["n", "g"] reduce sum ["r0" = 2, "r1" = 5] init 0.000000e+00 : f32 : (tensor<2x6x5xf32>) -> tensor<2x3xf32> {
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[G:.*]]: index, %[[R0:.*]]: index, %[[R1:.*]]: index):
  // CHECK-NEXT: %[[TWO:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[G]], %[[TWO]] : index
  // CHECK-NEXT: %[[CHANNEL:.*]] = arith.addi %[[FIRST]], %[[R0]] : index
  // CHECK-NEXT: te.read %[[X]][%[[N]], %[[CHANNEL]], %[[R1]]]
  // CHECK: %[[MEAN:.*]] = te.compute "group_norm_mean" (%[[SUM]]) axes ["n", "g"]
  // CHECK: arith.constant 1.000000e+01 : f32
  // CHECK: %[[SQUARES:.*]] = te.compute "group_norm_square_sum" (%[[X]], %[[MEAN]]) axes ["n", "g"] reduce sum
  // CHECK: te.compute "group_norm" (%[[X]], %[[MEAN]], %[[SQUARES]], %[[S]], %[[B]]) axes ["i0", "i1", "i2"]
  // CHECK-NEXT: ^bb0(%[[I0:.*]]: index, %[[I1:.*]]: index, %{{.*}}: index):
  // CHECK: %[[GROUP:.*]] = arith.divui %[[I1]], %{{.*}} : index
  // CHECK: te.read %[[MEAN]][%[[I0]], %[[GROUP]]]
  // CHECK: te.read %[[S]][%[[I1]]]
  // CHECK: te.read %[[B]][%[[I1]]]
  %y = graph.group_norm %x, %s, %b groups 3 : (tensor<2x6x5xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x5xf32>
  func.return %y : tensor<2x6x5xf32>
}
