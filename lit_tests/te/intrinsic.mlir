// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// A hardware intrinsic: the te.compute one call computes over its tensor arguments, and the
// functions that do it on buffer views (compute; reset and update for a reduction).

// CHECK: te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>):
// CHECK-NEXT: te.compute "dot4" (%[[A]], %[[B]]) axes [] reduce sum ["k" = 4]
te.intrinsic @dot4 compute @dot4 reset @dot4_reset update @dot4_update {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

// CHECK: te.intrinsic @relu8 compute @relu8 {
te.intrinsic @relu8 compute @relu8 {
^bb0(%x: tensor<8xf32>):
  %y = te.compute "relu8" (%x) axes ["i"] : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%i: index):
    %v = te.read %x[%i] : tensor<8xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %v, %z : f32
    te.yield %r : f32
  }
}
