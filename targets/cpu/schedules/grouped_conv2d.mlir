// The CPU's default schedule for a grouped (or depthwise) 2-D convolution loop nest
// (n, f, y, x, rc, ry, rx), NCHW, with the epilogue fusion gave it. Each filter reads few
// input channels, so there is no filter block to vectorize: the vector lanes run along a
// row of the output instead. The channels a filter reads are packed with their padding for
// each filter (no clamps or selects in the inner loops); a register tile of tile_columns
// pixels of a row sums over channels and window (pixels vectorized, weights broadcast)
// and is written back through the epilogue. Filters run in parallel, or images where there
// are several for each thread.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32] -> !transform.param<i64>
  %n, %f, %y, %x, %rc, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %columns = transform.tune.knob<"tile_columns"> = 32 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64] -> !transform.param<i64>
  %xo, %xi = transform.schedule.split %x by %columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %y, %xo, %rc, %ry, %rx, %xi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %image = transform.schedule.cache_read %f input 0 into "local" : (!transform.any_op) -> !transform.any_op
  %back, %init = transform.schedule.cache_write %xo into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %zouter, %zx = transform.schedule.get_loops %init {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.vectorize %zx width %vector_width : !transform.any_op, !transform.param<i64>
  %bouter, %bx = transform.schedule.get_loops %back {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.vectorize %bx width %vector_width : !transform.any_op, !transform.param<i64>
  // A row read every other pixel is two vector loads deinterleaved (vectorize-loops); one
  // read further apart has no vector loads along it.
  transform.tune.alternatives<"vectorize"> selected_region = 0 {
    transform.schedule.vectorize %xi width %vector_width : !transform.any_op, !transform.param<i64>
    transform.yield
  }, {
    transform.yield
  }
  transform.tune.alternatives<"parallel"> selected_region = 0 {
    transform.schedule.parallel %f : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }, {
    transform.schedule.parallel %n : !transform.any_op
    transform.yield
  }
  transform.yield
}
