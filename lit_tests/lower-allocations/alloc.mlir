// RUN: ziggurat-opt %s -p lower-allocations,loop-to-llvm | filecheck %s

// Heap buffers are 64-byte aligned; their byte size is rounded up to a multiple of 64.

// CHECK-DAG: llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)

// CHECK-LABEL: llvm.func @static
// CHECK: %[[ALIGN:.*]] = llvm.mlir.constant(64) : i64
// CHECK: %[[BYTES:.*]] = llvm.mlir.constant(64) : i64
// CHECK: %[[P:.*]] = llvm.call @aligned_alloc(%[[ALIGN]], %[[BYTES]])
// CHECK: llvm.insertvalue %[[P]], %{{.*}}[0]
// CHECK: llvm.insertvalue %[[P]], %{{.*}}[1]
// CHECK: %[[ALLOCATED:.*]] = llvm.extractvalue %{{.*}}[0]
// CHECK: llvm.call @free(%[[ALLOCATED]])
func.func @static() {
  %t = memref.alloc() : memref<3x5xf32>
  memref.dealloc %t : memref<3x5xf32>
  func.return
}

// CHECK-LABEL: llvm.func @dynamic(
// CHECK-SAME: %[[N:.*]]: i64)
// CHECK: %[[BYTES:.*]] = llvm.mul %[[N]], %{{.*}} : i64
// CHECK: llvm.call @aligned_alloc
func.func @dynamic(%n: index) {
  %t = memref.alloc(%n) : memref<?xf64>
  memref.dealloc %t : memref<?xf64>
  func.return
}

// Stack buffers, of any scope but shared.
// CHECK-LABEL: llvm.func @stack
// CHECK: llvm.alloca %{{.*}} x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr
func.func @stack() -> f32 {
  %c0 = arith.constant 0 : index
  %t = memref.alloca() : memref<16xf32, #loop.scope<local>>
  %v = memref.load %t[%c0] : memref<16xf32, #loop.scope<local>>
  func.return %v : f32
}
