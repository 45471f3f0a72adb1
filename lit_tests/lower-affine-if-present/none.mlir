// RUN: ziggurat-opt %s -p lower-affine-if-present | filecheck %s

// Without affine ops, the module is left as it is.

// CHECK-LABEL: func.func @double
// CHECK-NEXT: %c0 = arith.constant 0 : index
// CHECK-NEXT: %c1 = arith.constant 1 : index
// CHECK-NEXT: %n = arith.constant 13 : index
// CHECK-NEXT: scf.for %i = %c0 to %n step %c1 {
// CHECK-NEXT:   %x = memref.load %X[%i] : memref<13xf32>
// CHECK-NEXT:   %y = arith.addf %x, %x : f32
// CHECK-NEXT:   memref.store %y, %Y[%i] : memref<13xf32>
// CHECK-NEXT: }
// CHECK-NEXT: func.return
func.func @double(%X: memref<13xf32>, %Y: memref<13xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 13 : index
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %X[%i] : memref<13xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %Y[%i] : memref<13xf32>
  }
  func.return
}
