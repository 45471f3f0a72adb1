// RUN: ziggurat-opt %s -p te-inline --split-input-file | filecheck %s

// A compute without reduction that only other computes read is substituted into its
// readers at their indices and erased; the reader then reads the producer's inputs.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[Y:.*]] = te.compute "relu" (%[[X]], %[[B]]) axes ["i", "j"]
// CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
// CHECK-NEXT: %[[XV:.*]] = te.read %[[X]][%[[I]], %[[J]]]
// CHECK-NEXT: %[[E:.*]] = math.exp %[[XV]]
// CHECK-NEXT: %[[BV:.*]] = te.read %[[B]][%[[J]]]
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[E]], %[[BV]]
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[A]], %[[Z]]
// CHECK-NEXT: te.yield %[[R]]
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[Y]]
func.func @chain(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %e = te.compute "exp" (%x) axes ["i", "j"] : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %x[%i, %j] : tensor<4x8xf32>
    %r = math.exp %v : f32
    te.yield %r : f32
  }
  %a = te.compute "add" (%e, %b) axes ["i", "j"] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %e[%i, %j] : tensor<4x8xf32>
    %w = te.read %b[%j] : tensor<8xf32>
    %r = arith.addf %v, %w : f32
    te.yield %r : f32
  }
  %y = te.compute "relu" (%a) axes ["i", "j"] : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %a[%i, %j] : tensor<4x8xf32>
    %z = arith.constant 0.0 : f32
    %r = arith.maximumf %v, %z : f32
    te.yield %r : f32
  }
  func.return %y : tensor<4x8xf32>
}

// -----

// An injective producer is substituted at the reader's indices: the transpose's body reads
// its input at swapped indices.

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[N:.*]] = te.compute "neg" (%[[X]]) axes ["i", "j"]
// CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
// CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[J]], %[[I]]]
// CHECK-NEXT: arith.negf %[[V]]
// CHECK: func.return %[[N]]
func.func @transpose(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  %t = te.compute "transpose" (%x) axes ["i", "j"] : (tensor<4x8xf32>) -> tensor<8x4xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %x[%j, %i] : tensor<4x8xf32>
    te.yield %v : f32
  }
  %n = te.compute "neg" (%t) axes ["i", "j"] : (tensor<8x4xf32>) -> tensor<8x4xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %t[%i, %j] : tensor<8x4xf32>
    %r = arith.negf %v : f32
    te.yield %r : f32
  }
  func.return %n : tensor<8x4xf32>
}

// -----

// A compute the function returns stays: its elements must be stored anyway, and its
// readers read them.

// CHECK-LABEL: func.func @returned
// CHECK-NEXT: %[[E:.*]] = te.compute "exp"
// CHECK: %[[N:.*]] = te.compute "neg" (%[[E]])
// CHECK: func.return %[[E]], %[[N]]
func.func @returned(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = te.compute "exp" (%x) axes ["i"] : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%i: index):
    %v = te.read %x[%i] : tensor<8xf32>
    %r = math.exp %v : f32
    te.yield %r : f32
  }
  %n = te.compute "neg" (%e) axes ["i"] : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%i: index):
    %v = te.read %e[%i] : tensor<8xf32>
    %r = arith.negf %v : f32
    te.yield %r : f32
  }
  func.return %e, %n : tensor<8xf32>, tensor<8xf32>
}
