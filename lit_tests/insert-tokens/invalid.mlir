// RUN: ziggurat-opt %s -p insert-tokens --verify-diagnostics

// A program that has tokens already: they are the pass's to place.
func.func @twice(%A: memref<16x16xi8>) {
  // expected-error@+1 {{insert-tokens needs a program without tokens}}
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 512, i8>
    accel.load %A[0] sizes [16, 16] strides [16, 1] into %inp[0] : memref<16x16xi8>, !accel.buffer<input, 512, i8>
    accel.push load to compute
    accel.pop compute from load
  }
  func.return
}
