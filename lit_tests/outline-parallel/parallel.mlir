// RUN: ziggurat-opt %s -p outline-parallel,lower-allocations,loop-to-llvm | filecheck %s

// The outermost #loop.parallel loop becomes a call to the thread pool with an outlined
// function running [begin, end). What the body uses from outside travels in a context struct
// on the caller's stack; constants are recomputed in the outlined function instead.

// CHECK: llvm.func @ziggurat_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64, i64)

// CHECK-LABEL: llvm.func @scale(
// CHECK: %[[SLOT:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(!llvm.struct<({{[^)]*}})>, f32, !llvm.struct<({{[^)]*}})>)>
// CHECK: %[[CONTEXT:.*]] = llvm.insertvalue %{{.*}}, %{{.*}}[2]
// CHECK: llvm.store %[[CONTEXT]], %[[SLOT]]
// CHECK: %[[FN:.*]] = llvm.mlir.addressof @scale_parallel_0 : !llvm.ptr
// CHECK: llvm.call @ziggurat_parallel_for(%[[FN]], %[[SLOT]], %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT: llvm.br
// CHECK: llvm.return

// CHECK-LABEL: llvm.func internal @scale_parallel_0(
// CHECK-SAME: %[[ARG:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK: %[[LOADED:.*]] = llvm.load %[[ARG]]
// CHECK: %[[K:.*]] = llvm.extractvalue %[[LOADED]][1]
// CHECK: %[[STEP:.*]] = llvm.mlir.constant(1) : i64
// CHECK: llvm.br ^[[HEADER:.*]](%[[BEGIN]] : i64)
// CHECK: ^[[HEADER]](%[[I:.*]]: i64):
// CHECK: llvm.icmp "slt" %[[I]], %[[END]]
// CHECK: llvm.fmul %{{.*}}, %[[K]]
// CHECK: %[[NEXT:.*]] = llvm.add %[[I]], %[[STEP]]
// CHECK: llvm.br ^[[HEADER]](%[[NEXT]] : i64) {loop.annotations = [#loop.unroll<2>]}
func.func @scale(%X: memref<?xf32>, %Y: memref<?xf32>, %k: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %X, %c0 : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<?xf32>
    %y = arith.mulf %x, %k : f32
    memref.store %y, %Y[%i] : memref<?xf32>
  } {loop.annotations = [#loop.parallel, #loop.unroll<2>]}
  func.return
}

// Only the outermost parallel loop of a nest runs on the pool; the context of a parallel loop
// inside a sequential one is allocated once, in the entry block.

// CHECK-LABEL: llvm.func @nested(
// CHECK: llvm.alloca
// CHECK: llvm.br ^[[OUTER:.*]](
// CHECK: ^[[OUTER]](
// CHECK: llvm.call @ziggurat_parallel_for
// CHECK-NOT: llvm.call @ziggurat_parallel_for
// CHECK-LABEL: llvm.func internal @nested_parallel_0(
// CHECK-NOT: llvm.call @ziggurat_parallel_for
// CHECK: llvm.return
func.func @nested(%A: memref<8x8xf32>, %reps: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.for %r = %c0 to %reps step %c1 {
    scf.for %i = %c0 to %c8 step %c1 {
      scf.for %j = %c0 to %c8 step %c1 {
        %a = memref.load %A[%i, %j] : memref<8x8xf32>
        %b = arith.addf %a, %one : f32
        memref.store %b, %A[%i, %j] : memref<8x8xf32>
      } {loop.annotations = [#loop.parallel]}
    } {loop.annotations = [#loop.parallel]}
  }
  func.return
}

// A body that uses nothing from outside gets a null context.

// CHECK-LABEL: llvm.func @nothing_captured(
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.call @ziggurat_parallel_for(%{{.*}}, %[[NULL]],
func.func @nothing_captured() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloca() : memref<4xindex>
    memref.store %i, %t[%i] : memref<4xindex>
  } {loop.annotations = [#loop.parallel]}
  func.return
}
