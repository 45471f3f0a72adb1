// The accelerator's schedule for an int8 conv2d nest (n, c, y, x, rc, ry, rx) and its
// epilogue (bias, requantization): output tiles of tile_filters filters by tile_rows rows
// (whole rows) accumulated in the accumulator buffer over the input channels,
// tile_channels at a time; each step loads its window of the input (zero padded) into
// the input buffer and its weights into the weight buffer, and the gemm unit
// (@accel_gemm: 16 filters by 16 channels) runs over the tile's blocks, the window and
// its pixels; then the ALU runs the epilogue on the tile and it is stored.
// virtual_threads row tiles (or filter tiles: `threads_over`) are in flight at once, each
// with its own buffers, their instruction streams interleaved. targets/accel/knobs.py
// fixes the knobs from the nest and the buffer sizes.
// `by 16`: the gemm's tile, which AccelTarget.schedule_text sets to the target's.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %n, %c, %y, %x, %rc, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %filters = transform.tune.knob<"tile_filters"> = 64 from options = [16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 384, 512] -> !transform.param<i64>
  %rows = transform.tune.knob<"tile_rows"> = 7 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 56, 64, 112, 224] -> !transform.param<i64>
  %channels = transform.tune.knob<"tile_channels"> = 64 from options = [16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 384, 512] -> !transform.param<i64>
  %threads = transform.tune.knob<"virtual_threads"> = 2 from options = [1, 2] -> !transform.param<i64>
  %co, %ci = transform.schedule.split %c by %filters : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %yo, %yi = transform.schedule.split %y by %rows : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %rco, %rci = transform.schedule.split %rc by %channels : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %cb, %c16 = transform.schedule.split %ci by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %rcb, %rc16 = transform.schedule.split %rci by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // The virtual threads take row tiles (0) or filter tiles (1: where there are few rows).
  %threaded = transform.tune.alternatives<"threads_over"> selected_region = 0 -> !transform.any_op {
    %yt, %yv = transform.schedule.split %yo by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.reorder %n, %co, %yt, %yv, %cb, %yi, %x, %c16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    transform.yield %yv : !transform.any_op
  }, {
    %ct, %cv = transform.schedule.split %co by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.reorder %n, %yo, %ct, %cv, %cb, %yi, %x, %c16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    transform.yield %cv : !transform.any_op
  }
  %back, %init = transform.schedule.cache_write %threaded into "accumulator" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %rco, %cb, %rcb, %ry, %rx, %yi, %x, %c16, %rc16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %image = transform.schedule.cache_read %rco input 0 into "input" : (!transform.any_op) -> !transform.any_op
  %weights = transform.schedule.cache_read %rco input 1 into "weight" : (!transform.any_op) -> !transform.any_op
  transform.schedule.virtual_thread %threaded : !transform.any_op
  transform.schedule.tensorize %c16 with @accel_gemm : !transform.any_op
  transform.yield
}
