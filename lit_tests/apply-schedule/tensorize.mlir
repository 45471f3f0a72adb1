// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// tensorize replaces the 4x4x4 nest under i.inner, which computes the pattern of @gemm4,
// by a call of its update function on views of A, B and C at the tile's offsets (C holds
// the init value already). The intrinsic's declaration is gone after the schedule ran.

// CHECK-NOT: te.intrinsic
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[a-zA-Z0-9_]+]]: memref<8x12xf32>, %[[B:[a-zA-Z0-9_]+]]: memref<12x8xf32>, %[[C:[a-zA-Z0-9_]+]]: memref<8x8xf32> {ziggurat.output})
// CHECK: te.compute = "matmul.init"
// CHECK-NEXT: scf.for %[[IO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[JO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[KO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[AI:.*]] = arith.muli %[[IO]], %[[C4:.*]] : index
// CHECK-NEXT: %[[AK:.*]] = arith.muli %[[KO]], %[[C4]] : index
// CHECK-NEXT: %[[AV:.*]] = memref.subview %[[A]][%[[AI]], %[[AK]]] [4, 4] [1, 1] : memref<8x12xf32> to memref<4x4xf32, strided<[12, 1], offset: ?>>
// CHECK-NEXT: %[[ACAST:.*]] = "memref.cast"(%[[AV]]) : (memref<4x4xf32, strided<[12, 1], offset: ?>>) -> memref<4x4xf32, strided<[?, ?], offset: ?>>
// CHECK: %[[BV:.*]] = memref.subview %[[B]][%{{.*}}, %{{.*}}] [4, 4] [1, 1] : memref<12x8xf32> to memref<4x4xf32, strided<[8, 1], offset: ?>>
// CHECK: %[[CV:.*]] = memref.subview %[[C]][%{{.*}}, %{{.*}}] [4, 4] [1, 1] : memref<8x8xf32> to memref<4x4xf32, strided<[8, 1], offset: ?>>
// CHECK-NEXT: %[[CCAST:.*]] = "memref.cast"(%[[CV]])
// CHECK-NEXT: func.call @gemm4_update(%[[ACAST]], %{{.*}}, %[[CCAST]])
// CHECK-NEXT: } {loop.axis = "k.outer"}
// CHECK-LABEL: func.func private @gemm4_update
// CHECK-NOT: te.intrinsic
func.func @matmul(%A: tensor<8x12xf32>, %B: tensor<12x8xf32>) -> tensor<8x8xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 12]
         init 0.000000e+00 : f32 : (tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<8x8xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<8x12xf32>
    %b = te.read %B[%k, %j] : tensor<12x8xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<8x8xf32>
}

te.intrinsic @gemm4 compute @gemm4_update reset @gemm4_reset update @gemm4_update {
^bb0(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>):
  %c = te.compute "gemm4" (%a, %b) axes ["i", "j"] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %a[%i, %k] : tensor<4x4xf32>
    %y = te.read %b[%k, %j] : tensor<4x4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

func.func private @gemm4_update(%a: memref<4x4xf32, strided<[?, ?], offset: ?>>, %b: memref<4x4xf32, strided<[?, ?], offset: ?>>, %c: memref<4x4xf32, strided<[?, ?], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      scf.for %k = %c0 to %c4 step %c1 {
        %x = memref.load %a[%i, %k] : memref<4x4xf32, strided<[?, ?], offset: ?>>
        %y = memref.load %b[%k, %j] : memref<4x4xf32, strided<[?, ?], offset: ?>>
        %z = memref.load %c[%i, %j] : memref<4x4xf32, strided<[?, ?], offset: ?>>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %z, %p : f32
        memref.store %s, %c[%i, %j] : memref<4x4xf32, strided<[?, ?], offset: ?>>
      }
    }
  }
  func.return
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %jo, %ii, %ji = transform.schedule.tile %i, %j by [4, 4] : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %ko, %ii, %ji : !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.tensorize %ii with @gemm4 : !transform.any_op
  transform.yield
}
