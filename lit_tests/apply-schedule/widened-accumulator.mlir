// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-schedule' | filecheck %s

// An int32 sum requantized to int8: once its loops move, the sum accumulates in a buffer
// of its own type (not in the int8 output), and cache_write keeps the tile of that buffer
// and writes the int8 epilogue back to the output.

// CHECK-LABEL: func.func @requantized
// CHECK: %[[PARTIAL:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x8xi32>
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<4x8xi32, #loop.scope<accumulator>>
// CHECK: memref.store %{{.*}}, %[[TILE]]
// CHECK: %[[SUM:.*]] = memref.load %[[TILE]]
// CHECK: %[[NARROW:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK-NEXT: memref.store %[[NARROW]], %{{.*}} : memref<8x8xi8>
// CHECK: memref.dealloc %[[PARTIAL]]
func.func @requantized(%a: tensor<8x8xi8>, %b: tensor<8x8xi8>) -> tensor<8x8xi8> {
  %y = te.compute "matmul" (%a, %b) axes ["i", "j"] reduce sum ["k" = 8] init 0 : i32 : (tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<8x8xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %a[%i, %k] : tensor<8x8xi8>
    %w = te.read %b[%k, %j] : tensor<8x8xi8>
    %wx = arith.extsi %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %wx, %ww : i32
    te.yield %p : i32
  }
  %z = te.compute "narrow" (%y) axes ["i", "j"] : (tensor<8x8xi32>) -> tensor<8x8xi8> {
  ^bb0(%i: index, %j: index):
    %v = te.read %y[%i, %j] : tensor<8x8xi32>
    %s = arith.constant 4 : i32
    %q = arith.shrsi %v, %s : i32
    %t = arith.trunci %q : i32 to i8
    te.yield %t : i8
  }
  func.return %z : tensor<8x8xi8>
}
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "narrow"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %back, %init = transform.schedule.cache_write %io into "accumulator" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}
