// RUN: ziggurat-opt %s -p cse --split-input-file | filecheck %s

// Graph ops are Pure, so xDSL's cse merges two ops with the same name, operands and
// properties, constants included.

// CHECK-LABEL: func.func @same
// CHECK-SAME: (%[[X:.*]]: tensor<4x4xf32>)
func.func @same(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // CHECK-NEXT: %[[C:.*]] = graph.constant dense<1.000000e+00> : tensor<4x4xf32>
  // CHECK-NEXT: %[[A:.*]] = graph.add %[[X]], %[[C]]
  // CHECK-NEXT: %[[R:.*]] = graph.relu %[[A]]
  // CHECK-NEXT: %[[M:.*]] = graph.mul %[[R]], %[[R]]
  // CHECK-NEXT: func.return %[[M]]
  %c = graph.constant dense<1.0> : tensor<4x4xf32>
  %c2 = graph.constant dense<1.0> : tensor<4x4xf32>
  %a = graph.add %x, %c : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = graph.add %x, %c2 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %r = graph.relu %a : tensor<4x4xf32>
  %s = graph.relu %b : tensor<4x4xf32>
  %m = graph.mul %r, %s : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  func.return %m : tensor<4x4xf32>
}

// -----

// Ops that differ in a property, a constant's value or operand order stay apart.

// CHECK-LABEL: func.func @different
func.func @different(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  // CHECK-COUNT-2: graph.constant
  // CHECK-COUNT-2: graph.transpose
  // CHECK-COUNT-2: graph.sub
  // CHECK-NEXT: func.return
  %c = graph.constant dense<1.0> : tensor<4x4xf32>
  %d = graph.constant dense<2.0> : tensor<4x4xf32>
  %t = graph.transpose %x perm [1, 0] : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %u = graph.transpose %x perm [0, 1] : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %a = graph.sub %x, %c : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = graph.sub %c, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  func.return %c, %d, %t, %u, %a, %b : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
