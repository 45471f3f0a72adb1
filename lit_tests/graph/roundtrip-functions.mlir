// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// Activations, rounding, broadcasting and tiling, arg max and min, the other reductions,
// cumulative sums and group and RMS normalization: defaults left out, read back the same.

// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<2x7xf32>, %h: tensor<7xf16>, %s: tensor<7xf32>) {
  // CHECK: graph.elu %{{[^ ,]+}} : tensor<2x7xf32>
  %elu = graph.elu %x alpha 1.0 : tensor<2x7xf32>
  // CHECK: graph.elu %{{[^ ,]+}} alpha 5.000000e-01 : tensor<2x7xf32>
  %elu2 = graph.elu %x alpha 0.5 : tensor<2x7xf32>
  // CHECK: graph.selu %{{[^ ,]+}} gamma 2.000000e+00 : tensor<2x7xf32>
  %selu = graph.selu %x gamma 2.0 : tensor<2x7xf32>
  // CHECK: graph.celu %{{[^ ,]+}} alpha 2.000000e+00 : tensor<7xf16>
  %celu = graph.celu %h alpha 2.0 : tensor<7xf16>
  // CHECK: graph.hard_sigmoid %{{[^ ,]+}} alpha 0.166666672 : tensor<2x7xf32>
  %hard = graph.hard_sigmoid %x alpha 0.166666672 beta 0.5 : tensor<2x7xf32>
  // CHECK: graph.thresholded_relu %{{[^ ,]+}} alpha 2.000000e+00 : tensor<2x7xf32>
  %thresholded = graph.thresholded_relu %x alpha 2.0 : tensor<2x7xf32>
  // CHECK: graph.gelu %{{[^ ,]+}} : tensor<2x7xf32>
  %gelu = graph.gelu %x : tensor<2x7xf32>
  // CHECK: graph.gelu %{{[^ ,]+}} tanh : tensor<2x7xf32>
  %gelu_tanh = graph.gelu %x tanh : tensor<2x7xf32>
  // CHECK: graph.softplus %{{[^ ,]+}} : tensor<2x7xf32>
  %softplus = graph.softplus %x : tensor<2x7xf32>
  // CHECK: graph.softsign %{{[^ ,]+}} : tensor<2x7xf32>
  %softsign = graph.softsign %x : tensor<2x7xf32>
  // CHECK: graph.mish %{{[^ ,]+}} : tensor<2x7xf32>
  %mish = graph.mish %x : tensor<2x7xf32>
  // CHECK: graph.prelu %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<2x7xf32>, tensor<7xf32>) -> tensor<2x7xf32>
  %prelu = graph.prelu %x, %s : (tensor<2x7xf32>, tensor<7xf32>) -> tensor<2x7xf32>
  // CHECK: graph.floor %{{[^ ,]+}} : tensor<7xf16>
  %floor = graph.floor %h : tensor<7xf16>
  // CHECK: graph.ceil %{{[^ ,]+}} : tensor<2x7xf32>
  %ceil = graph.ceil %x : tensor<2x7xf32>
  // CHECK: graph.round %{{[^ ,]+}} : tensor<2x7xf32>
  %round = graph.round %x : tensor<2x7xf32>
  // CHECK: graph.sin %{{[^ ,]+}} : tensor<2x7xf32>
  %sin = graph.sin %x : tensor<2x7xf32>
  // CHECK: graph.cos %{{[^ ,]+}} : tensor<2x7xf32>
  %cos = graph.cos %x : tensor<2x7xf32>
  func.return
}

// CHECK-LABEL: func.func @movement_and_reductions
func.func @movement_and_reductions(%x: tensor<3x1xf32>, %y: tensor<3x4xf32>, %i: tensor<5xi32>, %s: tensor<4xf32>) {
  // CHECK: graph.broadcast_to %{{[^ ,]+}} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %broadcast = graph.broadcast_to %x : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: graph.tile %{{[^ ,]+}} repeats [2, 3] : (tensor<3x1xf32>) -> tensor<6x3xf32>
  %tile = graph.tile %x repeats [2, 3] : (tensor<3x1xf32>) -> tensor<6x3xf32>
  // CHECK: graph.arg_max %{{[^ ,]+}} axis 1 keepdims : (tensor<3x4xf32>) -> tensor<3x1xi64>
  %arg_max = graph.arg_max %y axis 1 keepdims : (tensor<3x4xf32>) -> tensor<3x1xi64>
  // CHECK: graph.arg_min %{{[^ ,]+}} axis 0 select_last_index : (tensor<5xi32>) -> tensor<i64>
  %arg_min = graph.arg_min %i axis 0 select_last_index : (tensor<5xi32>) -> tensor<i64>
  // CHECK: graph.reduce_min %{{[^ ,]+}} axes [1] : (tensor<3x4xf32>) -> tensor<3xf32>
  %min = graph.reduce_min %y axes [1] : (tensor<3x4xf32>) -> tensor<3xf32>
  // CHECK: graph.reduce_prod %{{[^ ,]+}} axes [0] : (tensor<5xi32>) -> tensor<i32>
  %prod = graph.reduce_prod %i axes [0] : (tensor<5xi32>) -> tensor<i32>
  // CHECK: graph.reduce_l1 %{{[^ ,]+}} axes [0, 1] keepdims : (tensor<3x4xf32>) -> tensor<1x1xf32>
  %l1 = graph.reduce_l1 %y axes [0, 1] keepdims : (tensor<3x4xf32>) -> tensor<1x1xf32>
  // CHECK: graph.reduce_l2 %{{[^ ,]+}} axes [] : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %l2 = graph.reduce_l2 %y axes [] : (tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.reduce_sum_square %{{[^ ,]+}} axes [-1] : (tensor<3x4xf32>) -> tensor<3xf32>
  %squares = graph.reduce_sum_square %y axes [-1] : (tensor<3x4xf32>) -> tensor<3xf32>
  // CHECK: graph.reduce_log_sum %{{[^ ,]+}} axes [1] : (tensor<3x4xf32>) -> tensor<3xf32>
  %log_sum = graph.reduce_log_sum %y axes [1] : (tensor<3x4xf32>) -> tensor<3xf32>
  // CHECK: graph.reduce_log_sum_exp %{{[^ ,]+}} axes [1] : (tensor<3x4xf32>) -> tensor<3xf32>
  %log_sum_exp = graph.reduce_log_sum_exp %y axes [1] : (tensor<3x4xf32>) -> tensor<3xf32>
  // CHECK: graph.cumsum %{{[^ ,]+}} axis 0 exclusive reverse : (tensor<5xi32>) -> tensor<5xi32>
  %cumsum = graph.cumsum %i axis 0 exclusive reverse : (tensor<5xi32>) -> tensor<5xi32>
  // CHECK: graph.group_norm %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} groups 2 epsilon 1.000000e-03 : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %group = graph.group_norm %y, %s, %s groups 2 epsilon 1.0e-3 : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.rms_norm %{{[^ ,]+}}, %{{[^ ,]+}} axis -1 : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %rms = graph.rms_norm %y, %s axis -1 epsilon 1.0e-5 : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  func.return
}
