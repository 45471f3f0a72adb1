// RUN: ziggurat-opt %s -p lower-affine-if-present | filecheck %s

// A module with affine ops gets xDSL's lower-affine: scf loops, memref accesses.

// CHECK-LABEL: func.func @copy
// CHECK-NOT: affine.
// CHECK: scf.for
// CHECK: memref.load
// CHECK: memref.store
// CHECK-NOT: affine.
func.func @copy(%A: memref<13xf32>, %B: memref<13xf32>) {
  affine.for %i = 0 to 13 {
    %a = "affine.load"(%A, %i) <{map = affine_map<(d0) -> (d0)>}> : (memref<13xf32>, index) -> f32
    "affine.store"(%a, %B, %i) <{map = affine_map<(d0) -> (d0)>}> : (f32, memref<13xf32>, index) -> ()
  }
  func.return
}
