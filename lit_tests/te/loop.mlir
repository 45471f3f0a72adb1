// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// te.loop: a sequential loop over tensors, its body on the iteration index and the carried
// values, yielding the next carried values and then the values to stack.

// CHECK-LABEL: func.func @steps
func.func @steps(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = te.loop 3 (%{{.*}}) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  // CHECK-NEXT: ^{{.*}}(%[[T:.*]]: index, %[[H:.*]]: tensor<4xf32>):
  // CHECK: te.loop_yield %{{.*}}, %[[H]] : tensor<4xf32>, tensor<4xf32>
  %h, %ys = te.loop 3 (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  ^bb0(%t: index, %h0: tensor<4xf32>):
    %n = te.compute "next" (%h0) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%i: index):
      %v = te.read %h0[%i] : tensor<4xf32>
      %d = arith.addf %v, %v : f32
      te.yield %d : f32
    }
    te.loop_yield %n, %h0 : tensor<4xf32>, tensor<4xf32>
  }
  func.return %h, %ys : tensor<4xf32>, tensor<3x4xf32>
}
