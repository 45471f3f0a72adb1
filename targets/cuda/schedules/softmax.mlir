// The CUDA target's default schedule for softmax (three nests: the maximum along the axis,
// the sum of exponentials, the quotients), given the last one: a thread for each row,
// which computes the row's maximum and sum in its loop (their buffers then hold one element
// per row) and then the row's quotients; threads blocks of threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %threads = transform.tune.knob<"threads"> = 256 from options = [32, 64, 128, 256, 512, 1024] -> !transform.param<i64>
  %function = "transform.get_parent_op"(%root) <{nth_parent = 1 : i64, op_name = "func.func"}> : (!transform.any_op) -> !transform.any_op
  %maximum = transform.structured.match attributes {te.compute = "softmax_max"} in %function : (!transform.any_op) -> !transform.any_op
  %sum = transform.structured.match attributes {te.compute = "softmax_sum"} in %function : (!transform.any_op) -> !transform.any_op
  %outer, %row, %inner = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %sum_at = transform.schedule.compute_at %sum at %row : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %maximum_at = transform.schedule.compute_at %maximum at %row : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %rows = transform.schedule.fuse %outer, %row : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %blocks, %thread = transform.schedule.split %rows by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.bind %blocks to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %thread to "threadIdx.x" : !transform.any_op
  transform.yield
}
