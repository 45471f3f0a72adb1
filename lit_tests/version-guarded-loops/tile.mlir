// RUN: ziggurat-opt %s -p version-guarded-loops --split-input-file | filecheck %s

// A register tile of 4 rows over 10 rows leaves a guard (row < 10) in its reduction loop:
// the loop runs without it where the tile's last row is in (4 * io + 3 < 10: 4 * io < 7),
// and for the last tile (io = 2) as a tile of the 2 rows left.

// CHECK-LABEL: func.func @tile
// CHECK: scf.for %[[IO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[ROWS:.*]] = arith.muli %[[IO]], %{{.*}} : index
// CHECK: %[[ALL:.*]] = arith.cmpi slt, %[[ROWS]], %{{.*}} : index
// CHECK: scf.if %[[ALL]] {
// CHECK-NEXT: %[[TRUE:.*]] = arith.constant true
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NOT: arith.cmpi
// CHECK: scf.if %[[TRUE]] {
// CHECK: } {loop.annotations = [#loop.unroll<4>]}
// CHECK-NEXT: } {loop.axis = "k"}
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[LAST:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[HOLDS:.*]] = arith.constant true
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[LEFT:.*]] = arith.constant 2 : index
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[LEFT]] step %{{.*}} {
// CHECK-NOT: arith.cmpi
// CHECK: arith.muli %[[LAST]], %{{.*}} : index
// CHECK: scf.if %[[HOLDS]] {
// CHECK: } {loop.annotations = [#loop.unroll<2>]}
// CHECK-NEXT: } {loop.axis = "k"}
// CHECK-NEXT: }
func.func @tile(%A: memref<10x8xf32>, %B: memref<8x16xf32>, %C: memref<10x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c10 = arith.constant 10 : index
  %c16 = arith.constant 16 : index
  scf.for %io = %c0 to %c3 step %c1 {
    scf.for %k = %c0 to %c8 step %c1 {
      scf.for %ii = %c0 to %c4 step %c1 {
        scf.for %j = %c0 to %c16 step %c1 {
          %base = arith.muli %io, %c4 : index
          %i = arith.addi %base, %ii : index
          %in = arith.cmpi slt, %i, %c10 : index
          scf.if %in {
            %a = memref.load %A[%i, %k] : memref<10x8xf32>
            %b = memref.load %B[%k, %j] : memref<8x16xf32>
            %c = memref.load %C[%i, %j] : memref<10x16xf32>
            %p = arith.mulf %a, %b : f32
            %s = arith.addf %c, %p : f32
            memref.store %s, %C[%i, %j] : memref<10x16xf32>
          }
        } {loop.annotations = [#loop.vectorize<16>]}
      } {loop.annotations = [#loop.unroll<4>]}
    } {loop.axis = "k"}
  }
  func.return
}

// -----

// A guard the same in every iteration of the loops inside the tile loop (it reads the
// tile's index only) is left to the vectorizer and LLVM: nothing to version.

// CHECK-LABEL: func.func @same
// CHECK-NOT: arith.constant true
// CHECK: scf.if
// CHECK-NOT: scf.if
func.func @same(%C: memref<10x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c10 = arith.constant 10 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  scf.for %io = %c0 to %c3 step %c1 {
    scf.for %k = %c0 to %c8 step %c1 {
      scf.for %j = %c0 to %c16 step %c1 {
        %base = arith.muli %io, %c4 : index
        %in = arith.cmpi slt, %base, %c10 : index
        scf.if %in {
          memref.store %zero, %C[%base, %j] : memref<10x16xf32>
        }
      }
    }
  }
  func.return
}

// -----

// A tile accumulated in a local buffer: the whole iteration of io (buffer, initialization,
// reduction, write-back) is versioned, so that each version has its own buffer (with one
// buffer under both, LLVM kept the accumulators' stores in the reduction loop).

// CHECK-LABEL: func.func @buffer
// CHECK: scf.for %[[IO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[FOUR:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[ROWS:.*]] = arith.muli %[[IO]], %[[FOUR]] : index
// CHECK-NEXT: %[[LAST:.*]] = arith.constant 7 : index
// CHECK-NEXT: %[[ALL:.*]] = arith.cmpi slt, %[[ROWS]], %[[LAST]] : index
// CHECK-NEXT: scf.if %[[ALL]] {
// CHECK-NEXT: %[[TRUE:.*]] = arith.constant true
// CHECK-NEXT: %[[TILE:.*]] = memref.alloc() : memref<4x16xf32>
// CHECK: scf.if %[[TRUE]] {
// CHECK: } {loop.axis = "k"}
// CHECK: memref.dealloc %[[TILE]]
// CHECK-NEXT: } else {
// CHECK: %[[SLOW:.*]] = memref.alloc() : memref<4x16xf32>
// CHECK: } {loop.axis = "k"}
// CHECK: memref.dealloc %[[SLOW]]
// CHECK-NEXT: }
// CHECK-NEXT: }
func.func @buffer(%A: memref<10x8xf32>, %B: memref<8x16xf32>, %C: memref<10x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c10 = arith.constant 10 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  scf.for %io = %c0 to %c3 step %c1 {
    %tile = memref.alloc() : memref<4x16xf32>
    scf.for %ii = %c0 to %c4 step %c1 {
      scf.for %j = %c0 to %c16 step %c1 {
        memref.store %zero, %tile[%ii, %j] : memref<4x16xf32>
      }
    }
    scf.for %k = %c0 to %c8 step %c1 {
      scf.for %ii = %c0 to %c4 step %c1 {
        scf.for %j = %c0 to %c16 step %c1 {
          %base = arith.muli %io, %c4 : index
          %i = arith.addi %base, %ii : index
          %in = arith.cmpi slt, %i, %c10 : index
          scf.if %in {
            %a = memref.load %A[%i, %k] : memref<10x8xf32>
            %b = memref.load %B[%k, %j] : memref<8x16xf32>
            %c = memref.load %tile[%ii, %j] : memref<4x16xf32>
            %p = arith.mulf %a, %b : f32
            %s = arith.addf %c, %p : f32
            memref.store %s, %tile[%ii, %j] : memref<4x16xf32>
          }
        } {loop.annotations = [#loop.vectorize<16>]}
      } {loop.annotations = [#loop.unroll<4>]}
    } {loop.axis = "k"}
    scf.for %ii = %c0 to %c4 step %c1 {
      scf.for %j = %c0 to %c16 step %c1 {
        %base = arith.muli %io, %c4 : index
        %i = arith.addi %base, %ii : index
        %in = arith.cmpi slt, %i, %c10 : index
        scf.if %in {
          %t = memref.load %tile[%ii, %j] : memref<4x16xf32>
          memref.store %t, %C[%i, %j] : memref<10x16xf32>
        }
      }
    }
    memref.dealloc %tile : memref<4x16xf32>
  }
  func.return
}

// -----

// A value the body computes and yields stays outside the versions: only the nest is.

// CHECK-LABEL: func.func @carried
// CHECK: %{{.*}} = scf.for %[[IO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (index) {
// CHECK: scf.if %{{.*}} {
// CHECK-NEXT: %{{.*}} = arith.constant true
// CHECK-NEXT: scf.for
// CHECK: } else {
// CHECK: } {loop.axis = "k"}
// CHECK-NEXT: }
// CHECK-NEXT: %[[NEXT:.*]] = arith.addi %[[ACC]], %[[IO]] : index
// CHECK-NEXT: scf.yield %[[NEXT]] : index
func.func @carried(%A: memref<10x8xf32>, %C: memref<10x16xf32>) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c10 = arith.constant 10 : index
  %c16 = arith.constant 16 : index
  %sum = scf.for %io = %c0 to %c3 step %c1 iter_args(%acc = %c0) -> (index) {
    scf.for %k = %c0 to %c8 step %c1 {
      scf.for %ii = %c0 to %c4 step %c1 {
        scf.for %j = %c0 to %c16 step %c1 {
          %base = arith.muli %io, %c4 : index
          %i = arith.addi %base, %ii : index
          %in = arith.cmpi slt, %i, %c10 : index
          scf.if %in {
            %a = memref.load %A[%i, %k] : memref<10x8xf32>
            %c = memref.load %C[%i, %j] : memref<10x16xf32>
            %s = arith.addf %c, %a : f32
            memref.store %s, %C[%i, %j] : memref<10x16xf32>
          }
        } {loop.annotations = [#loop.vectorize<16>]}
      } {loop.annotations = [#loop.unroll<4>]}
    } {loop.axis = "k"}
    %next = arith.addi %acc, %io : index
    scf.yield %next : index
  }
  func.return %sum : index
}

// -----

// A guard on the vector lanes (j < 40 for panels of 16 columns): the panels but the last
// run without it; the last (jo = 2) is a panel of the 8 columns left. The comparisons go:
// the vectorizer does not take a comparison of the lane index.

// CHECK-LABEL: func.func @lanes
// CHECK: scf.if %{{.*}} {
// CHECK-NEXT: %[[TRUE:.*]] = arith.constant true
// CHECK-NOT: arith.cmpi
// CHECK: scf.if %[[TRUE]] {
// CHECK: } else {
// CHECK-NEXT: %{{.*}} = arith.constant 2 : index
// CHECK-NEXT: %[[HOLDS:.*]] = arith.constant true
// CHECK: %[[LEFT:.*]] = arith.constant 8 : index
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[LEFT]] step %{{.*}} {
// CHECK-NOT: arith.cmpi
// CHECK: scf.if %[[HOLDS]] {
// CHECK: } {loop.annotations = [#loop.vectorize<16>]}
func.func @lanes(%A: memref<8x8xf32>, %B: memref<8x40xf32>, %C: memref<8x40xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c40 = arith.constant 40 : index
  scf.for %jo = %c0 to %c3 step %c1 {
    scf.for %k = %c0 to %c8 step %c1 {
      scf.for %i = %c0 to %c8 step %c1 {
        scf.for %ji = %c0 to %c16 step %c1 {
          %base = arith.muli %jo, %c16 : index
          %j = arith.addi %base, %ji : index
          %in = arith.cmpi slt, %j, %c40 : index
          scf.if %in {
            %a = memref.load %A[%i, %k] : memref<8x8xf32>
            %b = memref.load %B[%k, %j] : memref<8x40xf32>
            %c = memref.load %C[%i, %j] : memref<8x40xf32>
            %p = arith.mulf %a, %b : f32
            %s = arith.addf %c, %p : f32
            memref.store %s, %C[%i, %j] : memref<8x40xf32>
          }
        } {loop.annotations = [#loop.vectorize<16>]}
      } {loop.annotations = [#loop.unroll<8>]}
    } {loop.axis = "k"}
  }
  func.return
}
