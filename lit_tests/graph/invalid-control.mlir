// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @condition_type(%c: tensor<2xi1>, %x: tensor<4xf32>) {
  // expected-error@+1 {{a condition is one i1 element, got tensor<2xi1>}}
  %r = graph.if %c : tensor<2xi1> -> (tensor<4xf32>) {
    graph.yield %x : tensor<4xf32>
  } else {
    graph.yield %x : tensor<4xf32>
  }
  func.return
}

// -----

func.func @branch_types(%c: tensor<i1>, %x: tensor<4xf32>, %y: tensor<5xf32>) {
  // expected-error@+1 {{the else branch yields tensor<5xf32>, the results are tensor<4xf32>}}
  %r = graph.if %c : tensor<i1> -> (tensor<4xf32>) {
    graph.yield %x : tensor<4xf32>
  } else {
    graph.yield %y : tensor<5xf32>
  }
  func.return
}

// -----

func.func @never_runs(%x: tensor<4xf32>) {
  // expected-error@+1 {{graph.loop runs at least once, not 0 times}}
  %h = graph.loop 0 (%x) : (tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%i: tensor<i64>, %h0: tensor<4xf32>):
    graph.yield %h0 : tensor<4xf32>
  }
  func.return
}

// -----

func.func @body_arguments(%x: tensor<4xf32>) {
  // expected-error@+1 {{the body takes the iteration number (tensor<i64>) and the carried values (tensor<4xf32>), not tensor<4xf32>}}
  %h = graph.loop 2 (%x) : (tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%h0: tensor<4xf32>):
    graph.yield %h0 : tensor<4xf32>
  }
  func.return
}

// -----

func.func @carried_type(%x: tensor<4xf32>, %y: tensor<5xf32>) {
  // expected-error@+1 {{the body yields tensor<5xf32>; its first values are the carried ones (tensor<4xf32>)}}
  %h = graph.loop 2 (%x) : (tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%i: tensor<i64>, %h0: tensor<4xf32>):
    graph.yield %y : tensor<5xf32>
  }
  func.return
}

// -----

func.func @stacked_type(%x: tensor<4xf32>) {
  // expected-error@+1 {{graph.loop should give tensor<4xf32>, tensor<2x4xf32>, not tensor<4xf32>, tensor<4xf32>}}
  %h, %s = graph.loop 2 (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%i: tensor<i64>, %h0: tensor<4xf32>):
    graph.yield %h0, %h0 : tensor<4xf32>, tensor<4xf32>
  }
  func.return
}

// -----

func.func @yield_parent(%x: tensor<4xf32>) {
  // expected-error@+1 {{'graph.yield' expects parent op to be one of 'graph.if', 'graph.loop'}}
  graph.yield %x : tensor<4xf32>
}
