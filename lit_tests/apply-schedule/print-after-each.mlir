// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule{print-after-each=true}' 2>&1 >/dev/null | filecheck %s

// print-after-each dumps the payload to stderr after each transform op, MLIR-style, with
// the op's location.

// CHECK: // -----// IR Dump After transform.structured.match (
// CHECK-SAME: print-after-each.mlir:26:11) //----- //
// CHECK: // -----// IR Dump After transform.schedule.get_loops (
// CHECK: // -----// IR Dump After transform.schedule.split (
// CHECK-SAME: print-after-each.mlir:28:14) //----- //
// CHECK-NEXT: builtin.module {
// CHECK: } {loop.axis = "i.outer", te.compute = "copy"}
// CHECK: // -----// IR Dump After transform.schedule.parallel (
// CHECK: } {loop.axis = "i.outer", te.compute = "copy", loop.annotations = [#loop.parallel]}
// CHECK-NOT: IR Dump
func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %copy = transform.structured.match attributes {te.compute = "copy"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j = transform.schedule.get_loops %copy : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by 4 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.parallel %io : !transform.any_op
  transform.yield
}
