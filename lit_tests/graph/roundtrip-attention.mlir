// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @masked_softmax
func.func @masked_softmax(%x: tensor<2x4x6xf32>) {
  // CHECK: graph.masked_softmax %{{[^ ,]+}} axis -1 : tensor<2x4x6xf32>
  %y = graph.masked_softmax %x axis -1 : tensor<2x4x6xf32>
  func.return
}
