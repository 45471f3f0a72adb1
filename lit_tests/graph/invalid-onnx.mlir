// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @split_sizes(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{split sizes [2, 2] do not add up to 5, the extent of axis 1}}
  %a, %b = graph.split %x axis 1 sizes [2, 2] : (tensor<4x5xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>)
  func.return
}

// -----

func.func @split_results(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{graph.split should give tensor<4x2xf32>, tensor<4x3xf32>, not tensor<4x3xf32>, tensor<4x2xf32>}}
  %a, %b = graph.split %x axis 1 sizes [2, 3] : (tensor<4x5xf32>) -> (tensor<4x3xf32>, tensor<4x2xf32>)
  func.return
}

// -----

func.func @gather_indices(%x: tensor<4x5xf32>, %i: tensor<2xi16>) {
  // expected-error@+1 {{graph.gather needs i32 or i64 indices, got tensor<2xi16>}}
  %y = graph.gather %x, %i axis 0 : (tensor<4x5xf32>, tensor<2xi16>) -> tensor<2x5xf32>
  func.return
}

// -----

func.func @gather_axis(%x: tensor<4x5xf32>, %i: tensor<2xi64>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %y = graph.gather %x, %i axis 2 : (tensor<4x5xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  func.return
}

// -----

func.func @pad_count(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{pads needs 4 values, got [1, 1]}}
  %y = graph.pad %x pads [1, 1] : (tensor<4x5xf32>) -> tensor<6x5xf32>
  func.return
}

// -----

func.func @pad_negative(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{pads must be non-negative, got [0, -1, 0, 0]}}
  %y = graph.pad %x pads [0, -1, 0, 0] : (tensor<4x5xf32>) -> tensor<4x4xf32>
  func.return
}

// -----

func.func @pad_mode(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{unknown pad mode 'symmetric'}}
  %y = graph.pad %x pads [0, 1, 0, 0] mode "symmetric" : (tensor<4x5xf32>) -> tensor<4x6xf32>
  func.return
}

// -----

func.func @pad_integer_value(%x: tensor<4xi64>) {
  // expected-error@+1 {{cannot pad tensor<4xi64> with 0.5}}
  %y = graph.pad %x pads [1, 0] value 0.5 : (tensor<4xi64>) -> tensor<5xi64>
  func.return
}

// -----

func.func @pad_result(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{graph.pad should give tensor<4x6xf32>, not tensor<4x5xf32>}}
  %y = graph.pad %x pads [0, 1, 0, 0] : (tensor<4x5xf32>) -> tensor<4x5xf32>
  func.return
}

// -----

func.func @layer_norm_scale(%x: tensor<4x5xf32>, %s: tensor<4xf32>) {
  // expected-error@+1 {{tensor<4xf32> does not broadcast to tensor<4x5xf32>}}
  %y = graph.layer_norm %x, %s axis -1 : (tensor<4x5xf32>, tensor<4xf32>) -> tensor<4x5xf32>
  func.return
}

// -----

func.func @layer_norm_integer(%x: tensor<4x5xi32>, %s: tensor<5xi32>) {
  // expected-error@+1 {{expected floating-point tensors, got tensor<4x5xi32>}}
  %y = graph.layer_norm %x, %s axis -1 : (tensor<4x5xi32>, tensor<5xi32>) -> tensor<4x5xi32>
  func.return
}

// -----

func.func @cast_shape(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{graph.cast should give tensor<4x5xi32>, not tensor<20xi32>}}
  %y = graph.cast %x : (tensor<4x5xf32>) -> tensor<20xi32>
  func.return
}

// -----

func.func @cast_type(%x: tensor<4xf32>) {
  // expected-error@+1 {{graph.cast cannot convert si8}}
  %y = graph.cast %x : (tensor<4xf32>) -> tensor<4xsi8>
  func.return
}

// -----

func.func @pow_types(%x: tensor<4xf32>, %e: tensor<f64>) {
  // expected-error@+1 {{element types differ: tensor<4xf32> and tensor<f64>}}
  %y = graph.pow %x, %e : (tensor<4xf32>, tensor<f64>) -> tensor<4xf32>
  func.return
}

// -----

func.func @maximum_broadcast(%x: tensor<4xf32>, %y: tensor<3xf32>) {
  // expected-error@+1 {{shapes (4,) and (3,) do not broadcast}}
  %z = graph.maximum %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @erf_integer(%x: tensor<4xi32>) {
  // expected-error@+1 {{expected floating-point tensors, got tensor<4xi32>}}
  %y = graph.erf %x : tensor<4xi32>
  func.return
}

// -----

func.func @clip_boolean(%x: tensor<4xi1>) {
  // expected-error@+1 {{expected floating-point, signed integer or unsigned integer tensors, got tensor<4xi1>}}
  %y = graph.clip %x min 0.0 : tensor<4xi1>
  func.return
}

// -----

func.func @log_softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %y = graph.log_softmax %x axis 2 : tensor<2x3xf32>
  func.return
}

// -----

func.func @lrn_size(%x: tensor<1x4x5x5xf32>) {
  // expected-error@+1 {{graph.lrn size must be positive, got 0}}
  %y = graph.lrn %x size 0 : tensor<1x4x5x5xf32>
  func.return
}

// -----

func.func @lrn_rank(%x: tensor<4xf32>) {
  // expected-error@+1 {{graph.lrn needs channels on axis 1, got tensor<4xf32>}}
  %y = graph.lrn %x size 3 : tensor<4xf32>
  func.return
}

// -----

func.func @global_max_pool_rank(%x: tensor<4x5xf32>) {
  // expected-error@+1 {{graph.global_max_pool2d needs an NCHW input, got tensor<4x5xf32>}}
  %y = graph.global_max_pool2d %x : (tensor<4x5xf32>) -> tensor<4x5xf32>
  func.return
}
