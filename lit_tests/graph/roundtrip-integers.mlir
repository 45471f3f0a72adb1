// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// Integers (signless ones signed, ui8 to ui64 unsigned) and booleans (i1) in arithmetic,
// comparisons, selection and logic: each op in its custom syntax, read back the same.

// CHECK-LABEL: func.func @arithmetic
func.func @arithmetic(%u: tensor<3x5xui8>, %s: tensor<5xi32>, %l: tensor<3x1xi64>) {
  // CHECK: graph.add %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3x5xui8>, tensor<3x5xui8>) -> tensor<3x5xui8>
  %add = graph.add %u, %u : (tensor<3x5xui8>, tensor<3x5xui8>) -> tensor<3x5xui8>
  // CHECK: graph.div %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  %div = graph.div %s, %s : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  // CHECK: graph.mod %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3x1xi64>, tensor<3x1xi64>) -> tensor<3x1xi64>
  %mod = graph.mod %l, %l : (tensor<3x1xi64>, tensor<3x1xi64>) -> tensor<3x1xi64>
  // CHECK: graph.mod %{{[^ ,]+}}, %{{[^ ,]+}} fmod : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  %fmod = graph.mod %s, %s fmod : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  // CHECK: graph.maximum %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3x5xui8>, tensor<3x5xui8>) -> tensor<3x5xui8>
  %max = graph.maximum %u, %u : (tensor<3x5xui8>, tensor<3x5xui8>) -> tensor<3x5xui8>
  // CHECK: graph.neg %{{[^ ,]+}} : tensor<5xi32>
  %neg = graph.neg %s : tensor<5xi32>
  // CHECK: graph.abs %{{[^ ,]+}} : tensor<3x5xui8>
  %abs = graph.abs %u : tensor<3x5xui8>
  // CHECK: graph.sign %{{[^ ,]+}} : tensor<3x1xi64>
  %sign = graph.sign %l : tensor<3x1xi64>
  // CHECK: graph.cast %{{[^ ,]+}} : (tensor<3x5xui8>) -> tensor<3x5xf32>
  %cast = graph.cast %u : (tensor<3x5xui8>) -> tensor<3x5xf32>
  func.return
}

// CHECK-LABEL: func.func @comparisons
func.func @comparisons(%x: tensor<4x1xf32>, %y: tensor<3xf32>, %u: tensor<3xui16>, %b: tensor<4x3xi1>) {
  // CHECK: graph.compare "lt", %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  %lt = graph.compare "lt", %x, %y : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  // CHECK: graph.compare "ne", %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xi1>
  %ne = graph.compare "ne", %u, %u : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xi1>
  // CHECK: graph.select %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<4x3xi1>, tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %select = graph.select %b, %x, %y : (tensor<4x3xi1>, tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: graph.and %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<4x3xi1>, tensor<4x3xi1>) -> tensor<4x3xi1>
  %and = graph.and %b, %lt : (tensor<4x3xi1>, tensor<4x3xi1>) -> tensor<4x3xi1>
  // CHECK: graph.or %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3xi1>, tensor<4x3xi1>) -> tensor<4x3xi1>
  %or = graph.or %ne, %b : (tensor<3xi1>, tensor<4x3xi1>) -> tensor<4x3xi1>
  // CHECK: graph.xor %{{[^ ,]+}}, %{{[^ ,]+}} : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  %xor = graph.xor %u, %u : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  // CHECK: graph.not %{{[^ ,]+}} : tensor<4x3xi1>
  %not = graph.not %b : tensor<4x3xi1>
  func.return
}
