// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Max pooling reduces with max from -inf; a padded position reads a clamped index and
// selects -inf, so padding never wins.

// CHECK-LABEL: func.func @max_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x7x7xf32>)
func.func @max_pool(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: te.compute "max_pool2d" (%[[X]]) axes ["n", "c", "h", "w"] reduce max ["ry" = 3, "rx" = 3] init 0xff800000 : f32 : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: %[[V:.*]] = te.read %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x7x7xf32>
  // CHECK: %[[NEG:.*]] = arith.constant 0xff800000 : f32
  // CHECK-NEXT: %[[R:.*]] = arith.select %{{.*}}, %[[V]], %[[NEG]] : f32
  // CHECK-NEXT: te.yield %[[R]] : f32
  %y = graph.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// Average pooling sums (padding reads 0) and then divides by the window size; counting
// the padding with no window clipped, that size is a constant.

// CHECK-LABEL: func.func @avg_pool_include_pad
func.func @avg_pool_include_pad(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: %[[SUM:.*]] = te.compute "avg_pool2d_sum" (%{{.*}}) axes ["n", "c", "h", "w"] reduce sum ["ry" = 3, "rx" = 3] init 0.000000e+00 : f32
  // CHECK: %[[Y:.*]] = te.compute "avg_pool2d" (%[[SUM]]) axes ["n", "c", "h", "w"]
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index):
  // CHECK-NEXT: %[[COUNT:.*]] = arith.constant 9.000000e+00 : f32
  // CHECK-NEXT: %[[S:.*]] = te.read %[[SUM]][%[[N]], %[[C]], %[[H]], %[[W]]]
  // CHECK-NEXT: %[[Q:.*]] = arith.divf %[[S]], %[[COUNT]] : f32
  // CHECK-NEXT: te.yield %[[Q]] : f32
  // CHECK: func.return %[[Y]]
  %y = graph.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] count_include_pad : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// Not counting the padding, the window size is computed from the clipped window bounds.

// CHECK-LABEL: func.func @avg_pool_exclude_pad
func.func @avg_pool_exclude_pad(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: te.compute "avg_pool2d" (%{{.*}}) axes ["n", "c", "h", "w"]
  // CHECK: arith.maxsi
  // CHECK: %[[I64:.*]] = arith.index_cast %{{.*}} : index to i64
  // CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[I64]] : i64 to f32
  // CHECK: arith.divf %{{.*}}, %[[F]] : f32
  %y = graph.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// CHECK-LABEL: func.func @global_avg_pool
func.func @global_avg_pool(%x: tensor<2x3x7x5xf32>) -> tensor<2x3x1x1xf32> {
  // CHECK: %[[SUM:.*]] = te.compute "global_avg_pool2d_sum" (%{{.*}}) axes ["n", "c", "h", "w"] reduce sum ["ry" = 7, "rx" = 5]
  // CHECK: te.compute "global_avg_pool2d" (%[[SUM]])
  // CHECK: arith.constant 3.500000e+01 : f32
  %y = graph.global_avg_pool2d %x : (tensor<2x3x7x5xf32>) -> tensor<2x3x1x1xf32>
  func.return %y : tensor<2x3x1x1xf32>
}

// A global max pool is one max reduction over H and W, from minus infinity.

// CHECK-LABEL: func.func @global_max_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x3x5xf32>)
func.func @global_max_pool(%x: tensor<1x8x3x5xf32>) -> tensor<1x8x1x1xf32> {
  // CHECK: %[[Y:.*]] = te.compute "global_max_pool2d" (%[[X]]) axes ["n", "c", "h", "w"] reduce max ["ry" = 3, "rx" = 5] init 0xff800000 : f32 : (tensor<1x8x3x5xf32>) -> tensor<1x8x1x1xf32> {
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %{{.*}}: index, %{{.*}}: index, %[[RY:.*]]: index, %[[RX:.*]]: index):
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[N]], %[[C]], %[[RY]], %[[RX]]] : tensor<1x8x3x5xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  // CHECK: func.return %[[Y]]
  %y = graph.global_max_pool2d %x : (tensor<1x8x3x5xf32>) -> tensor<1x8x1x1xf32>
  func.return %y : tensor<1x8x1x1xf32>
}
