// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// pow is math.powf of the base's magnitude, its sign fixed by select so a negative base
// gives the signed power for integral exponents (negated for odd ones) and NaN for
// fractional ones on every target, whatever its powf does with a negative base.

// CHECK-LABEL: func.func @pow
// CHECK-SAME: (%[[X:.*]]: tensor<7x13xf32>, %[[E:.*]]: tensor<f32>)
func.func @pow(%x: tensor<7x13xf32>, %e: tensor<f32>) -> tensor<7x13xf32> {
  // CHECK: te.compute "pow" (%[[X]], %[[E]]) axes ["i0", "i1"] : (tensor<7x13xf32>, tensor<f32>) -> tensor<7x13xf32> {
  // CHECK-NEXT: ^bb0(%[[I:.*]]: index, %[[J:.*]]: index):
  // CHECK-NEXT: %[[B:.*]] = te.read %[[X]][%[[I]], %[[J]]] : tensor<7x13xf32>
  // CHECK-NEXT: %[[P:.*]] = te.read %[[E]][] : tensor<f32>
  // CHECK-NEXT: %[[ABS:.*]] = math.absf %[[B]] : f32
  // CHECK-NEXT: %[[MAG:.*]] = math.powf %[[ABS]], %[[P]] : f32
  // CHECK-NEXT: %[[WHOLE:.*]] = math.trunc %[[P]] : f32
  // CHECK-NEXT: %[[INTEGRAL:.*]] = arith.cmpf oeq, %[[WHOLE]], %[[P]] : f32
  // CHECK-NEXT: %[[C_HALF:.*]] = arith.constant 5.000000e-01 : f32
  // CHECK-NEXT: %[[HALF:.*]] = arith.mulf %[[P]], %[[C_HALF]] : f32
  // CHECK-NEXT: %[[HALF_WHOLE:.*]] = math.trunc %[[HALF]] : f32
  // CHECK-NEXT: %[[ODD:.*]] = arith.cmpf one, %[[HALF_WHOLE]], %[[HALF]] : f32
  // CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[MAG]] : f32
  // CHECK-NEXT: %[[SIGNED:.*]] = arith.select %[[ODD]], %[[NEG]], %[[MAG]] : f32
  // CHECK-NEXT: %[[NAN:.*]] = arith.constant 0x7fc00000 : f32
  // CHECK-NEXT: %[[OF_NEGATIVE:.*]] = arith.select %[[INTEGRAL]], %[[SIGNED]], %[[NAN]] : f32
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[IS_NEGATIVE:.*]] = arith.cmpf olt, %[[B]], %[[ZERO]] : f32
  // CHECK-NEXT: %[[Y:.*]] = arith.select %[[IS_NEGATIVE]], %[[OF_NEGATIVE]], %[[MAG]] : f32
  // CHECK-NEXT: te.yield %[[Y]] : f32
  %y = graph.pow %x, %e : (tensor<7x13xf32>, tensor<f32>) -> tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}

// Maximum and minimum broadcast like the other binary ops and keep NaN (maximumf, not
// maxnumf).

// CHECK-LABEL: func.func @maximum_minimum
func.func @maximum_minimum(%a: tensor<7x1xf32>, %b: tensor<13xf32>) -> (tensor<7x13xf32>, tensor<7x13xf32>) {
  // CHECK: te.compute "maximum" (%{{.*}}, %{{.*}}) axes ["i0", "i1"] : (tensor<7x1xf32>, tensor<13xf32>) -> tensor<7x13xf32>
  // CHECK: %[[MAX:.*]] = arith.maximumf %{{.*}}, %{{.*}} : f32
  // CHECK-NEXT: te.yield %[[MAX]] : f32
  %max = graph.maximum %a, %b : (tensor<7x1xf32>, tensor<13xf32>) -> tensor<7x13xf32>
  // CHECK: te.compute "minimum"
  // CHECK: %[[MIN:.*]] = arith.minimumf %{{.*}}, %{{.*}} : f32
  // CHECK-NEXT: te.yield %[[MIN]] : f32
  %min = graph.minimum %a, %b : (tensor<7x1xf32>, tensor<13xf32>) -> tensor<7x13xf32>
  func.return %max, %min : tensor<7x13xf32>, tensor<7x13xf32>
}
