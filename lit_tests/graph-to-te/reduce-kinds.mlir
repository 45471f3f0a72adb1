// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Each reduction is a combiner over a function of each element, then a function of the
// result: min from +inf, prod from 1, the L2 norm a sum of squares and a square root,
// log-sum-exp three computes (the max, the sum of exp(x - max) and the log plus the max,
// with an infinite max shifting by 0). Over an axis of extent 0 a reduction is its initial
// value, a compute of no input; over no axis, its function of each element alone.

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<3x5xf32>, %i: tensor<3x5xi32>, %e: tensor<3x0xf32>) -> (tensor<3xf32>, tensor<3xi32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x5xf32>) {
  // CHECK: te.compute "reduce_min" (%{{.*}}) axes ["i0"] reduce min ["r0" = 5] init 0x7f800000 : f32
  %min = graph.reduce_min %x axes [1] : (tensor<3x5xf32>) -> tensor<3xf32>
  // CHECK: te.compute "reduce_prod" (%{{.*}}) axes ["i0"] reduce prod ["r0" = 5] init 1 : i32
  %prod = graph.reduce_prod %i axes [1] : (tensor<3x5xi32>) -> tensor<3xi32>
  // CHECK: %[[SQUARES:.*]] = te.compute "reduce_l2_sum" (%{{.*}}) axes ["i0", "i1"] reduce sum ["r0" = 5]
  // CHECK: arith.mulf
  // CHECK: te.compute "reduce_l2" (%[[SQUARES]])
  // CHECK: math.sqrt
  %l2 = graph.reduce_l2 %x axes [1] keepdims : (tensor<3x5xf32>) -> tensor<3x1xf32>
  // CHECK: %[[MAX:.*]] = te.compute "reduce_log_sum_exp_max" (%{{.*}}) axes ["i0"] reduce max
  // CHECK: %[[SUM:.*]] = te.compute "reduce_log_sum_exp_sum" (%{{.*}}, %[[MAX]]) axes ["i0"] reduce sum
  // CHECK: math.exp
  // CHECK: te.compute "reduce_log_sum_exp" (%[[SUM]], %[[MAX]])
  // CHECK: math.log
  %lse = graph.reduce_log_sum_exp %x axes [1] : (tensor<3x5xf32>) -> tensor<3xf32>
  // CHECK: te.compute "reduce_min" () axes ["i0"] : () -> tensor<3xf32> {
  // CHECK: %[[INF:.*]] = arith.constant 0x7f800000 : f32
  // CHECK-NEXT: te.yield %[[INF]] : f32
  %empty = graph.reduce_min %e axes [1] : (tensor<3x0xf32>) -> tensor<3xf32>
  // CHECK: te.compute "reduce_sum_square" (%{{.*}}) axes ["i0", "i1"] : (tensor<3x5xf32>) -> tensor<3x5xf32> {
  // CHECK: %[[S:.*]] = arith.mulf
  // CHECK-NEXT: te.yield %[[S]] : f32
  %alone = graph.reduce_sum_square %x axes [] : (tensor<3x5xf32>) -> tensor<3x5xf32>
  func.return %min, %prod, %l2, %lse, %empty, %alone : tensor<3xf32>, tensor<3xi32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x5xf32>
}
