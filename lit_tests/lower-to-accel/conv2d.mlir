// RUN: ziggurat-opt %s -p 'fuse-ops,graph-to-te,te-inline,te-to-loop,apply-default-schedules{target="accel"},canonicalize,cse,lower-to-accel' | filecheck %s

// A 3x3 int8 convolution with a bias, requantized to int8, on the accelerator's default
// schedule: two virtual threads take 16 filters each. Each thread's input window is one
// DMA that pads the 9x9 image by a pixel on each side (`pad [1, 1, 0] [1, 1, 0]`); its
// weights are one DMA; its gemm runs the window's rows and columns and the tile's pixels;
// its bias is loaded into the accumulator beside the tile and the epilogue is ALU
// instructions (add the bias, a rounding shift, add the zero point, clip), then the store
// narrows the tile into the NCHW output.

// CHECK-LABEL: func.func private @fused_conv_integer_requantize
// CHECK-SAME: (%[[X:.*]]: memref<1x16x9x9xi8>, %[[W:.*]]: memref<32x16x3x3xi8>, %[[B:.*]]: memref<32xi32>, %[[OUT:.*]]: memref<1x32x9x9xi8> {ziggurat.output})
// CHECK-NEXT: accel.program tile 16 {
// CHECK-NEXT: %[[INP:.*]] = accel.buffer : !accel.buffer<input, 32768, i8>
// CHECK-NEXT: %[[WGT:.*]] = accel.buffer : !accel.buffer<weight, 262144, i8>
// CHECK-NEXT: %[[ACC:.*]] = accel.buffer : !accel.buffer<accumulator, 32768, i32>
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] = 0 loops [81 x (16)]
// CHECK-NEXT: accel.gemm %[[ACC]][16384 | 1] = 0 loops [81 x (16)]
// CHECK-NEXT: accel.load %[[W]][0] sizes [9, 256] strides [1, 9] into %[[WGT]][0]
// CHECK-NEXT: accel.load %[[X]][0] sizes [9, 9, 16] strides [9, 1, 81] pad [1, 1, 0] [1, 1, 0] into %[[INP]][0]
// CHECK-NEXT: accel.load %[[W]][2304] sizes [9, 256] strides [1, 9] into %[[WGT]][131072]
// CHECK-NEXT: accel.load %[[X]][0] sizes [9, 9, 16] strides [9, 1, 81] pad [1, 1, 0] [1, 1, 0] into %[[INP]][16384]
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] += %[[INP]][0 | 1] * %[[WGT]][0 | 1, 16] loops [3 x (0, 176, 768), 3 x (0, 16, 256), 9 x (144, 176, 0), 9 x (16, 16, 0)]
// CHECK-NEXT: accel.gemm %[[ACC]][16384 | 1] += %[[INP]][16384 | 1] * %[[WGT]][131072 | 1, 16]
// CHECK-NEXT: accel.load %[[B]][0] sizes [16] strides [1] into %[[ACC]][1296]
// CHECK-NEXT: accel.load %[[B]][16] sizes [16] strides [1] into %[[ACC]][17680]
// CHECK-NEXT: accel.alu add %[[ACC]][0 | 1], %[[ACC]][1296 | 1] loops [9 x (144, 0), 9 x (16, 0)]
// CHECK-NEXT: accel.alu shr %[[ACC]][0 | 1], 9 round loops [9 x (144), 9 x (16)]
// CHECK-NEXT: accel.alu add %[[ACC]][0 | 1], 3 loops [9 x (144), 9 x (16)]
// CHECK-NEXT: accel.alu clip %[[ACC]][0 | 1], -128, 127 loops [9 x (144), 9 x (16)]
// CHECK-NEXT: accel.alu add %[[ACC]][16384 | 1], %[[ACC]][17680 | 1]
// CHECK-NEXT: accel.alu shr %[[ACC]][16384 | 1], 9 round
// CHECK-NEXT: accel.alu add %[[ACC]][16384 | 1], 3
// CHECK-NEXT: accel.alu clip %[[ACC]][16384 | 1], -128, 127
// CHECK-NEXT: accel.store %[[ACC]][0] sizes [81, 16] into %[[OUT]][0] strides [1, 81]
// CHECK-NEXT: accel.store %[[ACC]][16384] sizes [81, 16] into %[[OUT]][1296] strides [1, 81]
// CHECK-NEXT: }
// CHECK-NEXT: func.return
func.func @main(%x: tensor<1x16x9x9xi8>, %w: tensor<32x16x3x3xi8>, %b: tensor<32xi32>) -> tensor<1x32x9x9xi8> {
  %p = graph.conv_integer %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] : (tensor<1x16x9x9xi8>, tensor<32x16x3x3xi8>, tensor<32xi32>) -> tensor<1x32x9x9xi32>
  %y = graph.requantize %p scale [1.953125e-03] zero_point 3 axis 1 : (tensor<1x32x9x9xi32>) -> tensor<1x32x9x9xi8>
  func.return %y : tensor<1x32x9x9xi8>
}
