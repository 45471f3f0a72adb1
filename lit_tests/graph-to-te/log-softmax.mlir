// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Log softmax is three computes: the max along the axis, the sum of exp(x - max) (the
// exponential inside the reduction, never stored), and x - max - log(sum).

// CHECK-LABEL: func.func @log_softmax
// CHECK-SAME: (%[[X:.*]]: tensor<7x13xf32>)
func.func @log_softmax(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  // CHECK: %[[MAX:.*]] = te.compute "log_softmax_max" (%[[X]]) axes ["i0", "i1"] reduce max ["k" = 13] init 0xff800000 : f32 : (tensor<7x13xf32>) -> tensor<7x1xf32> {
  // CHECK: %[[SUM:.*]] = te.compute "log_softmax_sum" (%[[X]], %[[MAX]]) axes ["i0", "i1"] reduce sum ["k" = 13] init 0.000000e+00 : f32 : (tensor<7x13xf32>, tensor<7x1xf32>) -> tensor<7x1xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[I]], %[[K]]] : tensor<7x13xf32>
  // CHECK-NEXT: %[[M:.*]] = te.read %[[MAX]][%[[I]], %[[J]]] : tensor<7x1xf32>
  // CHECK-NEXT: %[[D:.*]] = arith.subf %[[V]], %[[M]] : f32
  // CHECK-NEXT: %[[E:.*]] = math.exp %[[D]] : f32
  // CHECK-NEXT: te.yield %[[E]] : f32
  // CHECK: %[[Y:.*]] = te.compute "log_softmax" (%[[X]], %[[MAX]], %[[SUM]]) axes ["i0", "i1"] : (tensor<7x13xf32>, tensor<7x1xf32>, tensor<7x1xf32>) -> tensor<7x13xf32> {
  // CHECK: %[[SHIFTED:.*]] = arith.subf
  // CHECK: %[[LOG:.*]] = math.log
  // CHECK-NEXT: %[[R:.*]] = arith.subf %[[SHIFTED]], %[[LOG]] : f32
  // CHECK-NEXT: te.yield %[[R]] : f32
  // CHECK: func.return %[[Y]]
  %y = graph.log_softmax %x axis 1 : tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}
