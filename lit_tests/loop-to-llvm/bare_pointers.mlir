// RUN: ziggurat-opt %s -p loop-to-llvm --split-input-file | filecheck %s

// A private function takes a memref of static shape and layout as its aligned pointer
// alone (its type states the rest); a dynamic memref still comes as fields. Its caller
// passes the aligned pointer, and what reads the descriptors reads their fields directly.

// CHECK-LABEL: llvm.func internal @fused(
// CHECK-SAME: %[[A:[^:]*]]: !llvm.ptr, %[[ALLOC:[^:]*]]: !llvm.ptr, %[[ALIGNED:[^:]*]]: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %[[I:.*]]: i64) {
// CHECK-NOT: llvm.insertvalue
// CHECK: llvm.getelementptr inbounds %[[A]][%{{.*}}]
// CHECK: llvm.getelementptr inbounds %[[ALIGNED]][%[[I]]]
func.func private @fused(%A: memref<4x8xf32>, %B: memref<?xf32>, %i: index) {
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %A[%i, %i] : memref<4x8xf32>
  memref.store %zero, %B[%i] : memref<?xf32>
  func.return
}

// CHECK-LABEL: llvm.func @main(
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr, %[[A_ALIGNED:[^:]*]]: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %[[B_ALLOC:[^:]*]]: !llvm.ptr, %[[B_ALIGNED:[^:]*]]: !llvm.ptr,
// CHECK-NEXT: llvm.call @fused(%[[A_ALIGNED]], %[[B_ALLOC]], %[[B_ALIGNED]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64) -> ()
func.func @main(%A: memref<4x8xf32>, %B: memref<?xf32>, %i: index) {
  func.call @fused(%A, %B, %i) : (memref<4x8xf32>, memref<?xf32>, index) -> ()
  func.return
}

// -----

// A unit of a module built apart (targets/cpu/build.py) makes its functions public and
// declares what it calls: the mark keeps the bare pointers, on both sides.

// CHECK-LABEL: llvm.func @defined(
// CHECK-SAME: %{{.*}}: !llvm.ptr) {
func.func @defined(%A: memref<16xf32>) attributes {loop.bare_pointers} {
  func.return
}

// CHECK-LABEL: llvm.func @elsewhere(!llvm.ptr)
func.func private @elsewhere(memref<16xf32>) attributes {loop.bare_pointers}

// CHECK-LABEL: llvm.func @caller(
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr, %[[PTR:[^:]*]]: !llvm.ptr,
// CHECK-NEXT: llvm.call @elsewhere(%[[PTR]]) : (!llvm.ptr) -> ()
func.func @caller(%A: memref<16xf32>) {
  func.call @elsewhere(%A) : (memref<16xf32>) -> ()
  func.return
}

// -----

// A strided memref whose layout is static passes bare; one with a dynamic offset does not.

// CHECK-LABEL: llvm.func internal @strided(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64) {
func.func private @strided(%A: memref<4x4xf32, strided<[8, 1], offset: 2>>, %B: memref<4x4xf32, strided<[8, 1], offset: ?>>) {
  func.return
}
