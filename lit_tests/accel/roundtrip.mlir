// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// Every accel op prints in its custom syntax and reads back the same from its custom and
// generic forms.

// CHECK-LABEL: func.func @tiles
func.func @tiles(%A: memref<16x64xi8>, %B: memref<64x64xi8>, %bias: memref<64xi32>, %C: memref<16x64xi8>) {
  // CHECK: accel.program tile 16 {
  accel.program tile 16 {
    // CHECK-NEXT: %[[INP:.*]] = accel.buffer : !accel.buffer<input, 32768, i8>
    %inp = accel.buffer : !accel.buffer<input, 32768, i8>
    // CHECK-NEXT: %[[WGT:.*]] = accel.buffer : !accel.buffer<weight, 65536, i8>
    %wgt = accel.buffer : !accel.buffer<weight, 65536, i8>
    // CHECK-NEXT: %[[ACC:.*]] = accel.buffer : !accel.buffer<accumulator, 8192, i32>
    %acc = accel.buffer : !accel.buffer<accumulator, 8192, i32>
    // CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] = 0 loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
    accel.gemm %acc[0 | 1] = 0 loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
    // CHECK-NEXT: accel.load %{{.*}}[0] sizes [16, 64] strides [64, 1] pad [1, 0] [1, 0] into %[[INP]][0] : memref<16x64xi8>, !accel.buffer<input, 32768, i8>
    accel.load %A[0] sizes [16, 64] strides [64, 1] pad [1, 0] [1, 0] into %inp[0] : memref<16x64xi8>, !accel.buffer<input, 32768, i8>
    // CHECK-NEXT: accel.load %{{.*}}[0] sizes [64, 64] strides [1, 64] into %[[WGT]][0] : memref<64x64xi8>, !accel.buffer<weight, 65536, i8>
    accel.load %B[0] sizes [64, 64] strides [1, 64] into %wgt[0] : memref<64x64xi8>, !accel.buffer<weight, 65536, i8>
    // CHECK-NEXT: accel.load %{{.*}}[0] sizes [64] strides [1] into %[[ACC]][4096] : memref<64xi32>, !accel.buffer<accumulator, 8192, i32>
    accel.load %bias[0] sizes [64] strides [1] into %acc[4096] : memref<64xi32>, !accel.buffer<accumulator, 8192, i32>
    // CHECK-NEXT: accel.push load to compute
    accel.push load to compute
    // CHECK-NEXT: accel.pop compute from load
    accel.pop compute from load
    // CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] += %[[INP]][65 | 1] * %[[WGT]][0 | 1, 64] loops [16 x (64, 65, 0), 4 x (16, 0, 1024), 4 x (0, 16, 16)] : !accel.buffer<accumulator, 8192, i32>, !accel.buffer<input, 32768, i8>, !accel.buffer<weight, 65536, i8>
    accel.gemm %acc[0 | 1] += %inp[65 | 1] * %wgt[0 | 1, 64] loops [16 x (64, 65, 0), 4 x (16, 0, 1024), 4 x (0, 16, 16)] : !accel.buffer<accumulator, 8192, i32>, !accel.buffer<input, 32768, i8>, !accel.buffer<weight, 65536, i8>
    // CHECK-NEXT: accel.alu add %[[ACC]][0 | 1], %[[ACC]][4096 | 1] loops [16 x (64, 0), 4 x (16, 16)] : !accel.buffer<accumulator, 8192, i32>, !accel.buffer<accumulator, 8192, i32>
    accel.alu add %acc[0 | 1], %acc[4096 | 1] loops [16 x (64, 0), 4 x (16, 16)] : !accel.buffer<accumulator, 8192, i32>, !accel.buffer<accumulator, 8192, i32>
    // CHECK-NEXT: accel.alu shr %[[ACC]][0 | 1], 8 round loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
    accel.alu shr %acc[0 | 1], 8 round loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
    // CHECK-NEXT: accel.alu clip %[[ACC]][0 | 1], -128, 127 loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
    accel.alu clip %acc[0 | 1], -128, 127 loops [64 x (16)] : !accel.buffer<accumulator, 8192, i32>
    // CHECK-NEXT: accel.push compute to store
    accel.push compute to store
    // CHECK-NEXT: accel.pop store from compute
    accel.pop store from compute
    // CHECK-NEXT: accel.store %[[ACC]][0] sizes [16, 64] into %{{.*}}[0] strides [64, 1] : !accel.buffer<accumulator, 8192, i32>, memref<16x64xi8>
    accel.store %acc[0] sizes [16, 64] into %C[0] strides [64, 1] : !accel.buffer<accumulator, 8192, i32>, memref<16x64xi8>
  }
  func.return
}
