// RUN: ziggurat-opt %s -p 'loop-to-gpu{target="cuda{arch=sm_80}"}' --split-input-file --verify-diagnostics

// More threads in a block than a GPU has.

func.func @too_many_threads(%A: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  // expected-error@+1 {{kernel 'too_many_threads_0' needs a block of 2048 threads (32 x 64 x 1), more than the 1024 a block may have}}
  scf.for %i = %c0 to %c64 step %c1 {
    scf.for %j = %c0 to %c32 step %c1 {
      memref.store %zero, %A[%i, %j] : memref<64x32xf32>
    } {loop.axis = "j", loop.annotations = [#loop.bind<"threadIdx.x">]}
  } {loop.axis = "i", loop.annotations = [#loop.bind<"threadIdx.y">]}
  func.return
}

// -----

// More shared memory than a block may have on the GPU (sm_80: 163 KiB).

func.func @too_much_shared_memory(%A: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  // expected-error@+1 {{kernel 'too_much_shared_memory_0' needs 262144 bytes of shared memory, more than the 166912 a block may have on this GPU}}
  scf.for %t = %c0 to %c32 step %c1 {
    %s = memref.alloc() : memref<65536xf32, #loop.scope<shared>>
    %a = memref.load %A[%t] : memref<32xf32>
    memref.store %a, %s[%t] : memref<65536xf32, #loop.scope<shared>>
    memref.dealloc %s : memref<65536xf32, #loop.scope<shared>>
  } {loop.axis = "t", loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}

// -----

// A barrier only some threads reach: they would wait forever.

func.func @divergent_barrier(%A: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  scf.for %t = %c0 to %c32 step %c1 {
    %low = arith.cmpi slt, %t, %c16 : index
    scf.if %low {
      // expected-error@+1 {{a barrier under a condition that depends on the thread's index: the threads that skip it would never arrive}}
      loop.barrier
    }
  } {loop.axis = "t", loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}

// -----

// A barrier in a loop whose trip count is the thread's index: threads would wait at it a
// different number of times.

func.func @barrier_in_a_divergent_loop(%A: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  scf.for %t = %c0 to %c32 step %c1 {
    scf.for %r = %c0 to %t step %c1 {
      // expected-error@+1 {{a barrier in a loop whose trip count depends on the thread's index: threads would wait at it a different number of times}}
      loop.barrier
    }
  } {loop.axis = "t", loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}

// -----

// Two loops bound to threadIdx.x with different extents: the launch has one.

func.func @extents_differ(%A: memref<32xf32>, %B: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  scf.for %b = %c0 to %c1 step %c1 {
    scf.for %t = %c0 to %c32 step %c1 {
      memref.store %zero, %A[%t] : memref<32xf32>
    } {loop.axis = "t", loop.annotations = [#loop.bind<"threadIdx.x">]}
    // expected-error@+1 {{loop 'u' is bound to threadIdx.x with 16 iterations, but kernel 'extents_differ_0' launches 32 along threadIdx.x (loop 't')}}
    scf.for %u = %c0 to %c16 step %c1 {
      memref.store %zero, %B[%u] : memref<16xf32>
    } {loop.axis = "u", loop.annotations = [#loop.bind<"threadIdx.x">]}
  } {loop.axis = "b", loop.annotations = [#loop.bind<"blockIdx.x">]}
  func.return
}

// -----

// threadIdx.x bound to two loops of a nest whose inner one uses the outer's index: a
// thread has one index along it, not one for each.

func.func @bound_twice(%A: memref<32x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c32 step %c1 {
    // expected-error@+1 {{threadIdx.x is bound twice: loop 'j' is inside loop 'i', bound to it too, and uses its index, but a thread has one index along threadIdx.x}}
    scf.for %j = %c0 to %c32 step %c1 {
      memref.store %zero, %A[%i, %j] : memref<32x32xf32>
    } {loop.axis = "j", loop.annotations = [#loop.bind<"threadIdx.x">]}
  } {loop.axis = "i", loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}

// -----

// Shared memory belongs to a block: a kernel allocates it.

func.func @shared_on_the_host() {
  // expected-error@+1 {{a #loop.scope<shared> buffer belongs in a kernel, not at the top of a function}}
  %s = memref.alloc() : memref<8xf32, #loop.scope<shared>>
  func.return
}

// -----

// A loop every thread runs (over time) around a stage spread over the threads and a stage
// that reads what all of them wrote: without a barrier between them, threads would read
// elements others have not written yet.

func.func @stages_without_a_barrier(%A: memref<32xf32>, %B: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  scf.for %b = %c0 to %c1 step %c1 {
    // expected-error@+1 {{kernel 'stages_without_a_barrier_0': loop 't' runs 2 stages one after the other, 1 of them spread over blocks or threads, with no barrier between them (a loop over time around operators does not run on the GPU yet)}}
    scf.for %t = %c0 to %c4 step %c1 {
      scf.for %i = %c0 to %c32 step %c1 {
        memref.store %zero, %A[%i] : memref<32xf32>
      } {loop.axis = "i", loop.annotations = [#loop.bind<"threadIdx.x">]}
      scf.for %j = %c0 to %c32 step %c1 {
        %a = memref.load %A[%j] : memref<32xf32>
        memref.store %a, %B[%j] : memref<32xf32>
      } {loop.axis = "j"}
    } {loop.axis = "t"}
  } {loop.axis = "b", loop.annotations = [#loop.bind<"blockIdx.x">]}
  func.return
}

// -----

// Control flow around calls of operators' functions (ONNX If and Loop) stays on the host,
// which the CUDA runtime does not run yet.

func.func private @branch(%A: memref<8xf32>)

func.func @if_around_a_call(%c: i1, %A: memref<8xf32>) {
  scf.if %c {
    // expected-error@+1 {{'scf.if' around a call of 'branch': control flow around operators (ONNX If and Loop) does not run on the GPU yet}}
    func.call @branch(%A) : (memref<8xf32>) -> ()
  }
  func.return
}

// -----

// A warp's lanes run gpu.mma_sync together: threadIdx.x must be whole warps, so that the
// lanes of a warp share its indices along y (and the tile they choose).

func.func @lanes_not_a_warp(%a: f16, %c: f32, %D: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.for %w = %c0 to %c4 step %c1 {
    scf.for %x = %c0 to %c16 step %c1 {
      memref.store %c, %D[%w, %x] : memref<4x16xf32>
    } {loop.annotations = [#loop.bind<"threadIdx.x">]}
    // expected-error@+1 {{kernel 'lanes_not_a_warp_0' has warp-collective ops ('gpu.mma_sync'), but its blocks of 16 x 4 x 1 threads are not whole warps along x: threadIdx.x needs a multiple of 32 threads, not 16}}
    %d0, %d1, %d2, %d3 = gpu.mma_sync m16n8k16 (%a, %a, %a, %a, %a, %a, %a, %a) (%a, %a, %a, %a) (%c, %c, %c, %c) : f16, f32
    memref.store %d0, %D[%w, %c0] : memref<4x16xf32>
  } {loop.annotations = [#loop.bind<"threadIdx.y">]}
  func.return
}

// -----

// The lanes of a warp run gpu.mma_sync together (mma.sync waits for all 32): one under a
// condition on the lane's index would wait for lanes that never come.

func.func @mma_on_some_lanes(%a: f16, %c: f32, %D: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  scf.for %x = %c0 to %c32 step %c1 {
    %low = arith.cmpi ult, %x, %c16 : index
    scf.if %low {
      // expected-error@+1 {{a warp's mma (gpu.mma_sync) under a condition that depends on the thread's index: the lanes that skip it would never arrive}}
      %d0, %d1, %d2, %d3 = gpu.mma_sync m16n8k16 (%a, %a, %a, %a, %a, %a, %a, %a) (%a, %a, %a, %a) (%c, %c, %c, %c) : f16, f32
      memref.store %d0, %D[%x] : memref<32xf32>
    }
  } {loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}
