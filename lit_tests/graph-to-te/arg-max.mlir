// RUN: ziggurat-opt %s -p graph-to-te | filecheck %s

// An arg max is the max along the axis, then the least index holding it: a min reduction of
// the index where the element equals the max (or is NaN, which numpy's argmax picks), else
// of the extent. With select_last_index, a max reduction from -1; unsigned integers compare
// as such (umin from 255, as the i8 -1).

// CHECK-LABEL: func.func @arg
// CHECK-SAME: (%[[X:.*]]: tensor<3x5xf32>, %[[U:.*]]: tensor<5xi8>)
func.func @arg(%x: tensor<3x5xf32>, %u: tensor<5xui8>) -> (tensor<3x1xi64>, tensor<i64>) {
  // CHECK: %[[MAX:.*]] = te.compute "arg_max_value" (%[[X]]) axes ["i0", "i1"] reduce max ["r0" = 5] init 0xff800000 : f32 : (tensor<3x5xf32>) -> tensor<3x1xf32>
  // CHECK: te.compute "arg_max" (%[[X]], %[[MAX]]) axes ["i0", "i1"] reduce min ["k" = 5] init 5 : i64 : (tensor<3x5xf32>, tensor<3x1xf32>) -> tensor<3x1xi64> {
  // CHECK-NEXT: ^bb0(%[[I0:.*]]: index, %[[I1:.*]]: index, %[[K:.*]]: index):
  // CHECK-NEXT: %[[V:.*]] = te.read %[[X]][%[[I0]], %[[K]]]
  // CHECK-NEXT: %[[M:.*]] = te.read %[[MAX]][%[[I0]], %[[I1]]]
  // CHECK-NEXT: %[[EQUAL:.*]] = arith.cmpf oeq, %[[V]], %[[M]] : f32
  // CHECK-NEXT: %[[NAN:.*]] = arith.cmpf une, %[[V]], %[[V]] : f32
  // CHECK-NEXT: %[[CHOSEN:.*]] = arith.ori %[[EQUAL]], %[[NAN]] : i1
  // CHECK-NEXT: %[[INDEX:.*]] = arith.index_cast %[[K]] : index to i64
  // CHECK-NEXT: %[[EXTENT:.*]] = arith.constant 5 : i64
  // CHECK-NEXT: %[[R:.*]] = arith.select %[[CHOSEN]], %[[INDEX]], %[[EXTENT]] : i64
  // CHECK-NEXT: te.yield %[[R]] : i64
  %a = graph.arg_max %x axis 1 keepdims : (tensor<3x5xf32>) -> tensor<3x1xi64>
  // CHECK: %[[MIN:.*]] = te.compute "arg_min_value" (%[[U]]) axes [] reduce umin ["r0" = 5] init -1 : i8
  // CHECK: te.compute "arg_min" (%[[U]], %[[MIN]]) axes [] reduce max ["k" = 5] init -1 : i64
  // CHECK: arith.cmpi eq
  %b = graph.arg_min %u axis 0 select_last_index : (tensor<5xui8>) -> tensor<i64>
  func.return %a, %b : tensor<3x1xi64>, tensor<i64>
}
