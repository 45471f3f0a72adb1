// RUN: ziggurat-opt %s --split-input-file -p 'te-to-loop,apply-schedule' | filecheck %s

// tensorize matches an intrinsic by what it computes. Each case below tiles an int8 matmul
// (int32 accumulation) by 4 and tensorizes the 4x4x4 tile with @mac4, whose pattern is
// spelled differently from the payload (tensorize-refused.mlir: truly different ones).

// Commuted operands: the pattern multiplies y * x, the payload a * b.
// CHECK-LABEL: func.func @commuted
// CHECK: func.call @mac4_update(
func.func @commuted(%A: tensor<8x8xi8>, %B: tensor<8x8xi8>) -> tensor<8x8xi32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8] init 0 : i32 : (tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<8x8xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x8xi8>
    %b = te.read %B[%k, %j] : tensor<8x8xi8>
    %wa = arith.extsi %a : i8 to i32
    %wb = arith.extsi %b : i8 to i32
    %p = arith.muli %wa, %wb : i32
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
    %p = arith.muli %wy, %wx : i32
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
  transform.schedule.tensorize %ii with @mac4 : !transform.any_op
  transform.yield
}

// -----

// Reads in another order, widened in the opposite order: the pattern reads y before x.
// CHECK-LABEL: func.func @reordered_reads
// CHECK: func.call @mac4_update(
func.func @reordered_reads(%A: tensor<8x8xi8>, %B: tensor<8x8xi8>) -> tensor<8x8xi32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8] init 0 : i32 : (tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<8x8xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x8xi8>
    %wa = arith.extsi %a : i8 to i32
    %b = te.read %B[%k, %j] : tensor<8x8xi8>
    %wb = arith.extsi %b : i8 to i32
    %p = arith.muli %wa, %wb : i32
    te.yield %p : i32
  }
  func.return %C : tensor<8x8xi32>
}
te.intrinsic @mac4 compute @mac4_update reset @mac4_reset update @mac4_update {
^bb0(%x: tensor<4x4xi8>, %y: tensor<4x4xi8>):
  %c = te.compute "mac4" (%x, %y) axes ["i", "j"] reduce sum ["k" = 4] init 0 : i32 : (tensor<4x4xi8>, tensor<4x4xi8>) -> tensor<4x4xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %vy = te.read %y[%k, %j] : tensor<4x4xi8>
    %wy = arith.extsi %vy : i8 to i32
    %vx = te.read %x[%i, %k] : tensor<4x4xi8>
    %wx = arith.extsi %vx : i8 to i32
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
  transform.schedule.tensorize %ii with @mac4 : !transform.any_op
  transform.yield
}

// -----

// Widened after the multiply: the payload multiplies in i16 (exact for int8 operands) and
// widens the product; the pattern widens the operands to i32 first.
// CHECK-LABEL: func.func @widened_after
// CHECK: func.call @mac4_update(
func.func @widened_after(%A: tensor<8x8xi8>, %B: tensor<8x8xi8>) -> tensor<8x8xi32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 8] init 0 : i32 : (tensor<8x8xi8>, tensor<8x8xi8>) -> tensor<8x8xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x8xi8>
    %b = te.read %B[%k, %j] : tensor<8x8xi8>
    %wa = arith.extsi %a : i8 to i16
    %wb = arith.extsi %b : i8 to i16
    %p = arith.muli %wa, %wb : i16
    %w = arith.extsi %p : i16 to i32
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
  transform.schedule.tensorize %ii with @mac4 : !transform.any_op
  transform.yield
}

// -----

// A loop-level payload accumulating `p + acc` (te-to-loop writes `acc + p`).
// CHECK-LABEL: func.func @product_first
// CHECK: func.call @mac4_update(
func.func @product_first(%A: memref<4x4xi8>, %B: memref<4x4xi8>, %C: memref<4x4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      scf.for %k = %c0 to %c4 step %c1 {
        %a = memref.load %A[%i, %k] : memref<4x4xi8>
        %b = memref.load %B[%k, %j] : memref<4x4xi8>
        %wa = arith.extsi %a : i8 to i32
        %wb = arith.extsi %b : i8 to i32
        %p = arith.muli %wa, %wb : i32
        %acc = memref.load %C[%i, %j] : memref<4x4xi32>
        %s = arith.addi %p, %acc : i32
        memref.store %s, %C[%i, %j] : memref<4x4xi32>
      } {loop.axis = "k"}
    } {loop.axis = "j"}
  } {loop.axis = "i", te.compute = "matmul"}
  func.return
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
  transform.schedule.tensorize %mm with @mac4 : !transform.any_op
  transform.yield
}
