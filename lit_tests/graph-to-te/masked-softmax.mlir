// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// masked_softmax is softmax's four computes (named as softmax's, so the target's softmax
// schedule takes them), where a row whose max is -inf shifts by 0 (its exponentials are 0)
// and whose sum is 0 gives 0 rather than 0 / 0.

// CHECK-LABEL: func.func @masked_softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x5xf32>)
func.func @masked_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: %[[MAX:.*]] = te.compute "softmax_max" (%[[X]]) axes ["i0", "i1"] reduce max ["k" = 5]
  // CHECK: %[[EXP:.*]] = te.compute "softmax_exp" (%[[X]], %[[MAX]])
  // CHECK: %[[TOP:.*]] = te.read %[[MAX]][%{{.*}}, %{{.*}}] : tensor<2x1xf32>
  // CHECK-NEXT: %[[NEGINF:.*]] = arith.constant 0xff800000 : f32
  // CHECK-NEXT: %[[MASKED:.*]] = arith.cmpf oeq, %[[TOP]], %[[NEGINF]] : f32
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[SHIFT:.*]] = arith.select %[[MASKED]], %[[ZERO]], %[[TOP]] : f32
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]]
  // CHECK-NEXT: %[[D:.*]] = arith.subf %[[V]], %[[SHIFT]] : f32
  // CHECK-NEXT: math.exp %[[D]] : f32
  // CHECK: %[[SUM:.*]] = te.compute "softmax_sum" (%[[EXP]]) axes ["i0", "i1"] reduce sum ["k" = 5]
  // CHECK: te.compute "softmax" (%[[EXP]], %[[SUM]])
  // CHECK: %[[TOTAL:.*]] = te.read %[[SUM]]
  // CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[EMPTY:.*]] = arith.cmpf oeq, %[[TOTAL]], %[[Z]] : f32
  // CHECK-NEXT: %[[Q:.*]] = arith.divf %{{.*}}, %[[TOTAL]] : f32
  // CHECK: arith.select %[[EMPTY]], %{{.*}}, %[[Q]] : f32
  %y = graph.masked_softmax %x axis -1 : tensor<2x5xf32>
  func.return %y : tensor<2x5xf32>
}
