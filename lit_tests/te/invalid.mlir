// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @dynamic_shape(%X: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error@+1 {{te.compute needs a static output shape, got tensor<?xf32>}}
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%i: index):
    %c = arith.constant 0.000000e+00 : f32
    te.yield %c : f32
  }
  func.return %Y : tensor<?xf32>
}

// -----

func.func @axes_rank(%X: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error@+1 {{te.compute has 1 axes but its output has rank 2}}
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%i: index):
    %c = arith.constant 0.000000e+00 : f32
    te.yield %c : f32
  }
  func.return %Y : tensor<4x4xf32>
}

// -----

func.func @axes_unique(%X: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error@+1 {{te.compute axis names must be unique}}
  %Y = te.compute "f" (%X) axes ["i", "i"] : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%i: index, %j: index):
    %c = arith.constant 0.000000e+00 : f32
    te.yield %c : f32
  }
  func.return %Y : tensor<4x4xf32>
}

// -----

func.func @init_without_kind(%X: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{reduce axes and init need a reduce kind}}
  %Y = te.compute "f" (%X) axes ["i"] init 0.000000e+00 : f32 : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %c = arith.constant 0.000000e+00 : f32
    te.yield %c : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @unknown_kind(%X: tensor<4x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{unknown reduce kind 'product', expected one of sum, prod, max, min, umax, umin}}
  %Y = te.compute "f" (%X) axes ["i"] reduce product ["k" = 4] init 1.000000e+00 : f32 : (tensor<4x4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index, %k: index):
    %x = te.read %X[%i, %k] : tensor<4x4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @extent_per_axis(%X: tensor<4x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{a reduction needs one extent per reduce axis}}
  %Y = "te.compute"(%X) <{name = "f", axes = ["i"], reduce_kind = "sum", reduce_axes = ["k"], reduce_extents = [], init = 0.000000e+00 : f32}> ({
  ^bb0(%i: index, %k: index):
    %x = te.read %X[%i, %k] : tensor<4x4xf32>
    te.yield %x : f32
  }) : (tensor<4x4xf32>) -> tensor<4xf32>
  func.return %Y : tensor<4xf32>
}

// -----

func.func @positive_extent(%X: tensor<4x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{reduce extents must be positive, got [0]}}
  %Y = te.compute "f" (%X) axes ["i"] reduce sum ["k" = 0] init 0.000000e+00 : f32 : (tensor<4x4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index, %k: index):
    %x = te.read %X[%i, %k] : tensor<4x4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @missing_init(%X: tensor<4x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{a reduction needs an init value}}
  %Y = te.compute "f" (%X) axes ["i"] reduce max ["k" = 4] : (tensor<4x4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index, %k: index):
    %x = te.read %X[%i, %k] : tensor<4x4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @init_type(%X: tensor<4x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{init must be a f32 constant, got 0 : i32}}
  %Y = te.compute "f" (%X) axes ["i"] reduce sum ["k" = 4] init 0 : i32 : (tensor<4x4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index, %k: index):
    %x = te.read %X[%i, %k] : tensor<4x4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @body_arguments(%X: tensor<4x4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{te.compute body must take 2 index arguments, one per axis (i, k)}}
  %Y = te.compute "f" (%X) axes ["i"] reduce sum ["k" = 4] init 0.000000e+00 : f32 : (tensor<4x4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i, %i] : tensor<4x4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @yield_type(%X: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{te.yield gives i32 but the output element type is f32}}
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %c = arith.constant 0 : i32
    te.yield %c : i32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @read_rank(%X: tensor<4x4xf32>) -> tensor<4xf32> {
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4x4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    // expected-error@+1 {{te.read of a rank-2 tensor needs 2 indices, got 1}}
    %x = te.read %X[%i] : tensor<4x4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @read_result_type(%X: tensor<4xf32>) -> tensor<4xf32> {
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    // expected-error@+1 {{te.read of tensor<4xf32> gives f32, not f16}}
    %x = "te.read"(%X, %i) : (tensor<4xf32>, index) -> f16
    %y = arith.extf %x : f16 to f32
    te.yield %y : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @read_outside(%X: tensor<4xf32>, %i: index) -> f32 {
  // expected-error@+1 {{te.read must be inside a te.compute}}
  %x = te.read %X[%i] : tensor<4xf32>
  func.return %x : f32
}

// -----

func.func @read_not_an_input(%X: tensor<4xf32>, %W: tensor<4xf32>) -> tensor<4xf32> {
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    // expected-error@+1 {{te.read must read an input of its enclosing te.compute}}
    %w = te.read %W[%i] : tensor<4xf32>
    te.yield %w : f32
  }
  func.return %Y : tensor<4xf32>
}

// -----

func.func @yield_outside(%x: f32) {
  // expected-error@+1 {{'te.yield' expects parent op 'te.compute'}}
  te.yield %x : f32
}

// -----

func.func @body_without_yield(%X: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{te.compute body must end with te.yield}}
  %Y = "te.compute"(%X) <{name = "f", axes = ["i"]}> ({
  ^bb0(%i: index):
    "test.termop"() : () -> ()
  }) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %Y : tensor<4xf32>
}

// -----

func.func @unnamed_compute() -> tensor<f32> {
  // expected-error@+1 {{string literal expected for the te.compute name}}
  %a = te.compute 3 () axes [] : () -> tensor<f32> {
  }
  func.return %a : tensor<f32>
}

// -----

func.func @unsigned_max_of_floats(%X: tensor<4xf32>) -> tensor<f32> {
  // expected-error@+1 {{reduce kind 'umax' combines integers only}}
  %Y = te.compute "m" (%X) axes [] reduce umax ["k" = 4] init 0.0 : f32 : (tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %X[%k] : tensor<4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<f32>
}
