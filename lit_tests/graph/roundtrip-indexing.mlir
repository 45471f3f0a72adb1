// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// The indexing ops of issue 12 print in their custom syntax, defaults left out, and read
// back the same from their custom and their generic form.

// CHECK-LABEL: func.func @indexing
func.func @indexing(%d: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>, %n: tensor<2x3x4xf32>,
                    %t: tensor<2x1xi32>, %k: tensor<i64>, %x: tensor<1x8x2x3xf32>, %h: tensor<3xi64>,
                    %v: tensor<2xf32>) {
  // CHECK: graph.gather_elements %{{[^ ,]+}}, %{{[^ ,]+}} axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %ge = graph.gather_elements %d, %i axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  // CHECK: graph.gather_nd %{{[^ ,]+}}, %{{[^ ,]+}} batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x1xi32>) -> tensor<2x4xf32>
  %gn = graph.gather_nd %n, %t batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x1xi32>) -> tensor<2x4xf32>
  // CHECK: graph.gather_nd %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<2x3x4xf32>, tensor<2x1xi32>) -> tensor<2x3x4xf32>
  %gn0 = graph.gather_nd %n, %t batch_dims 0 : (tensor<2x3x4xf32>, tensor<2x1xi32>) -> tensor<2x3x4xf32>
  // CHECK: graph.scatter_elements %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} axis 1 reduction "add" : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %se = graph.scatter_elements %d, %i, %u axis 1 reduction "add" : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  // CHECK: graph.scatter_elements %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %se0 = graph.scatter_elements %d, %i, %u : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  // CHECK: graph.scatter_nd %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} reduction "mul" : (tensor<2x3x4xf32>, tensor<2x1xi32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %sn = graph.scatter_nd %n, %t, %n reduction "mul" : (tensor<2x3x4xf32>, tensor<2x1xi32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: graph.one_hot %{{[^ ,]+}}, %{{[^ ,]+}} axis 0 depth 5 : (tensor<3xi64>, tensor<2xf32>) -> tensor<5x3xf32>
  %oh = graph.one_hot %h, %v axis 0 depth 5 : (tensor<3xi64>, tensor<2xf32>) -> tensor<5x3xf32>
  // CHECK: graph.one_hot %{{[^ ,]+}}, %{{[^ ,]+}} depth 4 : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x4xf32>
  %oh1 = graph.one_hot %h, %v depth 4 : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x4xf32>
  // CHECK: graph.trilu %{{[^ ,]+}} upper k 1 : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %tr = graph.trilu %n upper k 1 : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: graph.trilu %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<2x3x4xf32>, tensor<i64>) -> tensor<2x3x4xf32>
  %tl = graph.trilu %n, %k : (tensor<2x3x4xf32>, tensor<i64>) -> tensor<2x3x4xf32>
  // CHECK: graph.depth_to_space %{{[^ ,]+}} blocksize 2 mode "CRD" : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  %ds = graph.depth_to_space %x blocksize 2 mode "CRD" : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  // CHECK: graph.space_to_depth %{{[^ ,]+}} blocksize 2 : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  %sd = graph.space_to_depth %ds blocksize 2 mode "DCR" : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  func.return
}
