// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// cache_read into shared memory inside loops bound to threadIdx holds what all the block's
// threads read (4 rows of A for the block's 4 x 4 threads, 2 columns of each k tile; not one
// thread's row), and barriers fence its reads: before them (the copy is done) and after
// them (no thread copies the next tile while another still reads this one). A second
// cache_read there (B) joins the same barriers: a barrier touches no buffer, so the bound
// loops around stay independent.

// CHECK-LABEL: func.func @matmul
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[B:.*]] = memref.alloc() : memref<4x2xf32, #loop.scope<shared>>
// CHECK: } {loop.axis = "B.shared.1", te.compute = "B.shared"}
// CHECK-NEXT: %[[A:.*]] = memref.alloc() : memref<4x2xf32, #loop.scope<shared>>
// CHECK: memref.store %{{.*}}, %[[A]][%{{.*}}, %{{.*}}] : memref<4x2xf32, #loop.scope<shared>>
// CHECK: } {loop.axis = "A.shared.0", te.compute = "A.shared"}
// CHECK-NEXT: loop.barrier
// CHECK-NEXT: scf.for
// CHECK: memref.load %[[A]][%{{.*}}, %{{.*}}]
// CHECK-NEXT: memref.load %[[B]][%{{.*}}, %{{.*}}]
// CHECK: } {loop.axis = "k.inner"}
// CHECK-NEXT: loop.barrier
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: } {loop.axis = "k.outer"}
func.func @matmul(%A: tensor<8x6xf32>, %B: tensor<6x8xf32>) -> tensor<8x8xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 6]
         init 0.000000e+00 : f32 : (tensor<8x6xf32>, tensor<6x8xf32>) -> tensor<8x8xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x6xf32>
    %b = te.read %B[%k, %j] : tensor<6x8xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<8x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jo, %ji = transform.schedule.split %j by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 2 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %io, %jo, %ii, %ji, %ko, %ki : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.bind %io to "blockIdx.y" : !transform.any_op
  transform.schedule.bind %jo to "blockIdx.x" : !transform.any_op
  transform.schedule.bind %ii to "threadIdx.y" : !transform.any_op
  transform.schedule.bind %ji to "threadIdx.x" : !transform.any_op
  %copy = transform.schedule.cache_read %ko input 0 into "shared" : (!transform.any_op) -> !transform.any_op
  %copy_b = transform.schedule.cache_read %ko input 1 into "shared" : (!transform.any_op) -> !transform.any_op
  transform.yield
}
