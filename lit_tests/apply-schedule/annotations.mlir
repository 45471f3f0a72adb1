// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// vectorize, unroll, parallel and bind set #loop annotations; setting one again replaces
// it; a factor or width can come from a knob.

// CHECK-LABEL: func.func @copy
// CHECK: } {loop.axis = "j.inner", loop.annotations = [#loop.vectorize<4>, #loop.unroll<2>]}
// CHECK-NEXT: } {loop.axis = "j.outer", loop.annotations = [#loop.unroll<4>]}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "copy", loop.annotations = [#loop.parallel, #loop.bind<"blockIdx.x">]}
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
  %jo, %ji = transform.schedule.split %j by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %w = transform.tune.knob<"width"> = 4 from options = [4, 8] -> !transform.param<i64>
  transform.schedule.vectorize %ji width %w : !transform.any_op, !transform.param<i64>
  transform.schedule.unroll %ji by 8 : !transform.any_op
  transform.schedule.unroll %ji by 2 : !transform.any_op
  transform.schedule.unroll %jo by 4 : !transform.any_op
  transform.schedule.parallel %i : !transform.any_op
  transform.schedule.bind %i to "blockIdx.x" : !transform.any_op
  transform.yield
}
