// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// A memref argument becomes its descriptor's fields, rebuilt into the struct on entry
// (which what reads a field reads through); index becomes i64.

// CHECK-LABEL: llvm.func @scale(
// CHECK-SAME: %[[ALLOC:.*]]: !llvm.ptr, %[[ALIGNED:.*]]: !llvm.ptr, %[[OFFSET:.*]]: i64, %[[SIZE:.*]]: i64, %[[STRIDE:.*]]: i64, %[[N:.*]]: i64) -> i64
// CHECK: llvm.getelementptr inbounds %[[ALIGNED]][%[[N]]]
// CHECK: llvm.return %[[N]] : i64
func.func @scale(%A: memref<?xf32>, %n: index) -> index {
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %A[%n] : memref<?xf32>
  func.return %n : index
}

// CHECK-LABEL: llvm.func @caller(
// CHECK-SAME: %[[ALLOC:[^:]*]]: !llvm.ptr, %[[ALIGNED:[^:]*]]: !llvm.ptr, %[[OFFSET:[^:]*]]: i64, %[[SIZE:[^:]*]]: i64, %[[STRIDE:[^:]*]]: i64, %[[N:[^:]*]]: i64)
// CHECK: %[[R:.*]] = llvm.call @scale(%[[ALLOC]], %[[ALIGNED]], %[[OFFSET]], %[[SIZE]], %[[STRIDE]], %[[N]]) : (!llvm.ptr, !llvm.ptr, i64, i64, i64, i64) -> i64
// CHECK: llvm.return %[[R]] : i64
func.func @caller(%A: memref<?xf32>, %n: index) -> index {
  %r = func.call @scale(%A, %n) : (memref<?xf32>, index) -> index
  func.return %r : index
}

// A memref result is the descriptor struct.
// CHECK-LABEL: llvm.func @identity(
// CHECK-SAME: %[[ALLOC:[^:]*]]: !llvm.ptr, %[[ALIGNED:[^:]*]]: !llvm.ptr, %{{[^:]*}}: i64, %[[SIZE:[^:]*]]: i64, %{{[^:]*}}: i64)
// CHECK: %[[UNDEF:.*]] = llvm.mlir.undef : !llvm.struct<(!llvm.ptr, !llvm.ptr, i64, !llvm.array<1 x i64>, !llvm.array<1 x i64>)>
// CHECK: llvm.insertvalue %[[ALLOC]], %[[UNDEF]][0]
// CHECK: llvm.insertvalue %[[ALIGNED]], %{{.*}}[1]
// CHECK: llvm.insertvalue %[[SIZE]], %{{.*}}[3, 0]
// CHECK: llvm.return %{{.*}} : !llvm.struct<(!llvm.ptr, !llvm.ptr, i64, !llvm.array<1 x i64>, !llvm.array<1 x i64>)>
func.func @identity(%A: memref<?xf32>) -> memref<?xf32> {
  func.return %A : memref<?xf32>
}

// Several results return as one struct.
// CHECK-LABEL: llvm.func @pair(
// CHECK-SAME: -> !llvm.struct<(f32, i64)>
// CHECK: %[[S:.*]] = llvm.insertvalue %{{.*}}, %{{.*}}[0] : !llvm.struct<(f32, i64)>
// CHECK: %[[T:.*]] = llvm.insertvalue %{{.*}}, %[[S]][1] : !llvm.struct<(f32, i64)>
// CHECK: llvm.return %[[T]]
func.func @pair(%x: f32, %i: index) -> (f32, index) {
  func.return %x, %i : f32, index
}

// A declaration stays a declaration.
// CHECK-LABEL: llvm.func @expf(f32) -> f32
func.func private @expf(f32) -> f32
