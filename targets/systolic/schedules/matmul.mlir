// The systolic array's schedule for an int8 matmul nest (i, j, k) summed in int32: for
// each block of 8 columns and 8 of k (the array's size; SystolicTarget sets it), the
// block of weights stays in the array while every row streams through it.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %i, %j, %k = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %jb, %jn = transform.schedule.split %j by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %kb, %kn = transform.schedule.split %k by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %jb, %kb, %i, %jn, %kn : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.tensorize %jn with @systolic_mm : !transform.any_op
  transform.yield
}
