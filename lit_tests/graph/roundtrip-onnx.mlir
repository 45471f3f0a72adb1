// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// The ops an ONNX importer needs beyond the core set print in their custom syntax, defaults
// left out, and read back the same from their custom and their generic form.

// CHECK-LABEL: func.func @movement
func.func @movement(%x: tensor<4x5xf32>, %i: tensor<2x3xi64>, %j: tensor<i32>, %n: tensor<4x5xi64>) {
  // CHECK: %{{[^ ,]+}}, %{{[^ ,]+}} = graph.split %{{[^ ,]+}} axis -1 sizes [2, 3] : (tensor<4x5xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>)
  %a, %b = graph.split %x axis -1 sizes [2, 3] : (tensor<4x5xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>)
  // CHECK: graph.gather %{{[^ ,]+}}, %{{[^ ,]+}} axis 1 : (tensor<4x5xf32>, tensor<2x3xi64>) -> tensor<4x2x3xf32>
  %g = graph.gather %x, %i axis 1 : (tensor<4x5xf32>, tensor<2x3xi64>) -> tensor<4x2x3xf32>
  // CHECK: graph.gather %{{[^ ,]+}}, %{{[^ ,]+}} axis 0 : (tensor<4x5xi64>, tensor<i32>) -> tensor<5xi64>
  %g0 = graph.gather %n, %j axis 0 : (tensor<4x5xi64>, tensor<i32>) -> tensor<5xi64>
  // CHECK: graph.pad %{{[^ ,]+}} pads [0, 1, 2, 3] : (tensor<4x5xf32>) -> tensor<6x9xf32>
  %p = graph.pad %x pads [0, 1, 2, 3] value 0.0 mode "constant" : (tensor<4x5xf32>) -> tensor<6x9xf32>
  // CHECK: graph.pad %{{[^ ,]+}} pads [0, 1, 2, 3] value 1.500000e+00 : (tensor<4x5xf32>) -> tensor<6x9xf32>
  %p1 = graph.pad %x pads [0, 1, 2, 3] value 1.5 : (tensor<4x5xf32>) -> tensor<6x9xf32>
  // CHECK: graph.pad %{{[^ ,]+}} pads [1, 1, 1, 1] mode "reflect" : (tensor<4x5xi64>) -> tensor<6x7xi64>
  %p2 = graph.pad %n pads [1, 1, 1, 1] mode "reflect" : (tensor<4x5xi64>) -> tensor<6x7xi64>
  // CHECK: graph.pad %{{[^ ,]+}} pads [0, 2, 0, 0] mode "edge" : (tensor<4x5xf32>) -> tensor<4x7xf32>
  %p3 = graph.pad %x pads [0, 2, 0, 0] mode "edge" : (tensor<4x5xf32>) -> tensor<4x7xf32>
  func.return
}

// CHECK-LABEL: func.func @normalization_and_conversion
func.func @normalization_and_conversion(%x: tensor<4x5xf32>, %s: tensor<5xf32>, %d: tensor<2x3xf64>) {
  // CHECK: graph.layer_norm %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} axis -1 epsilon 1.000000e-03 : (tensor<4x5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  %l = graph.layer_norm %x, %s, %s axis -1 epsilon 1.0e-3 : (tensor<4x5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  // CHECK: graph.layer_norm %{{[^ ,]+}}, %{{[^ ,]+}} axis 0 : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
  %c = graph.constant dense<1.0> : tensor<3xf64>
  %l2 = graph.layer_norm %d, %c axis 0 epsilon 1.0e-5 : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
  // CHECK: graph.cast %{{[^ ,]+}} : (tensor<4x5xf32>) -> tensor<4x5xi64>
  %i = graph.cast %x : (tensor<4x5xf32>) -> tensor<4x5xi64>
  // CHECK: graph.cast %{{[^ ,]+}} : (tensor<4x5xi64>) -> tensor<4x5xi1>
  %bool = graph.cast %i : (tensor<4x5xi64>) -> tensor<4x5xi1>
  // CHECK: graph.cast %{{[^ ,]+}} : (tensor<2x3xf64>) -> tensor<2x3xf16>
  %h = graph.cast %d : (tensor<2x3xf64>) -> tensor<2x3xf16>
  func.return
}

// CHECK-LABEL: func.func @functions
func.func @functions(%x: tensor<1x4x5x5xf32>, %e: tensor<f32>, %h: tensor<7xf16>, %d: tensor<2x3xf64>) {
  // CHECK: graph.pow %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<1x4x5x5xf32>, tensor<f32>) -> tensor<1x4x5x5xf32>
  %p = graph.pow %x, %e : (tensor<1x4x5x5xf32>, tensor<f32>) -> tensor<1x4x5x5xf32>
  // CHECK: graph.maximum %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<f32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %mx = graph.maximum %e, %x : (tensor<f32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  // CHECK: graph.minimum %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %mn = graph.minimum %d, %d : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  // CHECK: graph.erf %{{[^ ,]+}} : tensor<7xf16>
  %erf = graph.erf %h : tensor<7xf16>
  // CHECK: graph.neg %{{[^ ,]+}} : tensor<2x3xf64>
  %neg = graph.neg %d : tensor<2x3xf64>
  // CHECK: graph.abs %{{[^ ,]+}} : tensor<f32>
  %abs = graph.abs %e : tensor<f32>
  // CHECK: graph.log %{{[^ ,]+}} : tensor<1x4x5x5xf32>
  %log = graph.log %x : tensor<1x4x5x5xf32>
  // CHECK: graph.reciprocal %{{[^ ,]+}} : tensor<7xf16>
  %rec = graph.reciprocal %h : tensor<7xf16>
  // CHECK: graph.leaky_relu %{{[^ ,]+}} alpha 2.000000e-01 : tensor<1x4x5x5xf32>
  %lr = graph.leaky_relu %x alpha 0.2 : tensor<1x4x5x5xf32>
  // CHECK: graph.leaky_relu %{{[^ ,]+}} : tensor<2x3xf64>
  %lr2 = graph.leaky_relu %d alpha 0.01 : tensor<2x3xf64>
  // CHECK: graph.clip %{{[^ ,]+}} min 0.000000e+00 max 6.000000e+00 : tensor<1x4x5x5xf32>
  %c = graph.clip %x min 0.0 max 6.0 : tensor<1x4x5x5xf32>
  // CHECK: graph.clip %{{[^ ,]+}} min -1.000000e+00 : tensor<7xf16>
  %c2 = graph.clip %h min -1.0 : tensor<7xf16>
  // CHECK: graph.clip %{{[^ ,]+}} : tensor<f32>
  %c3 = graph.clip %e : tensor<f32>
  func.return
}

// CHECK-LABEL: func.func @normalizations_and_pools
func.func @normalizations_and_pools(%x: tensor<1x4x5x5xf32>) {
  // CHECK: graph.log_softmax %{{[^ ,]+}} axis -1 : tensor<1x4x5x5xf32>
  %ls = graph.log_softmax %x axis -1 : tensor<1x4x5x5xf32>
  // CHECK: graph.lrn %{{[^ ,]+}} size 3 : tensor<1x4x5x5xf32>
  %lrn = graph.lrn %x size 3 alpha 1.0e-4 beta 0.75 bias 1.0 : tensor<1x4x5x5xf32>
  // CHECK: graph.lrn %{{[^ ,]+}} size 5 alpha 2.000000e-04 beta 5.000000e-01 bias 2.000000e+00 : tensor<1x4x5x5xf32>
  %lrn2 = graph.lrn %x size 5 alpha 2.0e-4 beta 0.5 bias 2.0 : tensor<1x4x5x5xf32>
  // CHECK: graph.global_max_pool2d %{{[^ ,]+}} : (tensor<1x4x5x5xf32>) -> tensor<1x4x1x1xf32>
  %g = graph.global_max_pool2d %x : (tensor<1x4x5x5xf32>) -> tensor<1x4x1x1xf32>
  func.return
}
