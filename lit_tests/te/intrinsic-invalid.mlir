// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

// expected-error@+1 {{intrinsic @dot4 is a reduction: it needs reset and update}}
te.intrinsic @dot4 compute @dot4 {
^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
  %c = te.compute "dot4" (%a, %b) axes [] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %a[%k] : tensor<4xf32>
    %y = te.read %b[%k] : tensor<4xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
}

// -----

// expected-error@+1 {{intrinsic @relu8 is no reduction: it has no reset or update}}
te.intrinsic @relu8 compute @relu8 update @relu8 {
^bb0(%x: tensor<8xf32>):
  %y = te.compute "relu8" (%x) axes ["i"] : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%i: index):
    %v = te.read %x[%i] : tensor<8xf32>
    te.yield %v : f32
  }
}

// -----

// expected-error@+1 {{intrinsic @two must hold exactly one te.compute}}
te.intrinsic @two compute @two {
^bb0(%x: tensor<8xf32>):
  %c = arith.constant 0 : index
}

// -----

// expected-error@+1 {{the arguments of intrinsic @dynamic must be static tensors}}
te.intrinsic @dynamic compute @dynamic {
^bb0(%x: tensor<?xf32>):
  %y = te.compute "copy" (%x) axes ["i"] : (tensor<?xf32>) -> tensor<8xf32> {
  ^bb0(%i: index):
    %v = te.read %x[%i] : tensor<?xf32>
    te.yield %v : f32
  }
}
