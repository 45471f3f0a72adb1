// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// Kernels and their launches print as upstream MLIR's gpu dialect does.

// CHECK: builtin.module attributes {gpu.container_module} {
builtin.module attributes {gpu.container_module} {
  // CHECK: gpu.module @kernels {
  gpu.module @kernels {
    // CHECK-NEXT: gpu.func @scale(%[[A:.*]]: memref<1024xf32>, %[[S:.*]]: f32) kernel attributes {gpu.known_block_size = array<i32: 256, 1, 1>} {
    gpu.func @scale(%A: memref<1024xf32>, %s: f32) kernel attributes {gpu.known_block_size = array<i32: 256, 1, 1>} {
      // CHECK-NEXT: %[[B:.*]] = gpu.block_id x
      // CHECK-NEXT: %[[T:.*]] = gpu.thread_id x
      // CHECK-NEXT: %[[N:.*]] = gpu.block_dim x
      // CHECK-NEXT: %{{.*}} = gpu.grid_dim z
      %b = gpu.block_id x
      %t = gpu.thread_id x
      %n = gpu.block_dim x
      %g = gpu.grid_dim z
      %o = arith.muli %b, %n : index
      %i = arith.addi %o, %t : index
      %x = memref.load %A[%i] : memref<1024xf32>
      %y = arith.mulf %x, %s : f32
      // CHECK: gpu.barrier
      gpu.barrier
      memref.store %y, %A[%i] : memref<1024xf32>
      // CHECK: gpu.return
      gpu.return
    }
    // CHECK: gpu.func @helper(%{{.*}}: f32) -> f32 {
    gpu.func @helper(%x: f32) -> f32 {
      // CHECK-NEXT: gpu.return %{{.*}} : f32
      gpu.return %x : f32
    }
  }
  // CHECK-LABEL: func.func @main
  func.func @main(%A: memref<1024xf32>, %s: f32) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c256 = arith.constant 256 : index
    %bytes = arith.constant 0 : i32
    // CHECK: gpu.launch_func @kernels::@scale blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) dynamic_shared_memory_size %{{.*}} args(%{{.*}} : memref<1024xf32>, %{{.*}} : f32)
    gpu.launch_func @kernels::@scale blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %bytes args(%A : memref<1024xf32>, %s : f32)
    func.return
  }
}
