// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// get_loops with overflow_result gives that result the loops the others leave, like
// `n, *middle, w = loops`: a schedule for nests of any depth. A loop of one iteration is
// not marked parallel (it would keep the loop in it from running in parallel).

// CHECK-LABEL: func.func @scale
// CHECK: } {loop.axis = "w", loop.annotations = [#loop.vectorize<8>]}
// CHECK-NEXT: } {loop.axis = "h", loop.annotations = [#loop.unroll<2>]}
// CHECK-NEXT: } {loop.axis = "c", loop.annotations = [#loop.unroll<2>, #loop.parallel]}
// CHECK-NEXT: } {loop.axis = "n", te.compute = "scale"}
func.func @scale(%X: tensor<1x4x6x8xf32>) -> tensor<1x4x6x8xf32> {
  %Y = te.compute "scale" (%X) axes ["n", "c", "h", "w"] : (tensor<1x4x6x8xf32>) -> tensor<1x4x6x8xf32> {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    %x = te.read %X[%n, %c, %h, %w] : tensor<1x4x6x8xf32>
    %r = arith.addf %x, %x : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<1x4x6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %nest = transform.structured.match attributes {te.compute = "scale"} in %root : (!transform.any_op) -> !transform.any_op
  %n, %middle, %w = transform.schedule.get_loops %nest {overflow_result = 1 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.unroll %middle by 2 : !transform.any_op
  transform.schedule.vectorize %w width 8 : !transform.any_op
  %function = "transform.get_parent_op"(%w) <{nth_parent = 1 : i64, op_name = "func.func"}> : (!transform.any_op) -> !transform.any_op
  %outer = transform.structured.match attributes {loop.axis = "c"} in %function : (!transform.any_op) -> !transform.any_op
  %all = "transform.merge_handles"(%n, %outer) : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.schedule.parallel %all : !transform.any_op
  transform.yield
}
