// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule{file=%S/Inputs/copy-schedule.mlir}' | filecheck %s
// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule{file=%S/Inputs/copy-schedule.mlir entry-point=unroll_only}' | filecheck %s --check-prefix=ENTRY
// RUN: not ziggurat-opt %s -p 'te-to-loop,apply-schedule{file=%S/Inputs/copy-schedule.mlir entry-point=broken}' 2>&1 | filecheck %s --check-prefix=ERROR

// The schedule comes from a file; `entry-point` picks another named sequence in it. Errors
// point into the schedule file.

// CHECK-LABEL: func.func @copy
// CHECK: } {loop.axis = "j.inner", loop.annotations = [#loop.vectorize<4>]}
// CHECK-NEXT: } {loop.axis = "j.outer"}
// CHECK-NEXT: } {loop.axis = "i", te.compute = "copy"}

// ENTRY: } {loop.axis = "j", loop.annotations = [#loop.unroll<2>]}
// ENTRY-NEXT: } {loop.axis = "i", te.compute = "copy", loop.annotations = [#loop.unroll<2>]}

// ERROR: Inputs/copy-schedule.mlir:19:3: error: vectorize needs an innermost loop, but loop 'i' contains loop 'j'
func.func @copy(%X: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %Y = te.compute "copy" (%X) axes ["i", "j"] : (tensor<6x8xf32>) -> tensor<6x8xf32> {
  ^bb0(%i: index, %j: index):
    %x = te.read %X[%i, %j] : tensor<6x8xf32>
    te.yield %x : f32
  }
  func.return %Y : tensor<6x8xf32>
}
