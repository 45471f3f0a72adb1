// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @vectorize_width(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
  // expected-error@+1 {{vector width must be a power of two, got 6}}
  } {loop.annotations = [#loop.vectorize<6>]}
  func.return
}

// -----

// expected-error@+1 {{unroll factor must be positive, got 0}}
"test.op"() {loop.annotations = [#loop.unroll<0>]} : () -> ()

// -----

// expected-error@+1 {{unknown GPU axis 'warpIdx.x', expected one of blockIdx.x}}
"test.op"() {loop.annotations = [#loop.bind<"warpIdx.x">]} : () -> ()

// -----

func.func @bad_scope() {
  // expected-error@+1 {{unknown memory scope 'texture', expected one of global, shared, local}}
  %t = memref.alloc() : memref<8xf32, #loop.scope<texture>>
  func.return
}

// -----

// expected-error@+1 {{unknown attribute '#loop.tile'}}
"test.op"() {loop.annotations = [#loop.tile<4>]} : () -> ()

// -----

func.func @barrier_takes_nothing(%x: index) {
  // expected-error@+1 {{Expected 0 operands, but got 1}}
  "loop.barrier"(%x) : (index) -> ()
  func.return
}
