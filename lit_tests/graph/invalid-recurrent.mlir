// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @direction(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>) {
  // expected-error@+1 {{direction must be one of forward, reverse, bidirectional, not 'sideways'}}
  %y, %yh = graph.rnn %x, %w, %r direction "sideways" activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  func.return
}

// -----

func.func @activation_count(%x: tensor<5x3x2xf32>, %w: tensor<2x7x2xf32>, %r: tensor<2x7x7xf32>) {
  // expected-error@+1 {{graph.rnn bidirectional needs 2 activations}}
  %y, %yh = graph.rnn %x, %w, %r direction "bidirectional" activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<2x7x2xf32>, tensor<2x7x7xf32>) -> (tensor<5x2x3x7xf32>, tensor<2x3x7xf32>)
  func.return
}

// -----

func.func @activation_name(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>) {
  // expected-error@+1 {{unknown activation 'Gelu'}}
  %y, %yh = graph.rnn %x, %w, %r direction "forward" activations ["Gelu"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  func.return
}

// -----

func.func @alphas(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>) {
  // expected-error@+1 {{activation_alpha needs one value per activation (1)}}
  %y, %yh = graph.rnn %x, %w, %r direction "forward" activations ["Tanh"] alpha array<f32: 0.0, 1.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  func.return
}

// -----

func.func @gates(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>) {
  // expected-error@+1 {{W should be tensor<1x28x2xf32>, not tensor<1x7x2xf32>}}
  %y, %yh, %yc = graph.lstm %x, %w, %r direction "forward" activations ["Sigmoid", "Tanh", "Tanh"] alpha array<f32: 0.0, 0.0, 0.0> beta array<f32: 0.0, 0.0, 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>, tensor<1x3x7xf32>)
  func.return
}

// -----

func.func @lengths(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>, %s: tensor<3xf32>) {
  // expected-error@+1 {{sequence_lens should be 3 i32 or i64, not tensor<3xf32>}}
  %y, %yh = graph.rnn %x, %w, %r sequence_lens %s direction "forward" activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>, tensor<3xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  func.return
}

// -----

func.func @results(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>) {
  // expected-error@+1 {{graph.rnn should give tensor<5x1x3x7xf32>, tensor<1x3x7xf32>, not tensor<5x3x7xf32>, tensor<1x3x7xf32>}}
  %y, %yh = graph.rnn %x, %w, %r direction "forward" activations ["Tanh"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x3x7xf32>, tensor<1x3x7xf32>)
  func.return
}
