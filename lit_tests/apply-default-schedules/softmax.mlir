// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-default-schedules{target="cpu{mcpu=skylake-avx512 threads=2}"}' | filecheck %s

// Softmax: the maximum and the sum of exponentials of a row are computed in the loop over
// rows of the quotients (its buffers then hold one element per row), the maximum in vector
// lanes, the rows over the threads.

// CHECK-LABEL: func.func private @fused_softmax
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: } {loop.axis = "k", loop.annotations = [#loop.vectorize<16>]}
// CHECK: te.compute = "softmax_max"}
// CHECK: math.exp
// CHECK: te.compute = "softmax_sum"}
// CHECK: arith.divf
// CHECK: } {loop.axis = "i0", te.compute = "softmax", loop.annotations = [#loop.parallel]}
func.func private @fused_softmax(%x: tensor<256x300xf32>) -> tensor<256x300xf32> attributes {ziggurat.fused, ziggurat.anchor = "softmax"} {
  %m = te.compute "softmax_max" (%x) axes ["i0", "i1"] reduce max ["k" = 300] init 0xFF800000 : f32 : (tensor<256x300xf32>) -> tensor<256x1xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %v = te.read %x[%i, %k] : tensor<256x300xf32>
    te.yield %v : f32
  }
  %e = te.compute "softmax_exp" (%x, %m) axes ["i0", "i1"] : (tensor<256x300xf32>, tensor<256x1xf32>) -> tensor<256x300xf32> {
  ^bb0(%i: index, %j: index):
    %zero = arith.constant 0 : index
    %v = te.read %x[%i, %j] : tensor<256x300xf32>
    %w = te.read %m[%i, %zero] : tensor<256x1xf32>
    %d = arith.subf %v, %w : f32
    %r = math.exp %d : f32
    te.yield %r : f32
  }
  %s = te.compute "softmax_sum" (%e) axes ["i0", "i1"] reduce sum ["k" = 300] init 0.000000e+00 : f32 : (tensor<256x300xf32>) -> tensor<256x1xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %v = te.read %e[%i, %k] : tensor<256x300xf32>
    te.yield %v : f32
  }
  %y = te.compute "softmax" (%e, %s) axes ["i0", "i1"] : (tensor<256x300xf32>, tensor<256x1xf32>) -> tensor<256x300xf32> {
  ^bb0(%i: index, %j: index):
    %zero = arith.constant 0 : index
    %v = te.read %e[%i, %j] : tensor<256x300xf32>
    %w = te.read %s[%i, %zero] : tensor<256x1xf32>
    %r = arith.divf %v, %w : f32
    te.yield %r : f32
  }
  func.return %y : tensor<256x300xf32>
}
