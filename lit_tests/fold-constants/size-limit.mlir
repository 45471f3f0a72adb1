// RUN: ziggurat-opt %s -p 'fold-constants{size_limit=16}' | filecheck %s

// A fold that would broadcast a small constant into a tensor larger than its operands and
// than the size limit is left to run time; one that does not grow the data is done at any
// size.

// CHECK-LABEL: func.func @broadcast
func.func @broadcast() -> tensor<8x8xf32> {
  // CHECK: graph.add
  %a = graph.constant dense<1.0> : tensor<8x1xf32>
  %b = graph.constant dense<2.0> : tensor<1x8xf32>
  %c = graph.add %a, %b : (tensor<8x1xf32>, tensor<1x8xf32>) -> tensor<8x8xf32>
  func.return %c : tensor<8x8xf32>
}

// CHECK-LABEL: func.func @same_size
func.func @same_size() -> tensor<8x8xf32> {
  // CHECK-NEXT: %[[C:.*]] = graph.constant dense<2.000000e+00> : tensor<8x8xf32>
  // CHECK-NEXT: func.return %[[C]]
  %a = graph.constant dense<4.0> : tensor<8x8xf32>
  %c = graph.sqrt %a : tensor<8x8xf32>
  func.return %c : tensor<8x8xf32>
}
