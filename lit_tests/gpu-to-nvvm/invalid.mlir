// RUN: ziggurat-opt %s -p gpu-to-nvvm --split-input-file --verify-diagnostics

builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%A: memref<32xf32>) kernel {
      %t = gpu.thread_id x
      %a = memref.load %A[%t] : memref<32xf32>
      // expected-error@+1 {{'math.exp' has no NVPTX lowering: expand it first (expand-gpu-math, expand-math)}}
      %e = math.exp %a : f32
      memref.store %e, %A[%t] : memref<32xf32>
      gpu.return
    }
  }
}

// -----

builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k() kernel {
      // expected-error@+1 {{a kernel cannot allocate global memory: allocate the buffer on the host, outside the loop nest}}
      %g = memref.alloc() : memref<32xf32>
      gpu.return
    }
  }
}
