// RUN: ziggurat-opt %s -p 'te-to-loop,apply-default-schedules{target="cuda{arch=sm_90}"}' | filecheck %s

// The CUDA target's matmul: blocks of 8 x 32 threads over the output, each thread a 16 x 4
// register tile (its columns to be vector lanes) summed over k in steps of 8; at each step the
// block's threads copy the tiles of A (transposed) and B into shared memory together, between
// barriers; the tile is written back.

// CHECK-LABEL: func.func @matmul
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<16x4xf32, #loop.scope<local>>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[B:.*]] = memref.alloc() : memref<8x128xf32, #loop.scope<shared>>
// CHECK: loop.annotations = [#loop.vectorize<4>]
// CHECK: loop.annotations = [#loop.bind<"threadIdx.x">]
// CHECK: loop.annotations = [#loop.bind<"threadIdx.y">]
// CHECK: %[[A:.*]] = memref.alloc() : memref<8x128xf32, #loop.scope<shared>>
// CHECK: memref.store %{{.*}}, %[[A]][%{{.*}}, %{{.*}}]
// CHECK: loop.barrier
// CHECK: memref.load %[[A]]
// CHECK: memref.load %[[B]]
// CHECK: loop.barrier
// CHECK: loop.axis = "k.outer"
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<4096x4096xf32>
// CHECK: loop.annotations = [#loop.bind<"threadIdx.x">]
// CHECK: loop.annotations = [#loop.bind<"threadIdx.y">]
// CHECK: loop.annotations = [#loop.bind<"blockIdx.x">]
// CHECK: te.compute = "matmul", loop.annotations = [#loop.bind<"blockIdx.y">]
func.func @matmul(%A: tensor<4096x4096xf32>, %B: tensor<4096x4096xf32>) -> tensor<4096x4096xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 4096]
         init 0.000000e+00 : f32 : (tensor<4096x4096xf32>, tensor<4096x4096xf32>) -> tensor<4096x4096xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<4096x4096xf32>
    %b = te.read %B[%k, %j] : tensor<4096x4096xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<4096x4096xf32>
}
