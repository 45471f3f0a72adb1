// RUN: ziggurat-opt %s -p gpu-to-nvvm | filecheck %s
// RUN: ziggurat-opt %s -p gpu-to-nvvm | ziggurat-opt | filecheck %s

// A kernel is an llvm.func marked for NVVM, with its block size (ptxas sizes its registers
// for it); each buffer is a noalias, 16-byte aligned pointer into global memory; indices
// read special registers; a barrier is barrier0; shared buffers are offsets in the block's
// dynamic shared memory, local ones allocas; a vector load whose address is a multiple of
// 16 bytes says so. The host function stays as it is.

// CHECK: func.func @main(
// CHECK: gpu.launch_func @kernels::@stage_0
// CHECK: llvm.mlir.global external @__shared_memory() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-LABEL: llvm.func @stage_0(
// CHECK-SAME: %{{.*}}: !llvm.ptr<1> {llvm.noalias, llvm.align = 16 : i64}, %{{.*}}: !llvm.ptr<1> {llvm.noalias, llvm.align = 16 : i64})
// CHECK-SAME: attributes {gpu.kernel, nvvm.kernel, nvvm.reqntid = array<i32: 32, 1, 1>}
// CHECK: llvm.addrspacecast %{{.*}} : !llvm.ptr<1> to !llvm.ptr
// CHECK: llvm.alloca %{{.*}} x f32 {alignment = 16 : i64}
// CHECK: llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"() : () -> i32
// CHECK: %[[BASE:.*]] = llvm.mlir.addressof @__shared_memory : !llvm.ptr<3>
// CHECK: %[[GENERIC:.*]] = llvm.addrspacecast %[[BASE]] : !llvm.ptr<3> to !llvm.ptr
// CHECK: llvm.getelementptr %[[GENERIC]][0] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: llvm.getelementptr %{{.*}}[128] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr -> vector<4xf32>
// CHECK-NOT: memref.
// CHECK: llvm.return
builtin.module attributes {gpu.container_module} {
  func.func @main(%A: memref<32xf32>, %B: memref<32xf32>) {
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %bytes = arith.constant 256 : i32
    gpu.launch_func @kernels::@stage_0 blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1) dynamic_shared_memory_size %bytes args(%A : memref<32xf32>, %B : memref<32xf32>)
    func.return
  }
  gpu.module @kernels {
    gpu.func @stage_0(%A: memref<32xf32>, %B: memref<32xf32>) kernel attributes {gpu.known_block_size = array<i32: 32, 1, 1>} {
      %t = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %c31 = arith.constant 31 : index
      %tile = memref.alloc() : memref<4xf32, #loop.scope<local>>
      %first = memref.alloc() : memref<32xf32, #loop.scope<shared>>
      %second = memref.alloc() : memref<32xf32, #loop.scope<shared>>
      %a = memref.load %A[%t] : memref<32xf32>
      memref.store %a, %second[%t] : memref<32xf32, #loop.scope<shared>>
      gpu.barrier
      %r = arith.subi %c31, %t : index
      %b = memref.load %second[%r] : memref<32xf32, #loop.scope<shared>>
      %q = arith.muli %t, %c4 : index
      %v = vector.load %first[%q] : memref<32xf32, #loop.scope<shared>>, vector<4xf32>
      vector.store %v, %tile[%c0] : memref<4xf32, #loop.scope<local>>, vector<4xf32>
      memref.store %b, %B[%t] : memref<32xf32>
      gpu.return
    }
  }
}
