// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Softmax is four computes for numerical stability: the max along the axis, exp(x - max),
// their sum, and the quotient. The reductions keep the axis with extent 1.

// CHECK-LABEL: func.func @softmax_axis0
// CHECK-SAME: (%[[X:.*]]: tensor<7x13xf32>)
func.func @softmax_axis0(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  // CHECK: %[[MAX:.*]] = te.compute "softmax_max" (%[[X]]) axes ["i0", "i1"] reduce max ["k" = 7] init 0xff800000 : f32 : (tensor<7x13xf32>) -> tensor<1x13xf32> {
  // CHECK-NEXT: ^bb0(%{{.*}}: index, %[[I1:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: te.read %[[X]][%[[K]], %[[I1]]] : tensor<7x13xf32>
  // CHECK: %[[EXP:.*]] = te.compute "softmax_exp" (%[[X]], %[[MAX]]) axes ["i0", "i1"] : (tensor<7x13xf32>, tensor<1x13xf32>) -> tensor<7x13xf32> {
  // CHECK: arith.subf
  // CHECK-NEXT: math.exp
  // CHECK: %[[SUM:.*]] = te.compute "softmax_sum" (%[[EXP]]) axes ["i0", "i1"] reduce sum ["k" = 7] init 0.000000e+00 : f32 : (tensor<7x13xf32>) -> tensor<1x13xf32> {
  // CHECK: %[[Y:.*]] = te.compute "softmax" (%[[EXP]], %[[SUM]]) axes ["i0", "i1"]
  // CHECK: arith.divf
  // CHECK: func.return %[[Y]]
  %y = graph.softmax %x axis 0 : tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}

// CHECK-LABEL: func.func @softmax_last
func.func @softmax_last(%x: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  // CHECK: te.compute "softmax_max" (%{{.*}}) axes ["i0", "i1", "i2"] reduce max ["k" = 5] init 0xff800000 : f32 : (tensor<2x3x5xf32>) -> tensor<2x3x1xf32>
  %y = graph.softmax %x axis -1 : tensor<2x3x5xf32>
  func.return %y : tensor<2x3x5xf32>
}
