// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule{target="systolic"},canonicalize,cse,lower-to-systolic' | filecheck %s

// A 4x16x16 int8 matmul on the 8x8 array: per block of 8 columns and 8 of k, the
// weights are loaded and the 4 rows stream through them; the first block of k writes the
// output, the second adds to it.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<4x16xi8>, %[[B:.*]]: memref<16x16xi8>, %[[C:.*]]: memref<4x16xi32> {ziggurat.output})
// CHECK-NEXT: systolic.array size 8 {
// CHECK-NEXT: systolic.weights %[[B]][0] strides [16, 1]
// CHECK-NEXT: systolic.stream %[[A]][0] strides [16, 1] rows 4 into %[[C]][0] strides [16, 1] :
// CHECK-NEXT: systolic.weights %[[B]][128] strides [16, 1]
// CHECK-NEXT: systolic.stream %[[A]][8] strides [16, 1] rows 4 into %[[C]][0] strides [16, 1] accumulate
// CHECK-NEXT: systolic.weights %[[B]][8] strides [16, 1]
// CHECK-NEXT: systolic.stream %[[A]][0] strides [16, 1] rows 4 into %[[C]][8] strides [16, 1] :
// CHECK-NEXT: systolic.weights %[[B]][136] strides [16, 1]
// CHECK-NEXT: systolic.stream %[[A]][8] strides [16, 1] rows 4 into %[[C]][8] strides [16, 1] accumulate
// CHECK-NEXT: }
// CHECK-NEXT: func.return
// CHECK-NOT: systolic_mm
func.func @matmul(%A: tensor<4x16xi8>, %B: tensor<16x16xi8>) -> tensor<4x16xi32> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 16] init 0 : i32 : (tensor<4x16xi8>, tensor<16x16xi8>) -> tensor<4x16xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<4x16xi8>
    %b = te.read %B[%k, %j] : tensor<16x16xi8>
    %wa = arith.extsi %a : i8 to i32
    %wb = arith.extsi %b : i8 to i32
    %p = arith.muli %wa, %wb : i32
    te.yield %p : i32
  }
  func.return %C : tensor<4x16xi32>
}
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "matmul"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %jb, %jn = transform.schedule.split %j by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %kb, %kn = transform.schedule.split %k by 8 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %jb, %kb, %i, %jn, %kn : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  transform.schedule.tensorize %jn with @systolic_mm : !transform.any_op
  transform.yield
}
