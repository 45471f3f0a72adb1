// The CUDA target's default schedule for a matmul loop nest (i, j, k), or a batch of them
// (b, i, j, k; a grid of them along blockIdx.z): dense or matmul, with the elementwise
// epilogue fusion gave it. TVM's classic GPU matmul: a grid of blocks, each
// computing a block tile of the output with threads_y x threads_x threads; each thread a
// register tile of thread_rows x thread_columns outputs (its rows and columns contiguous,
// the columns in vector lanes), summed over k in k_tile steps. At each step the block's
// threads copy the tiles of A and B it reads into shared memory together (A transposed, so
// a thread reads its rows as vectors and a warp, which shares them, reads each once),
// between barriers; the tile is written back through the epilogue. knobs.py fixes the
// knobs from the nest's extents and the GPU; the values here are for large shapes.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 4 from options = [1, 2, 4] -> !transform.param<i64>
  %thread_rows = transform.tune.knob<"thread_rows"> = 16 from options = [1, 2, 4, 8, 16] -> !transform.param<i64>
  %thread_columns = transform.tune.knob<"thread_columns"> = 4 from options = [1, 2, 4, 8] -> !transform.param<i64>
  %threads_y = transform.tune.knob<"threads_y"> = 8 from options = [1, 2, 4, 8, 16, 32] -> !transform.param<i64>
  %threads_x = transform.tune.knob<"threads_x"> = 32 from options = [1, 2, 4, 8, 16, 32, 64] -> !transform.param<i64>
  %k_tile = transform.tune.knob<"k_tile"> = 8 from options = [1, 2, 4, 8, 16, 32] -> !transform.param<i64>
  %batch, %i, %j, %k = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %io, %yi = transform.schedule.split %i by %thread_rows : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %by, %ty = transform.schedule.split %io by %threads_y : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %jo, %xi = transform.schedule.split %j by %thread_columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %bx, %tx = transform.schedule.split %jo by %threads_x : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by %k_tile : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %by, %bx, %ty, %tx, %ko, %ki, %yi, %xi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.bind %batch to "blockIdx.z" : !transform.any_op
  transform.schedule.bind %by to "blockIdx.y" : !transform.any_op
  transform.schedule.bind %bx to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %ty to "threadIdx.y" : !transform.any_op
  transform.schedule.bind %tx to "threadIdx.x" : !transform.any_op
  %back, %init = transform.schedule.cache_write %tx into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // The tiles of A and B in shared memory, each thread copying vectors of its share.
  transform.tune.alternatives<"shared"> selected_region = 1 {
    transform.yield
  }, {
    %a = transform.schedule.cache_read %ko input 0 into "shared" : (!transform.any_op) -> !transform.any_op
    %ab, %ak, %ai = transform.schedule.get_loops %a {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    // Along A's rows in memory (k) innermost, so a warp reads whole rows.
    transform.schedule.reorder %ai, %ak : !transform.any_op, !transform.any_op
    %ako, %akv = transform.schedule.split %ak by %vector_width : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %af = transform.schedule.fuse %ab, %ai, %ako : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
    %afo, %atx = transform.schedule.split %af by %threads_x : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %afr, %aty = transform.schedule.split %afo by %threads_y : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.bind %aty to "threadIdx.y" : !transform.any_op
    transform.schedule.bind %atx to "threadIdx.x" : !transform.any_op
    transform.schedule.unroll %akv by %vector_width : !transform.any_op, !transform.param<i64>
    %b = transform.schedule.cache_read %ko input 1 into "shared" : (!transform.any_op) -> !transform.any_op
    %bb, %bk, %bj = transform.schedule.get_loops %b {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    // B as a matmul reads it (k, j), or transposed (j, k: a dense layer's weights): the
    // copy runs along its rows in memory either way.
    %bouter, %binner = transform.tune.alternatives<"transposed_b"> selected_region = 0 -> !transform.any_op, !transform.any_op {
      transform.yield %bk, %bj : !transform.any_op, !transform.any_op
    }, {
      transform.schedule.reorder %bj, %bk : !transform.any_op, !transform.any_op
      transform.yield %bj, %bk : !transform.any_op, !transform.any_op
    }
    %bio, %biv = transform.schedule.split %binner by %vector_width : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %bf = transform.schedule.fuse %bb, %bouter, %bio : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
    %bfo, %btx = transform.schedule.split %bf by %threads_x : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %bfr, %bty = transform.schedule.split %bfo by %threads_y : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.bind %bty to "threadIdx.y" : !transform.any_op
    transform.schedule.bind %btx to "threadIdx.x" : !transform.any_op
    transform.schedule.vectorize %biv width %vector_width : !transform.any_op, !transform.param<i64>
    transform.yield
  }
  %unroll = transform.tune.knob<"unroll"> = 8 from options = [1, 2, 4, 8, 16, 32] -> !transform.param<i64>
  transform.schedule.unroll %ki by %unroll : !transform.any_op, !transform.param<i64>
  %zb, %zi, %zj = transform.schedule.get_loops %init {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %wb, %wi, %wj = transform.schedule.get_loops %back {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %rows = "transform.merge_handles"(%yi, %zi, %wi) : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  %lanes = "transform.merge_handles"(%xi, %zj, %wj) : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  transform.schedule.unroll %rows by %thread_rows : !transform.any_op, !transform.param<i64>
  transform.schedule.vectorize %lanes width %vector_width : !transform.any_op, !transform.param<i64>
  transform.yield
}
