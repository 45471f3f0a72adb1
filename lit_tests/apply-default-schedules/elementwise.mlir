// RUN: ziggurat-opt %s -p 'te-to-loop,apply-default-schedules{target="cpu{mcpu=skylake-avx512 threads=2}"}' --split-input-file | filecheck %s

// Elementwise nests: the outer loops over the threads (a loop of one iteration is not
// marked), the innermost in vector lanes; one long loop is split into chunks first.

// CHECK-LABEL: func.func @sigmoid
// CHECK: } {loop.axis = "w", loop.annotations = [#loop.vectorize<16>]}
// CHECK-NEXT: } {loop.axis = "h", loop.annotations = [#loop.parallel]}
// CHECK-NEXT: } {loop.axis = "c", loop.annotations = [#loop.parallel]}
// CHECK-NEXT: } {loop.axis = "n", te.compute = "sigmoid"}
func.func @sigmoid(%X: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %Y = te.compute "sigmoid" (%X) axes ["n", "c", "h", "w"] : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    %x = te.read %X[%n, %c, %h, %w] : tensor<1x64x56x56xf32>
    %m = arith.negf %x : f32
    %e = math.exp %m : f32
    %one = arith.constant 1.000000e+00 : f32
    %d = arith.addf %e, %one : f32
    %r = arith.divf %one, %d : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<1x64x56x56xf32>
}

// -----

// CHECK-LABEL: func.func @relu
// CHECK: scf.for %[[CHUNK:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[LANE:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: } {loop.axis = "i.inner", loop.annotations = [#loop.vectorize<16>]}
// CHECK-NEXT: } {loop.axis = "i.outer", te.compute = "relu", loop.annotations = [#loop.parallel]}
func.func @relu(%X: tensor<65536xf32>) -> tensor<65536xf32> {
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<65536xf32>) -> tensor<65536xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<65536xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<65536xf32>
}

// -----

// A row sum: rows over the threads, the sum in vector lanes.

// CHECK-LABEL: func.func @rows
// CHECK: } {loop.axis = "k", loop.annotations = [#loop.vectorize<16>]}
// CHECK: } {loop.axis = "i", te.compute = "rows", loop.annotations = [#loop.parallel]}
func.func @rows(%X: tensor<256x256xf32>) -> tensor<256xf32> {
  %Y = te.compute "rows" (%X) axes ["i"] reduce sum ["k" = 256] init 0.000000e+00 : f32 : (tensor<256x256xf32>) -> tensor<256xf32> {
  ^bb0(%i: index, %k: index):
    %x = te.read %X[%i, %k] : tensor<256x256xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<256xf32>
}
