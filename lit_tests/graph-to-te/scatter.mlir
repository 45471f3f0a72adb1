// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// A scatter with a reduction sums (or maxes, mins) over the updates that land on each
// output element, the others giving the identity, then combines that with the data.

// CHECK-LABEL: func.func @scatter_elements_add
// CHECK-SAME: (%[[D:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x2xi64>, %[[U:.*]]: tensor<3x2xf32>)
func.func @scatter_elements_add(%d: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  // CHECK: %[[SUM:.*]] = te.compute "scatter_elements_add" (%[[I]], %[[U]]) axes ["i0", "i1"] reduce sum ["r0" = 2] init 0.000000e+00 : f32
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index, %[[R:.*]]: index):
  // CHECK-NEXT: te.read %[[I]][%[[A]], %[[R]]] : tensor<3x2xi64>
  // CHECK: %[[CLAMPED:.*]] = arith.maxsi
  // CHECK-NEXT: %[[HERE:.*]] = arith.cmpi eq, %[[CLAMPED]], %[[B]] : index
  // CHECK-NEXT: %[[V:.*]] = te.read %[[U]][%[[A]], %[[R]]] : tensor<3x2xf32>
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[T:.*]] = arith.select %[[HERE]], %[[V]], %[[ZERO]] : f32
  // CHECK-NEXT: te.yield %[[T]] : f32
  // CHECK: te.compute "scatter_elements" (%[[D]], %[[SUM]]) axes ["i0", "i1"]
  // CHECK: arith.addf
  %y = graph.scatter_elements %d, %i, %u axis 1 reduction "add" : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}

// Without a reduction the last update on an element wins: an integer max-reduction finds
// its position (-1 for none), and the second compute reads it or the data.

// CHECK-LABEL: func.func @scatter_nd
// CHECK-SAME: (%[[D:.*]]: tensor<4x3xf32>, %[[I:.*]]: tensor<2x1xi64>, %[[U:.*]]: tensor<2x3xf32>)
func.func @scatter_nd(%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[LAST:.*]] = te.compute "scatter_nd_last" (%[[I]]) axes ["i0", "i1"] reduce max ["r0" = 2] init -1 : i64 : (tensor<2x1xi64>) -> tensor<4x3xi64>
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index, %[[R:.*]]: index):
  // CHECK-NEXT: %[[POSITION:.*]] = arith.index_cast %[[R]] : index to i64
  // CHECK-NEXT: %[[NONE:.*]] = arith.constant -1 : i64
  // CHECK: %[[HERE:.*]] = arith.cmpi eq, %{{.*}}, %[[A]] : index
  // CHECK-NEXT: %[[T:.*]] = arith.select %[[HERE]], %[[POSITION]], %[[NONE]] : i64
  // CHECK-NEXT: te.yield %[[T]] : i64
  // CHECK: te.compute "scatter_nd" (%[[D]], %[[U]], %[[LAST]]) axes ["i0", "i1"]
  // CHECK-NEXT: ^bb0(%[[A:.*]]: index, %[[B:.*]]: index):
  // CHECK-NEXT: %[[FOUND:.*]] = te.read %[[LAST]][%[[A]], %[[B]]] : tensor<4x3xi64>
  // CHECK: %[[PRESENT:.*]] = arith.cmpi sge
  // CHECK-NEXT: %[[V:.*]] = te.read %[[U]][%{{.*}}, %[[B]]] : tensor<2x3xf32>
  // CHECK-NEXT: %[[OLD:.*]] = te.read %[[D]][%[[A]], %[[B]]] : tensor<4x3xf32>
  // CHECK-NEXT: arith.select %[[PRESENT]], %[[V]], %[[OLD]] : f32
  %y = graph.scatter_nd %d, %i, %u : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  func.return %y : tensor<4x3xf32>
}

// A product has no reduce kind: each update is folded in turn, where it lands.

// CHECK-LABEL: func.func @scatter_nd_mul
func.func @scatter_nd_mul(%d: tensor<4xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  // CHECK: te.compute "scatter_nd" (%{{.*}}, %{{.*}}, %{{.*}}) axes ["i0"] : (tensor<4xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<4xf32>
  // CHECK-COUNT-2: arith.mulf
  // CHECK-NOT: reduce
  %y = graph.scatter_nd %d, %i, %u reduction "mul" : (tensor<4xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
