// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// compute_at moves t into the loop j.outer of s, computing only the box of t that one
// iteration reads: one row, and the 4 + 1 columns of the stencil, from an offset of
// 4 * j.outer (inside the buffer, so unguarded). The moved nest is scheduled further.

// CHECK-LABEL: func.func @chain
// CHECK: %[[T:.*]] = memref.alloc() {alignment = 64 : i64} : memref<6x9xf32>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[JO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[JO]], %[[C4:.*]] : index
// CHECK-NEXT: scf.for %[[TI:.*]] = %{{.*}} to %[[C1:.*]] step %[[C1]] {
// CHECK-NEXT: %[[ROW:.*]] = arith.addi %[[I]], %[[TI]] : index
// CHECK-NEXT: scf.for %[[TJ:.*]] = %{{.*}} to %[[C5:.*]] step %{{.*}} {
// CHECK-NEXT: %[[COL:.*]] = arith.addi %[[OFF]], %[[TJ]] : index
// CHECK-NEXT: %[[X:.*]] = memref.load %{{.*}}[%[[ROW]], %[[COL]]] : memref<6x9xf32>
// CHECK: memref.store %{{.*}}, %[[T]][%[[ROW]], %[[COL]]] : memref<6x9xf32>
// CHECK-NEXT: } {loop.axis = "j", loop.annotations = [#loop.unroll<5>]}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "t"}
// CHECK-NEXT: scf.for %[[JI:.*]] = %{{.*}} to %[[C4]] step %{{.*}} {
// CHECK: memref.load %[[T]]
// CHECK: memref.load %[[T]]
// CHECK: } {loop.axis = "j.inner"}
// CHECK-NEXT: } {loop.axis = "j.outer"}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "s"}
// CHECK-NEXT: memref.dealloc %[[T]] : memref<6x9xf32>
func.func @chain(%X: tensor<6x9xf32>) -> tensor<6x8xf32> {
  %T = te.compute "t" (%X) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x9xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x9xf32>
    %one = arith.constant 1.000000e+00 : f32
    %t = arith.addf %x, %one : f32
    te.yield %t : f32
  }
  %S = te.compute "s" (%T) axes ["i", "j"] : (tensor<6x9xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %j, %c1 : index
    %a = te.read %T[%i, %j] : tensor<6x9xf32>
    %b = te.read %T[%i, %next] : tensor<6x9xf32>
    %s = arith.addf %a, %b : f32
    te.yield %s : f32
  }
  func.return %S : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %t = transform.structured.match attributes {te.compute = "t"} in %root : (!transform.any_op) -> !transform.any_op
  %s = transform.structured.match attributes {te.compute = "s"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %s : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %t2 = transform.schedule.compute_at %t at %jo : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %ti, %tj = transform.schedule.get_loops %t2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.unroll %tj by 5 : !transform.any_op
  transform.yield
}
