// RUN: ziggurat-opt %s -p 'lower-allocations{guard-zones=true},loop-to-llvm' | filecheck %s

// With guard zones (for tests), a local buffer goes on the heap too, 64 bytes of a pattern
// before and after its 24 bytes: the descriptor's data pointer is 64 bytes in. Its dealloc
// compares the zones with the pattern and, where one changed, stores 1 to the second cell
// of the module's @ziggurat_guard_violations (the first cell otherwise), then frees.

// CHECK: llvm.mlir.global external @ziggurat_guard_violations() {{.*}} : !llvm.array<2 x i64>
// CHECK-LABEL: llvm.func @tile(
// CHECK-NOT: llvm.alloca
// CHECK: %[[TOTAL:.*]] = llvm.mlir.constant(192) : i64
// CHECK-NEXT: %[[BASE:.*]] = llvm.call @aligned_alloc(%{{.*}}, %[[TOTAL]])
// CHECK-NEXT: %[[DATA:.*]] = llvm.getelementptr %[[BASE]][64] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK-NEXT: %[[PATTERN:.*]] = llvm.mlir.constant(6556890168739938526) : i64
// CHECK-NEXT: %[[BEFORE:.*]] = llvm.mlir.constant(-64) : i64
// CHECK-NEXT: %[[FIRST:.*]] = llvm.getelementptr %[[DATA]][%[[BEFORE]]]
// CHECK: %[[AFTER:.*]] = llvm.mlir.constant(24) : i64
// CHECK-NEXT: %[[LAST:.*]] = llvm.getelementptr %[[DATA]][%[[AFTER]]]
// CHECK: llvm.store %[[PATTERN]], %[[FIRST]] {alignment = 1 : i64} : i64, !llvm.ptr
// CHECK: llvm.store %[[PATTERN]], %[[LAST]] {alignment = 1 : i64} : i64, !llvm.ptr
// CHECK: llvm.insertvalue %[[BASE]], %{{.*}}[0]
// CHECK-NEXT: llvm.insertvalue %[[DATA]], %{{.*}}[1]
// CHECK: %[[WORD:.*]] = llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr -> i64
// CHECK-NEXT: llvm.xor %[[WORD]], %{{.*}} : i64
// CHECK: %[[CHANGED:.*]] = llvm.icmp "ne" %{{.*}}, %{{.*}} : i64
// CHECK-NEXT: %[[CELL:.*]] = llvm.zext %[[CHANGED]] : i1 to i64
// CHECK-NEXT: %[[FLAGS:.*]] = llvm.mlir.addressof @ziggurat_guard_violations : !llvm.ptr
// CHECK: %[[AT:.*]] = llvm.getelementptr %[[FLAGS]][%[[CELL]]] : (!llvm.ptr, i64) -> !llvm.ptr, i64
// CHECK: llvm.store %{{.*}}, %[[AT]] : i64, !llvm.ptr
// CHECK: llvm.call @free(%{{.*}}) : (!llvm.ptr) -> ()
func.func @tile(%n: index) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<2x3xf32, #loop.scope<local>>
  memref.store %zero, %t[%c0, %c0] : memref<2x3xf32, #loop.scope<local>>
  memref.dealloc %t : memref<2x3xf32, #loop.scope<local>>
  func.return
}
