// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    // expected-error@+1 {{a block of 2048 threads (64 x 32 x 1), more than the 1024 a block may have}}
    gpu.func @k() kernel attributes {gpu.known_block_size = array<i32: 64, 32, 1>} {
      gpu.return
    }
  }
}

// -----

builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k() kernel attributes {gpu.known_block_size = array<i32: 128, 1, 1>} {
      gpu.return
    }
  }
  func.func @main() {
    %c1 = arith.constant 1 : index
    %c256 = arith.constant 256 : index
    // expected-error@+1 {{kernel 'k' runs in blocks of (128, 1, 1) threads, but the launch gives blocks of (256, 1, 1)}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1)
    func.return
  }
}

// -----

builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%A: memref<16xf32>) kernel {
      gpu.return
    }
  }
  func.func @main(%A: memref<8xf32>) {
    %c1 = arith.constant 1 : index
    // expected-error@+1 {{kernel 'k' takes (memref<16xf32>), but the launch passes (memref<8xf32>)}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%A : memref<8xf32>)
    func.return
  }
}

// -----

builtin.module attributes {gpu.container_module} {
  func.func @main() {
    %c1 = arith.constant 1 : index
    %c2048 = arith.constant 2048 : index
    // expected-error@+1 {{a block of 2048 threads (2048 x 1 x 1), more than the 1024 a block may have}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c2048, %c1, %c1)
    func.return
  }
}

// -----

builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k() {
      gpu.return
    }
  }
  func.func @main() {
    %c1 = arith.constant 1 : index
    // expected-error@+1 {{'@kernels::@k' is not a gpu.func marked kernel}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    func.return
  }
}

// -----

// expected-error@+1 {{expected dimension x, y or z, got 'w'}}
%t = gpu.thread_id w

// -----

func.func @too_few_registers(%a: f16, %c: f32) {
  // expected-error@+1 {{an m16n8k16 mma takes 8, 4 and 4 registers of A, B and C a lane and gives 4 of D, not 4, 4, 4 and 4}}
  %d0, %d1, %d2, %d3 = gpu.mma_sync m16n8k16 (%a, %a, %a, %a) (%a, %a, %a, %a) (%c, %c, %c, %c) : f16, f32
  func.return
}

// -----

func.func @unknown_shape(%a: f16, %c: f32) {
  // expected-error@+1 {{no mma of shape m8n8k4: m16n8k16}}
  %d0, %d1, %d2, %d3 = gpu.mma_sync m8n8k4 (%a, %a, %a, %a, %a, %a, %a, %a) (%a, %a, %a, %a) (%c, %c, %c, %c) : f16, f32
  func.return
}
