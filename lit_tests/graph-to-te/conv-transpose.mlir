// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A transposed convolution is a conv2d of its input spread out by the strides and padded
// (`conv2d_transpose_input`: a pixel where the position less the padding is a whole
// multiple of the stride inside the input, else 0) and of its weight flipped with the
// channel axes swapped (`conv2d_transpose_weight`), plus the bias.

// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x4xf32>, %[[W:.*]]: tensor<2x5x3x3xf32>, %[[B:.*]]: tensor<5xf32>)
func.func @conv_transpose(%x: tensor<1x2x3x4xf32>, %w: tensor<2x5x3x3xf32>, %b: tensor<5xf32>) -> tensor<1x5x6x8xf32> {
  // CHECK: %[[SPREAD:.*]] = te.compute "conv2d_transpose_input" (%[[X]]) axes ["n", "c", "h", "w"] : (tensor<1x2x3x4xf32>) -> tensor<1x2x8x10xf32> {
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[V:.*]]: index):
  // CHECK-NEXT: %[[OFFSET:.*]] = arith.constant -1 : index
  // CHECK-NEXT: %[[RAW:.*]] = arith.addi %[[H]], %[[OFFSET]] : index
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[AFTER:.*]] = arith.cmpi sge, %[[RAW]], %[[ZERO]] : index
  // CHECK-NEXT: %[[CLAMPED:.*]] = arith.maxsi %[[RAW]], %[[ZERO]] : index
  // CHECK-NEXT: %[[TWO:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[REM:.*]] = arith.remui %[[CLAMPED]], %[[TWO]] : index
  // CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[WHOLE:.*]] = arith.cmpi slt, %[[REM]], %[[ONE]] : index
  // CHECK-NEXT: %[[ROW:.*]] = arith.divui %[[CLAMPED]], %[[TWO]] : index
  // CHECK: te.read %[[X]][%[[N]], %[[C]], %{{.*}}, %{{.*}}] : tensor<1x2x3x4xf32>
  // CHECK: arith.select
  // CHECK: %[[FLIPPED:.*]] = te.compute "conv2d_transpose_weight" (%[[W]]) axes ["o", "i", "ky", "kx"] : (tensor<2x5x3x3xf32>) -> tensor<5x2x3x3xf32> {
  // CHECK-NEXT: ^bb0(%[[O:.*]]: index, %[[I:.*]]: index, %[[KY:.*]]: index, %[[KX:.*]]: index):
  // CHECK-NEXT: %[[LAST:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[FY:.*]] = arith.subi %[[LAST]], %[[KY]] : index
  // CHECK-NEXT: %[[FX:.*]] = arith.subi %[[LAST]], %[[KX]] : index
  // CHECK-NEXT: te.read %[[W]][%[[I]], %[[O]], %[[FY]], %[[FX]]] : tensor<2x5x3x3xf32>
  // CHECK: %[[CONV:.*]] = te.compute "conv2d" (%[[SPREAD]], %[[FLIPPED]]) axes ["n", "c", "h", "w"] reduce sum ["rc" = 2, "ry" = 3, "rx" = 3]
  // CHECK: te.compute "bias_add" (%[[CONV]], %[[B]])
  %y = graph.conv2d_transpose %x, %w, %b strides [2, 2] padding [1, 1, 1, 0] output_padding [1, 0] : (tensor<1x2x3x4xf32>, tensor<2x5x3x3xf32>, tensor<5xf32>) -> tensor<1x5x6x8xf32>
  func.return %y : tensor<1x5x6x8xf32>
}
