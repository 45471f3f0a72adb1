// RUN: ziggurat-opt %s -p te-to-loop | filecheck %s

// An argument returned as is, or a result returned a second time, is copied into its
// output argument by a loop nest before the return.

// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: memref<3x5xf32>, %[[OUT:.*]]: memref<3x5xf32> {ziggurat.output})
func.func @identity(%X: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT: %[[V:.*]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<3x5xf32>
  // CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[I]], %[[J]]] : memref<3x5xf32>
  // CHECK-NEXT: }
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return{{$}}
  func.return %X : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[OUT0:.*]]: memref<4xf32> {ziggurat.output}, %[[OUT1:.*]]: memref<4xf32> {ziggurat.output})
func.func @twice(%X: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NOT: memref.alloc
  // CHECK: memref.load %[[X]]
  // CHECK: memref.store %{{.*}}, %[[OUT0]]
  %Y = te.compute "negate" (%X) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<4xf32>
    %n = arith.negf %x : f32
    te.yield %n : f32
  }
  // CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT: %[[V:.*]] = memref.load %[[OUT0]][%[[I]]] : memref<4xf32>
  // CHECK-NEXT: memref.store %[[V]], %[[OUT1]][%[[I]]] : memref<4xf32>
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return{{$}}
  func.return %Y, %Y : tensor<4xf32>, tensor<4xf32>
}
