// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @never_runs(%x: tensor<4xf32>) {
  // expected-error@+1 {{te.loop runs at least once, not 0 times}}
  %h = te.loop 0 (%x) : (tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%t: index, %h0: tensor<4xf32>):
    te.loop_yield %h0 : tensor<4xf32>
  }
  func.return
}

// -----

func.func @arguments(%x: tensor<4xf32>) {
  // expected-error@+1 {{the body of te.loop takes the iteration index and the carried values}}
  %h = te.loop 2 (%x) : (tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%h0: tensor<4xf32>):
    te.loop_yield %h0 : tensor<4xf32>
  }
  func.return
}

// -----

func.func @stacked(%x: tensor<4xf32>) {
  // expected-error@+1 {{te.loop yields its carried values first, and gives them and the other yielded values stacked}}
  %h, %s = te.loop 2 (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%t: index, %h0: tensor<4xf32>):
    te.loop_yield %h0, %h0 : tensor<4xf32>, tensor<4xf32>
  }
  func.return
}
