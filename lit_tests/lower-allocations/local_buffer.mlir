// RUN: ziggurat-opt %s -p lower-allocations,loop-to-llvm | filecheck %s

// A small, statically sized #loop.scope<local> buffer lives on the stack, 64-byte aligned, in
// the function's entry block even when allocated in a loop, so each thread running the loop
// has its own and LLVM may keep it in registers. Its dealloc has nothing to free. Larger or
// dynamically sized ones are heap buffers.

// CHECK-LABEL: llvm.func @tile(
// CHECK-NEXT: %[[SIZE:.*]] = llvm.mlir.constant(128) : i64
// CHECK-NEXT: %{{.*}} = llvm.alloca %[[SIZE]] x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr
// CHECK: llvm.br
// CHECK-NOT: llvm.alloca
// CHECK-NOT: llvm.call @free
// CHECK: llvm.return
func.func @tile(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<8x16xf32, #loop.scope<local>>
    memref.store %zero, %t[%c0, %c0] : memref<8x16xf32, #loop.scope<local>>
    memref.dealloc %t : memref<8x16xf32, #loop.scope<local>>
  }
  func.return
}

// CHECK-LABEL: llvm.func @large(
// CHECK: llvm.call @aligned_alloc
// CHECK: llvm.call @free
func.func @large() {
  %t = memref.alloc() : memref<1024x1024xf32, #loop.scope<local>>
  memref.dealloc %t : memref<1024x1024xf32, #loop.scope<local>>
  func.return
}

// A memref.alloca of static size moves to the entry block too.
// CHECK-LABEL: llvm.func @scratch(
// CHECK-NEXT: llvm.mlir.constant(4) : i64
// CHECK-NEXT: llvm.alloca %{{.*}} x f64 {alignment = 64 : i64}
func.func @scratch(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %x = arith.constant 1.0 : f64
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloca() : memref<4xf64>
    memref.store %x, %t[%c0] : memref<4xf64>
  }
  func.return
}
