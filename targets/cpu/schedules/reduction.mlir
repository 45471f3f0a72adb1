// The CPU's default schedule for a loop nest that reduces along its innermost loop (a sum,
// max or mean over an axis, softmax's max and sum, a norm): the loops around it over the
// threads, the reduction in vector lanes (partial results combined after the loop).
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  // 64 lanes: bytes (i8, i1) in 512-bit vectors.
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32, 64] -> !transform.param<i64>
  %outer, %inner = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.tune.alternatives<"parallel"> selected_region = 0 {
    transform.schedule.parallel %outer : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }
  // In vector lanes where the loop's body allows it (no libm call, unit-stride accesses).
  transform.tune.alternatives<"vectorize"> selected_region = 1 {
    transform.yield
  }, {
    transform.schedule.vectorize %inner width %vector_width : !transform.any_op, !transform.param<i64>
    transform.yield
  }
  transform.yield
}
