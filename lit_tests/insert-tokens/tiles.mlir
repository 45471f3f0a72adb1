// RUN: ziggurat-opt %s -p insert-tokens | filecheck %s

// Two virtual threads' tiles, each loaded, multiplied, stored, in disjoint halves of the
// buffers: load pushes to compute after each thread's load and compute pops before that
// thread's gemm (data ready); compute pushes to store after each gemm and store pops
// before the store (result ready); the second round's load into thread 0's half waits for
// thread 0's gemm to be done with it (compute->load), and its reset of the accumulator
// for thread 0's store to have read it (store->compute). Nothing orders the threads.

// CHECK-LABEL: func.func @tiles
// CHECK: %[[ACC:.*]] = accel.buffer : !accel.buffer<accumulator, 1024, i32>
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] = 0
// CHECK-NEXT: accel.gemm %[[ACC]][512 | 1] = 0
// CHECK-NEXT: accel.load %{{.*}}[0] sizes [16, 16] strides [16, 1] into %{{.*}}[0]
// CHECK-NEXT: accel.push load to compute
// CHECK-NEXT: accel.load %{{.*}}[0] sizes [16, 16] strides [16, 1] into %{{.*}}[256]
// CHECK-NEXT: accel.push load to compute
// CHECK-NEXT: accel.pop compute from load
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] +=
// CHECK-NEXT: accel.push compute to store
// CHECK-NEXT: accel.push compute to load
// CHECK-NEXT: accel.pop compute from load
// CHECK-NEXT: accel.gemm %[[ACC]][512 | 1] +=
// CHECK-NEXT: accel.push compute to store
// CHECK-NEXT: accel.pop store from compute
// CHECK-NEXT: accel.store %[[ACC]][0]
// CHECK-NEXT: accel.push store to compute
// CHECK-NEXT: accel.pop store from compute
// CHECK-NEXT: accel.store %[[ACC]][512]
// CHECK-NEXT: accel.pop load from compute
// CHECK-NEXT: accel.load %{{.*}}[0] sizes [16, 16] strides [16, 1] into %{{.*}}[0]
// CHECK-NEXT: accel.push load to compute
// CHECK-NEXT: accel.pop compute from store
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] = 0
// CHECK-NEXT: accel.pop compute from load
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] +=
// CHECK-NEXT: }
func.func @tiles(%A: memref<16x16xi8>, %C: memref<32x16xi8>) {
  accel.program tile 16 {
    %inp = accel.buffer : !accel.buffer<input, 512, i8>
    %wgt = accel.buffer : !accel.buffer<weight, 256, i8>
    %acc = accel.buffer : !accel.buffer<accumulator, 1024, i32>
    accel.gemm %acc[0 | 1] = 0 loops [16 x (16)] : !accel.buffer<accumulator, 1024, i32>
    accel.gemm %acc[512 | 1] = 0 loops [16 x (16)] : !accel.buffer<accumulator, 1024, i32>
    accel.load %A[0] sizes [16, 16] strides [16, 1] into %inp[0] : memref<16x16xi8>, !accel.buffer<input, 512, i8>
    accel.load %A[0] sizes [16, 16] strides [16, 1] into %inp[256] : memref<16x16xi8>, !accel.buffer<input, 512, i8>
    accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 16, 1] loops [16 x (16, 16, 0)] : !accel.buffer<accumulator, 1024, i32>, !accel.buffer<input, 512, i8>, !accel.buffer<weight, 256, i8>
    accel.gemm %acc[512 | 1] += %inp[256 | 1] * %wgt[0 | 16, 1] loops [16 x (16, 16, 0)] : !accel.buffer<accumulator, 1024, i32>, !accel.buffer<input, 512, i8>, !accel.buffer<weight, 256, i8>
    accel.store %acc[0] sizes [256] into %C[0] strides [1] : !accel.buffer<accumulator, 1024, i32>, memref<32x16xi8>
    accel.store %acc[512] sizes [256] into %C[256] strides [1] : !accel.buffer<accumulator, 1024, i32>, memref<32x16xi8>
    accel.load %A[0] sizes [16, 16] strides [16, 1] into %inp[0] : memref<16x16xi8>, !accel.buffer<input, 512, i8>
    accel.gemm %acc[0 | 1] = 0 loops [16 x (16)] : !accel.buffer<accumulator, 1024, i32>
    accel.gemm %acc[0 | 1] += %inp[0 | 1] * %wgt[0 | 16, 1] loops [16 x (16, 16, 0)] : !accel.buffer<accumulator, 1024, i32>, !accel.buffer<input, 512, i8>, !accel.buffer<weight, 256, i8>
  }
  func.return
}
