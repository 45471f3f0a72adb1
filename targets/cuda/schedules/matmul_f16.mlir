// The CUDA target's schedule for an f16 matmul summed in f32 (i, j, k; or a batch of them
// along blockIdx.z) on sm_80 and later: tensor cores. Each warp computes a tile of
// warp_rows x warp_columns mma tiles of 16 x 8 outputs (its lanes are threadIdx.x, the
// block's warps_y x warps_x warps threadIdx.z and y), its sums in registers (cache_write
// into "local": mma-fragments keeps each lane's fragments) across the k loop; at each step
// of 16 k_steps the block's threads copy the tiles of A and B into shared memory together
// (vectors of 8 f16, 16 bytes), between barriers, and each warp multiplies them by
// @mma_m16n8k16 (tensorize: one mma.sync for each 16 x 8 x 16 tile). knobs.py chooses it
// for shapes that are whole mma tiles (M, N, K multiples of 16, 8, 16; the tiles of blocks
// and warps may have tails).
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %warp_rows = transform.tune.knob<"warp_rows"> = 4 from options = [1, 2, 4] -> !transform.param<i64>
  %warp_columns = transform.tune.knob<"warp_columns"> = 4 from options = [1, 2, 4, 8] -> !transform.param<i64>
  %warps_y = transform.tune.knob<"warps_y"> = 2 from options = [1, 2, 4] -> !transform.param<i64>
  %warps_x = transform.tune.knob<"warps_x"> = 2 from options = [1, 2, 4] -> !transform.param<i64>
  %k_steps = transform.tune.knob<"k_steps"> = 2 from options = [1, 2, 4] -> !transform.param<i64>
  %batch, %i, %j, %k = transform.schedule.get_loops %root {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %iw, %wi = transform.schedule.split %io by %warp_rows : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %by, %wy = transform.schedule.split %iw by %warps_y : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %jw, %wj = transform.schedule.split %jo by %warp_columns : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %bx, %wx = transform.schedule.split %jw by %warps_x : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %kt, %kk = transform.schedule.split %ko by %k_steps : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %by, %bx, %wy, %wx, %kt, %kk, %wi, %wj, %ii, %ji, %ki : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.bind %batch to "blockIdx.z" : !transform.any_op
  transform.schedule.bind %by to "blockIdx.y" : !transform.any_op
  transform.schedule.bind %bx to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %wy to "threadIdx.z" : !transform.any_op
  transform.schedule.bind %wx to "threadIdx.y" : !transform.any_op
  %back, %init = transform.schedule.cache_write %wx into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %a = transform.schedule.cache_read %kt input 0 into "shared" : (!transform.any_op) -> !transform.any_op
  %ab, %ai, %ak = transform.schedule.get_loops %a {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %ako, %akv = transform.schedule.split %ak by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %af = transform.schedule.fuse %ab, %ai, %ako : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  %afo, %atx = transform.schedule.split %af by 32 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %afr, %aty = transform.schedule.split %afo by %warps_x : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %afs, %atz = transform.schedule.split %afr by %warps_y : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %afs, %atz, %aty, %atx : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.bind %atz to "threadIdx.z" : !transform.any_op
  transform.schedule.bind %aty to "threadIdx.y" : !transform.any_op
  transform.schedule.bind %atx to "threadIdx.x" : !transform.any_op
  %b = transform.schedule.cache_read %kt input 1 into "shared" : (!transform.any_op) -> !transform.any_op
  %bb, %bk, %bj = transform.schedule.get_loops %b {overflow_result = 0 : i64} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %bjo, %bjv = transform.schedule.split %bj by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %bf = transform.schedule.fuse %bb, %bk, %bjo : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  %bfo, %btx = transform.schedule.split %bf by 32 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %bfr, %bty = transform.schedule.split %bfo by %warps_x : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %bfs, %btz = transform.schedule.split %bfr by %warps_y : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %bfs, %btz, %bty, %btx : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.bind %btz to "threadIdx.z" : !transform.any_op
  transform.schedule.bind %bty to "threadIdx.y" : !transform.any_op
  transform.schedule.bind %btx to "threadIdx.x" : !transform.any_op
  transform.schedule.vectorize %akv width 8 : !transform.any_op
  transform.schedule.vectorize %bjv width 8 : !transform.any_op
  transform.schedule.tensorize %ii with @mma_m16n8k16 : !transform.any_op
  // Unrolled, the indices of each lane's fragments are constants: registers.
  transform.schedule.unroll %wi by %warp_rows : !transform.any_op, !transform.param<i64>
  transform.schedule.unroll %wj by %warp_columns : !transform.any_op, !transform.param<i64>
  transform.schedule.unroll %kk by %k_steps : !transform.any_op, !transform.param<i64>
  transform.yield
}
