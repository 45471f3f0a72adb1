// RUN: ziggurat-opt %s -p dce | filecheck %s

// Graph ops are Pure, so xDSL's dce erases every op whose results nothing uses, chains of
// them included, and keeps what the function returns.

// CHECK-LABEL: func.func @dead
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>)
func.func @dead(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // CHECK-NEXT: %[[R:.*]] = graph.relu %[[X]]
  // CHECK-NEXT: func.return %[[R]]
  %w = graph.constant dense<0.5> : tensor<4x3x3x3xf32>
  %y = graph.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %p = graph.max_pool2d %y kernel [2, 2] : (tensor<1x4x6x6xf32>) -> tensor<1x4x5x5xf32>
  %r = graph.relu %x : tensor<1x3x8x8xf32>
  %s = graph.sigmoid %r : tensor<1x3x8x8xf32>
  func.return %r : tensor<1x3x8x8xf32>
}
