// RUN: ziggurat-opt %s -p te-to-loop --split-input-file | filecheck %s

// A reduction marked ziggurat.compute_at_consumer gets no buffer: where its consumer reads
// it, its reduce loops run in the consumer's nest, accumulating in a scalar, and the
// epilogue is applied before the one store.

// CHECK-LABEL: func.func @dense_relu
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<8x16xf32>, %[[OUT:.*]]: memref<4x16xf32> {ziggurat.output})
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[INIT:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[SUM:.*]] = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NEXT: %[[X:.*]] = memref.load %[[A]][%[[I]], %[[K]]]
// CHECK-NEXT: %[[Y:.*]] = memref.load %[[B]][%[[K]], %[[J]]]
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[Y]]
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]]
// CHECK-NEXT: scf.yield %[[S]]
// CHECK: %[[R:.*]] = arith.maximumf %[[SUM]], %{{.*}}
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]], %[[J]]]
// CHECK-NOT: memref.store
// CHECK: func.return
func.func @dense_relu(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %m = te.compute "dense" (%a, %b) axes ["i", "j"] reduce sum ["k" = 8] init 0.0 : f32 {ziggurat.compute_at_consumer} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %a[%i, %k] : tensor<4x8xf32>
    %y = te.read %b[%k, %j] : tensor<8x16xf32>
    %p = arith.mulf %x, %y : f32
    te.yield %p : f32
  }
  %r = te.compute "relu" (%m) axes ["i", "j"] : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%i: index, %j: index):
    %v = te.read %m[%i, %j] : tensor<4x16xf32>
    %z = arith.constant 0.0 : f32
    %s = arith.maximumf %v, %z : f32
    te.yield %s : f32
  }
  func.return %r : tensor<4x16xf32>
}

// -----

// The mark is a request: a marked reduction that is also returned is stored as usual.

// CHECK-LABEL: func.func @returned
// CHECK-SAME: (%{{.*}}: memref<4x8xf32>, %[[OUT0:.*]]: memref<4xf32> {ziggurat.output}, %[[OUT1:.*]]: memref<4xf32> {ziggurat.output})
// CHECK: memref.store %{{.*}}, %[[OUT0]]
// CHECK: memref.load %[[OUT0]]
// CHECK: memref.store %{{.*}}, %[[OUT1]]
func.func @returned(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = te.compute "sum" (%x) axes ["i"] reduce sum ["k" = 8] init 0.0 : f32 {ziggurat.compute_at_consumer} : (tensor<4x8xf32>) -> tensor<4xf32> {
  ^bb0(%i: index, %k: index):
    %v = te.read %x[%i, %k] : tensor<4x8xf32>
    te.yield %v : f32
  }
  %n = te.compute "neg" (%s) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %v = te.read %s[%i] : tensor<4xf32>
    %r = arith.negf %v : f32
    te.yield %r : f32
  }
  func.return %s, %n : tensor<4xf32>, tensor<4xf32>
}

// -----

// What a marked reduction reads lives until its consumer's nest has run: the buffer of the
// first sum is freed after the nest that computes the second sum inside the negation.

// CHECK-LABEL: func.func @reads_an_intermediate
// CHECK: %[[FIRST:.*]] = memref.alloc() {{.*}} : memref<4x8xf32>
// CHECK-NOT: memref.dealloc
// CHECK: {loop.axis = "i", te.compute = "sum"}
// CHECK-NOT: memref.dealloc
// CHECK: memref.load %[[FIRST]]
// CHECK: {loop.axis = "i", te.compute = "neg"}
// CHECK-NEXT: memref.dealloc %[[FIRST]]
func.func @reads_an_intermediate(%x: tensor<4x8x3xf32>) -> tensor<4xf32> {
  %f = te.compute "sum" (%x) axes ["i", "j"] reduce sum ["k" = 3] init 0.0 : f32 : (tensor<4x8x3xf32>) -> tensor<4x8xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %v = te.read %x[%i, %j, %k] : tensor<4x8x3xf32>
    te.yield %v : f32
  }
  %s = te.compute "sum" (%f) axes ["i"] reduce sum ["k" = 8] init 0.0 : f32 {ziggurat.compute_at_consumer} : (tensor<4x8xf32>) -> tensor<4xf32> {
  ^bb0(%i: index, %k: index):
    %v = te.read %f[%i, %k] : tensor<4x8xf32>
    te.yield %v : f32
  }
  %n = te.compute "neg" (%s) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: index):
    %v = te.read %s[%i] : tensor<4xf32>
    %r = arith.negf %v : f32
    te.yield %r : f32
  }
  func.return %n : tensor<4xf32>
}
