// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// A view shares the buffer; the offset folds the subview's offsets into the source's strides.

// CHECK-LABEL: llvm.func @tile(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %[[ALIGNED:.*]]: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %[[R:.*]]: i64, %[[C:.*]]: i64)
// CHECK: %[[ROW:.*]] = llvm.mul %[[R]], %{{.*}} : i64
// CHECK: %[[OFFSET:.*]] = llvm.add %[[ROW]], %[[C]] : i64
// CHECK: llvm.insertvalue %[[OFFSET]], %{{.*}}[2]
// CHECK: llvm.return
func.func @tile(%A: memref<16x16xf32>, %r: index, %c: index) -> memref<4x4xf32, strided<[16, 1], offset: ?>> {
  %v = memref.subview %A[%r, %c] [4, 4] [1, 1] : memref<16x16xf32> to memref<4x4xf32, strided<[16, 1], offset: ?>>
  func.return %v : memref<4x4xf32, strided<[16, 1], offset: ?>>
}

// memref.copy becomes a loop nest of loads and stores.
// CHECK-LABEL: llvm.func @copy
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK: llvm.br ^{{.*}}
func.func @copy(%A: memref<4x4xf32, strided<[16, 1], offset: ?>>, %B: memref<4x4xf32>) {
  "memref.copy"(%A, %B) : (memref<4x4xf32, strided<[16, 1], offset: ?>>, memref<4x4xf32>) -> ()
  func.return
}
