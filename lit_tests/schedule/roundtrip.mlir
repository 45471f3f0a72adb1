// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// Every schedule op in its custom form; the generic form parses back to the same.

// CHECK-LABEL: transform.named_sequence @__transform_main
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
  // CHECK: %[[MM:.*]] = transform.structured.match attributes {te.compute = "matmul"} in %{{.*}}
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  // CHECK-NEXT: %[[I:.*]], %[[J:.*]], %[[K:.*]] = transform.schedule.get_loops %[[MM]] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  // CHECK-NEXT: %[[T:.*]] = transform.tune.knob<"tile_i"> = 32 from options = [8, 16, 32, 64] -> !transform.param<i64>
  %t = transform.tune.knob<"tile_i"> = 32 from options = [8, 16, 32, 64] -> !transform.param<i64>
  // CHECK-NEXT: %[[U:.*]] = transform.tune.knob<"unroll"> options = [1, 2, 4] -> !transform.param<i64>
  %u = transform.tune.knob<"unroll"> options = [1, 2, 4] -> !transform.param<i64>
  // Upstream prints the fixed value with its type; both spellings parse.
  // CHECK-NEXT: transform.tune.knob<"any"> = 2 from options = [1, 2] -> !transform.any_param
  %any = transform.tune.knob<"any"> = 2 : i64 from options = [1, 2] -> !transform.any_param
  // CHECK-NEXT: %[[IO:.*]], %[[II:.*]] = transform.schedule.split %[[I]] by %[[T]] : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by %t : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  // CHECK-NEXT: %[[JO:.*]], %[[JI:.*]] = transform.schedule.split %[[J]] by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  // CHECK-NEXT: transform.schedule.tile %[[IO]], %[[JO]] by [4, %[[T]]] : (!transform.any_op, !transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %a, %b, %c, %d = transform.schedule.tile %io, %jo by [4, %t] : (!transform.any_op, !transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  // CHECK-NEXT: transform.schedule.reorder %[[IO]], %[[K]], %[[II]] : !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.reorder %io, %k, %ii : !transform.any_op, !transform.any_op, !transform.any_op
  // CHECK-NEXT: transform.schedule.fuse %[[IO]], %[[K]] : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %f = transform.schedule.fuse %io, %k : (!transform.any_op, !transform.any_op) -> !transform.any_op
  // CHECK-NEXT: transform.schedule.compute_at %[[MM]] at %[[K]] : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %p = transform.schedule.compute_at %mm at %k : (!transform.any_op, !transform.any_op) -> !transform.any_op
  // CHECK-NEXT: transform.schedule.compute_inline %[[MM]] : !transform.any_op
  transform.schedule.compute_inline %mm : !transform.any_op
  // CHECK-NEXT: transform.schedule.cache_read %[[K]] input 1 into "local" : (!transform.any_op) -> !transform.any_op
  %cr = transform.schedule.cache_read %k input 1 into "local" : (!transform.any_op) -> !transform.any_op
  // CHECK-NEXT: transform.schedule.cache_write %[[K]] into "shared" : (!transform.any_op) -> !transform.any_op
  %cw = transform.schedule.cache_write %k into "shared" : (!transform.any_op) -> !transform.any_op
  // CHECK-NEXT: transform.schedule.vectorize %[[JI]] width 8 : !transform.any_op
  transform.schedule.vectorize %ji width 8 : !transform.any_op
  // CHECK-NEXT: transform.schedule.vectorize %[[JI]] width %[[U]] : !transform.any_op, !transform.param<i64>
  transform.schedule.vectorize %ji width %u : !transform.any_op, !transform.param<i64>
  // CHECK-NEXT: transform.schedule.unroll %[[JI]] by 4 : !transform.any_op
  transform.schedule.unroll %ji by 4 : !transform.any_op
  // CHECK-NEXT: transform.schedule.unroll %[[JI]] by %[[U]] : !transform.any_op, !transform.param<i64>
  transform.schedule.unroll %ji by %u : !transform.any_op, !transform.param<i64>
  // CHECK-NEXT: transform.schedule.parallel %[[IO]] : !transform.any_op
  transform.schedule.parallel %io : !transform.any_op
  // CHECK-NEXT: transform.schedule.bind %[[IO]] to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %io to "blockIdx.x" : !transform.any_op
  // CHECK-NEXT: transform.schedule.tensorize %[[JI]] with @dot4 : !transform.any_op
  transform.schedule.tensorize %ji with @dot4 : !transform.any_op
  // CHECK-NEXT: transform.tune.alternatives<"order"> selected_region = 1 -> !transform.any_op {
  // CHECK-NEXT: transform.yield %[[I]] : !transform.any_op
  // CHECK-NEXT: }, {
  // CHECK-NEXT: transform.yield %[[J]] : !transform.any_op
  // CHECK-NEXT: }
  %r = transform.tune.alternatives<"order"> selected_region = 1 -> !transform.any_op {
    transform.yield %i : !transform.any_op
  }, {
    transform.yield %j : !transform.any_op
  }
  // CHECK-NEXT: transform.tune.alternatives<"by_knob"> selected_region = %[[U]] : !transform.param<i64> {
  transform.tune.alternatives<"by_knob"> selected_region = %u : !transform.param<i64> {
    transform.yield
  }, {
    transform.yield
  }
  // CHECK: transform.tune.alternatives<"open"> {
  transform.tune.alternatives<"open"> {
    transform.yield
  }
  transform.yield
}
