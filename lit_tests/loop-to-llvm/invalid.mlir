// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics -p loop-to-llvm

func.func @alloc() {
  // expected-error@+1 {{loop-to-llvm cannot lower 'memref.alloc' (the target's lowering pipeline lowers it first)}}
  %t = memref.alloc() : memref<8xf32>
  func.return
}

// -----

func.func @erf(%x: f32) -> f32 {
  // expected-error@+1 {{loop-to-llvm cannot lower 'math.erf' (the target's lowering pipeline lowers it first)}}
  %y = math.erf %x : f32
  func.return %y : f32
}

// -----

func.func @unknown() {
  // expected-error@+1 {{loop-to-llvm cannot lower 'test.op'}}
  "test.op"() : () -> ()
  func.return
}

// -----

func.func @reduce(%n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error@+1 {{scf.parallel with reductions is not supported}}
  %r = "scf.parallel"(%c0, %n, %c1, %zero) <{operandSegmentSizes = array<i32: 1, 1, 1, 1>}> ({
  ^bb0(%i: index):
    %one = arith.constant 1.0 : f32
    "scf.reduce"(%one) ({
    ^bb1(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      "scf.reduce.return"(%s) : (f32) -> ()
    }) : (f32) -> ()
  }) : (index, index, index, f32) -> f32
  func.return %r : f32
}

// -----

func.func @matrix(%A: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  // expected-error@+1 {{'vector.load' is lowered for 1-D vectors only, got vector<2x4xf32>}}
  %v = vector.load %A[%c0, %c0] : memref<4x4xf32>, vector<2x4xf32>
  vector.store %v, %A[%c2, %c0] : memref<4x4xf32>, vector<2x4xf32>
  func.return
}
