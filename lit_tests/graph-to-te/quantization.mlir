// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Quantizing divides by the scale in the scale's type, rounds half to even, adds the zero
// point and saturates to the integer type, all in floating point, then converts.

// CHECK-LABEL: func.func @quantize_per_axis
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[S:.*]]: tensor<4xf32>, %[[Z:.*]]: tensor<4xi8>)
func.func @quantize_per_axis(%x: tensor<3x4xf32>, %s: tensor<4xf32>, %z: tensor<4xi8>) -> tensor<3x4xi8> {
  // CHECK: te.compute "quantize_linear" (%[[X]], %[[S]], %[[Z]]) axes ["i0", "i1"] : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xi8>) -> tensor<3x4xi8> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index):
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[A]], %[[B]]] : tensor<3x4xf32>
  // CHECK-NEXT: %[[SCALE:.*]] = te.read %[[S]][%[[B]]] : tensor<4xf32>
  // CHECK-NEXT: %[[Q:.*]] = arith.divf %[[V]], %[[SCALE]] : f32
  // CHECK-NEXT: %[[R:.*]] = math.roundeven %[[Q]] : f32
  // CHECK-NEXT: %[[ZERO:.*]] = te.read %[[Z]][%[[B]]] : tensor<4xi8>
  // CHECK-NEXT: %[[ZF:.*]] = arith.sitofp %[[ZERO]] : i8 to f32
  // CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[R]], %[[ZF]] : f32
  // CHECK-NEXT: %[[LOW:.*]] = arith.constant -1.280000e+02 : f32
  // CHECK-NEXT: %[[ABOVE:.*]] = arith.maximumf %[[SUM]], %[[LOW]] : f32
  // CHECK-NEXT: %[[HIGH:.*]] = arith.constant 1.270000e+02 : f32
  // CHECK-NEXT: %[[SATURATED:.*]] = arith.minimumf %[[ABOVE]], %[[HIGH]] : f32
  // CHECK-NEXT: %[[I:.*]] = arith.fptosi %[[SATURATED]] : f32 to i8
  // CHECK-NEXT: te.yield %[[I]] : i8
  %q = graph.quantize_linear %x, %s, %z axis 1 : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xi8>) -> tensor<3x4xi8>
  func.return %q : tensor<3x4xi8>
}

// Dequantizing subtracts the zero point in i32 (no 16-bit overflow), then multiplies by the
// scale of the element's block.

// CHECK-LABEL: func.func @dequantize_blocked
// CHECK-SAME: (%[[Q:.*]]: tensor<3x6xi16>, %[[S:.*]]: tensor<3x2xf32>, %[[Z:.*]]: tensor<3x2xi16>)
func.func @dequantize_blocked(%q: tensor<3x6xi16>, %s: tensor<3x2xf32>, %z: tensor<3x2xi16>) -> tensor<3x6xf32> {
  // CHECK: te.compute "dequantize_linear" (%[[Q]], %[[S]], %[[Z]]) axes ["i0", "i1"]
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index):
  // CHECK-NEXT: %[[THREE:.*]] = arith.constant 3 : index
  // CHECK-NEXT: %[[BLOCK:.*]] = arith.divui %[[B]], %[[THREE]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[Q]][%[[A]], %[[B]]] : tensor<3x6xi16>
  // CHECK-NEXT: %[[W:.*]] = arith.extsi %[[V]] : i16 to i32
  // CHECK-NEXT: %[[ZERO:.*]] = te.read %[[Z]][%[[A]], %[[BLOCK]]] : tensor<3x2xi16>
  // CHECK-NEXT: %[[ZW:.*]] = arith.extsi %[[ZERO]] : i16 to i32
  // CHECK-NEXT: %[[D:.*]] = arith.subi %[[W]], %[[ZW]] : i32
  // CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[D]] : i32 to f32
  // CHECK-NEXT: %[[SCALE:.*]] = te.read %[[S]][%[[A]], %[[BLOCK]]] : tensor<3x2xf32>
  // CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[F]], %[[SCALE]] : f32
  // CHECK-NEXT: te.yield %[[Y]] : f32
  %x = graph.dequantize_linear %q, %s, %z axis 1 block_size 3 : (tensor<3x6xi16>, tensor<3x2xf32>, tensor<3x2xi16>) -> tensor<3x6xf32>
  func.return %x : tensor<3x6xf32>
}

// An int32 (a bias) is dequantized in i64 and has no zero point.

// CHECK-LABEL: func.func @dequantize_int32
func.func @dequantize_int32(%q: tensor<5xi32>, %s: tensor<f32>) -> tensor<5xf32> {
  // CHECK: %[[W:.*]] = arith.extsi %{{.*}} : i32 to i64
  // CHECK-NEXT: arith.sitofp %[[W]] : i64 to f32
  %x = graph.dequantize_linear %q, %s : (tensor<5xi32>, tensor<f32>) -> tensor<5xf32>
  func.return %x : tensor<5xf32>
}
