// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// Static sizes and strides are constants; the address is a GEP from the aligned pointer
// (the argument itself: the descriptor rebuilt on entry is read through, and goes away).

// CHECK-LABEL: llvm.func @static
// CHECK-SAME: (%{{[^:]*}}: !llvm.ptr, %[[BASE:[^:]*]]: !llvm.ptr,
// CHECK-NOT: llvm.insertvalue
// CHECK: %[[C13:.*]] = llvm.mlir.constant(13) : i64
// CHECK: %[[ROW:.*]] = llvm.mul %[[I:.*]], %[[C13]] : i64
// CHECK: %[[AT:.*]] = llvm.add %[[ROW]], %[[J:.*]] : i64
// CHECK: %[[P:.*]] = llvm.getelementptr inbounds %[[BASE]][%[[AT]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK: %[[V:.*]] = llvm.load %[[P]] : !llvm.ptr -> f32
// CHECK: llvm.store %[[V]], %{{.*}} : f32, !llvm.ptr
func.func @static(%A: memref<7x13xf32>, %i: index, %j: index) {
  %v = memref.load %A[%i, %j] : memref<7x13xf32>
  memref.store %v, %A[%j, %i] : memref<7x13xf32>
  func.return
}

// A dynamic stride and offset are read from the descriptor: here its fields, the arguments.
// CHECK-LABEL: llvm.func @dynamic
// CHECK-SAME: (%{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %[[OFFSET:[^:]*]]: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[STRIDE:[^:]*]]: i64,
// CHECK: %[[ROW:.*]] = llvm.mul %{{.*}}, %[[STRIDE]] : i64
// CHECK: %[[AT:.*]] = llvm.add %[[OFFSET]], %[[ROW]] : i64
// CHECK: llvm.getelementptr inbounds %{{.*}}[%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, f64
func.func @dynamic(%A: memref<?x?xf64, strided<[?, 1], offset: ?>>, %i: index, %j: index) -> f64 {
  %v = memref.load %A[%i, %j] : memref<?x?xf64, strided<[?, 1], offset: ?>>
  func.return %v : f64
}

// CHECK-LABEL: llvm.func @dim
// CHECK-SAME: (%{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[SIZE:[^:]*]]: i64,
// CHECK: llvm.return %[[SIZE]] : i64
func.func @dim(%A: memref<4x?xf32>) -> index {
  %c1 = arith.constant 1 : index
  %d = memref.dim %A, %c1 : memref<4x?xf32>
  func.return %d : index
}
