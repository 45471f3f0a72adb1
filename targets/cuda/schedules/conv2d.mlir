// The CUDA target's default schedule for a 2-D convolution loop nest (n, f, y, x, rc, ry, rx),
// NCHW, with the epilogue fusion gave it: a grid of blocks over images and filter blocks
// (blockIdx.z), rows (blockIdx.y) and columns (blockIdx.x) of the output; in a block,
// threads over filters, rows and columns (threadIdx.z, y, x), each a register tile of
// thread_filters x thread_rows x thread_columns outputs summed over channels and window
// (the tile unrolled, the window too), read through the L1 cache; the tile is written
// back through the epilogue. knobs.py fixes the knobs from the nest's extents and the GPU.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %thread_filters = transform.tune.knob<"thread_filters"> = 4 from options = [1, 2, 4, 8] -> !transform.param<i64>
  %thread_rows = transform.tune.knob<"thread_rows"> = 1 from options = [1, 2, 4] -> !transform.param<i64>
  %thread_columns = transform.tune.knob<"thread_columns"> = 2 from options = [1, 2, 4, 8] -> !transform.param<i64>
  %threads_f = transform.tune.knob<"threads_f"> = 4 from options = [1, 2, 4, 8, 16, 32, 64] -> !transform.param<i64>
  %threads_y = transform.tune.knob<"threads_y"> = 4 from options = [1, 2, 4, 8, 16, 32] -> !transform.param<i64>
  %threads_x = transform.tune.knob<"threads_x"> = 16 from options = [1, 2, 4, 7, 8, 14, 16, 28, 32, 56, 64] -> !transform.param<i64>
  %n, %f, %y, %x, %rc, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %fo, %fi = transform.schedule.split %f by %thread_filters : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %bf, %tf = transform.schedule.split %fo by %threads_f : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %yo, %yi = transform.schedule.split %y by %thread_rows : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %by, %ty = transform.schedule.split %yo by %threads_y : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %xo, %xi = transform.schedule.split %x by %thread_columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %bx, %tx = transform.schedule.split %xo by %threads_x : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %n, %bf, %by, %bx, %tf, %ty, %tx, %rc, %ry, %rx, %fi, %yi, %xi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %back, %init = transform.schedule.cache_write %tx into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %images = transform.schedule.fuse %n, %bf : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.schedule.bind %images to "blockIdx.z" : !transform.any_op
  transform.schedule.bind %by to "blockIdx.y" : !transform.any_op
  transform.schedule.bind %bx to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %tf to "threadIdx.z" : !transform.any_op
  transform.schedule.bind %ty to "threadIdx.y" : !transform.any_op
  transform.schedule.bind %tx to "threadIdx.x" : !transform.any_op
  %tile = "transform.merge_handles"(%fi, %yi, %xi, %ry, %rx) : (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  transform.schedule.unroll %tile by 8 : !transform.any_op
  transform.yield
}
