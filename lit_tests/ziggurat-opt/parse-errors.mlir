// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

// Mistakes that xDSL's parser met with a Python exception, each a located error here.

// expected-error@+1 {{wrong number of parameters for type '!transform.param'}}
"test.op"() : () -> !transform.param

// -----

func.func @reduce(%v: vector<4xf32>, %s: f32) -> f32 {
  // expected-error@+1 {{'maxx' is not a valid CombiningKindFlag}}
  %m = vector.reduction <maxx>, %v, %s : vector<4xf32> into f32
  func.return %m : f32
}

// -----

// A symbol name must be UTF-8.
// expected-error@+1 {{'utf-8' codec can't decode byte 0xff}}
func.func @"\ff"() {
  func.return
}

// -----

// A value still awaited when the parse stops elsewhere is not the error.
func.func @awaited(%a: index) {
  %b = arith.addi %a, %later : index
  // expected-error@+1 {{unknown operation 'arith.zz'}}
  arith.zz
}

// -----

// expected-error@+1 {{number out of range in attribute 'dense'}}
%big = arith.constant dense<1.0e39> : tensor<2xf32>

// -----

// expected-error@+1 {{malformed attribute 'dense'}}
%complex = arith.constant dense<(1.0, 2.0, 3.0)> : tensor<1xcomplex<f32>>

// -----

// expected-error@+1 {{Multiplication with non-constant (semi-affine) is not supported}}
"test.op"() {map = affine_map<(d0)[s0] -> (d0 * s0)>} : () -> ()

// -----

func.func @pad(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{number out of range in operation}}
  %y = graph.pad %x pads [0, 99999999999999999999] value 0.0 : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
