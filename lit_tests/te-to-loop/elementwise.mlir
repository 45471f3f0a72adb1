// RUN: ziggurat-opt %s -p te-to-loop | filecheck %s

// One scf.for per output axis, named after the axis; te.read becomes memref.load and the
// element is stored into the output argument.

// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:.*]]: memref<7x13xf32>, %[[OUT:.*]]: memref<7x13xf32> {ziggurat.output})
func.func @relu(%X: tensor<7x13xf32>) -> tensor<7x13xf32> {
  // CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
  // CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
  // CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
  // CHECK-DAG: %[[C13:.*]] = arith.constant 13 : index
  // CHECK: scf.for %[[I:.*]] = %[[C0]] to %[[C7]] step %[[C1]] {
  // CHECK-NEXT: scf.for %[[J:.*]] = %[[C0]] to %[[C13]] step %[[C1]] {
  // CHECK-NEXT: %[[V:.*]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<7x13xf32>
  // CHECK: %[[R:.*]] = arith.maximumf %[[V]], %{{.*}} : f32
  // CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]], %[[J]]] : memref<7x13xf32>
  // CHECK-NEXT: }
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return
  // CHECK-NOT: te.
  %Y = te.compute "relu" (%X) axes ["i", "j"] : (tensor<7x13xf32>) -> tensor<7x13xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<7x13xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<7x13xf32>
}

// A rank-0 output needs no loop.

// CHECK-LABEL: func.func @scalar
// CHECK-SAME: (%[[X:.*]]: memref<f32>, %[[OUT:.*]]: memref<f32> {ziggurat.output})
func.func @scalar(%X: tensor<f32>) -> tensor<f32> {
  // CHECK-NOT: scf.for
  // CHECK: %[[V:.*]] = memref.load %[[X]][] : memref<f32>
  // CHECK: memref.store %{{.*}}, %[[OUT]][] : memref<f32>
  %Y = te.compute "double" (%X) axes [] : (tensor<f32>) -> tensor<f32> {
  ^bb0():
    %x = te.read %X[] : tensor<f32>
    %y = arith.addf %x, %x : f32
    te.yield %y : f32
  }
  func.return %Y : tensor<f32>
}
