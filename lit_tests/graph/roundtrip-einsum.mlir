// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @einsum
func.func @einsum(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>, %s: tensor<f64>) {
  // CHECK: graph.einsum %{{[^ ,]+}}, %{{[^ ,]+}} equation "bij, bjk -> bik" : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  %y = graph.einsum %a, %b equation "bij, bjk -> bik" : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  // CHECK: graph.einsum %{{[^ ,]+}} equation "->" : (tensor<f64>) -> tensor<f64>
  %z = graph.einsum %s equation "->" : (tensor<f64>) -> tensor<f64>
  func.return
}
