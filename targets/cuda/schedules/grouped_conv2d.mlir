// The CUDA target's default schedule for a grouped (or depthwise) 2-D convolution loop nest
// (n, f, y, x, rc, ry, rx), with the epilogue fusion gave it: each filter reads few input
// channels, so a thread computes one output pixel, its sum over channels and window in a
// register (the window unrolled), threads blocks of threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %threads = transform.tune.knob<"threads"> = 256 from options = [32, 64, 128, 256, 512, 1024] -> !transform.param<i64>
  %n, %f, %y, %x, %rc, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %back = transform.schedule.cache_write %x into "local" : (!transform.any_op) -> !transform.any_op
  %all = transform.schedule.fuse %n, %f, %y, %x : (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  %blocks, %thread = transform.schedule.split %all by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.bind %blocks to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %thread to "threadIdx.x" : !transform.any_op
  %window = "transform.merge_handles"(%ry, %rx) : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.schedule.unroll %window by 3 : !transform.any_op
  transform.yield
}
