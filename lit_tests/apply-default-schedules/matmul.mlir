// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-default-schedules{target="cpu{mcpu=skylake-avx512 threads=2}"}' --split-input-file | filecheck %s

// A fused dense + bias + relu gets the matmul schedule: tiles of 8 x 32 (they divide 64 x
// 512), the panel of W packed per column panel, the tile in a local buffer that starts at 0
// and is written back through bias and relu, rows unrolled, columns vectorized, panels
// over the threads.

// CHECK-LABEL: func.func private @fused_dense_relu
// CHECK-NOT: te.compute = "relu.init"
// CHECK: scf.for %[[JO:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[PANEL:.*]] = memref.alloc() : memref<512x32xf32, #loop.scope<local>>
// CHECK: } {loop.axis = "{{.*}}.local.1", loop.annotations = [#loop.vectorize<16>]}
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<8x32xf32, #loop.scope<local>>
// CHECK: te.compute = "relu.local.init", loop.annotations = [#loop.unroll<8>]}
// CHECK: memref.load %[[PANEL]]
// CHECK: } {loop.axis = "i1.inner", loop.annotations = [#loop.vectorize<16>]}
// CHECK-NEXT: } {loop.axis = "i0.inner", loop.annotations = [#loop.unroll<8>]}
// CHECK-NEXT: } {loop.axis = "k"}
// CHECK: %[[SUM:.*]] = memref.load %[[TILE]]
// CHECK: %[[BIASED:.*]] = arith.addf %[[SUM]], %{{.*}} : f32
// CHECK: %[[RELU:.*]] = arith.maximumf %[[BIASED]], %{{.*}} : f32
// CHECK-NEXT: memref.store %[[RELU]], %{{.*}} : memref<64x512xf32>
// CHECK: te.compute = "relu.local", loop.annotations = [#loop.unroll<8>]}
// CHECK: } {loop.axis = "i1.outer", te.compute = "relu", loop.annotations = [#loop.parallel]}
// CHECK-NOT: te.compute = "relu.epilogue"
func.func private @fused_dense_relu(%x: tensor<64x512xf32>, %w: tensor<512x512xf32>, %b: tensor<512xf32>) -> tensor<64x512xf32> attributes {ziggurat.fused, ziggurat.anchor = "dense"} {
  %d = te.compute "dense" (%x, %w) axes ["i", "j"] reduce sum ["k" = 512] init 0.000000e+00 : f32 : (tensor<64x512xf32>, tensor<512x512xf32>) -> tensor<64x512xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %x[%i, %k] : tensor<64x512xf32>
    %v = te.read %w[%k, %j] : tensor<512x512xf32>
    %p = arith.mulf %a, %v : f32
    te.yield %p : f32
  }
  %r = te.compute "relu" (%d, %b) axes ["i0", "i1"] : (tensor<64x512xf32>, tensor<512xf32>) -> tensor<64x512xf32> {
  ^bb0(%i: index, %j: index):
    %s = te.read %d[%i, %j] : tensor<64x512xf32>
    %c = te.read %b[%j] : tensor<512xf32>
    %t = arith.addf %s, %c : f32
    %z = arith.constant 0.000000e+00 : f32
    %m = arith.maximumf %t, %z : f32
    te.yield %m : f32
  }
  func.return %r : tensor<64x512xf32>
}

// -----

// Odd shapes: tiles that divide them (7 rows, 13 columns, too few to vectorize), a product
// too small for threads.

// CHECK-LABEL: func.func @matmul
// CHECK: memref.alloc() : memref<7x13xf32, #loop.scope<local>>
// CHECK: te.compute = "matmul.local.init", loop.annotations = [#loop.unroll<7>]}
// CHECK: } {loop.axis = "j.inner", loop.annotations = [#loop.vectorize<16>]}
// CHECK-NEXT: } {loop.axis = "i.inner", loop.annotations = [#loop.unroll<7>]}
// CHECK-NOT: #loop.parallel
func.func @matmul(%A: tensor<7x5xf32>, %B: tensor<5x13xf32>) -> tensor<7x13xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 5] init 0.000000e+00 : f32 : (tensor<7x5xf32>, tensor<5x13xf32>) -> tensor<7x13xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<7x5xf32>
    %b = te.read %B[%k, %j] : tensor<5x13xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<7x13xf32>
}

// -----

// One buffer read twice (x @ x): the schedule has no second input to pack, so the nest
// keeps its naive loops, and nothing fails.

// CHECK-LABEL: func.func @square
// CHECK: %{{.*}} = scf.for %k = %{{.*}} iter_args
// CHECK-NOT: loop.annotations
func.func @square(%X: tensor<6x6xf32>) -> tensor<6x6xf32> {
  %C = te.compute "matmul" (%X) axes ["i", "j"] reduce sum ["k" = 6] init 0.000000e+00 : f32 : (tensor<6x6xf32>) -> tensor<6x6xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %X[%i, %k] : tensor<6x6xf32>
    %b = te.read %X[%k, %j] : tensor<6x6xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<6x6xf32>
}
