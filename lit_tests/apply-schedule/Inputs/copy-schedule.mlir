// The schedule that ../schedule-file.mlir applies from a file of its own.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.vectorize %ji width 4 : !transform.any_op
  transform.yield
}

transform.named_sequence @unroll_only(%root: !transform.any_op) {
  %loops = transform.structured.match ops{["scf.for"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.schedule.unroll %loops by 2 : !transform.any_op
  transform.yield
}

transform.named_sequence @broken(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.vectorize %i width 4 : !transform.any_op
  transform.yield
}
