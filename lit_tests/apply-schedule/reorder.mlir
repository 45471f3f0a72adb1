// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' --split-input-file | filecheck %s

// Moving the reduction loop k outermost: the accumulator moves from iter_args into the
// output, set to the init value by a nest of its own ("matmul.init") first; the sum then
// loads, adds and stores each element, in any order of the loops.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: %[[OUT:[a-z0-9]+]]: memref<6x4xf32> {ziggurat.output}
// CHECK: %[[INIT:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %[[I0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[J0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: memref.store %[[INIT]], %[[OUT]][%[[I0]], %[[J0]]] : memref<6x4xf32>
// CHECK-NEXT: } {loop.axis = "j"}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "matmul.init"}
// CHECK-NEXT: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[ACC:.*]] = memref.load %[[OUT]][%[[I]], %[[J]]] : memref<6x4xf32>
// CHECK-NEXT: %[[A:.*]] = memref.load %{{.*}}[%[[I]], %[[K]]] : memref<6x5xf32>
// CHECK-NEXT: %[[B:.*]] = memref.load %{{.*}}[%[[K]], %[[J]]] : memref<5x4xf32>
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: memref.store %[[S]], %[[OUT]][%[[I]], %[[J]]] : memref<6x4xf32>
// CHECK-NEXT: } {loop.axis = "i"}
// CHECK-NEXT: } {loop.axis = "j"}
// CHECK-NEXT: } {loop.axis = "k", te.compute = "matmul"}
func.func @matmul(%A: tensor<6x5xf32>, %B: tensor<5x4xf32>) -> tensor<6x4xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5]
         init 0.000000e+00 : f32 : (tensor<6x5xf32>, tensor<5x4xf32>) -> tensor<6x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<6x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x4xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x4xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.schedule.reorder %k, %j, %i : !transform.any_op, !transform.any_op, !transform.any_op
  transform.yield
}

// -----

// Reordering split loops sinks the index arithmetic between them into the innermost loop;
// the loops named in the reorder take the places they held, the others stay.

// CHECK-LABEL: func.func @copy
// CHECK: scf.for %[[JO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[JI:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[M:.*]] = arith.muli %[[JO]], %{{.*}} : index
// CHECK-NEXT: %[[J:.*]] = arith.addi %[[M]], %[[JI]] : index
// CHECK-NEXT: %[[X:.*]] = memref.load %{{.*}}[%[[I]], %[[J]]] : memref<3x8xf32>
// CHECK-NEXT: memref.store %[[X]], %{{.*}}[%[[I]], %[[J]]] : memref<3x8xf32>
// CHECK-NEXT: } {loop.axis = "j.inner"}
// CHECK-NEXT: } {loop.axis = "i"}
// CHECK-NEXT: } {loop.axis = "j.outer", te.compute = "copy"}
func.func @copy(%X: tensor<3x8xf32>) -> tensor<3x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<3x8xf32>) -> tensor<3x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<3x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<3x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %jo, %i : !transform.any_op, !transform.any_op
  transform.yield
}
