// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Elementwise functions read one element and apply arith and math ops to it; batch norm
// folds its parameters per channel.

// CHECK-LABEL: func.func @functions
func.func @functions(%x: tensor<7x13xf32>) -> (tensor<7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32>) {
  // CHECK: te.compute "relu"
  // CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
  %relu = graph.relu %x : tensor<7x13xf32>
  // CHECK: te.compute "sigmoid"
  // CHECK: arith.negf
  // CHECK-NEXT: math.exp
  // CHECK-NEXT: arith.addf
  // CHECK-NEXT: arith.divf
  %sigmoid = graph.sigmoid %x : tensor<7x13xf32>
  // CHECK: te.compute "tanh"
  // CHECK: math.tanh
  %tanh = graph.tanh %x : tensor<7x13xf32>
  // CHECK: te.compute "exp"
  // CHECK: math.exp
  %exp = graph.exp %x : tensor<7x13xf32>
  // CHECK: te.compute "sqrt"
  // CHECK: math.sqrt
  %sqrt = graph.sqrt %x : tensor<7x13xf32>
  func.return %relu, %sigmoid, %tanh, %exp, %sqrt : tensor<7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32>
}

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x5x5xf32>, %[[S:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>)
func.func @batch_norm(%x: tensor<1x3x5x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x3x5x5xf32> {
  // CHECK: te.compute "batch_norm" (%[[X]], %[[S]], %[[B]], %[[M]], %[[V]]) axes ["n", "c", "h", "w"]
  // CHECK-NEXT: ^bb0(%[[N:.*]]: index, %[[C:.*]]: index, %[[H:.*]]: index, %[[W:.*]]: index):
  // CHECK-NEXT: %[[XV:.*]] = te.read %[[X]][%[[N]], %[[C]], %[[H]], %[[W]]]
  // CHECK-NEXT: %[[SV:.*]] = te.read %[[S]][%[[C]]]
  // CHECK-NEXT: %[[BV:.*]] = te.read %[[B]][%[[C]]]
  // CHECK-NEXT: %[[MV:.*]] = te.read %[[M]][%[[C]]]
  // CHECK-NEXT: %[[VV:.*]] = te.read %[[V]][%[[C]]]
  // CHECK-NEXT: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
  // CHECK-NEXT: %[[VE:.*]] = arith.addf %[[VV]], %[[EPS]] : f32
  // CHECK-NEXT: %[[SD:.*]] = math.sqrt %[[VE]] : f32
  // CHECK-NEXT: %[[F:.*]] = arith.divf %[[SV]], %[[SD]] : f32
  // CHECK-NEXT: %[[D:.*]] = arith.subf %[[XV]], %[[MV]] : f32
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[D]], %[[F]] : f32
  // CHECK-NEXT: %[[R:.*]] = arith.addf %[[P]], %[[BV]] : f32
  // CHECK-NEXT: te.yield %[[R]] : f32
  %y = graph.batch_norm %x, %s, %b, %m, %v epsilon 1.0e-3 : (tensor<1x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x5x5xf32>
  func.return %y : tensor<1x3x5x5xf32>
}
