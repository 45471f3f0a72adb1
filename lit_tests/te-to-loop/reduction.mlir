// RUN: ziggurat-opt %s -p te-to-loop | filecheck %s

// A reduction gets one more scf.for per reduce axis, carrying the accumulator in
// iter_args from the init value; the combined result is stored once per output element.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<5x3xf32>, %[[B:.*]]: memref<3x6xf32>, %[[C:.*]]: memref<5x6xf32> {ziggurat.output})
func.func @matmul(%A: tensor<5x3xf32>, %B: tensor<3x6xf32>) -> tensor<5x6xf32> {
  // CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
  // CHECK-DAG: %[[INIT:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT: %[[SUM:.*]] = scf.for %[[K:.*]] = %{{.*}} to %[[C3]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
  // CHECK-NEXT: %[[X:.*]] = memref.load %[[A]][%[[I]], %[[K]]]
  // CHECK-NEXT: %[[Y:.*]] = memref.load %[[B]][%[[K]], %[[J]]]
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
  // CHECK-NEXT: %[[NEW:.*]] = arith.addf %[[ACC]], %[[P]] : f32
  // CHECK-NEXT: scf.yield %[[NEW]] : f32
  // CHECK-NEXT: }
  // CHECK-NEXT: memref.store %[[SUM]], %[[C]][%[[I]], %[[J]]] : memref<5x6xf32>
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

// max over floats combines with arith.maximumf; two reduce axes nest their accumulators.

// CHECK-LABEL: func.func @max_all
func.func @max_all(%X: tensor<4x7xf32>) -> tensor<f32> {
  // CHECK: %[[INIT:.*]] = arith.constant -3.400000e+38 : f32
  // CHECK: %[[OUTER:.*]] = scf.for %{{.*}} iter_args(%[[ACC0:.*]] = %[[INIT]]) -> (f32) {
  // CHECK-NEXT: %[[INNER:.*]] = scf.for %{{.*}} iter_args(%[[ACC1:.*]] = %[[ACC0]]) -> (f32) {
  // CHECK: %[[M:.*]] = arith.maximumf %[[ACC1]], %{{.*}} : f32
  // CHECK-NEXT: scf.yield %[[M]] : f32
  // CHECK: scf.yield %[[INNER]] : f32
  // CHECK: memref.store %[[OUTER]], %{{.*}}[] : memref<f32>
  %Y = te.compute "max" (%X) axes [] reduce max ["i" = 4, "j" = 7]
         init -3.4e+38 : f32 : (tensor<4x7xf32>) -> tensor<f32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<4x7xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<f32>
}

// min over integers combines with arith.minsi.

// CHECK-LABEL: func.func @min_rows
func.func @min_rows(%X: tensor<3x5xi32>) -> tensor<3xi32> {
  // CHECK: scf.for %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (i32) {
  // CHECK: arith.minsi %[[ACC]], %{{.*}} : i32
  %Y = te.compute "min" (%X) axes ["i"] reduce min ["j" = 5]
         init 2147483647 : i32 : (tensor<3x5xi32>) -> tensor<3xi32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<3x5xi32>
    te.yield %x : i32
  }
  func.return %Y : tensor<3xi32>
}
