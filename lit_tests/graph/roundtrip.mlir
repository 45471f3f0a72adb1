// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// Every graph op prints in its custom syntax, defaults left out, and reads back the same
// from its custom and its generic form.

// CHECK-LABEL: func.func @contractions
func.func @contractions(%x: tensor<1x4x9x9xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>,
                        %a: tensor<2x3xf32>, %m: tensor<4x3xf32>, %v: tensor<4xf32>, %p: tensor<4x3x3x8xf32>) {
  // CHECK: %{{[^ ,]+}} = graph.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %c = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: %{{[^ ,]+}} = graph.constant dense<3> : tensor<2x3xi32>
  %ci = graph.constant dense<3> : tensor<2x3xi32>
  // CHECK: graph.dense %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} trans_b alpha 5.000000e-01 beta 2.000000e+00 : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %dense = graph.dense %a, %m, %v trans_b alpha 0.5 beta 2.0 : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: graph.dense %{{[^ ,]+}}, %{{[^ ,]+}} trans_a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %dense2 = graph.dense %a, %a trans_a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  // CHECK: graph.matmul %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
  %matmul = graph.matmul %v, %m : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
  // CHECK: graph.conv2d %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} strides [2, 2] padding [1, 0, 2, 1] dilation [2, 1] groups 2 : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %conv = graph.conv2d %x, %w, %b strides [2, 2] padding [1, 0, 2, 1] dilation [2, 1] groups 2 : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: graph.conv2d %{{[^ ,]+}}, %{{[^ ,]+}} groups 2 : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x7x7xf32>
  %plain = graph.conv2d %x, %w strides [1, 1] groups 2 : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x7x7xf32>
  // CHECK: graph.conv2d %{{[^ ,]+}}, %{{[^ ,]+}} padding [1, 1, 1, 1] weight_layout "IHWO" : (tensor<1x4x9x9xf32>, tensor<4x3x3x8xf32>) -> tensor<1x8x9x9xf32>
  %packed = graph.conv2d %x, %p padding [1, 1, 1, 1] weight_layout "IHWO" : (tensor<1x4x9x9xf32>, tensor<4x3x3x8xf32>) -> tensor<1x8x9x9xf32>
  func.return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%p: tensor<7x1x13xf32>, %q: tensor<13xf32>, %d: tensor<5x7xf64>, %h: tensor<7xf16>) {
  // CHECK: graph.add %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<7x1x13xf32>, tensor<13xf32>) -> tensor<7x1x13xf32>
  %add = graph.add %p, %q : (tensor<7x1x13xf32>, tensor<13xf32>) -> tensor<7x1x13xf32>
  // CHECK: graph.sub %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<5x7xf64>, tensor<5x7xf64>) -> tensor<5x7xf64>
  %sub = graph.sub %d, %d : (tensor<5x7xf64>, tensor<5x7xf64>) -> tensor<5x7xf64>
  // CHECK: graph.mul %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<13xf32>, tensor<7x1x13xf32>) -> tensor<7x1x13xf32>
  %mul = graph.mul %q, %p : (tensor<13xf32>, tensor<7x1x13xf32>) -> tensor<7x1x13xf32>
  // CHECK: graph.div %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<7xf16>, tensor<7xf16>) -> tensor<7xf16>
  %div = graph.div %h, %h : (tensor<7xf16>, tensor<7xf16>) -> tensor<7xf16>
  // CHECK: graph.relu %{{[^ ,]+}} : tensor<7x1x13xf32>
  %relu = graph.relu %p : tensor<7x1x13xf32>
  // CHECK: graph.sigmoid %{{[^ ,]+}} : tensor<5x7xf64>
  %sigmoid = graph.sigmoid %d : tensor<5x7xf64>
  // CHECK: graph.tanh %{{[^ ,]+}} : tensor<7xf16>
  %tanh = graph.tanh %h : tensor<7xf16>
  // CHECK: graph.exp %{{[^ ,]+}} : tensor<13xf32>
  %exp = graph.exp %q : tensor<13xf32>
  // CHECK: graph.sqrt %{{[^ ,]+}} : tensor<13xf32>
  %sqrt = graph.sqrt %q : tensor<13xf32>
  // CHECK: graph.softmax %{{[^ ,]+}} axis -1 : tensor<7x1x13xf32>
  %softmax = graph.softmax %p axis -1 : tensor<7x1x13xf32>
  func.return
}

// CHECK-LABEL: func.func @nchw
func.func @nchw(%x: tensor<1x4x9x9xf32>, %v: tensor<4xf32>) {
  // CHECK: graph.batch_norm %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} epsilon 1.000000e-03 : (tensor<1x4x9x9xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
  %bn = graph.batch_norm %x, %v, %v, %v, %v epsilon 1.0e-3 : (tensor<1x4x9x9xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
  // CHECK: graph.batch_norm %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} : (
  %bn2 = graph.batch_norm %x, %v, %v, %v, %v : (tensor<1x4x9x9xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x9x9xf32>
  // CHECK: graph.max_pool2d %{{[^ ,]+}} kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] dilation [1, 2] ceil_mode : (tensor<1x4x9x9xf32>) -> tensor<1x4x5x4xf32>
  %max = graph.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] dilation [1, 2] ceil_mode : (tensor<1x4x9x9xf32>) -> tensor<1x4x5x4xf32>
  // CHECK: graph.avg_pool2d %{{[^ ,]+}} kernel [2, 2] padding [0, 0, 1, 1] count_include_pad : (tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
  %avg = graph.avg_pool2d %x kernel [2, 2] padding [0, 0, 1, 1] count_include_pad : (tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
  // CHECK: graph.global_avg_pool2d %{{[^ ,]+}} : (tensor<1x4x9x9xf32>) -> tensor<1x4x1x1xf32>
  %global = graph.global_avg_pool2d %x : (tensor<1x4x9x9xf32>) -> tensor<1x4x1x1xf32>
  func.return
}

// CHECK-LABEL: func.func @movement_and_reductions
func.func @movement_and_reductions(%x: tensor<1x4x9x9xf32>, %a: tensor<2x3xf32>, %n: tensor<2x3xi32>, %h: tensor<7xf16>) {
  // CHECK: graph.reshape %{{[^ ,]+}} : (tensor<2x3xi32>) -> tensor<6xi32>
  %reshape = graph.reshape %n : (tensor<2x3xi32>) -> tensor<6xi32>
  // CHECK: graph.transpose %{{[^ ,]+}} perm [0, 2, 3, 1] : (tensor<1x4x9x9xf32>) -> tensor<1x9x9x4xf32>
  %transpose = graph.transpose %x perm [0, 2, 3, 1] : (tensor<1x4x9x9xf32>) -> tensor<1x9x9x4xf32>
  // CHECK: graph.slice %{{[^ ,]+}} offsets [0, 2, 8, 0] steps [1, 1, -3, 2] : (tensor<1x4x9x9xf32>) -> tensor<1x2x3x5xf32>
  %slice = graph.slice %x offsets [0, 2, 8, 0] steps [1, 1, -3, 2] : (tensor<1x4x9x9xf32>) -> tensor<1x2x3x5xf32>
  // CHECK: graph.flatten %{{[^ ,]+}} axis 2 : (tensor<1x4x9x9xf32>) -> tensor<4x81xf32>
  %flatten = graph.flatten %x axis 2 : (tensor<1x4x9x9xf32>) -> tensor<4x81xf32>
  // CHECK: graph.concat %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<6x3xf32>
  %concat = graph.concat %a, %a, %a axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<6x3xf32>
  // CHECK: graph.reduce_sum %{{[^ ,]+}} axes [1, -1] : (tensor<1x4x9x9xf32>) -> tensor<1x9xf32>
  %sum = graph.reduce_sum %x axes [1, -1] : (tensor<1x4x9x9xf32>) -> tensor<1x9xf32>
  // CHECK: graph.reduce_mean %{{[^ ,]+}} axes [0] keepdims : (tensor<2x3xf32>) -> tensor<1x3xf32>
  %mean = graph.reduce_mean %a axes [0] keepdims : (tensor<2x3xf32>) -> tensor<1x3xf32>
  // CHECK: graph.reduce_max %{{[^ ,]+}} axes [0] : (tensor<7xf16>) -> tensor<f16>
  %rmax = graph.reduce_max %h axes [0] : (tensor<7xf16>) -> tensor<f16>
  func.return
}
