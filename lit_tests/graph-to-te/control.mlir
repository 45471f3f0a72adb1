// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// graph.if becomes scf.if on its condition's one element, read with tensor.extract; the
// ops of its branches are lowered in place and graph.yield becomes scf.yield.

// CHECK-LABEL: func.func @branch
func.func @branch(%c: tensor<1xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[C:.*]] = tensor.extract %{{.*}}[%[[ZERO]]] : tensor<1xi1>
  // CHECK-NEXT: %[[R:.*]] = scf.if %[[C]] -> (tensor<4xf32>) {
  // CHECK-NEXT: %[[A:.*]] = te.compute "add"
  // CHECK: scf.yield %[[A]] : tensor<4xf32>
  // CHECK-NEXT: } else {
  // CHECK-NEXT: scf.yield %{{.*}} : tensor<4xf32>
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return %[[R]]
  %r = graph.if %c : tensor<1xi1> -> (tensor<4xf32>) {
    %a = graph.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %a : tensor<4xf32>
  } else {
    graph.yield %y : tensor<4xf32>
  }
  func.return %r : tensor<4xf32>
}

// graph.loop becomes te.loop, whose body takes an index; the graph ops that read the
// iteration number read it from a compute without axes.

// CHECK-LABEL: func.func @steps
func.func @steps(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3xi64>) {
  // CHECK: %{{.*}}, %{{.*}} = te.loop 3 (%{{.*}}) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3xi64>) {
  // CHECK-NEXT: ^{{.*}}(%[[T:.*]]: index, %[[H:.*]]: tensor<4xf32>):
  // CHECK-NEXT: %[[I:.*]] = te.compute "iteration" () axes [] : () -> tensor<i64> {
  // CHECK-NEXT: %[[V:.*]] = arith.index_cast %[[T]] : index to i64
  // CHECK-NEXT: te.yield %[[V]] : i64
  // CHECK: %[[N:.*]] = te.compute "add" (%[[H]], %{{.*}})
  // CHECK: te.loop_yield %[[N]], %[[I]] : tensor<4xf32>, tensor<i64>
  %h, %ys = graph.loop 3 (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3xi64>) {
  ^bb0(%i: tensor<i64>, %h0: tensor<4xf32>):
    %n = graph.add %h0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %n, %i : tensor<4xf32>, tensor<i64>
  }
  func.return %h, %ys : tensor<4xf32>, tensor<3xi64>
}
