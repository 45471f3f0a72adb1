// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// OneHot truncates a floating-point index to an integer, counts it from the end when
// negative, and gives the on value where it is the index on the new axis.

// CHECK-LABEL: func.func @one_hot
// CHECK-SAME: (%[[I:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<2xf32>)
func.func @one_hot(%i: tensor<3xf32>, %v: tensor<2xf32>) -> tensor<5x3xf32> {
  // CHECK: te.compute "one_hot" (%[[I]], %[[V]]) axes ["i0", "i1"] : (tensor<3xf32>, tensor<2xf32>) -> tensor<5x3xf32> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index):
  // CHECK-NEXT: %[[RAW:.*]] = te.read %[[I]][%[[B]]] : tensor<3xf32>
  // CHECK-NEXT: %[[WHOLE:.*]] = arith.fptosi %[[RAW]] : f32 to i64
  // CHECK: %[[INDEX:.*]] = arith.select
  // CHECK-NEXT: %[[HOT:.*]] = arith.cmpi eq, %[[INDEX]], %[[A]] : index
  // CHECK: %[[ON:.*]] = te.read %[[V]][%{{.*}}] : tensor<2xf32>
  // CHECK-NEXT: %[[OFF:.*]] = te.read %[[V]][%{{.*}}] : tensor<2xf32>
  // CHECK-NEXT: %[[R:.*]] = arith.select %[[HOT]], %[[ON]], %[[OFF]] : f32
  // CHECK-NEXT: te.yield %[[R]] : f32
  %y = graph.one_hot %i, %v axis 0 depth 5 : (tensor<3xf32>, tensor<2xf32>) -> tensor<5x3xf32>
  func.return %y : tensor<5x3xf32>
}
