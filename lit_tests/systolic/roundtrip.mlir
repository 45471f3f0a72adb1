// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @blocks
// CHECK-NEXT: systolic.array size 8 {
// CHECK-NEXT: systolic.weights %{{.*}}[0] strides [16, 1] : memref<16x16xi8>
// CHECK-NEXT: systolic.stream %{{.*}}[0] strides [16, 1] rows 32 into %{{.*}}[0] strides [16, 1] : memref<32x16xi8>, memref<32x16xi32>
// CHECK-NEXT: systolic.weights %{{.*}}[128] strides [16, 1] : memref<16x16xi8>
// CHECK-NEXT: systolic.stream %{{.*}}[8] strides [16, 1] rows 32 into %{{.*}}[0] strides [16, 1] accumulate : memref<32x16xi8>, memref<32x16xi32>
func.func @blocks(%A: memref<32x16xi8>, %B: memref<16x16xi8>, %C: memref<32x16xi32>) {
  systolic.array size 8 {
    systolic.weights %B[0] strides [16, 1] : memref<16x16xi8>
    systolic.stream %A[0] strides [16, 1] rows 32 into %C[0] strides [16, 1] : memref<32x16xi8>, memref<32x16xi32>
    systolic.weights %B[128] strides [16, 1] : memref<16x16xi8>
    systolic.stream %A[8] strides [16, 1] rows 32 into %C[0] strides [16, 1] accumulate : memref<32x16xi8>, memref<32x16xi32>
  }
  func.return
}
