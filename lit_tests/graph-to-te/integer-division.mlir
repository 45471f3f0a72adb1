// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// Integer division truncates toward zero (divsi), as ONNX's Div; the divisor is never 0
// or -1, which trap on a CPU: x / 0 is 0 and x / -1 is -x, wrapping (numpy's answers).
// Mod follows the divisor's sign (the remainder corrected by the divisor where the signs
// differ), or with fmod the dividend's (remsi; remf for floats).

// CHECK-LABEL: func.func @divide
func.func @divide(%x: tensor<3xi32>, %y: tensor<3xi32>) -> (tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xf32>) {
  // CHECK: te.compute "div"
  // CHECK: %[[X:.*]] = te.read
  // CHECK-NEXT: %[[Y:.*]] = te.read
  // CHECK: %[[ZERO:.*]] = arith.cmpi eq, %[[Y]], %{{.*}} : i32
  // CHECK: %[[MINUS_ONE:.*]] = arith.cmpi eq, %[[Y]], %{{.*}} : i32
  // CHECK-NEXT: %[[EITHER:.*]] = arith.ori %[[ZERO]], %[[MINUS_ONE]] : i1
  // CHECK-NEXT: %[[SAFE:.*]] = arith.select %[[EITHER]], %{{.*}}, %[[Y]] : i32
  // CHECK-NEXT: %[[Q:.*]] = arith.divsi %[[X]], %[[SAFE]] : i32
  // CHECK: %[[NEG:.*]] = arith.subi %{{.*}}, %[[X]] : i32
  // CHECK-NEXT: %[[Q1:.*]] = arith.select %[[MINUS_ONE]], %[[NEG]], %[[Q]] : i32
  // CHECK: %[[Q2:.*]] = arith.select %[[ZERO]], %{{.*}}, %[[Q1]] : i32
  // CHECK-NEXT: te.yield %[[Q2]] : i32
  %q = graph.div %x, %y : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  // CHECK: te.compute "mod"
  // CHECK: %[[R:.*]] = arith.remsi
  // CHECK: arith.xori
  // CHECK: %[[FIX:.*]] = arith.andi
  // CHECK: %[[SUM:.*]] = arith.addi %[[R]]
  // CHECK-NEXT: arith.select %[[FIX]], %[[SUM]], %[[R]] : i32
  %m = graph.mod %x, %y : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  // CHECK: te.compute "mod"
  // CHECK: %[[C:.*]] = arith.remsi
  // CHECK-NEXT: te.yield %[[C]] : i32
  %c = graph.mod %x, %y fmod : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %a = graph.cast %x : (tensor<3xi32>) -> tensor<3xf32>
  // CHECK: %[[F:.*]] = arith.remf %{{.*}}, %{{.*}} : f32
  // CHECK-NEXT: te.yield %[[F]] : f32
  %f = graph.mod %a, %a fmod : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %q, %m, %c, %f : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @divide_unsigned
func.func @divide_unsigned(%x: tensor<3xui16>, %y: tensor<3xui16>) -> tensor<3xui16> {
  // CHECK-NOT: arith.divsi
  // CHECK: arith.divui %{{.*}}, %{{.*}} : i16
  %q = graph.div %x, %y : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  func.return %q : tensor<3xui16>
}
