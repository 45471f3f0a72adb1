// RUN: ziggurat-opt %s -p 'te-to-loop,apply-default-schedules{target="cpu{mcpu=znver2 threads=2}"}' | filecheck %s

// On a CPU with 256-bit vectors and 16 registers (AMD Zen 2) the register tile is 6 rows by
// two vectors of 8 lanes (12 accumulators), not AVX-512's 8 by two vectors of 16.

// CHECK-LABEL: func.func @matmul
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<6x16xf32, #loop.scope<local>>
// CHECK: } {loop.axis = "j.inner", loop.annotations = [#loop.vectorize<8>]}
// CHECK-NEXT: } {loop.axis = "i.inner", loop.annotations = [#loop.unroll<6>]}
func.func @matmul(%A: tensor<96x64xf32>, %B: tensor<64x256xf32>) -> tensor<96x256xf32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 64] init 0.000000e+00 : f32 : (tensor<96x64xf32>, tensor<64x256xf32>) -> tensor<96x256xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<96x64xf32>
    %b = te.read %B[%k, %j] : tensor<64x256xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<96x256xf32>
}
