// RUN: ziggurat-opt %s -p vectorize-loops,loop-to-llvm | filecheck %s

// An innermost #loop.vectorize<W> loop runs W iterations at a time on vector values: loads
// and stores whose last index is the induction variable move W elements, aligned as one
// element; invariant scalars are broadcast; the annotation is used up.

// CHECK-LABEL: llvm.func @axpy(
// CHECK: %[[SIXTEEN:.*]] = llvm.mlir.constant(16) : i64
// CHECK: ^[[HEADER:.*]](%[[J:.*]]: i64):
// CHECK: %[[X:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
// CHECK: %[[Y:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
// CHECK: %[[LANE:.*]] = llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i32] : vector<16xf32>
// CHECK: %[[A:.*]] = llvm.shufflevector %[[LANE]], %{{.*}} [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] : vector<16xf32>
// CHECK: %[[P:.*]] = llvm.fmul %[[A]], %[[X]] {{.*}} : vector<16xf32>
// CHECK: %[[S:.*]] = llvm.fadd %[[P]], %[[Y]] {{.*}} : vector<16xf32>
// CHECK: llvm.store %[[S]], %{{.*}} {alignment = 4 : i64} : vector<16xf32>, !llvm.ptr
// CHECK: %[[NEXT:.*]] = llvm.add %[[J]], %[[SIXTEEN]] : i64
// CHECK: llvm.br ^[[HEADER]](%[[NEXT]] : i64){{$}}
func.func @axpy(%a: f32, %X: memref<64x32xf32>, %Y: memref<64x32xf32>, %k: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  scf.for %j = %c0 to %c32 step %c1 {
    %x = memref.load %X[%k, %j] : memref<64x32xf32>
    %y = memref.load %Y[%k, %j] : memref<64x32xf32>
    %p = arith.mulf %a, %x : f32
    %s = arith.addf %p, %y : f32
    memref.store %s, %Y[%k, %j] : memref<64x32xf32>
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return
}

// A vector loop of one iteration is no loop: a register tile's indices become constants.

// CHECK-LABEL: llvm.func @one_vector(
// CHECK-NOT: llvm.br
// CHECK: llvm.call_intrinsic "llvm.maximum.v16f32"
// CHECK-NOT: llvm.br
// CHECK: llvm.return
func.func @one_vector(%X: memref<16xf32>, %Y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    %x = memref.load %X[%i] : memref<16xf32>
    %r = arith.maximumf %x, %zero : f32
    memref.store %r, %Y[%i] : memref<16xf32>
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return
}

// A value the loop accumulates is carried as W partial sums, added up after the loop in any
// order (reassoc); the iterations W does not divide run in a scalar loop (the trip count is
// not known here: a known rest runs in narrower vectors first).

// CHECK-LABEL: llvm.func @sum(
// CHECK: ^[[VECTOR:.*]](%{{.*}}: i64, %[[ACC:.*]]: vector<16xf32>):
// CHECK: %[[PARTIAL:.*]] = llvm.call_intrinsic "llvm.vector.reduce.fadd.v16f32"(%{{.*}}, %[[ACC]]) {fastmathFlags = #llvm.fastmath<reassoc>}
// CHECK: llvm.br ^[[SCALAR:.*]](%{{.*}}, %[[PARTIAL]] : i64, f32)
// CHECK: ^[[SCALAR]](%{{.*}}: i64, %[[REST:.*]]: f32):
// CHECK: llvm.fadd %[[REST]], %{{.*}} : f32
func.func @sum(%X: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %X, %c0 : memref<?xf32>
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %X[%i] : memref<?xf32>
    %t = arith.addf %acc, %x : f32
    scf.yield %t : f32
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return %s : f32
}

// A guard whose condition is the same for every iteration (a split tail's) runs all the
// lanes or none: the body under it is vectorized as it stands.

// CHECK-LABEL: llvm.func @guarded(
// CHECK: llvm.cond_br %{{.*}}, ^[[THEN:.*]], ^{{.*}}
// CHECK: ^[[THEN]]:
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<16xf32>, !llvm.ptr
func.func @guarded(%X: memref<4x16xf32>, %Y: memref<4x16xf32>, %row: index, %rows: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %inside = arith.cmpi slt, %row, %rows : index
  scf.for %i = %c0 to %c16 step %c1 {
    scf.if %inside {
      %x = memref.load %X[%row, %i] : memref<4x16xf32>
      %y = arith.mulf %x, %x : f32
      memref.store %y, %Y[%row, %i] : memref<4x16xf32>
    }
  } {loop.annotations = [#loop.vectorize<16>]}
  func.return
}

// A load along another dimension than the vector loop's (a register tile written back
// across its layout) gathers W scalar loads into a vector; the store is one vector store.

// CHECK-LABEL: llvm.func @gathered(
// CHECK-COUNT-8: llvm.insertelement
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<8xf32>, !llvm.ptr
func.func @gathered(%T: memref<8x16xf32>, %O: memref<16x8xf32>, %f: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %x = %c0 to %c8 step %c1 {
    %t = memref.load %T[%x, %f] : memref<8x16xf32>
    memref.store %t, %O[%f, %x] : memref<16x8xf32>
  } {loop.annotations = [#loop.vectorize<8>]}
  func.return
}
