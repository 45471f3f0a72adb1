// RUN: ziggurat-opt %s -p te-to-loop --split-input-file --verify-diagnostics

func.func @unknown_tensor_op(%X: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{te-to-loop cannot lower 'arith.addf'}}
  %Y = arith.addf %X, %X : tensor<4xf32>
  func.return %Y : tensor<4xf32>
}

// -----

// expected-error@+1 {{te-to-loop needs static result shapes}}
func.func @dynamic(%X: tensor<?xf32>) -> tensor<?xf32> {
  func.return %X : tensor<?xf32>
}

// -----

func.func @tensor_in_body(%X: tensor<4xf32>) -> tensor<4xf32> {
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    // expected-error@+1 {{te-to-loop cannot lower 'tensor.empty' on tensors inside a te.compute}}
    %t = tensor.empty() : tensor<4xf32>
    %x = te.read %X[%i] : tensor<4xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<4xf32>
}
