// RUN: ziggurat-opt %s --allow-unregistered-dialect -p graph-to-te --verify-diagnostics

// An op of the graph dialect that the pass does not know is named, at its location.

func.func @unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{graph-to-te cannot lower 'graph.frobnicate'}}
  %y = "graph.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
