// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @conv_strides(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error@+1 {{strides must be positive, got [0, 1]}}
  %y = graph.conv2d %x, %w strides [0, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error@+1 {{groups 3 must divide the 4 input and 6 output channels}}
  %y = graph.conv2d %x, %w groups 3 : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  func.return
}

// -----

func.func @conv_result(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error@+1 {{graph.conv2d should give tensor<1x6x6x6xf32>, not tensor<1x6x8x8xf32>}}
  %y = graph.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32>
  func.return
}

// -----

func.func @dense_contraction(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error@+1 {{graph.dense contracts 3 with 2 elements}}
  %y = graph.dense %a, %b : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error@+1 {{shapes (2,) and (3,) do not broadcast}}
  %y = graph.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  func.return
}

// -----

func.func @add_broadcast(%a: tensor<7x1x13xf32>, %b: tensor<12xf32>) {
  // expected-error@+1 {{shapes (7, 1, 13) and (12,) do not broadcast}}
  %y = graph.add %a, %b : (tensor<7x1x13xf32>, tensor<12xf32>) -> tensor<7x1x13xf32>
  func.return
}

// -----

func.func @relu_unsigned(%x: tensor<4xui8>) {
  // expected-error@+1 {{expected floating-point or signed integer tensors, got tensor<4xui8>}}
  %y = graph.relu %x : tensor<4xui8>
  func.return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{axis -3 is out of range for rank 2}}
  %y = graph.softmax %x axis -3 : tensor<2x3xf32>
  func.return
}

// -----

func.func @pool_window(%x: tensor<1x1x4x4xf32>) {
  // expected-error@+1 {{window of extent 5 does not fit in 4 padded by 0 and 0}}
  %y = graph.max_pool2d %x kernel [5, 1] : (tensor<1x1x4x4xf32>) -> tensor<1x1x1x4xf32>
  func.return
}

// -----

func.func @batch_norm_channels(%x: tensor<1x4x8x8xf32>, %v: tensor<3xf32>) {
  // expected-error@+1 {{batch_norm parameters must have one element per channel (4), got tensor<3xf32>}}
  %y = graph.batch_norm %x, %v, %v, %v, %v : (tensor<1x4x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{cannot reshape tensor<2x3xf32> into tensor<5xf32>}}
  %y = graph.reshape %x : (tensor<2x3xf32>) -> tensor<5xf32>
  func.return
}

// -----

func.func @slice_out_of_bounds(%x: tensor<2x9xf32>) {
  // expected-error@+1 {{dimension 1: 4 elements from 8 by -3 leave [0, 9)}}
  %y = graph.slice %x offsets [0, 8] steps [1, -3] : (tensor<2x9xf32>) -> tensor<2x4xf32>
  func.return
}

// -----

func.func @slice_step(%x: tensor<2x9xf32>) {
  // expected-error@+1 {{step of dimension 0 is 0}}
  %y = graph.slice %x offsets [0, 0] steps [0, 1] : (tensor<2x9xf32>) -> tensor<2x9xf32>
  func.return
}

// -----

func.func @slice_rank(%x: tensor<2x9xf32>) {
  // expected-error@+1 {{graph.slice of rank 2 needs 2 offsets and steps and a result of that rank, got 1, 2 and 2}}
  %y = graph.slice %x offsets [0] steps [1, 1] : (tensor<2x9xf32>) -> tensor<2x9xf32>
  func.return
}

// -----

func.func @conv_weight_layout(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error@+1 {{unknown weight layout 'HWIO', expected one of OIHW, IHWO}}
  %y = graph.conv2d %x, %w weight_layout "HWIO" : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

func.func @conv_packed_weight_shape(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x6xf32>) {
  // expected-error@+1 {{graph.conv2d should give tensor<1x6x6x6xf32>, not tensor<1x4x6x6xf32>}}
  %y = graph.conv2d %x, %w weight_layout "IHWO" : (tensor<1x4x8x8xf32>, tensor<4x3x3x6xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{perm [1, 1] is not a permutation of rank 2}}
  %y = graph.transpose %x perm [1, 1] : (tensor<2x3xf32>) -> tensor<3x3xf32>
  func.return
}

// -----

func.func @concat_shapes(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error@+1 {{cannot concatenate tensor<2x3xf32> and tensor<3x4xf32> on axis 1}}
  %y = graph.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x7xf32>
  func.return
}

// -----

func.func @reduce_axes(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %y = graph.reduce_sum %x axes [2] : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}
