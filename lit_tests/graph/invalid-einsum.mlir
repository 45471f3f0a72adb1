// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @einsum_operands(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{equation 'ij,jk->ik' has 2 operands, not 1}}
  %y = graph.einsum %a equation "ij,jk->ik" : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @einsum_rank(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{term 'ijk' of equation 'ijk->i' does not fit an operand of rank 2}}
  %y = graph.einsum %a equation "ijk->i" : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @einsum_extents(%a: tensor<3x4xf32>, %b: tensor<5x2xf32>) {
  // expected-error@+1 {{'j' has extents 4 and 5}}
  %y = graph.einsum %a, %b equation "ij,jk->ik" : (tensor<3x4xf32>, tensor<5x2xf32>) -> tensor<3x2xf32>
  func.return
}

// -----

func.func @einsum_output(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{equation 'ij->iz': output letters repeat or are unknown}}
  %y = graph.einsum %a equation "ij->iz" : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @einsum_malformed(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{equation 'i1->i' is malformed}}
  %y = graph.einsum %a equation "i1->i" : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}
