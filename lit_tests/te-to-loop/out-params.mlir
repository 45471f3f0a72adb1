// RUN: ziggurat-opt %s -p te-to-loop | filecheck %s

// Tensor results become trailing memref arguments marked ziggurat.output and the function
// returns nothing; a returned compute writes straight into its output, an intermediate one
// into a 64-byte aligned alloc freed after its last use.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[OUT0:.*]]: memref<4xf32> {ziggurat.output}, %[[OUT1:.*]]: memref<4xf32> {ziggurat.output})
// CHECK-NOT: ->
func.func @chain(%X: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[T:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  // CHECK: scf.for
  // CHECK: memref.store %{{.*}}, %[[T]]
  %T = te.compute "square" (%X) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<4xf32>
    %s = arith.mulf %x, %x : f32
    te.yield %s : f32
  }
  // CHECK: scf.for
  // CHECK: memref.load %[[T]]
  // CHECK: memref.store %{{.*}}, %[[OUT1]]
  %U = te.compute "plus" (%T) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %t = te.read %T[%i] : tensor<4xf32>
    %s = arith.addf %t, %t : f32
    te.yield %s : f32
  }
  // CHECK: scf.for
  // CHECK: memref.load %[[T]]
  // CHECK: memref.load %[[OUT1]]
  // CHECK: memref.store %{{.*}}, %[[OUT0]]
  %V = te.compute "times" (%T, %U) axes ["i"] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %t = te.read %T[%i] : tensor<4xf32>
    %u = te.read %U[%i] : tensor<4xf32>
    %s = arith.mulf %t, %u : f32
    te.yield %s : f32
  }
  // CHECK: }
  // CHECK-NEXT: memref.dealloc %[[T]] : memref<4xf32>
  // CHECK-NEXT: func.return{{$}}
  func.return %V, %U : tensor<4xf32>, tensor<4xf32>
}

// A call passes the argument buffers and one output buffer per tensor result; results
// the caller does not return are allocated like intermediates.

// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[OUT0:.*]]: memref<4xf32> {ziggurat.output})
func.func @twice(%X: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  // CHECK-NEXT: %[[B:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  // CHECK-NEXT: func.call @chain(%[[X]], %[[A]], %[[B]]) : (memref<4xf32>, memref<4xf32>, memref<4xf32>) -> ()
  // CHECK-NEXT: memref.dealloc %[[B]]
  %A, %B = func.call @chain(%X) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  // CHECK-NEXT: %[[D:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  // CHECK-NEXT: func.call @chain(%[[A]], %[[OUT0]], %[[D]])
  // CHECK-NEXT: memref.dealloc %[[A]]
  // CHECK-NEXT: memref.dealloc %[[D]]
  // CHECK-NEXT: func.return{{$}}
  %C, %D = func.call @chain(%A) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  func.return %C : tensor<4xf32>
}

// A declaration gets the same signature. (xDSL prints no argument attributes on
// declarations, so the ziggurat.output mark is checked by the pytest tests.)

// CHECK-LABEL: func.func private @external(memref<4xf32>, memref<4xf32>) -> ()
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
