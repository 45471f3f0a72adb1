// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A graph constant becomes a tensor arith.constant, which te-to-loop makes a global.

// CHECK-LABEL: func.func @constant
func.func @constant(%x: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
  // CHECK-NEXT: te.compute "add" (%{{.*}}, %[[C]])
  %c = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = graph.add %x, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
