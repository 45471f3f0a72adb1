// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A cumulative sum is a sum over the whole axis of the elements at indices k up to the
// output's index i (k <= i), the others counting 0; exclusive leaves i out (k < i) and
// reverse runs from the end (k >= i, or k > i when exclusive too).

// CHECK-LABEL: func.func @cumsum
// CHECK-SAME: (%[[X:.*]]: tensor<3x5xf32>)
func.func @cumsum(%x: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>) {
  // CHECK: te.compute "cumsum" (%[[X]]) axes ["i0", "i1"] reduce sum ["k" = 5] init 0.000000e+00 : f32 : (tensor<3x5xf32>) -> tensor<3x5xf32> {
  // CHECK-NEXT: ^bb0(%[[I0:.*]]: index, %[[I1:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[I0]], %[[K]]]
  // CHECK-NEXT: %[[UP_TO:.*]] = arith.cmpi sle, %[[K]], %[[I1]] : index
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[R:.*]] = arith.select %[[UP_TO]], %[[V]], %[[ZERO]] : f32
  // CHECK-NEXT: te.yield %[[R]] : f32
  %a = graph.cumsum %x axis 1 : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK: te.compute "cumsum" (%[[X]]) axes ["i0", "i1"] reduce sum ["k" = 3]
  // CHECK-NEXT: ^bb0(%[[J0:.*]]: index, %[[J1:.*]]: index, %[[L:.*]]: index):
  // CHECK-NEXT: te.read %[[X]][%[[L]], %[[J1]]]
  // CHECK-NEXT: arith.cmpi sgt, %[[L]], %[[J0]] : index
  %b = graph.cumsum %x axis 0 exclusive reverse : (tensor<3x5xf32>) -> tensor<3x5xf32>
  func.return %a, %b : tensor<3x5xf32>, tensor<3x5xf32>
}
