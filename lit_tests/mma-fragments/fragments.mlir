// RUN: ziggurat-opt %s -p mma-fragments | filecheck %s
// RUN: ziggurat-opt %s -p mma-fragments | ziggurat-opt | filecheck %s

// A warp's 32 x 16 accumulator (two by two mma tiles) becomes each lane's fragments,
// 2 x 2 x 4 floats; the call of the tensor-core intrinsic loads the lane's registers of A
// (rows g, g + 8; columns 2t, 2t + 1, 2t + 8, 2t + 9), B (rows 2t, 2t + 1, 2t + 8, 2t + 9 of
// column g) and C, runs gpu.mma_sync and stores D where C was; the loops that reset and
// write back the accumulator run over the lane's rows (16a + 8h + g) and columns
// (8b + 2t + e) only, unrolled.

// CHECK-LABEL: func.func @warp_tile(
// CHECK-SAME: %[[A:[a-zA-Z0-9_]+]]: memref<32x16xf16>, %[[B:[a-zA-Z0-9_]+]]: memref<16x16xf16>, %[[C:[a-zA-Z0-9_]+]]: memref<32x16xf32>)
// CHECK: %[[FRAGMENTS:.*]] = memref.alloc() : memref<2x2x4xf32, #loop.scope<local>>
// CHECK-NOT: memref<32x16xf32, #loop.scope<local>>
// The reset: rows 16a + 8h + g, columns 8b + 2t + e, slot 2h + e.
// CHECK: scf.for %[[RA:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %[[RH:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[LANE:.*]] = gpu.lane_id
// CHECK: scf.for %[[RB:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %[[RE:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[TWICE:.*]] = arith.muli %[[RH]], %{{.*}} : index
// CHECK-NEXT: %[[SLOT:.*]] = arith.addi %[[TWICE]], %[[RE]] : index
// CHECK-NEXT: memref.store %{{.*}}, %[[FRAGMENTS]][%[[RA]], %[[RB]], %[[SLOT]]] : memref<2x2x4xf32, #loop.scope<local>>
// CHECK-NEXT: } {loop.annotations = [#loop.unroll<2>]}
// CHECK-NEXT: } {loop.axis = "c", loop.annotations = [#loop.unroll<2>]}
// The product: the lane's registers, the warp's mma, D stored in C's place.
// CHECK: %[[LANE2:.*]] = gpu.lane_id
// CHECK-NEXT: %[[FOUR:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[G:.*]] = arith.divui %[[LANE2]], %[[FOUR]] : index
// CHECK-NEXT: %[[T:.*]] = arith.remui %[[LANE2]], %[[FOUR]] : index
// CHECK-NEXT: %[[TWO:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[TWO_T:.*]] = arith.muli %[[T]], %[[TWO]] : index
// CHECK-NEXT: %[[A0:.*]] = memref.load %[[AV:.*]][%[[G]], %[[TWO_T]]] : memref<16x16xf16, strided<[16, 1], offset: ?>>
// CHECK: %[[B0:.*]] = memref.load %[[BV:.*]][%[[TWO_T]], %[[G]]] : memref<16x8xf16, strided<[16, 1], offset: ?>>
// CHECK: %[[C0:.*]] = memref.load %[[FRAGMENTS]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<2x2x4xf32, #loop.scope<local>>
// CHECK: %[[D0:.*]], %{{.*}}, %{{.*}}, %{{.*}} = gpu.mma_sync m16n8k16 (%[[A0]], {{.*}}) (%[[B0]], {{.*}}) (%[[C0]], {{.*}}) : f16, f32
// CHECK-NEXT: memref.store %[[D0]], %[[FRAGMENTS]]
// CHECK-NOT: func.call
// The write back, from the lane's fragments to its places in C.
// CHECK: memref.load %[[FRAGMENTS]]
// CHECK-NEXT: memref.store %{{.*}}, %[[C]]
// CHECK: memref.dealloc %[[FRAGMENTS]]
// CHECK-NOT: @mma_m16n8k16_update
func.func @warp_tile(%A: memref<32x16xf16>, %B: memref<16x16xf16>, %C: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<32x16xf32, #loop.scope<local>>
  scf.for %r = %c0 to %c32 step %c1 {
    scf.for %c = %c0 to %c16 step %c1 {
      memref.store %zero, %acc[%r, %c] : memref<32x16xf32, #loop.scope<local>>
    } {loop.axis = "c"}
  } {loop.axis = "r"}
  scf.for %i = %c0 to %c2 step %c1 {
    scf.for %j = %c0 to %c2 step %c1 {
      %row = arith.muli %i, %c16 : index
      %column = arith.muli %j, %c8 : index
      %a = memref.subview %A[%row, %c0] [16, 16] [1, 1] : memref<32x16xf16> to memref<16x16xf16, strided<[16, 1], offset: ?>>
      %b = memref.subview %B[%c0, %column] [16, 8] [1, 1] : memref<16x16xf16> to memref<16x8xf16, strided<[16, 1], offset: ?>>
      %c = memref.subview %acc[%row, %column] [16, 8] [1, 1] : memref<32x16xf32, #loop.scope<local>> to memref<16x8xf32, strided<[16, 1], offset: ?>>
      %ac = "memref.cast"(%a) : (memref<16x16xf16, strided<[16, 1], offset: ?>>) -> memref<16x16xf16, strided<[?, ?], offset: ?>>
      %bc = "memref.cast"(%b) : (memref<16x8xf16, strided<[16, 1], offset: ?>>) -> memref<16x8xf16, strided<[?, ?], offset: ?>>
      %cc = "memref.cast"(%c) : (memref<16x8xf32, strided<[16, 1], offset: ?>>) -> memref<16x8xf32, strided<[?, ?], offset: ?>>
      func.call @mma_m16n8k16_update(%ac, %bc, %cc) : (memref<16x16xf16, strided<[?, ?], offset: ?>>, memref<16x8xf16, strided<[?, ?], offset: ?>>, memref<16x8xf32, strided<[?, ?], offset: ?>>) -> ()
    }
  }
  scf.for %r = %c0 to %c32 step %c1 {
    scf.for %c = %c0 to %c16 step %c1 {
      %v = memref.load %acc[%r, %c] : memref<32x16xf32, #loop.scope<local>>
      memref.store %v, %C[%r, %c] : memref<32x16xf32>
    }
  }
  memref.dealloc %acc : memref<32x16xf32, #loop.scope<local>>
  func.return
}
func.func private @mma_m16n8k16_update(memref<16x16xf16, strided<[?, ?], offset: ?>>, memref<16x8xf16, strided<[?, ?], offset: ?>>, memref<16x8xf32, strided<[?, ?], offset: ?>>)
