// The CUDA target's default schedule for a pooling loop nest (n, c, y, x, ry, rx), windowed
// or global: a thread for each output pixel, its window reduced in a register (cache_write
// into local, before the loops over pixels are fused into one), threads blocks of threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %threads = transform.tune.knob<"threads"> = 256 from options = [32, 64, 128, 256, 512, 1024] -> !transform.param<i64>
  %n, %c, %y, %x, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %back = transform.schedule.cache_write %x into "local" : (!transform.any_op) -> !transform.any_op
  %all = transform.schedule.fuse %n, %c, %y, %x : (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  %blocks, %thread = transform.schedule.split %all by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.bind %blocks to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %thread to "threadIdx.x" : !transform.any_op
  transform.yield
}
