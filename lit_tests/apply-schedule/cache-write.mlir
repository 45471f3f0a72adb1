// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' --split-input-file | filecheck %s

// cache_write keeps the element of C that one iteration of j accumulates in a local buffer.
// That iteration runs the whole sum over k, so the buffer starts at the init value (the
// nest that set C to it goes) and is written back once, after k.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: %[[C:[a-zA-Z0-9_]+]]: memref<6x4xf32> {ziggurat.output}
// CHECK-NOT: te.compute = "matmul.init"
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[LOCAL:.*]] = memref.alloc() : memref<1x1xf32, #loop.scope<local>>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: memref.store %[[ZERO]], %[[LOCAL]][%{{.*}}, %{{.*}}] : memref<1x1xf32, #loop.scope<local>>
// CHECK: te.compute = "matmul.local.init"
// CHECK-NEXT: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[ACC:.*]] = memref.load %[[LOCAL]][%[[Z:.*]], %[[Z]]] : memref<1x1xf32, #loop.scope<local>>
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %{{.*}} : f32
// CHECK-NEXT: memref.store %[[SUM]], %[[LOCAL]][%[[Z]], %[[Z]]] : memref<1x1xf32, #loop.scope<local>>
// CHECK-NEXT: } {loop.axis = "k"}
// CHECK: %[[OUT:.*]] = memref.load %[[LOCAL]][%{{.*}}, %{{.*}}] : memref<1x1xf32, #loop.scope<local>>
// CHECK-NEXT: memref.store %[[OUT]], %[[C]][%{{.*}}, %{{.*}}] : memref<6x4xf32>
// CHECK: te.compute = "matmul.local"
// CHECK-NEXT: memref.dealloc %[[LOCAL]] : memref<1x1xf32, #loop.scope<local>>
// CHECK-NEXT: } {loop.axis = "j"}
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
  %back = transform.schedule.cache_write %j into "local" : (!transform.any_op) -> !transform.any_op
  transform.yield
}

// -----

// At k, one iteration adds one term: the element is copied in from C (which the init nest
// set), updated and written back each time.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: %[[C:[a-zA-Z0-9_]+]]: memref<6x4xf32> {ziggurat.output}
// CHECK: te.compute = "matmul.init"
// CHECK: %[[LOCAL:.*]] = memref.alloc() : memref<1x1xf32, #loop.scope<local>>
// CHECK: %[[IN:.*]] = memref.load %[[C]][%{{.*}}, %{{.*}}] : memref<6x4xf32>
// CHECK-NEXT: memref.store %[[IN]], %[[LOCAL]][%{{.*}}, %{{.*}}] : memref<1x1xf32, #loop.scope<local>>
// CHECK: te.compute = "matmul.local.in"
// CHECK: arith.addf
// CHECK: %[[OUT:.*]] = memref.load %[[LOCAL]][%{{.*}}, %{{.*}}] : memref<1x1xf32, #loop.scope<local>>
// CHECK-NEXT: memref.store %[[OUT]], %[[C]][%{{.*}}, %{{.*}}] : memref<6x4xf32>
// CHECK: te.compute = "matmul.local"
// CHECK-NEXT: memref.dealloc %[[LOCAL]] : memref<1x1xf32, #loop.scope<local>>
// CHECK-NEXT: } {loop.axis = "k"}
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
  %back, %in = transform.schedule.cache_write %k into "local" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.yield
}
