// A hand schedule for the matmul benchmark (benchmarks/kernels.py), the shape of gemm_ir there:
// column panels of B packed into a local buffer (cache_read), a 8 x 32 register tile of
// the output accumulated over the whole k (cache_write; rows unrolled, columns vectorized
// by 16) and written back through the epilogue, the panels over the threads.
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %nest = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %nest : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by 32 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %jo, %io, %k, %ii, %ji : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %panel = transform.schedule.cache_read %jo input 1 into "local" : (!transform.any_op) -> !transform.any_op
  %back, %init = transform.schedule.cache_write %io into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %pk, %pj = transform.schedule.get_loops %panel : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %bi, %bj = transform.schedule.get_loops %back : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %zi, %zj = transform.schedule.get_loops %init : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.unroll %ii by 8 : !transform.any_op
  transform.schedule.unroll %bi by 8 : !transform.any_op
  transform.schedule.unroll %zi by 8 : !transform.any_op
  transform.schedule.vectorize %ji width 16 : !transform.any_op
  transform.schedule.vectorize %bj width 16 : !transform.any_op
  transform.schedule.vectorize %zj width 16 : !transform.any_op
  transform.schedule.vectorize %pj width 16 : !transform.any_op
  transform.schedule.parallel %jo : !transform.any_op
  transform.yield
}
