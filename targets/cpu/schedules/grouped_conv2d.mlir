// The CPU's default schedule for a grouped (or depthwise) 2-D convolution loop nest
// (n, f, y, x, rc, ry, rx), NCHW, with the epilogue fusion gave it. Each filter reads few
// input channels, so there is no filter block to vectorize: the vector lanes run along a
// row of the output instead (region 0). The channels a filter reads are packed with their
// padding for each filter (no clamps or selects in the inner loops); a register tile of
// tile_columns pixels of a row sums over channels and window (pixels vectorized, weights
// broadcast) and is written back through the epilogue. Filters run in parallel, or images
// where there are several for each thread.
// A depthwise convolution (each filter reads its own channel) whose rows are too short to
// fill the lanes (7 pixels) runs channels in lanes instead (region 1), as conv2d.mlir runs
// filters: a block of channel_block channels is packed with the channels innermost, its
// weights likewise, and a register tile of pixel_tile pixels by the block (pixels unrolled,
// channels vectorized) is written back across its layout, channel blocks in parallel.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32] -> !transform.param<i64>
  %n, %f, %y, %x, %rc, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.tune.alternatives<"channels_in_lanes"> selected_region = 0 {
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
  }, {
    %block = transform.tune.knob<"channel_block"> = 16 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32] -> !transform.param<i64>
    %pixels = transform.tune.knob<"pixel_tile"> = 7 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] -> !transform.param<i64>
    %fo, %fi = transform.schedule.split %f by %block : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %po, %pi = transform.schedule.split %x by %pixels : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.reorder %fo, %y, %po, %rc, %ry, %rx, %pi, %fi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    %block_image = transform.schedule.cache_read %fo input 0 into "local" : (!transform.any_op) -> !transform.any_op
    %block_weights = transform.schedule.cache_read %fo input 1 into "local" : (!transform.any_op) -> !transform.any_op
    %lane_back, %lane_init = transform.schedule.cache_write %po into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.schedule.unroll %pi by %pixels : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %fi width %vector_width : !transform.any_op, !transform.param<i64>
    %ln, %ly, %lx, %lf = transform.schedule.get_loops %lane_init : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.schedule.unroll %lx by %pixels : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %lf width %vector_width : !transform.any_op, !transform.param<i64>
    %wn, %wy, %wx, %wf = transform.schedule.get_loops %lane_back : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.schedule.reorder %wf, %wy, %wx : !transform.any_op, !transform.any_op, !transform.any_op
    transform.schedule.vectorize %wx width %vector_width : !transform.any_op, !transform.param<i64>
    transform.tune.alternatives<"lane_parallel"> selected_region = 0 {
      transform.schedule.parallel %fo : !transform.any_op
      transform.yield
    }, {
      transform.yield
    }
    transform.yield
  }
  transform.yield
}
