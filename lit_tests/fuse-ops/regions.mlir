// RUN: ziggurat-opt %s -p fuse-ops | filecheck %s

// An op with regions (graph.if, graph.loop) stays where it is, and no group crosses into
// or out of a region: the ops of each block fuse among themselves, a value from outside
// being an argument of their function like any other input.

// CHECK-LABEL: func.func private @fused_exp(
// CHECK-LABEL: func.func private @fused_add_relu(
// CHECK-SAME: %{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK-LABEL: func.func private @fused_neg(
// CHECK-LABEL: func.func @branch
// CHECK-NEXT: %[[E:.*]] = func.call @fused_exp(%{{.*}})
// CHECK-NEXT: %[[R:.*]] = graph.if %{{.*}} : tensor<i1> -> (tensor<4xf32>) {
// CHECK-NEXT: %[[A:.*]] = func.call @fused_add_relu(%[[E]], %{{.*}})
// CHECK-NEXT: graph.yield %[[A]] : tensor<4xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[N:.*]] = func.call @fused_neg(%[[E]])
// CHECK-NEXT: graph.yield %[[N]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[R]]
func.func @branch(%c: tensor<i1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %e = graph.exp %x : tensor<4xf32>
  %r = graph.if %c : tensor<i1> -> (tensor<4xf32>) {
    %a = graph.add %e, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %b = graph.relu %a : tensor<4xf32>
    graph.yield %b : tensor<4xf32>
  } else {
    %n = graph.neg %e : tensor<4xf32>
    graph.yield %n : tensor<4xf32>
  }
  func.return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func private @fused_mul_tanh(
// CHECK-LABEL: func.func @steps
// CHECK-NEXT: %{{.*}}, %{{.*}} = graph.loop 3 (%{{.*}})
// CHECK-NEXT: ^{{.*}}(%{{.*}}: tensor<i64>, %[[H:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[N:.*]] = func.call @fused_mul_tanh(%[[H]], %{{.*}})
// CHECK-NEXT: graph.yield %[[N]], %[[N]]
func.func @steps(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  %h, %ys = graph.loop 3 (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  ^bb0(%i: tensor<i64>, %h0: tensor<4xf32>):
    %m = graph.mul %h0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %t = graph.tanh %m : tensor<4xf32>
    graph.yield %t, %t : tensor<4xf32>, tensor<4xf32>
  }
  func.return %h, %ys : tensor<4xf32>, tensor<3x4xf32>
}
