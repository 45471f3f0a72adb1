// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// graph.if and graph.loop print their regions, which use values from outside (ONNX's outer
// scope), and read back the same from their custom and their generic form.

// CHECK-LABEL: func.func @branch
func.func @branch(%c: tensor<1xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[R:.*]] = graph.if %{{.*}} : tensor<1xi1> -> (tensor<4xf32>) {
  // CHECK-NEXT: %[[A:.*]] = graph.add %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NEXT: graph.yield %[[A]] : tensor<4xf32>
  // CHECK-NEXT: } else {
  // CHECK-NEXT: graph.yield %{{.*}} : tensor<4xf32>
  // CHECK-NEXT: }
  %r = graph.if %c : tensor<1xi1> -> (tensor<4xf32>) {
    %a = graph.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %a : tensor<4xf32>
  } else {
    graph.yield %y : tensor<4xf32>
  }
  func.return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @steps
func.func @steps(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = graph.loop 3 (%{{.*}}) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  // CHECK-NEXT: ^{{.*}}(%{{.*}}: tensor<i64>, %[[H:.*]]: tensor<4xf32>):
  // CHECK-NEXT: %[[N:.*]] = graph.add %[[H]], %{{.*}}
  // CHECK-NEXT: graph.yield %[[N]], %[[H]] : tensor<4xf32>, tensor<4xf32>
  %h, %ys = graph.loop 3 (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  ^bb0(%i: tensor<i64>, %h0: tensor<4xf32>):
    %n = graph.add %h0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %n, %h0 : tensor<4xf32>, tensor<4xf32>
  }
  func.return %h, %ys : tensor<4xf32>, tensor<3x4xf32>
}
