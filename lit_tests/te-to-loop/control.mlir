// RUN: ziggurat-opt %s -p te-to-loop | filecheck %s

// scf.if on tensors: each branch writes the results into their buffers (here the output),
// a computed one directly, any other by a copy; the branch then has no results.

// CHECK-LABEL: func.func @branch
// CHECK-SAME: (%[[C:.*]]: memref<i1>, %[[X:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32> {ziggurat.output})
func.func @branch(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[COND:.*]] = memref.load %[[C]][] : memref<i1>
  // CHECK-NEXT: scf.if %[[COND]] {
  // CHECK: scf.for
  // CHECK: memref.store %{{.*}}, %[[OUT]][%{{.*}}] : memref<4xf32>
  // CHECK: } {loop.axis = "i", te.compute = "double"}
  // CHECK-NEXT: } else {
  // CHECK: %[[V:.*]] = memref.load %[[X]][%{{.*}}] : memref<4xf32>
  // CHECK-NEXT: memref.store %[[V]], %[[OUT]][%{{.*}}] : memref<4xf32>
  // CHECK: func.return
  %b = tensor.extract %c[] : tensor<i1>
  %r = scf.if %b -> (tensor<4xf32>) {
    %d = te.compute "double" (%x) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%i: index):
      %v = te.read %x[%i] : tensor<4xf32>
      %s = arith.addf %v, %v : f32
      te.yield %s : f32
    }
    scf.yield %d : tensor<4xf32>
  } else {
    scf.yield %x : tensor<4xf32>
  }
  func.return %r : tensor<4xf32>
}

// te.loop becomes an scf.for over the iterations: a carried value lives in its result's
// buffer (here an output), copied there from its initial value before the loop and from
// the yielded value at the end of each iteration; a stacked value is copied into its slot
// [t, ...]. What the body computes has a buffer allocated once, before the loop, and freed
// after it.

// CHECK-LABEL: func.func @steps
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[H:.*]]: memref<4xf32> {ziggurat.output}, %[[YS:.*]]: memref<3x4xf32> {ziggurat.output})
func.func @steps(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  // CHECK: %[[N:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
  // CHECK: scf.for
  // CHECK: memref.store %{{.*}}, %[[H]][%{{.*}}]
  // CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NOT: memref.alloc
  // CHECK: memref.load %[[H]]
  // CHECK: memref.store %{{.*}}, %[[N]][%{{.*}}]
  // CHECK: } {loop.axis = "i", te.compute = "next"}
  // CHECK: %[[S:.*]] = memref.load %[[N]][%[[I:.*]]] : memref<4xf32>
  // CHECK-NEXT: memref.store %[[S]], %[[YS]][%[[T]], %[[I]]] : memref<3x4xf32>
  // CHECK: %[[B:.*]] = memref.load %[[N]][%[[J:.*]]] : memref<4xf32>
  // CHECK-NEXT: memref.store %[[B]], %[[H]][%[[J]]] : memref<4xf32>
  // CHECK-NEXT: } {loop.axis = "i0"}
  // CHECK-NEXT: }
  // CHECK-NEXT: memref.dealloc %[[N]] : memref<4xf32>
  // CHECK-NEXT: func.return
  %h, %ys = te.loop 3 (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  ^bb0(%t: index, %h0: tensor<4xf32>):
    %n = te.compute "next" (%h0) axes ["i"] : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%i: index):
      %v = te.read %h0[%i] : tensor<4xf32>
      %d = arith.addf %v, %v : f32
      te.yield %d : f32
    }
    te.loop_yield %n, %n : tensor<4xf32>, tensor<4xf32>
  }
  func.return %h, %ys : tensor<4xf32>, tensor<3x4xf32>
}

// Two carried values that swap places: one is saved before either is overwritten.

// CHECK-LABEL: func.func @swap
// CHECK-SAME: (%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>, %[[OA:.*]]: memref<4xf32> {ziggurat.output}, %[[OB:.*]]: memref<4xf32> {ziggurat.output})
func.func @swap(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[SA:.*]] = memref.alloc()
  // CHECK: %[[SB:.*]] = memref.alloc()
  // CHECK: scf.for
  // CHECK: memref.store %{{.*}}, %[[SA]]
  // CHECK: memref.store %{{.*}}, %[[SB]]
  // CHECK: memref.load %[[SA]]
  // CHECK-NEXT: memref.store %{{.*}}, %[[OA]]
  // CHECK: memref.load %[[SB]]
  // CHECK-NEXT: memref.store %{{.*}}, %[[OB]]
  %x, %y = te.loop 3 (%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%t: index, %p: tensor<4xf32>, %q: tensor<4xf32>):
    te.loop_yield %q, %p : tensor<4xf32>, tensor<4xf32>
  }
  func.return %x, %y : tensor<4xf32>, tensor<4xf32>
}
