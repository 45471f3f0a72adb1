// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Integers are signless at the te level: a ui8 tensor is an i8 tensor whose bodies read
// it with unsigned ops (divui, uitofp, extui, a umax reduction from 0), its constants keep
// their bits (255 is -1), and a cast that changes only the signedness reads the element
// as it is. A float becomes a narrow unsigned integer through i64, wrapping as x86 does.

// CHECK-LABEL: func.func @unsigned
// CHECK-SAME: (%{{.*}}: tensor<3xi8>, %{{.*}}: tensor<3xi8>) -> (tensor<3xi8>, tensor<3xf32>, tensor<3xi32>, tensor<3xi8>, tensor<i8>)
func.func @unsigned(%x: tensor<3xui8>, %y: tensor<3xui8>) -> (tensor<3xui8>, tensor<3xf32>, tensor<3xi32>, tensor<3xui8>, tensor<ui8>) {
  // CHECK: te.compute "div" (%{{.*}}, %{{.*}}) axes ["i0"] : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  // CHECK: arith.divui %{{.*}}, %{{.*}} : i8
  %q = graph.div %x, %y : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  // CHECK: arith.uitofp %{{.*}} : i8 to f32
  %f = graph.cast %x : (tensor<3xui8>) -> tensor<3xf32>
  // CHECK: arith.extui %{{.*}} : i8 to i32
  %w = graph.cast %x : (tensor<3xui8>) -> tensor<3xi32>
  // CHECK: %[[WIDE:.*]] = arith.fptosi %{{.*}} : f32 to i64
  // CHECK-NEXT: arith.trunci %[[WIDE]] : i64 to i8
  %back = graph.cast %f : (tensor<3xf32>) -> tensor<3xui8>
  // CHECK: te.compute "reduce_max" (%{{.*}}) axes [] reduce umax ["r0" = 3] init 0 : i8 : (tensor<3xi8>) -> tensor<i8>
  %m = graph.reduce_max %x axes [0] : (tensor<3xui8>) -> tensor<ui8>
  func.return %q, %f, %w, %back, %m : tensor<3xui8>, tensor<3xf32>, tensor<3xi32>, tensor<3xui8>, tensor<ui8>
}

// CHECK-LABEL: func.func @constant
func.func @constant() -> tensor<2xui8> {
  // CHECK: arith.constant dense<[-1, 1]> : tensor<2xi8>
  %c = graph.constant dense<[255, 1]> : tensor<2xui8>
  %y = graph.add %c, %c : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  func.return %y : tensor<2xui8>
}

// CHECK-LABEL: func.func @signedness
func.func @signedness(%x: tensor<3xi8>) -> tensor<3xui8> {
  // CHECK: %[[V:.*]] = te.read
  // CHECK-NEXT: te.yield %[[V]] : i8
  %y = graph.cast %x : (tensor<3xi8>) -> tensor<3xui8>
  func.return %y : tensor<3xui8>
}
