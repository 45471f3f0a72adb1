// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// graph.rnn, graph.gru and graph.lstm name their optional inputs, spell out every
// activation with its alpha and beta, and print clip and their flags only when set.

// CHECK-LABEL: func.func @networks
func.func @networks(%x: tensor<5x3x2xf32>, %w: tensor<1x7x2xf32>, %r: tensor<1x7x7xf32>,
                    %gw: tensor<2x21x2xf32>, %gr: tensor<2x21x7xf32>, %gb: tensor<2x42xf32>,
                    %lw: tensor<1x28x2xf32>, %lr: tensor<1x28x7xf32>, %lens: tensor<3xi32>,
                    %h0: tensor<1x3x7xf32>, %p: tensor<1x21xf32>) {
  // CHECK: graph.rnn %{{.*}}, %{{.*}}, %{{.*}} direction "reverse" activations ["Relu"] alpha array<f32: 0.000000e+00> beta array<f32: 0.000000e+00> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  %y, %yh = graph.rnn %x, %w, %r direction "reverse" activations ["Relu"] alpha array<f32: 0.0> beta array<f32: 0.0> : (tensor<5x3x2xf32>, tensor<1x7x2xf32>, tensor<1x7x7xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>)
  // CHECK: graph.gru %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} direction "bidirectional" activations ["Sigmoid", "Tanh", "HardSigmoid", "Elu"] alpha array<f32: 0.000000e+00, 0.000000e+00, 2.000000e-01, 1.000000e+00> beta array<f32: 0.000000e+00, 0.000000e+00, 5.000000e-01, 0.000000e+00> clip 2.5 linear_before_reset :
  %gy, %gyh = graph.gru %x, %gw, %gr bias %gb direction "bidirectional" activations ["Sigmoid", "Tanh", "HardSigmoid", "Elu"] alpha array<f32: 0.0, 0.0, 0.2, 1.0> beta array<f32: 0.0, 0.0, 0.5, 0.0> clip 2.5 linear_before_reset : (tensor<5x3x2xf32>, tensor<2x21x2xf32>, tensor<2x21x7xf32>, tensor<2x42xf32>) -> (tensor<5x2x3x7xf32>, tensor<2x3x7xf32>)
  // CHECK: graph.lstm %{{.*}}, %{{.*}}, %{{.*}} sequence_lens %{{.*}} initial_h %{{.*}} initial_c %{{.*}} peepholes %{{.*}} direction "forward" activations ["Sigmoid", "Tanh", "Tanh"] {{.*}} input_forget :
  %ly, %lyh, %lyc = graph.lstm %x, %lw, %lr sequence_lens %lens initial_h %h0 initial_c %h0 peepholes %p direction "forward" activations ["Sigmoid", "Tanh", "Tanh"] alpha array<f32: 0.0, 0.0, 0.0> beta array<f32: 0.0, 0.0, 0.0> input_forget : (tensor<5x3x2xf32>, tensor<1x28x2xf32>, tensor<1x28x7xf32>, tensor<3xi32>, tensor<1x3x7xf32>, tensor<1x3x7xf32>, tensor<1x21xf32>) -> (tensor<5x1x3x7xf32>, tensor<1x3x7xf32>, tensor<1x3x7xf32>)
  func.return
}
