// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// tile splits each loop, then orders all outer loops before all inner ones. Factors are
// integers or params.

// CHECK-LABEL: func.func @copy
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[IO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[JO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[II:.*]] = %{{.*}} to %[[C3]] step %{{.*}} {
// CHECK-NEXT: scf.for %[[JI:.*]] = %{{.*}} to %[[C4]] step %{{.*}} {
// CHECK-NEXT: %[[MI:.*]] = arith.muli %[[IO]], %[[C3]] : index
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[MI]], %[[II]] : index
// CHECK-NEXT: %[[MJ:.*]] = arith.muli %[[JO]], %[[C4]] : index
// CHECK-NEXT: %[[J:.*]] = arith.addi %[[MJ]], %[[JI]] : index
// CHECK-NEXT: %[[X:.*]] = memref.load %{{.*}}[%[[I]], %[[J]]] : memref<6x8xf32>
// CHECK-NEXT: memref.store %[[X]], %{{.*}}[%[[I]], %[[J]]] : memref<6x8xf32>
// CHECK-NEXT: } {loop.axis = "j.inner"}
// CHECK-NEXT: } {loop.axis = "i.inner"}
// CHECK-NEXT: } {loop.axis = "j.outer"}
// CHECK-NEXT: } {loop.axis = "i.outer", te.compute = "copy"}
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
  %t = transform.tune.knob<"tile_j"> = 4 from options = [2, 4] -> !transform.param<i64>
  %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [3, %t] : (!transform.any_op, !transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.yield
}
