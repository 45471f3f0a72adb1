// RUN: ziggurat-opt %s -p te-inline --split-input-file | filecheck %s

// A reduction is never substituted. One that a single non-reduction compute reads once,
// at its own output indices, is marked to be computed in that consumer's loop nest; an
// index into a dimension of extent 1 counts as the consumer's own.

// CHECK-LABEL: func.func @epilogue
// CHECK: %[[M:.*]] = te.compute "matmul" {{.*}} init 0.000000e+00 : f32 {ziggurat.compute_at_consumer} :
// CHECK: te.compute "relu" (%[[M]], %{{.*}})
// CHECK-NOT: te.compute
func.func @epilogue(%a: tensor<1x8xf32>, %b: tensor<8x16xf32>, %c: tensor<16xf32>) -> tensor<1x16xf32> {
  %m = te.compute "matmul" (%a, %b) axes ["i", "j"] reduce sum ["k" = 8] init 0.0 : f32 : (tensor<1x8xf32>, tensor<8x16xf32>) -> tensor<1x16xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %a[%i, %k] : tensor<1x8xf32>
    %y = te.read %b[%k, %j] : tensor<8x16xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
  %s = te.compute "bias_add" (%m, %c) axes ["i", "j"] : (tensor<1x16xf32>, tensor<16xf32>) -> tensor<1x16xf32> {
  ^bb0(%i: index, %j: index):
    %zero = arith.constant 0 : index
    %v = te.read %m[%zero, %j] : tensor<1x16xf32>
    %w = te.read %c[%j] : tensor<16xf32>
    %r = arith.addf %v, %w : f32
    te.yield %r : f32
  }
  %y = te.compute "relu" (%s) axes ["i", "j"] : (tensor<1x16xf32>) -> tensor<1x16xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %s[%i, %j] : tensor<1x16xf32>
    %z = arith.constant 0.0 : f32
    %r = arith.maximumf %v, %z : f32
    te.yield %r : f32
  }
  func.return %y : tensor<1x16xf32>
}

// -----

// A reduction read at other indices (a broadcast of the row sums) or read twice is left
// to be stored: computing it in place would compute each element many times.

// CHECK-LABEL: func.func @normalize
// CHECK: te.compute "sum"
// CHECK-NOT: ziggurat.compute_at_consumer
// CHECK: te.compute "divide"
func.func @normalize(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %s = te.compute "sum" (%x) axes ["i"] reduce sum ["k" = 8] init 0.0 : f32 : (tensor<4x8xf32>) -> tensor<4xf32> {
  ^bb0(%i: index, %k: index):
    %v = te.read %x[%i, %k] : tensor<4x8xf32>
    te.yield %v : f32
  }
  %y = te.compute "divide" (%x, %s) axes ["i", "j"] : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x8xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %x[%i, %j] : tensor<4x8xf32>
    %t = te.read %s[%i] : tensor<4xf32>
    %r = arith.divf %v, %t : f32
    te.yield %r : f32
  }
  func.return %y : tensor<4x8xf32>
}
