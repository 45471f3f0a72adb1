// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

// A pop with no push on its queue.
func.func @no_push(%A: memref<16x64xi8>) {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 32768, i8>
    accel.load %A[0] sizes [16, 64] strides [64, 1] into %inp[0] : memref<16x64xi8>, !accel.buffer<input, 32768, i8>
    // expected-error@+1 {{this pop is the 1st on load->compute, which has 0 push(es): no push can reach it}}
    accel.pop compute from load
  }
  func.return
}

// -----

// Each unit waits for the other: compute pops before it pushes, and so does load.
func.func @deadlock(%A: memref<16x64xi8>) {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 32768, i8>
    // expected-error@+1 {{the token program deadlocks: no push on compute->load can reach this pop (every unit waits: load at its instruction 0 ('accel.pop'), compute at its instruction 0 ('accel.pop'))}}
    accel.pop load from compute
    accel.load %A[0] sizes [16, 64] strides [64, 1] into %inp[0] : memref<16x64xi8>, !accel.buffer<input, 32768, i8>
    accel.push load to compute
    accel.pop compute from load
    accel.push compute to load
  }
  func.return
}

// -----

func.func @no_queue() {
  accel.program tile 16 {
    // expected-error@+1 {{there is no token queue load->store: the queues are load->compute, compute->load, compute->store, store->compute}}
    accel.push load to store
  }
  func.return
}

// -----

// A tile that does not fit its buffer.
func.func @outside(%A: memref<64x64xi8>) {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 2048, i8>
    // expected-error@+1 {{'accel.load' touches elements 1024 to 5119 of %inp input buffer, which holds 2048}}
    accel.load %A[0] sizes [64, 64] strides [64, 1] into %inp[1024] : memref<64x64xi8>, !accel.buffer<input, 2048, i8>
  }
  func.return
}

// -----

func.func @gemm_outside() {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 256, i8>
    %wgt = accel.buffer : !accel.buffer<weight, 256, i8>
    %acc = accel.buffer : !accel.buffer<accumulator, 256, i32>
    // expected-error@+1 {{'accel.gemm' touches elements 0 to 256 of %inp input buffer, which holds 256}}
    accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 16, 1] loops [16 x (16, 16, 0), 2 x (0, 1, 0)] : !accel.buffer<accumulator, 256, i32>, !accel.buffer<input, 256, i8>, !accel.buffer<weight, 256, i8>
  }
  func.return
}

// -----

// Widths: int32 values do not load into the int8 input buffer.
func.func @width(%bias: memref<64xi32>) {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 32768, i8>
    // expected-error@+1 {{'accel.load' copies i32 into a buffer of i8}}
    accel.load %bias[0] sizes [64] strides [1] into %inp[0] : memref<64xi32>, !accel.buffer<input, 32768, i8>
  }
  func.return
}

// -----

func.func @scope() {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 32768, i8>
    %wgt = accel.buffer : !accel.buffer<weight, 65536, i8>
    // expected-error@+1 {{'accel.gemm' accumulates in the accumulator buffer, not the input}}
    accel.gemm %inp[0 | 1] += %inp[0 | 1] * %wgt[0 | 16, 1] loops [1 x (0, 0, 0)] : !accel.buffer<input, 32768, i8>, !accel.buffer<input, 32768, i8>, !accel.buffer<weight, 65536, i8>
  }
  func.return
}

// -----

func.func @buffer_type() {
  accel.program tile 16 {
    // expected-error@+1 {{the weight buffer holds i8, not i32}}
    %wgt = accel.buffer : !accel.buffer<weight, 65536, i32>
  }
  func.return
}

// -----

func.func @alu() {
  accel.program tile 16 {
    %acc = accel.buffer : !accel.buffer<accumulator, 8192, i32>
    // expected-error@+1 {{'accel.alu clip' takes 2 immediate(s)}}
    accel.alu clip %acc[0 | 1], 127 loops [4 x (16)] : !accel.buffer<accumulator, 8192, i32>
  }
  func.return
}

// -----

func.func @dram(%A: memref<16x64xi8>) {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 32768, i8>
    // expected-error@+1 {{'accel.load' reaches elements 64 to 1087 of a tensor of 1024 elements}}
    accel.load %A[64] sizes [16, 64] strides [64, 1] into %inp[0] : memref<16x64xi8>, !accel.buffer<input, 32768, i8>
  }
  func.return
}
