// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A comparison is one compute over the broadcast operands giving i1: floats compare
// ordered (false for NaN) except `ne`, which is unordered as numpy's !=; integers compare
// as their graph-level signedness says, and the unsigned ones become signless (ui8: i8,
// compared ugt); an i1 orders as unsigned (false < true).

// CHECK-LABEL: func.func @compare_floats
// CHECK-SAME: (%[[X:.*]]: tensor<4x1xf32>, %[[Y:.*]]: tensor<3xf32>)
func.func @compare_floats(%x: tensor<4x1xf32>, %y: tensor<3xf32>) -> (tensor<4x3xi1>, tensor<4x3xi1>) {
  // CHECK: te.compute "compare_lt" (%[[X]], %[[Y]]) axes ["i0", "i1"] : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xi1> {
  // CHECK: %[[A:.*]] = te.read %[[X]]
  // CHECK: %[[B:.*]] = te.read %[[Y]]
  // CHECK: %[[LT:.*]] = arith.cmpf olt, %[[A]], %[[B]] : f32
  // CHECK-NEXT: te.yield %[[LT]] : i1
  %lt = graph.compare "lt", %x, %y : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  // CHECK: arith.cmpf une
  %ne = graph.compare "ne", %x, %y : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  func.return %lt, %ne : tensor<4x3xi1>, tensor<4x3xi1>
}

// CHECK-LABEL: func.func @compare_integers
// CHECK-SAME: (%{{.*}}: tensor<5xi32>, %{{.*}}: tensor<5xi8>, %{{.*}}: tensor<5xi1>)
func.func @compare_integers(%s: tensor<5xi32>, %u: tensor<5xui8>, %b: tensor<5xi1>) -> (tensor<5xi1>, tensor<5xi1>, tensor<5xi1>) {
  // CHECK: arith.cmpi sle, %{{.*}}, %{{.*}} : i32
  %s_le = graph.compare "le", %s, %s : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi1>
  // CHECK: te.compute "compare_gt" (%{{.*}}) axes ["i0"] : (tensor<5xi8>) -> tensor<5xi1>
  // CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i8
  %u_gt = graph.compare "gt", %u, %u : (tensor<5xui8>, tensor<5xui8>) -> tensor<5xi1>
  // CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i1
  %b_lt = graph.compare "lt", %b, %b : (tensor<5xi1>, tensor<5xi1>) -> tensor<5xi1>
  func.return %s_le, %u_gt, %b_lt : tensor<5xi1>, tensor<5xi1>, tensor<5xi1>
}

// graph.select (ONNX Where) chooses with arith.select, its three operands broadcast.

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:.*]]: tensor<4x1xi1>, %[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<f32>)
func.func @select(%c: tensor<4x1xi1>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<4x3xf32> {
  // CHECK: te.compute "select" (%[[C]], %[[A]], %[[B]]) axes ["i0", "i1"]
  // CHECK: %[[CV:.*]] = te.read %[[C]][%{{.*}}, %{{.*}}] : tensor<4x1xi1>
  // CHECK-NEXT: %[[AV:.*]] = te.read %[[A]][%{{.*}}] : tensor<3xf32>
  // CHECK-NEXT: %[[BV:.*]] = te.read %[[B]][] : tensor<f32>
  // CHECK-NEXT: %[[R:.*]] = arith.select %[[CV]], %[[AV]], %[[BV]] : f32
  // CHECK-NEXT: te.yield %[[R]] : f32
  %r = graph.select %c, %x, %y : (tensor<4x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<4x3xf32>
  func.return %r : tensor<4x3xf32>
}
