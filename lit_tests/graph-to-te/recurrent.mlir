// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A recurrent network is the projection of the whole input sequence (one reduction before
// the time loop), a te.loop over the time steps carrying the states, whose body is the
// recurrence (a reduction over the previous hidden state) and the cell's elementwise
// computes, and the computes after it: the one placing each step's state in Y (a reversed
// direction, or sequences ending early) and those zeroing the final states of empty
// sequences. The code does not grow with the sequence length.

// CHECK-LABEL: func.func @lstm
func.func @lstm(%x: tensor<100x3x2xf32>, %w: tensor<1x28x2xf32>, %r: tensor<1x28x7xf32>, %lens: tensor<3xi32>) -> (tensor<100x1x3x7xf32>, tensor<1x3x7xf32>, tensor<1x3x7xf32>) {
  // CHECK: %[[P:.*]] = te.compute "rnn_input" (%{{.*}}, %{{.*}}) axes ["t", "d", "b", "g"] reduce sum ["k" = 2] {{.*}} -> tensor<100x1x3x28xf32>
  // CHECK: %[[H0:.*]] = arith.constant dense<0.000000e+00> : tensor<1x3x7xf32>
  // CHECK: %[[C0:.*]] = arith.constant dense<0.000000e+00> : tensor<1x3x7xf32>
  // CHECK: %[[H:.*]], %[[C:.*]], %[[STEPS:.*]] = te.loop 100 (%[[H0]], %[[C0]]) : (tensor<1x3x7xf32>, tensor<1x3x7xf32>) -> (tensor<1x3x7xf32>, tensor<1x3x7xf32>, tensor<100x1x3x7xf32>) {
  // CHECK-NEXT: ^{{.*}}(%[[T:.*]]: index, %[[HP:.*]]: tensor<1x3x7xf32>, %[[CP:.*]]: tensor<1x3x7xf32>):
  // CHECK-NEXT: %[[R:.*]] = te.compute "rnn_hidden" (%[[HP]], %{{.*}}) axes ["d", "b", "g"] reduce sum ["k" = 7]
  // CHECK: %[[CN:.*]] = te.compute "lstm_cell"
  // CHECK: te.read %[[P]][%[[T]], %{{.*}}, %{{.*}}, %{{.*}}]
  // CHECK: %[[HN:.*]] = te.compute "lstm_state"
  // CHECK: te.loop_yield %[[HN]], %[[CN]], %[[HN]]
  // CHECK-NEXT: }
  // CHECK: %[[Y:.*]] = te.compute "rnn_output" (%[[STEPS]], %{{.*}}) axes ["s", "d", "b", "j"]
  // CHECK: %[[YH:.*]] = te.compute "rnn_final" (%[[H]], %{{.*}})
  // CHECK: %[[YC:.*]] = te.compute "rnn_final" (%[[C]], %{{.*}})
  // CHECK: func.return %[[Y]], %[[YH]], %[[YC]]
  %y, %yh, %yc = graph.lstm %x, %w, %r sequence_lens %lens direction "forward" activations ["Sigmoid", "Tanh", "Tanh"] alpha array<f32: 0.0, 0.0, 0.0> beta array<f32: 0.0, 0.0, 0.0> : (tensor<100x3x2xf32>, tensor<1x28x2xf32>, tensor<1x28x7xf32>, tensor<3xi32>) -> (tensor<100x1x3x7xf32>, tensor<1x3x7xf32>, tensor<1x3x7xf32>)
  func.return %y, %yh, %yc : tensor<100x1x3x7xf32>, tensor<1x3x7xf32>, tensor<1x3x7xf32>
}

// A forward network over whole sequences stacks its states as Y: nothing follows the loop.

// CHECK-LABEL: func.func @rnn
func.func @rnn(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>) {
  // CHECK: %[[H:.*]], %[[STEPS:.*]] = te.loop 5
  // CHECK: te.compute "rnn_hidden"
  // CHECK: te.compute "rnn_state"
  // CHECK: te.loop_yield
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return %[[STEPS]], %[[H]]
  %y, %yh = graph.rnn %x, %w, %r direction "forward" activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  func.return %y, %yh : tensor<5x1x3x7xf32>, tensor<1x3x7xf32>
}

// A reversed direction reads time T - 1 - t at step t; a bidirectional network chooses by
// direction.

// CHECK-LABEL: func.func @bidirectional
func.func @bidirectional(%x: tensor<5x3x2xf32>, %w: tensor<2x7x2xf32>, %r: tensor<2x7x7xf32>) -> (tensor<5x2x3x7xf32>, tensor<2x3x7xf32>) {
  // CHECK: te.loop 5
  // CHECK: te.compute "rnn_state"
  // CHECK: %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
  // CHECK: %[[TIME:.*]] = arith.select %[[FIRST]], %{{.*}}, %{{.*}} : index
  // CHECK: te.read %{{.*}}[%[[TIME]], %{{.*}}, %{{.*}}, %{{.*}}] : tensor<5x2x3x7xf32>
  // CHECK: te.compute "rnn_output"
  %y, %yh = graph.rnn %x, %w, %r direction "bidirectional" activations ["Tanh", "Tanh"] alpha array<f32: 0.0, 0.0> beta array<f32: 0.0, 0.0> : (tensor<5x3x2xf32>, tensor<2x7x2xf32>, tensor<2x7x7xf32>) -> (tensor<5x2x3x7xf32>, tensor<2x3x7xf32>)
  func.return %y, %yh : tensor<5x2x3x7xf32>, tensor<2x3x7xf32>
}

// Without linear_before_reset, the reset gate scales the state before its recurrence: a
// second reduction in the step.

// CHECK-LABEL: func.func @gru
func.func @gru(%x: tensor<5x3x2xf32>, %w: tensor<1x21x2xf32>, %r: tensor<1x21x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>) {
  // CHECK: te.loop 5
  // CHECK: te.compute "rnn_hidden" {{.*}} -> tensor<1x3x14xf32>
  // CHECK: %[[RH:.*]] = te.compute "gru_reset"
  // CHECK: te.compute "rnn_hidden" (%[[RH]], %{{.*}}) {{.*}} -> tensor<1x3x7xf32>
  // CHECK: te.compute "gru_state"
  %y, %yh = graph.gru %x, %w, %r direction "forward" activations ["Sigmoid", "Tanh"] alpha array<f32: 0.0, 0.0> beta array<f32: 0.0, 0.0> : (tensor<5x3x2xf32>, tensor<1x21x2xf32>, tensor<1x21x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  func.return %y, %yh : tensor<5x1x3x7xf32>, tensor<1x3x7xf32>
}
