// RUN: ziggurat-opt %s --split-input-file -p 'te-to-loop,apply-schedule' --verify-diagnostics | filecheck %s

// virtual_thread marks a loop whose iterations are independent as virtual threads.

// CHECK-LABEL: func.func @scale
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: } {loop.axis = "i0", te.compute = "scale", loop.annotations = [#loop.virtual_thread]}
func.func @scale(%x: tensor<8xi32>) -> tensor<8xi32> {
  %y = te.compute "scale" (%x) axes ["i0"] : (tensor<8xi32>) -> tensor<8xi32> {
  ^bb0(%i: index):
    %v = te.read %x[%i] : tensor<8xi32>
    %s = arith.addi %v, %v : i32
    te.yield %s : i32
  }
  func.return %y : tensor<8xi32>
}
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %s = transform.structured.match attributes {te.compute = "scale"} in %root : (!transform.any_op) -> !transform.any_op
  transform.schedule.virtual_thread %s : !transform.any_op
  transform.yield
}

// -----

// A loop whose iterations depend on each other cannot be virtual threads.
func.func @sum(%x: tensor<8xi32>) -> tensor<i32> {
  %y = te.compute "sum" (%x) axes [] reduce sum ["k" = 8] init 0 : i32 : (tensor<8xi32>) -> tensor<i32> {
  ^bb0(%k: index):
    %v = te.read %x[%k] : tensor<8xi32>
    te.yield %v : i32
  }
  func.return %y : tensor<i32>
}
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %s = transform.structured.match attributes {te.compute = "sum"} in %root : (!transform.any_op) -> !transform.any_op
  // expected-error@+1 {{cannot interleave as virtual threads}}
  transform.schedule.virtual_thread %s : !transform.any_op
  transform.yield
}
