// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Constant padding is a clamped read chosen by arith.select on an in-bounds test; edge
// padding is the clamped read alone; reflect and wrap fold the index into the input with a
// remainder. Dimensions without padding read the output index as it is.

// CHECK-LABEL: func.func @constant
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
func.func @constant(%x: tensor<3x4xf32>) -> tensor<4x7xf32> {
  // CHECK: te.compute "pad" (%[[X]]) axes ["i0", "i1"] : (tensor<3x4xf32>) -> tensor<4x7xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[R:.*]] = arith.subi %[[I]], %[[C1]] : index
  // CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[R_OK:.*]] = arith.cmpi sge, %[[R]], %[[C0]] : index
  // CHECK-NEXT: %[[R_IN:.*]] = arith.maxsi %[[R]], %[[C0]] : index
  // CHECK-NEXT: %[[C4:.*]] = arith.constant 4 : index
  // CHECK-NEXT: %[[J_OK:.*]] = arith.cmpi slt, %[[J]], %[[C4]] : index
  // CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : index
  // CHECK-NEXT: %[[J_IN:.*]] = arith.minsi %[[J]], %[[C3]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[R_IN]], %[[J_IN]]] : tensor<3x4xf32>
  // CHECK-NEXT: %[[OK:.*]] = arith.andi %[[R_OK]], %[[J_OK]] : i1
  // CHECK-NEXT: %[[PAD:.*]] = arith.constant 2.000000e+00 : f32
  // CHECK-NEXT: %[[Y:.*]] = arith.select %[[OK]], %[[V]], %[[PAD]] : f32
  // CHECK-NEXT: te.yield %[[Y]] : f32
  %y = graph.pad %x pads [1, 0, 0, 3] value 2.0 : (tensor<3x4xf32>) -> tensor<4x7xf32>
  func.return %y : tensor<4x7xf32>
}

// CHECK-LABEL: func.func @constant_integer
func.func @constant_integer(%x: tensor<3xi64>) -> tensor<5xi64> {
  // CHECK: %[[PAD:.*]] = arith.constant 7 : i64
  // CHECK-NEXT: arith.select %{{.*}}, %{{.*}}, %[[PAD]] : i64
  %y = graph.pad %x pads [1, 1] value 7.0 : (tensor<3xi64>) -> tensor<5xi64>
  func.return %y : tensor<5xi64>
}

// CHECK-LABEL: func.func @edge
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
func.func @edge(%x: tensor<3x4xf32>) -> tensor<3x9xf32> {
  // CHECK: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : index
  // CHECK-NEXT: %[[R:.*]] = arith.subi %[[J]], %[[C2]] : index
  // CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[LOW:.*]] = arith.maxsi %[[R]], %[[C0]] : index
  // CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : index
  // CHECK-NEXT: %[[IN:.*]] = arith.minsi %[[LOW]], %[[C3]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[I]], %[[IN]]] : tensor<3x4xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.pad %x pads [0, 2, 0, 3] mode "edge" : (tensor<3x4xf32>) -> tensor<3x9xf32>
  func.return %y : tensor<3x9xf32>
}

// Reflect is periodic in 2 * (4 - 1) = 6 and mirrored in each period: min(k, 6 - k) for
// k = (j - 2) mod 6, computed as (j + 4) mod 6 so the remainder's operand is never negative.

// CHECK-LABEL: func.func @reflect
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
func.func @reflect(%x: tensor<3x4xf32>) -> tensor<3x9xf32> {
  // CHECK: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[C4:.*]] = arith.constant 4 : index
  // CHECK-NEXT: %[[S:.*]] = arith.addi %[[J]], %[[C4]] : index
  // CHECK-NEXT: %[[C6:.*]] = arith.constant 6 : index
  // CHECK-NEXT: %[[K:.*]] = arith.remui %[[S]], %[[C6]] : index
  // CHECK-NEXT: %[[M:.*]] = arith.subi %[[C6]], %[[K]] : index
  // CHECK-NEXT: %[[IN:.*]] = arith.minsi %[[K]], %[[M]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[I]], %[[IN]]] : tensor<3x4xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.pad %x pads [0, 2, 0, 3] mode "reflect" : (tensor<3x4xf32>) -> tensor<3x9xf32>
  func.return %y : tensor<3x9xf32>
}

// CHECK-LABEL: func.func @wrap
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
func.func @wrap(%x: tensor<3x4xf32>) -> tensor<8x4xf32> {
  // CHECK: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[S:.*]] = arith.addi %[[I]], %[[C1]] : index
  // CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : index
  // CHECK-NEXT: %[[IN:.*]] = arith.remui %[[S]], %[[C3]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[IN]], %[[J]]] : tensor<3x4xf32>
  // CHECK-NEXT: te.yield %[[V]] : f32
  %y = graph.pad %x pads [2, 0, 3, 0] mode "wrap" : (tensor<3x4xf32>) -> tensor<8x4xf32>
  func.return %y : tensor<8x4xf32>
}
