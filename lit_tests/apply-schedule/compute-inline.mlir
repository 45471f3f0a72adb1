// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// compute_inline computes each element of t where s reads it; t's nest and buffer go.

// CHECK-LABEL: func.func @chain
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[NEXT:.*]] = arith.addi %[[J]], %{{.*}} : index
// CHECK-NEXT: %[[X:.*]] = memref.load %[[IN:.*]][%[[I]], %[[J]]] : memref<6x9xf32>
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[X]], %[[ONE]] : f32
// CHECK-NEXT: %[[Y:.*]] = memref.load %[[IN]][%[[I]], %[[NEXT]]] : memref<6x9xf32>
// CHECK-NEXT: %[[ONE2:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[B:.*]] = arith.addf %[[Y]], %[[ONE2]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: memref.store %[[S]], %{{.*}}[%[[I]], %[[J]]] : memref<6x8xf32>
// CHECK: } {loop.axis = "i", te.compute = "s"}
// CHECK-NOT: memref.dealloc
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
  transform.schedule.compute_inline %t : !transform.any_op
  transform.yield
}
