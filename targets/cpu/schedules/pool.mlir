// The CPU's default schedule for a pooling loop nest (n, c, y, x, ry, rx), windowed or
// global, with the epilogue fusion gave it. A global pool (region 0) runs images and
// channels over the threads. A windowed pool (region 1) is scheduled as a depthwise
// convolution is (grouped_conv2d.mlir): each channel packed with its padding (no clamps or
// selects in the inner loops), a tile of tile_columns pixels of a row accumulated over the
// window in vector lanes and written back through the epilogue, channels over the threads.
// A stride-2 pool reads every other pixel: two vector loads whose even and odd lanes
// vectorize-loops shuffles together; a wider stride's row loop is left to LLVM's vectorizer.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32] -> !transform.param<i64>
  transform.tune.alternatives<"windowed"> selected_region = 0 {
    %n, %c, %rest = transform.schedule.get_loops %root {overflow_result = 2 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.tune.alternatives<"parallel"> selected_region = 0 {
      transform.schedule.parallel %n : !transform.any_op
      transform.schedule.parallel %c : !transform.any_op
      transform.yield
    }, {
      transform.yield
    }
    transform.yield
  }, {
    %n, %c, %y, %x, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %columns = transform.tune.knob<"tile_columns"> = 32 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64] -> !transform.param<i64>
    %xo, %xi = transform.schedule.split %x by %columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.reorder %y, %xo, %ry, %rx, %xi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    %image = transform.schedule.cache_read %c input 0 into "local" : (!transform.any_op) -> !transform.any_op
    %back, %init = transform.schedule.cache_write %xo into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %zouter, %zx = transform.schedule.get_loops %init {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.schedule.vectorize %zx width %vector_width : !transform.any_op, !transform.param<i64>
    %bouter, %bx = transform.schedule.get_loops %back {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.schedule.vectorize %bx width %vector_width : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %xi width %vector_width : !transform.any_op, !transform.param<i64>
    transform.tune.alternatives<"window_parallel"> selected_region = 0 {
      transform.schedule.parallel %c : !transform.any_op
      transform.yield
    }, {
      transform.yield
    }, {
      transform.schedule.parallel %n : !transform.any_op
      transform.yield
    }
    transform.yield
  }
  transform.yield
}
