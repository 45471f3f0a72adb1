// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Broadcasting aligns shapes from the right; a size-1 dimension is read at index 0 and a
// missing one is not indexed at all.

// CHECK-LABEL: func.func @add
// CHECK-SAME: (%[[A:.*]]: tensor<7x1x13xf32>, %[[B:.*]]: tensor<13xf32>)
func.func @add(%a: tensor<7x1x13xf32>, %b: tensor<13xf32>) -> tensor<7x1x13xf32> {
  // CHECK: te.compute "add" (%[[A]], %[[B]]) axes ["i0", "i1", "i2"] : (tensor<7x1x13xf32>, tensor<13xf32>) -> tensor<7x1x13xf32> {
  // CHECK-NEXT: ^bb0(%[[I0:.*]]: index, %{{.*}}: index, %[[I2:.*]]: index):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[X:.*]] = te.read %[[A]][%[[I0]], %[[ZERO]], %[[I2]]] : tensor<7x1x13xf32>
  // CHECK-NEXT: %[[Y:.*]] = te.read %[[B]][%[[I2]]] : tensor<13xf32>
  // CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
  // CHECK-NEXT: te.yield %[[S]] : f32
  %y = graph.add %a, %b : (tensor<7x1x13xf32>, tensor<13xf32>) -> tensor<7x1x13xf32>
  func.return %y : tensor<7x1x13xf32>
}

// CHECK-LABEL: func.func @div_both_ways
func.func @div_both_ways(%a: tensor<7x1xf32>, %b: tensor<1x13xf32>) -> tensor<7x13xf32> {
  // CHECK: te.compute "div" (%{{.*}}, %{{.*}}) axes ["i0", "i1"] : (tensor<7x1xf32>, tensor<1x13xf32>) -> tensor<7x13xf32>
  // CHECK: arith.divf
  %y = graph.div %a, %b : (tensor<7x1xf32>, tensor<1x13xf32>) -> tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}
