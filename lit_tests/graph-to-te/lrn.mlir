// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// LRN sums squares over a window of `size` channels, floor((size - 1) / 2) before the
// channel (here 1 of 4), read clamped and selected to zero outside the channels; then
// divides by (bias + alpha / size * sum)^beta.

// CHECK-LABEL: func.func @lrn
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x3x3xf32>)
func.func @lrn(%x: tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32> {
  // CHECK: %[[SQ:.*]] = te.compute "lrn_square_sum" (%[[X]]) axes ["n", "c", "h", "w"] reduce sum ["rc" = 4] init 0.000000e+00 : f32 : (tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32> {
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index, %[[RC:.*]]: index):
  // CHECK-NEXT: %[[SUM:.*]] = arith.addi %[[C]], %[[RC]] : index
  // CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[CH:.*]] = arith.subi %[[SUM]], %[[C1]] : index
  // CHECK: %[[IN:.*]] = arith.minsi
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[N]], %[[IN]], %[[H]], %[[W]]] : tensor<1x8x3x3xf32>
  // CHECK: %[[Z:.*]] = arith.select %{{.*}}, %[[V]], %{{.*}} : f32
  // CHECK-NEXT: %[[SQUARE:.*]] = arith.mulf %[[Z]], %[[Z]] : f32
  // CHECK-NEXT: te.yield %[[SQUARE]] : f32
  // CHECK: %[[Y:.*]] = te.compute "lrn" (%[[X]], %[[SQ]]) axes ["n", "c", "h", "w"]
  // CHECK: arith.constant 2.500000e-05 : f32
  // CHECK: arith.constant 1.000000e+00 : f32
  // CHECK: %[[BETA:.*]] = arith.constant 7.500000e-01 : f32
  // CHECK-NEXT: %[[DIVISOR:.*]] = math.powf %{{.*}}, %[[BETA]] : f32
  // CHECK-NEXT: %[[XV:.*]] = te.read %[[X]]
  // CHECK-NEXT: arith.divf %[[XV]], %[[DIVISOR]] : f32
  // CHECK: func.return %[[Y]]
  %y = graph.lrn %x size 4 : tensor<1x8x3x3xf32>
  func.return %y : tensor<1x8x3x3xf32>
}
