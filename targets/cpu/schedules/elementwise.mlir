// The CPU's default schedule for a loop nest without reduction (elementwise, broadcast and
// injective ops, fused or not): the outer loops over the threads, the innermost in vector
// lanes. A nest of one loop is split into chunks for the threads first.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  // 64 lanes: bytes (i8, i1) in 512-bit vectors.
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32, 64] -> !transform.param<i64>
  %outer, %inner = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %threads, %lanes = transform.tune.alternatives<"split"> selected_region = 1 -> !transform.any_op, !transform.any_op {
    %chunk = transform.tune.knob<"chunk"> = 1024 from options = [256, 512, 1024, 2048, 4096] -> !transform.param<i64>
    %chunks, %elements = transform.schedule.split %inner by %chunk : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.yield %chunks, %elements : !transform.any_op, !transform.any_op
  }, {
    transform.yield %outer, %inner : !transform.any_op, !transform.any_op
  }
  transform.tune.alternatives<"parallel"> selected_region = 0 {
    transform.schedule.parallel %threads : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }
  // In vector lanes where the loop's body allows it (no libm call, unit-stride accesses).
  transform.tune.alternatives<"vectorize"> selected_region = 1 {
    transform.yield
  }, {
    transform.schedule.vectorize %lanes width %vector_width : !transform.any_op, !transform.param<i64>
    transform.yield
  }
  transform.yield
}
