// RUN: ziggurat-opt %s -p 'loop-to-gpu{target="cuda{arch=sm_80}"}' --split-input-file | filecheck %s
// RUN: ziggurat-opt %s -p 'loop-to-gpu{target="cuda{arch=sm_80}"}' --split-input-file | ziggurat-opt --split-input-file | filecheck %s

// A nest with loops bound to blocks and threads is a kernel: its bound loops are the
// block's and thread's indices, its buffers and scalars its arguments, its constants cloned
// into it; a launch of the extents bound to each axis takes its place.

// CHECK: builtin.module attributes {gpu.container_module} {
// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[A:.*]]: memref<4x256xf32>, %[[S:.*]]: f32)
// CHECK: arith.constant 256 : index
// CHECK: %[[X:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[Y:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[Z:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[T:.*]] = arith.constant 256 : index
// CHECK-NEXT: %[[TY:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[TZ:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[BYTES:.*]] = arith.constant 0 : i32
// CHECK-NEXT: gpu.launch_func @kernels::@scale_0 blocks in (%[[X]], %[[Y]], %[[Z]]) threads in (%[[T]], %[[TY]], %[[TZ]]) dynamic_shared_memory_size %[[BYTES]] args(%[[A]] : memref<4x256xf32>, %[[S]] : f32)
// CHECK-NEXT: func.return
// CHECK: gpu.module @kernels {
// CHECK-NEXT: gpu.func @scale_0(%[[KA:.*]]: memref<4x256xf32>, %[[KS:.*]]: f32) kernel attributes {gpu.known_block_size = array<i32: 256, 1, 1>, gpu.known_grid_size = array<i32: 4, 1, 1>} {
// CHECK-NEXT: %[[I:.*]] = gpu.block_id x
// CHECK-NEXT: %[[J:.*]] = gpu.thread_id x
// CHECK-NOT: scf.for
// CHECK-NOT: arith.constant
// CHECK: %[[V:.*]] = memref.load %[[KA]][%[[I]], %[[J]]]
// CHECK: arith.mulf %[[V]], %[[KS]]
// CHECK: gpu.return
func.func @scale(%A: memref<4x256xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c256 step %c1 {
      %a = memref.load %A[%i, %j] : memref<4x256xf32>
      %b = arith.mulf %a, %s : f32
      memref.store %b, %A[%i, %j] : memref<4x256xf32>
    } {loop.axis = "j", loop.annotations = [#loop.bind<"threadIdx.x">]}
  } {loop.axis = "i", te.compute = "scale", loop.annotations = [#loop.bind<"blockIdx.x">]}
  func.return
}

// -----

// A copy into shared memory bound to the threads inside the compute's thread loop, whose
// body does not use the compute's index, reads the same index: each thread copies its
// share; the block gets the buffer as dynamic shared memory (32 floats: 128 bytes), the
// barriers are the GPU's.

// CHECK-LABEL: func.func @stage(
// CHECK: %[[BYTES:.*]] = arith.constant 128 : i32
// CHECK: gpu.launch_func @kernels::@stage_0 {{.*}} dynamic_shared_memory_size %[[BYTES]]
// CHECK: gpu.func @stage_0(
// CHECK: %[[T:.*]] = gpu.thread_id x
// CHECK: %[[SHARED:.*]] = memref.alloc() : memref<32xf32, #loop.scope<shared>>
// CHECK: %[[V:.*]] = memref.load %{{.*}}[%[[T]]] : memref<32xf32>
// CHECK: memref.store %[[V]], %[[SHARED]][%[[T]]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[SHARED]]
// CHECK: gpu.barrier
func.func @stage(%A: memref<32xf32>, %B: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c31 = arith.constant 31 : index
  %c32 = arith.constant 32 : index
  scf.for %t = %c0 to %c32 step %c1 {
    %shared = memref.alloc() : memref<32xf32, #loop.scope<shared>>
    scf.for %u = %c0 to %c32 step %c1 {
      %a = memref.load %A[%u] : memref<32xf32>
      memref.store %a, %shared[%u] : memref<32xf32, #loop.scope<shared>>
    } {loop.axis = "u", te.compute = "A.shared", loop.annotations = [#loop.bind<"threadIdx.x">]}
    loop.barrier
    %r = arith.subi %c31, %t : index
    %b = memref.load %shared[%r] : memref<32xf32, #loop.scope<shared>>
    memref.store %b, %B[%t] : memref<32xf32>
    loop.barrier
    memref.dealloc %shared : memref<32xf32, #loop.scope<shared>>
  } {loop.axis = "t", te.compute = "reverse", loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}

// -----

// A nest without bound loops runs its outermost loop's independent iterations as blocks.

// CHECK-LABEL: func.func @unscheduled(
// CHECK: %[[SEVEN:grid_x]] = arith.constant 7 : index
// CHECK: gpu.launch_func @kernels::@unscheduled_0 blocks in (%[[SEVEN]],
// CHECK: gpu.func @unscheduled_0(
// CHECK-NEXT: %[[I:.*]] = gpu.block_id x
// CHECK: scf.for
func.func @unscheduled(%A: memref<7x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c7 step %c1 {
    scf.for %j = %c0 to %c5 step %c1 {
      memref.store %zero, %A[%i, %j] : memref<7x5xf32>
    } {loop.axis = "j"}
  } {loop.axis = "i", te.compute = "zero"}
  func.return
}

// -----

// A sum over every axis kept in a register, then stored: the store uses the nest's result,
// so both run in one kernel (one block of one thread), not in two.

// CHECK-LABEL: func.func @dot(
// CHECK: gpu.launch_func @kernels::@dot_0 blocks in
// CHECK-NOT: gpu.launch_func
// CHECK: func.return
// CHECK: gpu.func @dot_0(%[[KA:.*]]: memref<5xf32>, %[[KB:.*]]: memref<5xf32>, %[[KOUT:.*]]: memref<f32>) kernel attributes {gpu.known_block_size = array<i32: 1, 1, 1>, gpu.known_grid_size = array<i32: 1, 1, 1>} {
// CHECK: %[[SUM:.*]] = scf.for
// CHECK: memref.store %[[SUM]], %[[KOUT]][] : memref<f32>
// CHECK-NEXT: gpu.return
func.func @dot(%a: memref<5xf32>, %b: memref<5xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %init = arith.constant 0.000000e+00 : f32
  %sum = scf.for %k = %c0 to %c5 step %c1 iter_args(%acc = %init) -> (f32) {
    %x = memref.load %a[%k] : memref<5xf32>
    %y = memref.load %b[%k] : memref<5xf32>
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    scf.yield %s : f32
  } {loop.axis = "k"}
  memref.store %sum, %out[] : memref<f32>
  func.return
}

// -----

// A constant a kernel reads (inside a branch of it) is copied into the module of kernels.

// CHECK-LABEL: func.func @constant_in_a_kernel(
// CHECK: gpu.module @kernels {
// CHECK-NEXT: "memref.global"() <{sym_name = "table"
// CHECK: gpu.func @constant_in_a_kernel_0(
// CHECK: memref.get_global @table : memref<4xf32>
"memref.global"() <{sym_name = "table", type = memref<4xf32>, initial_value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, sym_visibility = "private", constant}> : () -> ()

func.func @constant_in_a_kernel(%c: i1, %A: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.if %c {
      %t = memref.get_global @table : memref<4xf32>
      %x = memref.load %t[%i] : memref<4xf32>
      memref.store %x, %A[%i] : memref<4xf32>
    }
  } {loop.axis = "i", loop.annotations = [#loop.bind<"threadIdx.x">]}
  func.return
}

// -----

// A loop over time around stages spread over blocks and threads (an RNN's: each step's
// stages need all of the one before) stays on the host: each stage is a kernel, launched at
// every step with the step's index as an argument; a launch orders them for the whole grid.

// CHECK-LABEL: func.func @over_time(
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: gpu.launch_func @kernels::@over_time_0 {{.*}} args(%{{.*}} : memref<4x32xf32>, %[[T]] : index, %{{.*}} : memref<32xf32>)
// CHECK: gpu.launch_func @kernels::@over_time_1 {{.*}} args(%{{.*}} : memref<32xf32>, %{{.*}} : memref<4x32xf32>, %[[T]] : index)
// CHECK: } {loop.axis = "t"}
// CHECK: gpu.func @over_time_0(%{{.*}}: memref<4x32xf32>, %[[KT:.*]]: index, %{{.*}}: memref<32xf32>) kernel
// CHECK: gpu.func @over_time_1(
func.func @over_time(%X: memref<4x32xf32>, %H: memref<32xf32>, %Y: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  scf.for %t = %c0 to %c4 step %c1 {
    scf.for %i = %c0 to %c32 step %c1 {
      %x = memref.load %X[%t, %i] : memref<4x32xf32>
      %h = memref.load %H[%i] : memref<32xf32>
      %s = arith.addf %x, %h : f32
      memref.store %s, %H[%i] : memref<32xf32>
    } {loop.axis = "i", loop.annotations = [#loop.bind<"threadIdx.x">]}
    scf.for %j = %c0 to %c32 step %c1 {
      %k = arith.subi %c32, %c1 : index
      %r = arith.subi %k, %j : index
      %h = memref.load %H[%r] : memref<32xf32>
      memref.store %h, %Y[%t, %j] : memref<4x32xf32>
    } {loop.axis = "j", loop.annotations = [#loop.bind<"blockIdx.x">]}
  } {loop.axis = "t"}
  func.return
}
