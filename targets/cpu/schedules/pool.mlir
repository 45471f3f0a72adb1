// The CPU's default schedule for a pooling loop nest (n, c, y, x, ry, rx), windowed or
// global, or a grouped convolution's (n, f, y, x, rc, ry, rx), with the epilogue fusion gave
// it: images and channels over the threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %n, %c, %rest = transform.schedule.get_loops %root {overflow_result = 2 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.tune.alternatives<"parallel"> selected_region = 0 {
    transform.schedule.parallel %n : !transform.any_op
    transform.schedule.parallel %c : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
