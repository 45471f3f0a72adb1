// RUN: ziggurat-opt %s --split-input-file -p 'te-to-loop,apply-schedule' | filecheck %s

// fuse makes one loop over both: i = f / 8, j = f % 8. It is still provably parallel.

// CHECK-LABEL: func.func @copy
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C48:.*]] = arith.constant 48 : index
// CHECK: scf.for %[[F:.*]] = %{{.*}} to %[[C48]] step %{{.*}} {
// CHECK-NEXT: %[[I:.*]] = arith.divui %[[F]], %[[C8]] : index
// CHECK-NEXT: %[[J:.*]] = arith.remui %[[F]], %[[C8]] : index
// CHECK-NEXT: %[[X:.*]] = memref.load %{{.*}}[%[[I]], %[[J]]] : memref<6x8xf32>
// CHECK-NEXT: memref.store %[[X]], %{{.*}}[%[[I]], %[[J]]] : memref<6x8xf32>
// CHECK-NEXT: } {loop.axis = "i.j.fused", te.compute = "copy", loop.annotations = [#loop.parallel]}
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
  %ij = transform.schedule.fuse %i, %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.schedule.parallel %ij : !transform.any_op
  transform.yield
}

// -----

// fuse takes any number of loops, each nested in the one before, outermost first; an inner
// loop of one iteration adds no division: i = f / 8, j = f % 8, k = 0.

// CHECK-LABEL: func.func @copy3
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C48:.*]] = arith.constant 48 : index
// CHECK: scf.for %[[F:.*]] = %{{.*}} to %[[C48]] step %{{.*}} {
// CHECK-NEXT: %[[I:.*]] = arith.divui %[[F]], %[[C8]] : index
// CHECK-NEXT: %[[J:.*]] = arith.remui %[[F]], %[[C8]] : index
// CHECK-NEXT: %[[X:.*]] = memref.load %{{.*}}[%[[I]], %[[J]], %{{.*}}] : memref<6x8x1xf32>
// CHECK-NEXT: memref.store %[[X]], %{{.*}}[%[[I]], %[[J]], %{{.*}}] : memref<6x8x1xf32>
// CHECK-NEXT: } {loop.axis = "i.j.fused.k.fused", te.compute = "copy3"}
func.func @copy3(%X: tensor<6x8x1xf32>) -> tensor<6x8x1xf32> {
  %Y = te.compute "copy3" (%X) axes ["i", "j", "k"] : (tensor<6x8x1xf32>) -> tensor<6x8x1xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %X[%i, %j, %k] : tensor<6x8x1xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8x1xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy3"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %f = transform.schedule.fuse %i, %j, %k : (!transform.any_op, !transform.any_op, !transform.any_op) -> !transform.any_op
  transform.yield
}
