// The CUDA target's default schedule for a loop nest without reduction (elementwise,
// broadcast and injective ops, fused or not): all its loops as one, a thread for each
// vector_width elements of it (the innermost loop's, in vector lanes where its loads and
// stores run along it), threads blocks of threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 4 from options = [1, 2, 4] -> !transform.param<i64>
  %threads = transform.tune.knob<"threads"> = 256 from options = [32, 64, 128, 256, 512, 1024] -> !transform.param<i64>
  %outer, %inner = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %rest, %lanes = transform.schedule.split %inner by %vector_width : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %all = transform.schedule.fuse %outer, %rest : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %blocks, %thread = transform.schedule.split %all by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.bind %blocks to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %thread to "threadIdx.x" : !transform.any_op
  transform.tune.alternatives<"vectorize"> selected_region = 1 {
    transform.yield
  }, {
    transform.schedule.vectorize %lanes width %vector_width : !transform.any_op, !transform.param<i64>
    transform.yield
  }
  transform.yield
}
