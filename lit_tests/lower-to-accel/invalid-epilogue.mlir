// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-schedule{target="accel"},canonicalize,cse,lower-to-accel' --verify-diagnostics

// An epilogue step the ALU lacks: a product (a requantizing multiplier), named where
// it is.

func.func @matmul(%A: tensor<32x32xi8>, %B: tensor<32x32xi8>) -> tensor<32x32xi8> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 32] init 0 : i32 : (tensor<32x32xi8>, tensor<32x32xi8>) -> tensor<32x32xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<32x32xi8>
    %b = te.read %B[%k, %j] : tensor<32x32xi8>
    %wa = arith.extsi %a : i8 to i32
    %wb = arith.extsi %b : i8 to i32
    %p = arith.muli %wa, %wb : i32
    te.yield %p : i32
  }
  %Y = te.compute "narrow" (%C) axes ["i", "j"] : (tensor<32x32xi32>) -> tensor<32x32xi8> {
  ^bb0(%i: index, %j: index):
    %v = te.read %C[%i, %j] : tensor<32x32xi32>
    %s = arith.constant 6 : i32
    // expected-error@+1 {{the accelerator's ALU cannot compute 'arith.muli'}}
    %q = arith.muli %v, %s : i32
    %lo = arith.constant -128 : i32
    %hi = arith.constant 127 : i32
    %m = arith.maxsi %q, %lo : i32
    %n = arith.minsi %m, %hi : i32
    %t = arith.trunci %n : i32 to i8
    te.yield %t : i8
  }
  func.return %Y : tensor<32x32xi8>
}
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "narrow"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jb, %j16 = transform.schedule.split %j by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %io, %ii, %jb, %j16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %back, %init = transform.schedule.cache_write %io into "accumulator" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %ko, %ii, %jb, %j16, %ki : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %a = transform.schedule.cache_read %ko input 0 into "input" : (!transform.any_op) -> !transform.any_op
  %b = transform.schedule.cache_read %ko input 1 into "weight" : (!transform.any_op) -> !transform.any_op
  transform.schedule.virtual_thread %io : !transform.any_op
  transform.schedule.tensorize %j16 with @accel_gemm : !transform.any_op
  transform.yield
}
