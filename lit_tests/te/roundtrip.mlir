// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @relu
func.func @relu(%X: tensor<7xf32>) -> tensor<7xf32> {
  // CHECK: %[[Y:.*]] = te.compute "relu" (%{{.*}}) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  // CHECK-NEXT: ^{{.*}}(%[[I:.*]]: index):
  // CHECK-NEXT: %[[X:.*]] = te.read %{{.*}}[%[[I]]] : tensor<7xf32>
  // CHECK: te.yield %{{.*}} : f32
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  // CHECK: func.return %[[Y]] : tensor<7xf32>
  func.return %Y : tensor<7xf32>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%A: tensor<5x3xf32>, %B: tensor<3x6xf32>) -> tensor<5x6xf32> {
  // CHECK: te.compute "matmul" (%{{.*}}, %{{.*}}) axes ["i", "j"] reduce sum ["k" = 3] init 0.000000e+00 : f32 : (tensor<5x3xf32>, tensor<3x6xf32>) -> tensor<5x6xf32>
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 3]
         init 0.000000e+00 : f32 : (tensor<5x3xf32>, tensor<3x6xf32>) -> tensor<5x6xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<5x3xf32>
    %b = te.read %B[%k, %j] : tensor<3x6xf32>
    %p = arith.mulf %a, %b : f32
    te.yield %p : f32
  }
  func.return %C : tensor<5x6xf32>
}
