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

// -----

// An outer loop of one iteration adds no division either: n = 0, j = f.

// CHECK-LABEL: func.func @copy_one_image
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK: scf.for %[[F:.*]] = %{{.*}} to %[[C6]] step %{{.*}} {
// CHECK-NEXT: %[[X:.*]] = memref.load %{{.*}}[%[[C0]], %[[F]]] : memref<1x6xf32>
// CHECK-NEXT: memref.store %[[X]], %{{.*}}[%[[C0]], %[[F]]] : memref<1x6xf32>
// CHECK-NEXT: } {loop.axis = "n.j.fused", te.compute = "copy"}
func.func @copy_one_image(%X: tensor<1x6xf32>) -> tensor<1x6xf32> {
  %Y = te.compute "copy" (%X) axes ["n", "j"] : (tensor<1x6xf32>) -> tensor<1x6xf32> {
  ^bb0(%n: index, %j: index):
    %x = te.read %X[%n, %j] : tensor<1x6xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<1x6xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %n, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %f = transform.schedule.fuse %n, %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// A row's maximum computed in the loop over rows, fused and split after: the inner loop's
// iterations are still independent, as i and j are the quotient and remainder of
// 4 * outer + inner, which grows with inner (softmax on the GPU, over threads).

// CHECK-LABEL: func.func @centered
// CHECK: scf.for %[[O:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: te.compute = "row_max"}
// CHECK: } {loop.axis = "i.j.fused.inner", loop.annotations = [#loop.parallel]}
// CHECK-NEXT: } {loop.axis = "i.j.fused.outer", te.compute = "centered"}
func.func @centered(%X: tensor<3x5x7xf32>) -> tensor<3x5x7xf32> {
  %M = te.compute "row_max" (%X) axes ["i", "j", "z"] reduce max ["k" = 7] init 0xFF800000 : f32 : (tensor<3x5x7xf32>) -> tensor<3x5x1xf32> {
  ^bb0(%i: index, %j: index, %z: index, %k: index):
    %x = te.read %X[%i, %j, %k] : tensor<3x5x7xf32>
    te.yield %x : f32
  }
  %Y = te.compute "centered" (%X, %M) axes ["i", "j", "k"] : (tensor<3x5x7xf32>, tensor<3x5x1xf32>) -> tensor<3x5x7xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %c0 = arith.constant 0 : index
    %x = te.read %X[%i, %j, %k] : tensor<3x5x7xf32>
    %m = te.read %M[%i, %j, %c0] : tensor<3x5x1xf32>
    %d = arith.subf %x, %m : f32
    te.yield %d : f32
  }
  func.return %Y : tensor<3x5x7xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %y = transform.structured.match attributes {te.compute = "centered"} in %root : (!transform.any_op) -> !transform.any_op
  %m = transform.structured.match attributes {te.compute = "row_max"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %y : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %m_at = transform.schedule.compute_at %m at %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %rows = transform.schedule.fuse %i, %j : (!transform.any_op, !transform.any_op) -> !transform.any_op
  %outer, %inner = transform.schedule.split %rows by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.parallel %inner : !transform.any_op
  transform.yield
}
