// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-default-schedules{target="cpu{mcpu=skylake-avx512 threads=2}"}' | filecheck %s

// The nests in a loop over time (te.loop's scf.for) or in a branch are scheduled like the
// others: here the step's elementwise nest is vectorized inside the sequential loop.

// CHECK-LABEL: func.func @steps
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %c3 step %{{.*}} {
// CHECK: } {loop.axis = "i", te.compute = "next", loop.annotations = [#loop.vectorize<16>]}
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[T]], %{{.*}}] : memref<3x256xf32>
func.func @steps(%x: tensor<256xf32>) -> (tensor<256xf32>, tensor<3x256xf32>) {
  %h, %ys = te.loop 3 (%x) : (tensor<256xf32>) -> (tensor<256xf32>, tensor<3x256xf32>) {
  ^bb0(%t: index, %h0: tensor<256xf32>):
    %n = te.compute "next" (%h0, %x) axes ["i"] : (tensor<256xf32>, tensor<256xf32>) -> tensor<256xf32> {
    ^bb0(%i: index):
      %v = te.read %h0[%i] : tensor<256xf32>
      %w = te.read %x[%i] : tensor<256xf32>
      %d = arith.mulf %v, %w : f32
      te.yield %d : f32
    }
    te.loop_yield %n, %n : tensor<256xf32>, tensor<256xf32>
  }
  func.return %h, %ys : tensor<256xf32>, tensor<3x256xf32>
}
