// RUN: ziggurat-opt %s --split-input-file -p vectorize-loops | filecheck %s

// A load at twice the induction variable plus an invariant (a stride-2 convolution's or
// pool's row) is two vector loads, the second ending at the last lane's element, whose even
// and odd lanes a shuffle takes; the rest of 13 = 8 + 4 + 1 runs narrower, then scalar.

// CHECK-LABEL: func.func @every_other(
// CHECK:       %[[FIRST:.*]] = vector.load %{{.*}}[%{{.*}}] : memref<27xf32>, vector<8xf32>
// CHECK:       %[[SECOND:.*]] = vector.load %{{.*}}[%{{.*}}] : memref<27xf32>, vector<8xf32>
// CHECK:       vector.shuffle %[[FIRST]], %[[SECOND]] [0, 2, 4, 6, 9, 11, 13, 15] : vector<8xf32>, vector<8xf32>
// CHECK:       vector.shuffle %{{.*}}, %{{.*}} [0, 2, 5, 7] : vector<4xf32>, vector<4xf32>
// CHECK:       scf.for
// CHECK:       memref.load
func.func @every_other(%X: memref<27xf32>, %Y: memref<13xf32>, %r: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c13 = arith.constant 13 : index
  scf.for %x = %c0 to %c13 step %c1 {
    %d = arith.muli %x, %c2 : index
    %i = arith.addi %d, %r : index
    %v = memref.load %X[%i] : memref<27xf32>
    memref.store %v, %Y[%x] : memref<13xf32>
  } {loop.annotations = [#loop.vectorize<8>]}
  func.return
}

// -----

// Doubled along another dimension than the last: W scalar loads two rows apart.

// CHECK-LABEL: func.func @every_other_row(
// CHECK-COUNT-4: memref.load %{{.*}} : memref<9x3xf32>
// CHECK:       vector.store %{{.*}} : memref<4xf32>, vector<4xf32>
func.func @every_other_row(%X: memref<9x3xf32>, %Y: memref<4xf32>, %c: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %x = %c0 to %c4 step %c1 {
    %two = arith.constant 2 : index
    %i = arith.muli %two, %x : index
    %v = memref.load %X[%i, %c] : memref<9x3xf32>
    memref.store %v, %Y[%x] : memref<4xf32>
  } {loop.annotations = [#loop.vectorize<4>]}
  func.return
}

// -----

// A doubled index stored, or a store at a doubled index, leaves the loop to LLVM.

// CHECK-LABEL: func.func @scattered(
// CHECK-NOT:   vector.
// CHECK:       loop.annotations = [#loop.vectorize<8>]
func.func @scattered(%X: memref<16xf32>, %Y: memref<31xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  scf.for %x = %c0 to %c16 step %c1 {
    %i = arith.muli %x, %c2 : index
    %v = memref.load %X[%x] : memref<16xf32>
    memref.store %v, %Y[%i] : memref<31xf32>
  } {loop.annotations = [#loop.vectorize<8>]}
  func.return
}
