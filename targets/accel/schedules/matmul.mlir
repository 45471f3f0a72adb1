// The accelerator's schedule for an int8 matmul nest (i, j, k) and its requantizing
// epilogue: output tiles of tile_rows x tile_columns accumulated in the accumulator buffer
// over k, tile_k at a time, each step's tiles of A and B loaded into the input and weight
// buffers and multiplied by the gemm unit (@accel_gemm: 16 columns by 16 of k), then the
// epilogue run by the ALU on the tile and the tile stored. virtual_threads row tiles (or
// column tiles: `threads_over`, which orders the tile loops) are in flight at once, each
// with its own buffers, their instruction streams interleaved so that one's loads run
// while another's gemms do. apply-default-schedules fixes the knobs from the nest's
// extents and the buffer sizes (targets/accel/knobs.py).
// `by 16`: the gemm's tile, which AccelTarget.schedule_text sets to the target's.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %i, %j, %k = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %rows = transform.tune.knob<"tile_rows"> = 16 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 96, 128, 192, 256] -> !transform.param<i64>
  %columns = transform.tune.knob<"tile_columns"> = 64 from options = [16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 384, 512] -> !transform.param<i64>
  %depth = transform.tune.knob<"tile_k"> = 64 from options = [16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 384, 512, 768, 1024] -> !transform.param<i64>
  %threads = transform.tune.knob<"virtual_threads"> = 2 from options = [1, 2] -> !transform.param<i64>
  %io, %ii = transform.schedule.split %i by %rows : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by %columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by %depth : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %jb, %j16 = transform.schedule.split %ji by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %kb, %k16 = transform.schedule.split %ki by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // The tile loops, and the virtual threads taking row tiles (0: the weights' tiles are
  // loaded by each thread) or column tiles (1: the input's are).
  %threaded = transform.tune.alternatives<"threads_over"> selected_region = 0 -> !transform.any_op {
    %it, %iv = transform.schedule.split %io by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.reorder %it, %jo, %iv, %ii, %jb, %j16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    transform.yield %iv : !transform.any_op
  }, {
    %jt, %jv = transform.schedule.split %jo by %threads : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.reorder %io, %jt, %jv, %ii, %jb, %j16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    transform.yield %jv : !transform.any_op
  }
  %back, %init = transform.schedule.cache_write %threaded into "accumulator" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %ko, %ii, %jb, %kb, %j16, %k16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %a = transform.schedule.cache_read %ko input 0 into "input" : (!transform.any_op) -> !transform.any_op
  %b = transform.schedule.cache_read %ko input 1 into "weight" : (!transform.any_op) -> !transform.any_op
  transform.schedule.virtual_thread %threaded : !transform.any_op
  transform.schedule.tensorize %j16 with @accel_gemm : !transform.any_op
  transform.yield
}
