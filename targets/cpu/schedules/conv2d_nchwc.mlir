// The CPU's default schedule for a 2-D convolution in the blocked NCHW[x]c layout
// (alter-conv-layout's conv2d_nchwc): loops (n, c, y, x, cb, rc, ry, rx, rcb) over output
// channel blocks c of cb channels, input channel blocks rc of rcb, with the epilogue fusion
// gave it. The image is packed once with its padding (a blocked copy: its channel block in
// vector lanes); the weights, OIHW[x]i[y]o, are read in place: a block's are one run. A
// register tile of tile_columns pixels of a row by the block's channels sums over input
// channels and window (pixels unrolled and broadcast, channels vectorized) and is written
// back through the epilogue in vector lanes, into the blocked output as it stands. Blocks
// of channels run outside the rows (each block's weights read once for all the rows), or
// rows outside the blocks; blocks, or rows, or images run in parallel.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32] -> !transform.param<i64>
  %columns = transform.tune.knob<"tile_columns"> = 7 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] -> !transform.param<i64>
  %n, %c, %y, %x, %cb, %rc, %ry, %rx, %rcb = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %xo, %xi = transform.schedule.split %x by %columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.tune.alternatives<"blocks_outside"> selected_region = 0 {
    transform.schedule.reorder %c, %y, %xo, %rc, %ry, %rx, %rcb, %xi, %cb : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    transform.yield
  }, {
    transform.schedule.reorder %y, %c, %xo, %rc, %ry, %rx, %rcb, %xi, %cb : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    transform.yield
  }
  %image = transform.schedule.cache_read %n input 0 into "local" : (!transform.any_op) -> !transform.any_op
  %back, %init = transform.schedule.cache_write %xo into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.unroll %xi by %columns : !transform.any_op, !transform.param<i64>
  transform.schedule.vectorize %cb width %vector_width : !transform.any_op, !transform.param<i64>
  %zouter, %zx, %zcb = transform.schedule.get_loops %init {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.unroll %zx by %columns : !transform.any_op, !transform.param<i64>
  transform.schedule.vectorize %zcb width %vector_width : !transform.any_op, !transform.param<i64>
  %bouter, %bx, %bcb = transform.schedule.get_loops %back {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.unroll %bx by %columns : !transform.any_op, !transform.param<i64>
  transform.schedule.vectorize %bcb width %vector_width : !transform.any_op, !transform.param<i64>
  %iouter, %icb = transform.schedule.get_loops %image {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.vectorize %icb width %vector_width : !transform.any_op, !transform.param<i64>
  %in, %ic, %irest = transform.schedule.get_loops %image {overflow_result = 2 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.tune.alternatives<"parallel"> selected_region = 0 {
    transform.schedule.parallel %ic : !transform.any_op
    transform.schedule.parallel %c : !transform.any_op
    transform.yield
  }, {
    transform.schedule.parallel %ic : !transform.any_op
    transform.schedule.parallel %y : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }, {
    transform.schedule.parallel %n : !transform.any_op
    transform.yield
  }
  transform.yield
}
