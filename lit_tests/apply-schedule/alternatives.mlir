// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' --split-input-file | filecheck %s

// transform.tune.alternatives runs the region it selects, by number or by a knob's value;
// what that region yields is what the op gives.

// CHECK-LABEL: func.func @copy
// CHECK: } {loop.axis = "j", loop.annotations = [#loop.unroll<2>]}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "copy", loop.annotations = [#loop.parallel]}
func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %which = transform.tune.knob<"which"> = 1 from options = [0, 1] -> !transform.param<i64>
  %picked = transform.tune.alternatives<"loop"> selected_region = %which : !transform.param<i64> -> !transform.any_op {
    transform.yield %j : !transform.any_op
  }, {
    transform.schedule.parallel %i : !transform.any_op
    transform.yield %j : !transform.any_op
  }
  transform.schedule.unroll %picked by 2 : !transform.any_op
  transform.yield
}

// -----

// CHECK-LABEL: func.func @copy
// CHECK: } {loop.axis = "j.inner"}
// CHECK-NEXT: } {loop.axis = "j.outer"}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "copy"}
func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.tune.alternatives<"split"> selected_region = 0 {
    %jo, %ji = transform.schedule.split %j by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }, {
    %io, %ii = transform.schedule.split %i by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
  transform.yield
}
