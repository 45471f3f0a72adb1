// RUN: ziggurat-opt %s -p mma-fragments --split-input-file --verify-diagnostics

// The accumulator of a tensor-core mma is held by the warp's lanes together: a loop that
// reads part of its rows cannot run over the lane's elements.

func.func @part_of_the_rows(%A: memref<16x16xf16>, %B: memref<16x8xf16>, %C: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %acc = memref.alloc() : memref<16x8xf32, #loop.scope<local>>
  %a = memref.subview %A[%c0, %c0] [16, 16] [1, 1] : memref<16x16xf16> to memref<16x16xf16, strided<[16, 1], offset: ?>>
  %b = memref.subview %B[%c0, %c0] [16, 8] [1, 1] : memref<16x8xf16> to memref<16x8xf16, strided<[8, 1], offset: ?>>
  %c = memref.subview %acc[%c0, %c0] [16, 8] [1, 1] : memref<16x8xf32, #loop.scope<local>> to memref<16x8xf32, strided<[8, 1], offset: ?>>
  %ac = "memref.cast"(%a) : (memref<16x16xf16, strided<[16, 1], offset: ?>>) -> memref<16x16xf16, strided<[?, ?], offset: ?>>
  %bc = "memref.cast"(%b) : (memref<16x8xf16, strided<[8, 1], offset: ?>>) -> memref<16x8xf16, strided<[?, ?], offset: ?>>
  %cc = "memref.cast"(%c) : (memref<16x8xf32, strided<[8, 1], offset: ?>>) -> memref<16x8xf32, strided<[?, ?], offset: ?>>
  func.call @mma_m16n8k16_update(%ac, %bc, %cc) : (memref<16x16xf16, strided<[?, ?], offset: ?>>, memref<16x8xf16, strided<[?, ?], offset: ?>>, memref<16x8xf32, strided<[?, ?], offset: ?>>) -> ()
  scf.for %r = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      // expected-error@+1 {{'memref.load' of the accumulator of a tensor-core mma must index it with loops over all its rows and columns}}
      %v = memref.load %acc[%r, %j] : memref<16x8xf32, #loop.scope<local>>
      memref.store %v, %C[%r, %j] : memref<16x8xf32>
    }
  }
  memref.dealloc %acc : memref<16x8xf32, #loop.scope<local>>
  func.return
}
func.func private @mma_m16n8k16_update(memref<16x16xf16, strided<[?, ?], offset: ?>>, memref<16x8xf16, strided<[?, ?], offset: ?>>, memref<16x8xf32, strided<[?, ?], offset: ?>>)

// -----

// An accumulator that is not whole mma tiles (16 x 8) cannot be split among the lanes.

func.func @not_whole_tiles(%A: memref<16x16xf16>, %B: memref<16x8xf16>) {
  %c0 = arith.constant 0 : index
  // expected-error@+1 {{the accumulator of a tensor-core mma must be a local buffer of whole 16 x 8 tiles, not memref<24x8xf32, #loop.scope<local>>}}
  %acc = memref.alloc() : memref<24x8xf32, #loop.scope<local>>
  %a = memref.subview %A[%c0, %c0] [16, 16] [1, 1] : memref<16x16xf16> to memref<16x16xf16, strided<[16, 1], offset: ?>>
  %b = memref.subview %B[%c0, %c0] [16, 8] [1, 1] : memref<16x8xf16> to memref<16x8xf16, strided<[8, 1], offset: ?>>
  %c = memref.subview %acc[%c0, %c0] [16, 8] [1, 1] : memref<24x8xf32, #loop.scope<local>> to memref<16x8xf32, strided<[8, 1], offset: ?>>
  %ac = "memref.cast"(%a) : (memref<16x16xf16, strided<[16, 1], offset: ?>>) -> memref<16x16xf16, strided<[?, ?], offset: ?>>
  %bc = "memref.cast"(%b) : (memref<16x8xf16, strided<[8, 1], offset: ?>>) -> memref<16x8xf16, strided<[?, ?], offset: ?>>
  %cc = "memref.cast"(%c) : (memref<16x8xf32, strided<[8, 1], offset: ?>>) -> memref<16x8xf32, strided<[?, ?], offset: ?>>
  func.call @mma_m16n8k16_update(%ac, %bc, %cc) : (memref<16x16xf16, strided<[?, ?], offset: ?>>, memref<16x8xf16, strided<[?, ?], offset: ?>>, memref<16x8xf32, strided<[?, ?], offset: ?>>) -> ()
  memref.dealloc %acc : memref<24x8xf32, #loop.scope<local>>
  func.return
}
func.func private @mma_m16n8k16_update(memref<16x16xf16, strided<[?, ?], offset: ?>>, memref<16x8xf16, strided<[?, ?], offset: ?>>, memref<16x8xf32, strided<[?, ?], offset: ?>>)
