// The CPU's default schedule for a 2-D convolution loop nest (n, f, y, x, rc, ry, rx), NCHW,
// with the epilogue fusion gave it. The image is packed once with its padding (no clamps
// or selects in the inner loops), the weights with the filters innermost (unless they are
// so already); a register tile of tile_columns pixels of a row by filter_block filters
// sums over channels and window (pixels unrolled and broadcast, filters vectorized) and is
// written back through the epilogue, along the rows of the output. Rows of the output run
// in parallel (and the packing over channels), or filter blocks, or images where there are
// several for each thread, or chunks of rows that each pack their own rows of the image.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %vector_width = transform.tune.knob<"vector_width"> = 16 from options = [2, 4, 8, 16, 32] -> !transform.param<i64>
  %n, %f, %y, %x, %rc, %ry, %rx = transform.schedule.get_loops %root : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  // Filters in vector lanes (region 0), or pixels of a row in vector lanes (region 1):
  // a tile of filter_rows filters by pixel_columns pixels, the weights broadcast, the
  // image read in vectors and the output written in vectors without gathering; for
  // 1x1 convolutions on wide images, whose few channels leave the gathered write-back
  // of region 0 a large share of the work.
  transform.tune.alternatives<"vectorize_pixels"> selected_region = 0 {
    %block = transform.tune.knob<"filter_block"> = 16 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32] -> !transform.param<i64>
    %columns = transform.tune.knob<"tile_columns"> = 14 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] -> !transform.param<i64>
    %fo, %fi = transform.schedule.split %f by %block : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %xo, %xi = transform.schedule.split %x by %columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    // Rows outside the filter blocks (each row's tiles read all the weights), or filter blocks
    // outside the rows (each block's weights read once for all the rows: for weights larger
    // than the cache, with few rows).
    transform.tune.alternatives<"filters_outside"> selected_region = 0 {
      transform.schedule.reorder %y, %fo, %xo, %rc, %ry, %rx, %xi, %fi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
      transform.yield
    }, {
      transform.schedule.reorder %fo, %y, %xo, %rc, %ry, %rx, %xi, %fi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
      transform.yield
    }
    // Weights laid out with the filters innermost already (pack-weights: IHWO) are read as
    // they are, or a filter block's at a time copied together: a block's weights are rows
    // of 64 bytes as many filters apart (2 KiB for 512), spread over all the weights, which
    // miss the cache the next row round where they outgrow it; copied, they are one run.
    transform.tune.alternatives<"pack_weights"> selected_region = 0 {
      %weights = transform.schedule.cache_read %n input 1 into "local" : (!transform.any_op) -> !transform.any_op
      transform.yield
    }, {
      transform.yield
    }, {
      %block_weights = transform.schedule.cache_read %fo input 1 into "local" : (!transform.any_op) -> !transform.any_op
      transform.yield
    }
    %back, %init = transform.schedule.cache_write %xo into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.schedule.unroll %xi by %columns : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %fi width %vector_width : !transform.any_op, !transform.param<i64>
    %zn, %zy, %zx, %zf = transform.schedule.get_loops %init : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.schedule.unroll %zx by %columns : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %zf width %vector_width : !transform.any_op, !transform.param<i64>
    %bn, %by, %bx, %bf = transform.schedule.get_loops %back : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.schedule.reorder %bf, %by, %bx : !transform.any_op, !transform.any_op, !transform.any_op
    // The write-back reads the tile across its layout (gathered) and writes rows of the
    // output in vector lanes, the epilogue computed in them; a guarded last tile's write-back
    // (the guard differs from pixel to pixel) is unrolled instead.
    transform.tune.alternatives<"vectorize_back"> selected_region = 0 {
      transform.schedule.vectorize %bx width %vector_width : !transform.any_op, !transform.param<i64>
      transform.yield
    }, {
      transform.schedule.unroll %bx by %columns : !transform.any_op, !transform.param<i64>
      transform.yield
    }
    // The image is packed whole, its channels over the threads, then its rows computed over
    // them (region 0), or packed a chunk of rows at a time (those rows and the window's), in
    // the chunks' own parallel loop (region 4): one loop instead of two, each thread reading
    // the rows it packed, the copy into a buffer of its own (one LLVM vectorizes).
    transform.tune.alternatives<"parallel"> selected_region = 0 {
      %image = transform.schedule.cache_read %n input 0 into "local" : (!transform.any_op) -> !transform.any_op
      %in, %ic, %iy, %ix = transform.schedule.get_loops %image : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.schedule.parallel %ic : !transform.any_op
      transform.schedule.parallel %y : !transform.any_op
      transform.yield
    }, {
      %image = transform.schedule.cache_read %n input 0 into "local" : (!transform.any_op) -> !transform.any_op
      transform.yield
    }, {
      %image = transform.schedule.cache_read %n input 0 into "local" : (!transform.any_op) -> !transform.any_op
      transform.schedule.parallel %n : !transform.any_op
      transform.yield
    }, {
      %image = transform.schedule.cache_read %n input 0 into "local" : (!transform.any_op) -> !transform.any_op
      %in, %ic, %iy, %ix = transform.schedule.get_loops %image : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.schedule.parallel %ic : !transform.any_op
      transform.schedule.parallel %fo : !transform.any_op
      transform.yield
    }, {
      %chunk = transform.tune.knob<"row_chunk"> = 7 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32] -> !transform.param<i64>
      %yo, %yi = transform.schedule.split %y by %chunk : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
      %chunk_image = transform.schedule.cache_read %yo input 0 into "local" : (!transform.any_op) -> !transform.any_op
      transform.schedule.parallel %yo : !transform.any_op
      transform.yield
    }
    transform.yield
  }, {
    %rows = transform.tune.knob<"filter_rows"> = 4 from options = [1, 2, 3, 4, 5, 6, 7, 8] -> !transform.param<i64>
    %pixels = transform.tune.knob<"pixel_columns"> = 56 from options = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64] -> !transform.param<i64>
    %po, %pi = transform.schedule.split %f by %rows : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %qo, %qi = transform.schedule.split %x by %pixels : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.schedule.reorder %y, %po, %qo, %rc, %ry, %rx, %pi, %qi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
    %pixel_back, %pixel_init = transform.schedule.cache_write %qo into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.schedule.unroll %pi by %rows : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %qi width %vector_width : !transform.any_op, !transform.param<i64>
    %pzn, %pzy, %pzf, %pzx = transform.schedule.get_loops %pixel_init : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.schedule.unroll %pzf by %rows : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %pzx width %vector_width : !transform.any_op, !transform.param<i64>
    %pbn, %pby, %pbf, %pbx = transform.schedule.get_loops %pixel_back : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.schedule.unroll %pbf by %rows : !transform.any_op, !transform.param<i64>
    transform.schedule.vectorize %pbx width %vector_width : !transform.any_op, !transform.param<i64>
    transform.tune.alternatives<"pixel_parallel"> selected_region = 0 {
      transform.schedule.parallel %y : !transform.any_op
      transform.yield
    }, {
      transform.yield
    }
    transform.yield
  }
  transform.yield
}
