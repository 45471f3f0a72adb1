// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics -p outline-parallel

func.func @parallel_sum(%A: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error@+1 {{a #loop.parallel loop cannot carry values (iter_args)}}
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %A[%i] : memref<?xf32>
    %t = arith.addf %acc, %x : f32
    scf.yield %t : f32
  } {loop.annotations = [#loop.parallel]}
  func.return %s : f32
}

