// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @outside(%B: memref<16x16xi8>) {
  systolic.array size 8 {
    // expected-error@+1 {{'systolic.weights' reaches element 263 of a tensor of 256}}
    systolic.weights %B[144] strides [16, 1] : memref<16x16xi8>
  }
  func.return
}

// -----

func.func @types(%A: memref<32x16xi8>, %C: memref<32x16xi8>) {
  systolic.array size 8 {
    // expected-error@+1 {{'systolic.stream' needs i32 here, not i8}}
    systolic.stream %A[0] strides [16, 1] rows 32 into %C[0] strides [16, 1] : memref<32x16xi8>, memref<32x16xi8>
  }
  func.return
}
