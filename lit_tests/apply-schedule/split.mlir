// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' --split-input-file | filecheck %s

// A factor that divides the trip count: i = i.outer * 4 + i.inner, no guard; the stage tag
// moves to the new outer loop and the schedule is gone from the output.

// CHECK-LABEL: func.func @divides
// CHECK: scf.for %[[O:.*]] = %{{.*}} to %[[C2:.*]] step %{{.*}} {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %[[C4:.*]] step %{{.*}} {
// CHECK-NEXT: %[[M:.*]] = arith.muli %[[O]], %[[C4]] : index
// CHECK-NEXT: %[[X:.*]] = arith.addi %[[M]], %[[I]] : index
// CHECK-NEXT: %[[V:.*]] = memref.load %{{.*}}[%[[X]]] : memref<8xf32>
// CHECK-NOT: scf.if
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[X]]] : memref<8xf32>
// CHECK-NEXT: } {loop.axis = "i.inner"}
// CHECK-NEXT: } {loop.axis = "i.outer", te.compute = "relu"}
// CHECK-NOT: transform.
func.func @divides(%X: tensor<8xf32>) -> tensor<8xf32> {
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<8xf32>
    %zero = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %zero : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %relu = transform.structured.match attributes {te.compute = "relu"} in %root : (!transform.any_op) -> !transform.any_op
  %i = transform.schedule.get_loops %relu : (!transform.any_op) -> !transform.any_op
  %o, %n = transform.schedule.split %i by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// A factor that does not divide 10: three tiles of 4, the body guarded to i < 10. The factor
// comes from a knob.

// CHECK-LABEL: func.func @tail
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: scf.for %[[O:.*]] = %{{.*}} to %[[C3]] step %{{.*}} {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %[[C4:.*]] step %{{.*}} {
// CHECK-NEXT: %[[M:.*]] = arith.muli %[[O]], %[[C4]] : index
// CHECK-NEXT: %[[X:.*]] = arith.addi %[[M]], %[[I]] : index
// CHECK-NEXT: %[[IN:.*]] = arith.cmpi slt, %[[X]], %[[C10]] : index
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK-NEXT: memref.load %{{.*}}[%[[X]]] : memref<10xf32>
// CHECK: memref.store
// CHECK-NEXT: }
// CHECK-NEXT: } {loop.axis = "i.inner"}
func.func @tail(%X: tensor<10xf32>) -> tensor<10xf32> {
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<10xf32>) -> tensor<10xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<10xf32>
    %zero = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %zero : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<10xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %relu = transform.structured.match attributes {te.compute = "relu"} in %root : (!transform.any_op) -> !transform.any_op
  %i = transform.schedule.get_loops %relu : (!transform.any_op) -> !transform.any_op
  %f = transform.tune.knob<"factor"> = 4 from options = [2, 4, 8] -> !transform.param<i64>
  %o, %n = transform.schedule.split %i by %f : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// Splitting the outer loop of a nest guards the innermost body, where the loads are, so the
// two loops stay perfectly nested; a factor above the trip count is the trip count.

// CHECK-LABEL: func.func @outer_of_two
// CHECK: scf.for %[[O:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %{{.*}} = arith.muli %[[O]], %{{.*}} : index
// CHECK-NEXT: %[[X:.*]] = arith.addi %{{.*}}, %[[I]] : index
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[IN:.*]] = arith.cmpi slt, %[[X]], %{{.*}} : index
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK-NEXT: memref.load %{{.*}}[%[[X]], %[[J]]] : memref<5x3xf32>
// CHECK: } {loop.axis = "j"}
// CHECK-NEXT: } {loop.axis = "i.inner"}
// CHECK-NEXT: } {loop.axis = "i.outer", te.compute = "copy"}
// CHECK: scf.for %{{.*}} = %[[Z:.*]] to %[[ONE:.*]] step %[[ONE]] {
// CHECK-NEXT: scf.for %{{.*}} = %[[Z]] to %{{.*}} step %[[ONE]] {
// CHECK-NOT: scf.if
// CHECK: } {loop.axis = "j.inner"}
// CHECK-NEXT: } {loop.axis = "j.outer", te.compute = "again"}
func.func @outer_of_two(%X: tensor<5x3xf32>) -> tensor<3xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<5x3xf32>) -> tensor<5x3xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<5x3xf32>
    te.yield %x : f32
  }
  %Z = te.compute "again" (%Y) axes ["j"] : (tensor<5x3xf32>) -> tensor<3xf32> {
  ^bb0(%j: index):
    %c0 = arith.constant 0 : index
    %y = te.read %Y[%c0, %j] : tensor<5x3xf32>
    te.yield %y : f32
  }
  func.return %Z : tensor<3xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %o, %n = transform.schedule.split %i by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %again = transform.structured.match attributes {te.compute = "again"} in %root : (!transform.any_op) -> !transform.any_op
  %k = transform.schedule.get_loops %again : (!transform.any_op) -> !transform.any_op
  %ko, %ki = transform.schedule.split %k by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}

// -----

// A split with a tail of a loop that holds the nests of a cache_write (the buffer filled
// with the init value before the loops over the row, written back after): each nest runs
// under the tail's guard too, so the write-back of the last tile stops at row 37. The
// guarded nests stay beside the band, whose four loops get_loops still finds.

// CHECK-LABEL: func.func @cached
// CHECK-DAG: %[[C37:.*]] = arith.constant 37 : index
// CHECK: scf.for %[[O:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[X:.*]] = arith.addi %{{.*}}, %[[I]] : index
// CHECK-NEXT: %[[LOCAL:.*]] = memref.alloc() : memref<1x23xf32, #loop.scope<local>>
// CHECK-NEXT: %[[IN0:.*]] = arith.cmpi slt, %[[X]], %[[C37]] : index
// CHECK-NEXT: scf.if %[[IN0]] {
// CHECK-NEXT: scf.for
// CHECK: } {loop.axis = "matmul.local.0", te.compute = "matmul.local.init"}
// CHECK-NEXT: }
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[IN1:.*]] = arith.cmpi slt, %[[X]], %[[C37]] : index
// CHECK-NEXT: scf.if %[[IN1]] {
// CHECK: } {loop.axis = "j"}
// CHECK-NEXT: %[[IN2:.*]] = arith.cmpi slt, %[[X]], %[[C37]] : index
// CHECK-NEXT: scf.if %[[IN2]] {
// CHECK-NEXT: scf.for
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<37x23xf32>
// CHECK: } {loop.axis = "matmul.local.0", te.compute = "matmul.local"}
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[LOCAL]] : memref<1x23xf32, #loop.scope<local>>
// CHECK-NEXT: } {loop.axis = "i.inner"}
func.func @cached(%A: tensor<37x29xf32>, %B: tensor<29x23xf32>) -> tensor<37x23xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 29]
         init 0.000000e+00 : f32 : (tensor<37x29xf32>, tensor<29x23xf32>) -> tensor<37x23xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<37x29xf32>
    %b = te.read %B[%k, %j] : tensor<29x23xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<37x23xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %b, %z = transform.schedule.cache_write %i into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %t = transform.tune.knob<"t"> = 8 from options = [8, 4, 32] -> !transform.param<i64>
  %o, %n = transform.schedule.split %i by %t : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
  %l0, %l1, %l2, %l3 = transform.schedule.get_loops %o : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  transform.yield
}
