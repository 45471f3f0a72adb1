// RUN: ziggurat-opt %s --split-input-file -p 'te-to-loop,apply-schedule' --verify-diagnostics

// tensorize refuses a loop nest that computes something else than the intrinsic's pattern,
// saying where it differs (tensorize-semantics.mlir: spellings that do match).

// A product kept in i8 wraps around: it is not the pattern's exact product.
func.func @wrapping(%A: tensor<8x8xi8>, %B: tensor<8x8xi8>) -> tensor<8x8xi32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8] init 0 : i32 : (tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<8x8xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x8xi8>
    %b = te.read %B[%k, %j] : tensor<8x8xi8>
    %p = arith.muli %a, %b : i8
    %w = arith.extsi %p : i8 to i32
    te.yield %w : i32
  }
  func.return %C : tensor<8x8xi32>
}
te.intrinsic @mac4 compute @mac4_update reset @mac4_reset update @mac4_update {
^bb0(%x: tensor<4x4xi8>, %y: tensor<4x4xi8>):
  %c = te.compute "mac4" (%x, %y) axes ["i", "j"] reduce sum ["k" = 4] init 0 : i32 : (tensor<4x4xi8>, tensor<4x4xi8>) -> tensor<4x4xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %vx = te.read %x[%i, %k] : tensor<4x4xi8>
    %vy = te.read %y[%k, %j] : tensor<4x4xi8>
    %wx = arith.extsi %vx : i8 to i32
    %wy = arith.extsi %vy : i8 to i32
    %p = arith.muli %wx, %wy : i32
    te.yield %p : i32
  }
}
func.func private @mac4_update(memref<4x4xi8, strided<[?, ?], offset: ?>>, memref<4x4xi8, strided<[?, ?], offset: ?>>, memref<4x4xi32, strided<[?, ?], offset: ?>>)
func.func private @mac4_reset(memref<4x4xi32, strided<[?, ?], offset: ?>>)
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [4, 4] : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %ko, %ii, %ji : !transform.any_op, !transform.any_op, !transform.any_op
  // expected-error@+1 {{the loop nest under loop 'i.inner' does not compute the pattern of intrinsic @mac4: 'arith.muli' wraps around in i8 where the other does not}}
  transform.schedule.tensorize %ii with @mac4 : !transform.any_op
  transform.yield
}

// -----

// A sum where the pattern has a product: refused, naming the op.
func.func @different(%A: tensor<8x8xi8>, %B: tensor<8x8xi8>) -> tensor<8x8xi32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8] init 0 : i32 : (tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<8x8xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x8xi8>
    %b = te.read %B[%k, %j] : tensor<8x8xi8>
    %wa = arith.extsi %a : i8 to i32
    %wb = arith.extsi %b : i8 to i32
    %p = arith.addi %wa, %wb : i32
    te.yield %p : i32
  }
  func.return %C : tensor<8x8xi32>
}
te.intrinsic @mac4 compute @mac4_update reset @mac4_reset update @mac4_update {
^bb0(%x: tensor<4x4xi8>, %y: tensor<4x4xi8>):
  %c = te.compute "mac4" (%x, %y) axes ["i", "j"] reduce sum ["k" = 4] init 0 : i32 : (tensor<4x4xi8>, tensor<4x4xi8>) -> tensor<4x4xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %vx = te.read %x[%i, %k] : tensor<4x4xi8>
    %vy = te.read %y[%k, %j] : tensor<4x4xi8>
    %wx = arith.extsi %vx : i8 to i32
    %wy = arith.extsi %vy : i8 to i32
    %p = arith.muli %wx, %wy : i32
    te.yield %p : i32
  }
}
func.func private @mac4_update(memref<4x4xi8, strided<[?, ?], offset: ?>>, memref<4x4xi8, strided<[?, ?], offset: ?>>, memref<4x4xi32, strided<[?, ?], offset: ?>>)
func.func private @mac4_reset(memref<4x4xi32, strided<[?, ?], offset: ?>>)
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [4, 4] : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %ko, %ii, %ji : !transform.any_op, !transform.any_op, !transform.any_op
  // expected-error@+1 {{the loop nest under loop 'i.inner' does not compute the pattern of intrinsic @mac4: 'arith.addi' where the pattern has 'arith.muli'}}
  transform.schedule.tensorize %ii with @mac4 : !transform.any_op
  transform.yield
}
