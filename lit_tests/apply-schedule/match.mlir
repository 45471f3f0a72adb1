// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// transform.structured.match finds payload ops by name and by attributes: a compute's nest
// by its te.compute tag, a loop by its axis name, every loop by op name. get_loops gives
// the loops of each nest a handle holds, outermost first.

// CHECK-LABEL: func.func @two
// CHECK: } {loop.axis = "j", loop.annotations = [#loop.unroll<2>]}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "first", loop.annotations = [#loop.parallel]}
// CHECK: } {loop.axis = "j", loop.annotations = [#loop.unroll<2>]}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "second", loop.annotations = [#loop.parallel]}
// CHECK: } {loop.axis = "k", te.compute = "third", loop.annotations = [#loop.unroll<3>]}
func.func @two(%X: tensor<4x5xf32>) -> (tensor<4x5xf32>, tensor<4x5xf32>, tensor<5xf32>) {
  %A = te.compute "first" (%X) axes ["i", "j"] : (tensor<4x5xf32>) -> tensor<4x5xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<4x5xf32>
    te.yield %x : f32
  }
  %B = te.compute "second" (%A) axes ["i", "j"] : (tensor<4x5xf32>) -> tensor<4x5xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %A[%i, %j] : tensor<4x5xf32>
    te.yield %x : f32
  }
  %C = te.compute "third" (%A) axes ["k"] : (tensor<4x5xf32>) -> tensor<5xf32> {
  ^bb0(%k: index):
    %c0 = arith.constant 0 : index
    %x = te.read %A[%c0, %k] : tensor<4x5xf32>
    te.yield %x : f32
  }
  func.return %A, %B, %C : tensor<4x5xf32>, tensor<4x5xf32>, tensor<5xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %both = transform.structured.match attributes {loop.axis = "i"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %both : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.parallel %i : !transform.any_op
  transform.schedule.unroll %j by 2 : !transform.any_op
  %loops = transform.structured.match ops{["scf.for"]} in %root : (!transform.any_op) -> !transform.any_op
  %third = transform.structured.match ops{["scf.for"]} attributes {te.compute = "third"} in %loops : (!transform.any_op) -> !transform.any_op
  transform.schedule.unroll %third by 3 : !transform.any_op
  transform.yield
}
