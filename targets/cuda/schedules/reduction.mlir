// The CUDA target's default schedule for a loop nest that reduces along its innermost loop
// (a sum, max or mean over an axis, a norm): a thread for each element of the result, its
// reduction in a register (cache_write into local, before the loops over the result are
// fused into one), threads blocks of threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %threads = transform.tune.knob<"threads"> = 256 from options = [32, 64, 128, 256, 512, 1024] -> !transform.param<i64>
  %outer, %last, %reduce = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %back = transform.schedule.cache_write %last into "local" : (!transform.any_op) -> !transform.any_op
  %all = transform.schedule.fuse %outer, %last : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %blocks, %thread = transform.schedule.split %all by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.bind %blocks to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %thread to "threadIdx.x" : !transform.any_op
  transform.yield
}
