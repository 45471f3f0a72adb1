// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @annotated
func.func @annotated(%A: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  // CHECK: scf.for
  scf.for %i = %c0 to %c64 step %c1 {
    %a = memref.load %A[%i] : memref<64xf32>
    memref.store %a, %A[%i] : memref<64xf32>
  // CHECK: } {loop.annotations = [#loop.parallel, #loop.vectorize<8>, #loop.unroll<4>]}
  } {loop.annotations = [#loop.parallel, #loop.vectorize<8>, #loop.unroll<4>]}
  // CHECK: scf.for
  scf.for %j = %c0 to %c64 step %c1 {
  // CHECK: } {loop.annotations = [#loop.bind<"threadIdx.x">]}
  } {loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}

// CHECK-LABEL: func.func @scopes
func.func @scopes() {
  // CHECK: memref.alloc() : memref<8x8xf32, #loop.scope<shared>>
  %s = memref.alloc() : memref<8x8xf32, #loop.scope<shared>>
  // CHECK: memref.alloc() : memref<8xf32, #loop.scope<local>>
  %l = memref.alloc() : memref<8xf32, #loop.scope<local>>
  // CHECK: memref.alloc() : memref<8xf32, #loop.scope<global>>
  %g = memref.alloc() : memref<8xf32, #loop.scope<global>>
  // CHECK-NEXT: loop.barrier
  loop.barrier
  func.return
}
