// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// The activations and other functions of one element are each one compute: elu selects
// alpha * (exp(x) - 1) below 0, hard_sigmoid clamps a line, gelu multiplies by
// (1 + erf(x / sqrt 2)) / 2 or its tanh approximation, round is roundeven (halves to even),
// softplus is max(x, 0) + log1p(exp(-|x|)) (log1p in f32 for f16), sign of an integer picks
// -1, 0 or 1, and prelu multiplies the negative elements by the broadcast slope.

// CHECK-LABEL: func.func @functions
// CHECK-SAME: (%[[X:.*]]: tensor<5xf32>, %[[S:.*]]: tensor<5xf32>, %[[I:.*]]: tensor<5xi32>)
func.func @functions(%x: tensor<5xf32>, %s: tensor<5xf32>, %i: tensor<5xi32>) -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xi32>, tensor<5xf32>, tensor<5xf32>) {
  // CHECK: te.compute "elu" (%[[X]]) axes ["i0"]
  // CHECK: %[[V:.*]] = te.read %[[X]]
  // CHECK: %[[POSITIVE:.*]] = arith.cmpf ogt, %[[V]], %{{.*}} : f32
  // CHECK: %[[EXP:.*]] = math.exp %[[V]] : f32
  // CHECK: %[[EXPM1:.*]] = arith.subf %[[EXP]], %{{.*}} : f32
  // CHECK: %[[SCALED:.*]] = arith.mulf %[[EXPM1]], %{{.*}} : f32
  // CHECK-NEXT: %[[ELU:.*]] = arith.select %[[POSITIVE]], %[[V]], %[[SCALED]] : f32
  // CHECK-NEXT: te.yield %[[ELU]] : f32
  %elu = graph.elu %x alpha 0.5 : tensor<5xf32>
  // CHECK: te.compute "hard_sigmoid"
  // CHECK: arith.mulf
  // CHECK: arith.addf
  // CHECK: arith.minimumf
  // CHECK: arith.maximumf
  %hs = graph.hard_sigmoid %x alpha 0.25 beta 0.5 : tensor<5xf32>
  // CHECK: te.compute "gelu"
  // CHECK: arith.constant 0.707106769 : f32
  // CHECK: math.erf
  %gelu = graph.gelu %x : tensor<5xf32>
  // CHECK: te.compute "round"
  // CHECK: math.roundeven %{{.*}} : f32
  %round = graph.round %x : tensor<5xf32>
  // CHECK: te.compute "softplus"
  // CHECK: %[[ABS:.*]] = math.absf
  // CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[ABS]]
  // CHECK-NEXT: %[[TAIL:.*]] = math.exp %[[NEG]]
  // CHECK-NEXT: %[[RELU:.*]] = arith.maximumf
  // CHECK-NEXT: %[[LOG:.*]] = math.log1p %[[TAIL]] : f32
  // CHECK-NEXT: arith.addf %[[RELU]], %[[LOG]] : f32
  %softplus = graph.softplus %x : tensor<5xf32>
  // CHECK: te.compute "sign" (%[[I]])
  // CHECK: arith.cmpi slt
  // CHECK: arith.cmpi sgt
  %sign = graph.sign %i : tensor<5xi32>
  // CHECK: te.compute "prelu" (%[[X]], %[[S]])
  // CHECK: %[[A:.*]] = te.read %[[X]]
  // CHECK-NEXT: %[[SLOPE:.*]] = te.read %[[S]]
  // CHECK: %[[NEGATIVE:.*]] = arith.cmpf olt, %[[A]], %{{.*}} : f32
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[SLOPE]] : f32
  // CHECK-NEXT: arith.select %[[NEGATIVE]], %[[P]], %[[A]] : f32
  %prelu = graph.prelu %x, %s : (tensor<5xf32>, tensor<5xf32>) -> tensor<5xf32>
  // CHECK: te.compute "gelu"
  // CHECK: arith.constant 4.471500e-02 : f32
  // CHECK: math.tanh
  %gelu_tanh = graph.gelu %x tanh : tensor<5xf32>
  func.return %elu, %hs, %gelu, %round, %softplus, %sign, %prelu, %gelu_tanh : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xi32>, tensor<5xf32>, tensor<5xf32>
}

// CHECK-LABEL: func.func @softplus_f16
func.func @softplus_f16(%h: tensor<5xf16>) -> tensor<5xf16> {
  // CHECK: %[[WIDE:.*]] = arith.extf %{{.*}} : f16 to f32
  // CHECK-NEXT: %[[LOG:.*]] = math.log1p %[[WIDE]] : f32
  // CHECK-NEXT: arith.truncf %[[LOG]] : f32 to f16
  %y = graph.softplus %h : tensor<5xf16>
  func.return %y : tensor<5xf16>
}
