// The CPU's default schedule for softmax (three nests: the maximum along the axis, the sum
// of exponentials, the quotients), given the last one: the maximum and the sum of a row
// computed in its loop over rows, so a row stays in cache, and the rows over the threads;
// the maximum in vector lanes.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32] -> !transform.param<i64>
  %function = "transform.get_parent_op"(%root) <{nth_parent = 1 : i64, op_name = "func.func"}> : (!transform.any_op) -> !transform.any_op
  %maximum = transform.structured.match attributes {te.compute = "softmax_max"} in %function : (!transform.any_op) -> !transform.any_op
  %sum = transform.structured.match attributes {te.compute = "softmax_sum"} in %function : (!transform.any_op) -> !transform.any_op
  %outer, %row, %inner = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %sum_at = transform.schedule.compute_at %sum at %row : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %maximum_at = transform.schedule.compute_at %maximum at %row : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %m_outer, %m_inner = transform.schedule.get_loops %maximum_at {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.tune.alternatives<"vectorize"> selected_region = 1 {
    transform.yield
  }, {
    transform.schedule.vectorize %m_inner width %vector_width : !transform.any_op, !transform.param<i64>
    transform.yield
  }
  transform.tune.alternatives<"parallel"> selected_region = 0 {
    transform.schedule.parallel %outer : !transform.any_op
    transform.schedule.parallel %row : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
