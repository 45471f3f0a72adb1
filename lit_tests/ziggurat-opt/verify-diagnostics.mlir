// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics
// RUN: not ziggurat-opt %s --split-input-file 2>&1 | filecheck %s

// Without --verify-diagnostics each error is printed at its place with the source line.

func.func @axes_rank(%X: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // CHECK: verify-diagnostics.mlir:[[# @LINE + 4]]:8: error: te.compute has 1 axes but its output has rank 2
  // CHECK-NEXT: {{^}}  %Y = te.compute "f"
  // CHECK-NEXT: {{^}}       ^
  // expected-error@+1 {{has 1 axes but its output has rank 2}}
  %Y = te.compute "f" (%X) axes ["i"] : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%i: index):
    %c = arith.constant 0.000000e+00 : f32
    te.yield %c : f32
  }
  func.return %Y : tensor<4x4xf32>
}

// -----

func.func @unroll(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
  // CHECK: verify-diagnostics.mlir:[[# @LINE + 2]]:26: error: unroll factor must be positive, got 0
  // expected-error@+1 {{unroll factor must be positive}}
  } {loop.annotations = [#loop.unroll<0>]}
  func.return
}

// -----

// The same-line, @above and @below forms.
func.func @placements(%x: f32) {
  te.yield %x : f32  // expected-error {{expects parent op 'te.compute'}}
}

// -----

func.func @above(%x: f32) {
  te.yield %x : f32
  // expected-error@above {{expects parent op 'te.compute'}}
}

// -----

func.func @below(%x: f32) {
  // expected-error@below {{expects parent op 'te.compute'}}
  te.yield %x : f32
}
