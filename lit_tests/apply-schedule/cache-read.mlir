// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// cache_read copies the rows of A that one tile of i reads into a local buffer allocated in
// i.outer, guarded to A's 6 rows (the last tile has only 2), and the product reads it there.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: memref<6x5xf32>
// CHECK: te.compute = "matmul.init"
// CHECK-NEXT: scf.for %[[IO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[LOCAL:.*]] = memref.alloc() : memref<4x5xf32, #loop.scope<local>>
// CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[IO]], %{{.*}} : index
// CHECK-NEXT: scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[ROW:.*]] = arith.addi %[[OFF]], %[[R]] : index
// CHECK-NEXT: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[IN:.*]] = arith.cmpi slt, %[[ROW]], %{{.*}} : index
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK-NEXT: %[[V:.*]] = memref.load %[[A]][%[[ROW]], %[[C]]] : memref<6x5xf32>
// CHECK-NEXT: memref.store %[[V]], %[[LOCAL]][%[[R]], %[[C]]] : memref<4x5xf32, #loop.scope<local>>
// CHECK-NEXT: }
// CHECK-NEXT: } {loop.axis = "A.local.1"}
// CHECK-NEXT: } {loop.axis = "A.local.0", te.compute = "A.local"}
// CHECK-NEXT: scf.for %[[II:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: memref.load %[[LOCAL]][%[[II]], %[[K]]] : memref<4x5xf32, #loop.scope<local>>
// CHECK: } {loop.axis = "i.inner"}
// CHECK-NEXT: memref.dealloc %[[LOCAL]] : memref<4x5xf32, #loop.scope<local>>
// CHECK-NEXT: } {loop.axis = "i.outer", te.compute = "matmul"}
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
  %io, %ii = transform.schedule.split %i by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %a = transform.schedule.cache_read %io input 0 into "local" : (!transform.any_op) -> !transform.any_op
  transform.yield
}
