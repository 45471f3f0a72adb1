// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// and, or, xor and not are bitwise on integers, logical on i1: not is an xor with every
// bit set (true for i1, -1 for an i8 that was a ui8 255).

// CHECK-LABEL: func.func @logic
func.func @logic(%a: tensor<5xi1>, %b: tensor<1xi1>, %u: tensor<5xui8>) -> (tensor<5xi1>, tensor<5xi1>, tensor<5xi1>, tensor<5xi1>, tensor<5xui8>) {
  // CHECK: te.compute "and"
  // CHECK: arith.andi %{{.*}}, %{{.*}} : i1
  %and = graph.and %a, %b : (tensor<5xi1>, tensor<1xi1>) -> tensor<5xi1>
  // CHECK: te.compute "or"
  // CHECK: arith.ori %{{.*}}, %{{.*}} : i1
  %or = graph.or %a, %b : (tensor<5xi1>, tensor<1xi1>) -> tensor<5xi1>
  // CHECK: te.compute "xor"
  // CHECK: arith.xori %{{.*}}, %{{.*}} : i1
  %xor = graph.xor %a, %b : (tensor<5xi1>, tensor<1xi1>) -> tensor<5xi1>
  // CHECK: te.compute "not"
  // CHECK: %[[TRUE:.*]] = arith.constant true
  // CHECK-NEXT: arith.xori %{{.*}}, %[[TRUE]] : i1
  %not = graph.not %a : tensor<5xi1>
  // CHECK: te.compute "not" (%{{.*}}) axes ["i0"] : (tensor<5xi8>) -> tensor<5xi8>
  // CHECK: %[[ONES:.*]] = arith.constant -1 : i8
  // CHECK-NEXT: arith.xori %{{.*}}, %[[ONES]] : i8
  %bits = graph.not %u : tensor<5xui8>
  func.return %and, %or, %xor, %not, %bits : tensor<5xi1>, tensor<5xi1>, tensor<5xi1>, tensor<5xi1>, tensor<5xui8>
}
