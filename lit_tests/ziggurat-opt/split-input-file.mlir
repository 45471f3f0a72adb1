// RUN: ziggurat-opt %s --split-input-file | filecheck %s
// RUN: not ziggurat-opt %s 2>&1 | filecheck %s --check-prefix=WHOLE

// Each chunk is parsed and printed alone; the outputs are joined by the marker again.

// CHECK: func.func @twice()
// CHECK-NOT: func.func
// CHECK: // -----
// CHECK: func.func @twice()
func.func @twice() {
  func.return
}

// -----

// Without the split, the module defines @twice twice.
// WHOLE: split-input-file.mlir:1:1: error: Redefinition of symbol "twice"
func.func @twice() {
  func.return
}
