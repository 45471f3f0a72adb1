// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Which input positions each output position reads, and with what weights, is computed at
// compile time into constant tables, one per resized axis (an axis left as it is has
// none). Nearest reads one position per axis; linear and cubic sum the taps' products.

// CHECK-LABEL: func.func @nearest
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x4xf32>)
func.func @nearest(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32> {
  // CHECK: %[[ROWS:.*]] = arith.constant dense<{{\[\[}}0], [0], [1], [1], [2], [2]]> : tensor<6x1xi32>
  // CHECK-NEXT: %[[COLUMNS:.*]] = arith.constant dense<{{\[\[}}0], [0], [1], [1], [2], [2], [3], [3]]> : tensor<8x1xi32>
  // CHECK-NEXT: te.compute "resize" (%[[X]], %[[ROWS]], %[[COLUMNS]]) axes ["i0", "i1", "i2", "i3"]
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[R:.*]] = te.read %[[ROWS]][%[[H]], %[[ZERO]]] : tensor<6x1xi32>
  // CHECK-NEXT: %[[Y:.*]] = arith.index_cast %[[R]] : i32 to index
  // CHECK-NEXT: %[[Q:.*]] = te.read %[[COLUMNS]][%[[W]], %[[ZERO]]] : tensor<8x1xi32>
  // CHECK-NEXT: %[[Z:.*]] = arith.index_cast %[[Q]] : i32 to index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[N]], %[[C]], %[[Y]], %[[Z]]] : tensor<1x2x3x4xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.resize %x coordinate_mode "asymmetric" nearest_mode "floor" scales [1.0, 1.0, 2.0, 2.0] : (tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32>
  func.return %y : tensor<1x2x6x8xf32>
}

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x4xf32>)
func.func @linear(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x8xf32> {
  // CHECK: %[[TAPS:.*]] = arith.constant dense<{{\[\[}}0, 0], [0, 1], [0, 1], [1, 2], [1, 2], [2, 3], [2, 3], [3, 3]]> : tensor<8x2xi32>
  // CHECK-NEXT: %[[WEIGHTS:.*]] = arith.constant dense<{{\[\[}}2.500000e-01, 7.500000e-01], [7.500000e-01, 2.500000e-01]{{.*}}> : tensor<8x2xf32>
  // CHECK-NEXT: te.compute "resize" (%[[X]], %[[TAPS]], %[[WEIGHTS]]) axes ["i0", "i1", "i2", "i3"]
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index):
  // CHECK: %[[W0:.*]] = te.read %[[WEIGHTS]][%[[W]], %{{.*}}] : tensor<8x2xf32>
  // CHECK-NEXT: %[[W1:.*]] = te.read %[[WEIGHTS]][%[[W]], %{{.*}}] : tensor<8x2xf32>
  // CHECK-NEXT: %[[V0:.*]] = te.read %[[X]][%[[N]], %[[C]], %[[H]], %{{.*}}] : tensor<1x2x3x4xf32>
  // CHECK-NEXT: %[[P0:.*]] = arith.mulf %[[W0]], %[[V0]] : f32
  // CHECK-NEXT: %[[V1:.*]] = te.read %[[X]][%[[N]], %[[C]], %[[H]], %{{.*}}] : tensor<1x2x3x4xf32>
  // CHECK-NEXT: %[[P1:.*]] = arith.mulf %[[W1]], %[[V1]] : f32
  // CHECK-NEXT: %[[S:.*]] = arith.addf %[[P0]], %[[P1]] : f32
  // CHECK-NEXT: te.yield %[[S]] : f32
  %y = graph.resize %x mode "linear" scales [1.0, 1.0, 1.0, 2.0] : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x8xf32>
  func.return %y : tensor<1x2x3x8xf32>
}

// tf_crop_and_resize marks an output position outside the input with tap -1: there the
// output is the extrapolation value.

// CHECK-LABEL: func.func @crop
func.func @crop(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x4xf32> {
  // CHECK: arith.constant dense<{{\[\[}}-1], [1], [3]]> : tensor<3x1xi32>
  // CHECK: te.compute "resize"
  // CHECK: arith.maxsi
  // CHECK: %[[RAW:.*]] = te.read %{{.*}}[%{{.*}}, %{{.*}}] : tensor<3x1xi32>
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK-NEXT: %[[OUTSIDE:.*]] = arith.cmpi slt, %[[RAW]], %[[ZERO]] : i32
  // CHECK-NEXT: %[[FILL:.*]] = arith.constant 5.000000e-01 : f32
  // CHECK-NEXT: arith.select %[[OUTSIDE]], %[[FILL]], %{{.*}} : f32
  %y = graph.resize %x coordinate_mode "tf_crop_and_resize" extrapolation_value 0.5 scales [1.0, 1.0, 0.75, 1.0] roi [0.0, 0.0, -0.5, 0.0, 1.0, 1.0, 1.0, 1.0] : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x4xf32>
  func.return %y : tensor<1x1x3x4xf32>
}

// With more than 16 taps in all (an antialiased downsampling here), each resized axis is a
// reduction over its taps in turn.

// CHECK-LABEL: func.func @antialias
func.func @antialias(%x: tensor<1x1x12x12xf32>) -> tensor<1x1x3x3xf32> {
  // CHECK: %[[ROWS:.*]] = te.compute "resize" (%{{.*}}, %{{.*}}, %{{.*}}) axes ["i0", "i1", "i2", "i3"] reduce sum ["t" = {{[0-9]+}}] init 0.000000e+00 : f32 : (tensor<1x1x12x12xf32>, {{.*}}) -> tensor<1x1x3x12xf32>
  // CHECK: te.compute "resize" (%[[ROWS]], %{{.*}}, %{{.*}}) axes ["i0", "i1", "i2", "i3"] reduce sum ["t" = {{[0-9]+}}] init 0.000000e+00 : f32 : (tensor<1x1x3x12xf32>, {{.*}}) -> tensor<1x1x3x3xf32>
  %y = graph.resize %x mode "linear" antialias scales [1.0, 1.0, 0.25, 0.25] : (tensor<1x1x12x12xf32>) -> tensor<1x1x3x3xf32>
  func.return %y : tensor<1x1x3x3xf32>
}
