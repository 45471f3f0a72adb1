// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @gather_elements_float_indices(%d: tensor<3x4xf32>, %i: tensor<3x2xf32>) {
  // expected-error@+1 {{graph.gather_elements needs i32 or i64 indices, got tensor<3x2xf32>}}
  %y = graph.gather_elements %d, %i axis 1 : (tensor<3x4xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  func.return
}

// -----

func.func @gather_elements_too_wide(%d: tensor<3x4xf32>, %i: tensor<5x2xi64>) {
  // expected-error@+1 {{indices tensor<5x2xi64> do not fit in tensor<3x4xf32>}}
  %y = graph.gather_elements %d, %i axis 1 : (tensor<3x4xf32>, tensor<5x2xi64>) -> tensor<5x2xf32>
  func.return
}

// -----

func.func @gather_nd_depth(%d: tensor<2x3xf32>, %i: tensor<4x3xi64>) {
  // expected-error@+1 {{index tuples of 3 elements do not index 2 dimensions}}
  %y = graph.gather_nd %d, %i : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  func.return
}

// -----

func.func @gather_nd_batch(%d: tensor<2x3xf32>, %i: tensor<3x1xi64>) {
  // expected-error@+1 {{the 1 batch dimensions of data and indices differ}}
  %y = graph.gather_nd %d, %i batch_dims 1 : (tensor<2x3xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  func.return
}

// -----

func.func @scatter_reduction(%d: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) {
  // expected-error@+1 {{unknown reduction 'avg'}}
  %y = graph.scatter_elements %d, %i, %u reduction "avg" : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @scatter_updates(%d: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<3xf32>) {
  // expected-error@+1 {{indices tensor<2xi64> and updates tensor<3xf32> must have one shape, of the rank of tensor<3xf32>}}
  %y = graph.scatter_elements %d, %i, %u : (tensor<3xf32>, tensor<2xi64>, tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @scatter_nd_updates(%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) {
  // expected-error@+1 {{updates must be tensor<2x3x...>, got tensor<2x4xf32>}}
  %y = graph.scatter_nd %d, %i, %u : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

func.func @one_hot_values(%i: tensor<3xi64>, %v: tensor<3xf32>) {
  // expected-error@+1 {{values must be [off, on], got tensor<3xf32>}}
  %y = graph.one_hot %i, %v depth 4 : (tensor<3xi64>, tensor<3xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @one_hot_result(%i: tensor<3xi64>, %v: tensor<2xf32>) {
  // expected-error@+1 {{graph.one_hot should give tensor<4x3xf32>, not tensor<3x4xf32>}}
  %y = graph.one_hot %i, %v axis 0 depth 4 : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @trilu_vector(%x: tensor<4xf32>) {
  // expected-error@+1 {{graph.trilu needs matrices, got tensor<4xf32>}}
  %y = graph.trilu %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @trilu_two_ks(%x: tensor<3x4xf32>, %k: tensor<i64>) {
  // expected-error@+1 {{graph.trilu takes k as one scalar operand or property}}
  %y = graph.trilu %x, %k k 1 : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @depth_to_space_channels(%x: tensor<1x6x2x2xf32>) {
  // expected-error@+1 {{6 channels do not split into blocks of 2x2}}
  %y = graph.depth_to_space %x blocksize 2 : (tensor<1x6x2x2xf32>) -> tensor<1x1x4x4xf32>
  func.return
}

// -----

func.func @space_to_depth_mode(%x: tensor<1x1x4x4xf32>) {
  // expected-error@+1 {{unknown mode 'RDC', expected DCR or CRD}}
  %y = graph.space_to_depth %x blocksize 2 mode "RDC" : (tensor<1x1x4x4xf32>) -> tensor<1x4x2x2xf32>
  func.return
}
