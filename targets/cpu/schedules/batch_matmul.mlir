// The CPU's default schedule for a batched matmul loop nest (b, i, j, k), with the
// elementwise epilogue fusion gave it. The shape of a fast kernel (docs/cpu_target.md):
// column panels of B packed into a local buffer, a rows x columns register tile of the
// output accumulated over the whole k (rows unrolled, columns vectorized), written back
// through the epilogue, the panels spread over the threads. apply-default-schedules fixes
// the knobs from the nest's extents; the values here are for large shapes.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32] -> !transform.param<i64>
  %b, %i, %j, %k = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %rows = transform.tune.knob<"tile_rows"> = 8 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] -> !transform.param<i64>
  %columns = transform.tune.knob<"tile_columns"> = 32 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64] -> !transform.param<i64>
  %io, %ii = transform.schedule.split %i by %rows : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by %columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %jo, %io, %k, %ii, %ji : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  // Pack the panel of B the tiles of one column panel read (needed where B is read
  // transposed, a waste where that panel serves one tile only); the copy runs in vector
  // lanes unless it transposes.
  transform.tune.alternatives<"pack"> selected_region = 1 {
    transform.yield
  }, {
    %panel = transform.schedule.cache_read %jo input 1 into "local" : (!transform.any_op) -> !transform.any_op
    %pk, %pj = transform.schedule.get_loops %panel {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.schedule.vectorize %pj width %vector_width : !transform.any_op, !transform.param<i64>
    transform.yield
  }, {
    %panel = transform.schedule.cache_read %jo input 1 into "local" : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
  %back, %init = transform.schedule.cache_write %io into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %bi, %bj = transform.schedule.get_loops %back {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %zi, %zj = transform.schedule.get_loops %init {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %tile = "transform.merge_handles"(%ii, %bi, %zi) : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  %lanes = "transform.merge_handles"(%ji, %bj, %zj) : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  transform.schedule.unroll %tile by %rows : !transform.any_op, !transform.param<i64>
  transform.schedule.vectorize %lanes width %vector_width : !transform.any_op, !transform.param<i64>
  // Threads over batches and column panels (a batch of one is no loop for threads), over
  // row tiles (when there are few panels), or none.
  transform.tune.alternatives<"parallel"> selected_region = 0 {
    transform.schedule.parallel %b : !transform.any_op
    transform.schedule.parallel %jo : !transform.any_op
    transform.yield
  }, {
    transform.schedule.parallel %io : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
