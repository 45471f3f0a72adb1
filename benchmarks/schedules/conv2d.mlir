// A hand schedule for the conv2d benchmark (benchmarks/kernels.py), the shape of conv2d_ir
// there: the image packed once with its zero border (cache_read of the padded read), the
// weights packed with the filters innermost, a register tile of 14 pixels of a row by 16
// filters summed over channels and the 3x3 window (pixels unrolled and broadcast, filters
// vectorized by 16), rows of the output over the threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %nest = transform.structured.match attributes {te.compute = "conv2d"} in %root : (!transform.any_op) -> !transform.any_op
  %n, %f, %y, %x, %rc, %ry, %rx = transform.schedule.get_loops %nest : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %fo, %fi = transform.schedule.split %f by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %xo, %xi = transform.schedule.split %x by 14 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %y, %fo, %xo, %rc, %ry, %rx, %xi, %fi : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %image = transform.schedule.cache_read %n input 0 into "local" : (!transform.any_op) -> !transform.any_op
  %weights = transform.schedule.cache_read %n input 1 into "local" : (!transform.any_op) -> !transform.any_op
  %back, %init = transform.schedule.cache_write %xo into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.unroll %xi by 14 : !transform.any_op
  transform.schedule.vectorize %fi width 16 : !transform.any_op
  %zn, %zy, %zx, %zf = transform.schedule.get_loops %init : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.unroll %zx by 14 : !transform.any_op
  transform.schedule.vectorize %zf width 16 : !transform.any_op
  %bn, %by, %bx, %bf = transform.schedule.get_loops %back : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.unroll %bx by 14 : !transform.any_op
  %in, %ic, %iy, %ix = transform.schedule.get_loops %image : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.parallel %ic : !transform.any_op
  transform.schedule.parallel %y : !transform.any_op
  transform.yield
}
