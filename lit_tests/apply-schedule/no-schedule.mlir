// RUN: not ziggurat-opt %s -p 'te-to-loop,apply-schedule' 2>&1 | filecheck %s
// RUN: not ziggurat-opt %s -p 'te-to-loop,apply-schedule{file=%S/missing.mlir}' 2>&1 | filecheck %s --check-prefix=FILE
// RUN: not ziggurat-opt %s -p 'te-to-loop,apply-schedule{entry-point=other}' 2>&1 | filecheck %s --check-prefix=ENTRY

// Without file= the schedule must be in the payload; a file must exist; the named sequence
// must be there.

// CHECK: error: the payload (and apply-schedule was given no file=...) has no transform.named_sequence @__transform_main
// FILE: error: cannot open schedule file '{{.*}}missing.mlir': No such file or directory
// ENTRY: error: the payload (and apply-schedule was given no file=...) has no transform.named_sequence @other
func.func @copy(%X: tensor<6xf32>) -> tensor<6xf32> {
  func.return %X : tensor<6xf32>
}
