// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @add_booleans(%x: tensor<4xi1>) {
  // expected-error@+1 {{expected floating-point, signed integer or unsigned integer tensors, got tensor<4xi1>}}
  %y = graph.add %x, %x : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  func.return
}

// -----

func.func @add_mixed_signedness(%x: tensor<4xi8>, %u: tensor<4xui8>) {
  // expected-error@+1 {{element types differ: tensor<4xi8> and tensor<4xui8>}}
  %y = graph.add %x, %u : (tensor<4xi8>, tensor<4xui8>) -> tensor<4xi8>
  func.return
}

// -----

func.func @add_bfloat(%x: tensor<4xbf16>) {
  // expected-error@+1 {{expected floating-point, signed integer or unsigned integer tensors, got tensor<4xbf16>}}
  %y = graph.add %x, %x : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  func.return
}

// -----

func.func @compare_predicate(%x: tensor<4xf32>) {
  // expected-error@+1 {{unknown comparison 'olt', expected one of eq, ne, lt, le, gt, ge}}
  %y = graph.compare "olt", %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  func.return
}

// -----

func.func @compare_result(%x: tensor<4xf32>) {
  // expected-error@+1 {{graph.compare should give tensor<4xi1>, not tensor<4xf32>}}
  %y = graph.compare "lt", %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @select_condition(%c: tensor<4xi8>, %x: tensor<4xf32>) {
  // expected-error@+1 {{expected boolean tensors, got tensor<4xi8>}}
  %y = graph.select %c, %x, %x : (tensor<4xi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @select_branches(%c: tensor<4xi1>, %x: tensor<4xf32>, %z: tensor<4xf64>) {
  // expected-error@+1 {{element types differ: tensor<4xf32> and tensor<4xf64>}}
  %y = graph.select %c, %x, %z : (tensor<4xi1>, tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  func.return
}

// -----

func.func @and_floats(%x: tensor<4xf32>) {
  // expected-error@+1 {{expected boolean, signed integer or unsigned integer tensors, got tensor<4xf32>}}
  %y = graph.and %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @floor_integers(%x: tensor<4xi32>) {
  // expected-error@+1 {{expected floating-point tensors, got tensor<4xi32>}}
  %y = graph.floor %x : tensor<4xi32>
  func.return
}

// -----

func.func @broadcast_to(%x: tensor<3x2xf32>) {
  // expected-error@+1 {{tensor<3x2xf32> does not broadcast to tensor<3x4xf32>}}
  %y = graph.broadcast_to %x : (tensor<3x2xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @tile_repeats(%x: tensor<3x2xf32>) {
  // expected-error@+1 {{repeats needs 2 values, got [2]}}
  %y = graph.tile %x repeats [2] : (tensor<3x2xf32>) -> tensor<6x2xf32>
  func.return
}

// -----

func.func @arg_max_result(%x: tensor<3x2xf32>) {
  // expected-error@+1 {{graph.arg_max should give tensor<3xi64>, not tensor<3xi32>}}
  %y = graph.arg_max %x axis 1 : (tensor<3x2xf32>) -> tensor<3xi32>
  func.return
}

// -----

func.func @arg_min_of_nothing(%x: tensor<3x0xf32>) {
  // expected-error@+1 {{no element to choose along axis 1 of tensor<3x0xf32>}}
  %y = graph.arg_min %x axis 1 : (tensor<3x0xf32>) -> tensor<3xi64>
  func.return
}

// -----

func.func @reduce_max_repeats(%x: tensor<3x2xf32>) {
  // expected-error@+1 {{reduction axes must be distinct, got [1, -1]}}
  %y = graph.reduce_min %x axes [1, -1] : (tensor<3x2xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @cumsum_axis(%x: tensor<3x2xf32>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %y = graph.cumsum %x axis 2 : (tensor<3x2xf32>) -> tensor<3x2xf32>
  func.return
}

// -----

func.func @group_norm_groups(%x: tensor<2x6x5xf32>, %s: tensor<6xf32>) {
  // expected-error@+1 {{4 groups do not divide the channels (axis 1) of tensor<2x6x5xf32>}}
  %y = graph.group_norm %x, %s, %s groups 4 : (tensor<2x6x5xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x5xf32>
  func.return
}

// -----

func.func @group_norm_scale(%x: tensor<2x6x5xf32>, %s: tensor<3xf32>) {
  // expected-error@+1 {{group_norm parameters must have one element per channel (6), got tensor<3xf32>}}
  %y = graph.group_norm %x, %s, %s groups 3 : (tensor<2x6x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x6x5xf32>
  func.return
}
