// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// An integer matmul widens its int8 operands to int32 (zero points subtracted after) and
// sums their products from 0.

// CHECK-LABEL: func.func @matmul_integer
func.func @matmul_integer(%a: tensor<4x32xi8>, %b: tensor<32x16xi8>) -> tensor<4x16xi32> {
  // CHECK: te.compute "matmul" (%{{.*}}, %{{.*}}) axes ["i", "j"] reduce sum ["k" = 32] init 0 : i32
  // CHECK: %[[A:.*]] = te.read
  // CHECK-NEXT: %[[B:.*]] = te.read
  // CHECK-NEXT: %[[WA:.*]] = arith.extsi %[[A]] : i8 to i32
  // CHECK-NEXT: %[[WB:.*]] = arith.extsi %[[B]] : i8 to i32
  // CHECK-NEXT: %[[ZB:.*]] = arith.constant -1 : i32
  // CHECK-NEXT: %[[SB:.*]] = arith.subi %[[WB]], %[[ZB]] : i32
  // CHECK-NEXT: %[[P:.*]] = arith.muli %[[WA]], %[[SB]] : i32
  // CHECK-NEXT: te.yield %[[P]] : i32
  %m = graph.matmul_integer %a, %b zero_points [0, -1] : (tensor<4x32xi8>, tensor<32x16xi8>) -> tensor<4x16xi32>
  func.return %m : tensor<4x16xi32>
}

// A padded input reads its zero point outside the image; the bias is its own compute.

// CHECK-LABEL: func.func @conv_integer
func.func @conv_integer(%x: tensor<1x16x8x8xi8>, %w: tensor<16x16x3x3xi8>, %bias: tensor<16xi32>) -> tensor<1x16x8x8xi32> {
  // CHECK: te.compute "conv2d" {{.*}} reduce sum ["rc" = 16, "ry" = 3, "rx" = 3] init 0 : i32
  // CHECK: %[[PAD:.*]] = arith.constant 2 : i8
  // CHECK: arith.select %{{.*}}, %{{.*}}, %[[PAD]] : i8
  // CHECK: te.compute "bias_add"
  // CHECK: arith.addi %{{.*}}, %{{.*}} : i32
  %c = graph.conv_integer %x, %w, %bias padding [1, 1, 1, 1] zero_points [2, 0] : (tensor<1x16x8x8xi8>, tensor<16x16x3x3xi8>, tensor<16xi32>) -> tensor<1x16x8x8xi32>
  func.return %c : tensor<1x16x8x8xi32>
}

// A scale of 2^-8 is a rounding shift by 8 in integers (half to even), then the zero point
// and the int8 range.

// CHECK-LABEL: func.func @requantize_shift
func.func @requantize_shift(%x: tensor<4x16xi32>) -> tensor<4x16xi8> {
  // CHECK: %[[V:.*]] = te.read
  // CHECK-NEXT: %[[S:.*]] = arith.constant 8 : i32
  // CHECK-NEXT: %[[Q:.*]] = arith.shrsi %[[V]], %[[S]] : i32
  // CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : i32
  // CHECK-NEXT: %[[ODD:.*]] = arith.andi %[[Q]], %[[ONE]] : i32
  // CHECK-NEXT: %[[HALF:.*]] = arith.constant 127 : i32
  // CHECK-NEXT: %[[B:.*]] = arith.addi %[[V]], %[[HALF]] : i32
  // CHECK-NEXT: %[[C:.*]] = arith.addi %[[B]], %[[ODD]] : i32
  // CHECK-NEXT: %[[R:.*]] = arith.shrsi %[[C]], %[[S]] : i32
  // CHECK-NEXT: %[[Z:.*]] = arith.constant 3 : i32
  // CHECK-NEXT: %[[Y:.*]] = arith.addi %[[R]], %[[Z]] : i32
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK: arith.trunci %{{.*}} : i32 to i8
  %y = graph.requantize %x scale [3.906250e-03] zero_point 3 : (tensor<4x16xi32>) -> tensor<4x16xi8>
  func.return %y : tensor<4x16xi8>
}

// Any other scale multiplies in float32 and rounds half to even.

// CHECK-LABEL: func.func @requantize_float
func.func @requantize_float(%x: tensor<4x16xi32>) -> tensor<4x16xi8> {
  // CHECK: arith.sitofp %{{.*}} : i32 to f32
  // CHECK: arith.mulf
  // CHECK: math.roundeven
  // CHECK: arith.fptosi %{{.*}} : f32 to i32
  %y = graph.requantize %x scale [0.3] : (tensor<4x16xi32>) -> tensor<4x16xi8>
  func.return %y : tensor<4x16xi8>
}
