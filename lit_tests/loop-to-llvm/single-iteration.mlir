// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// A loop whose constant bounds give it one iteration is its body, with the lower bound for
// the induction variable (constant indices then fold into the address); one with none is
// nothing, its results the initial values. Any other loop stays a loop.

// CHECK-LABEL: llvm.func @f(
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr, %[[A:[^:]*]]: !llvm.ptr, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[X:[^:]*]]: f32) -> f32
// CHECK-NOT: llvm.br
// CHECK: %[[C3:.*]] = llvm.mlir.constant(3) : i64
// CHECK-NEXT: %[[AT3:.*]] = llvm.getelementptr inbounds %[[A]][%[[C3]]]
// CHECK-NEXT: llvm.store %[[X]], %[[AT3]] : f32, !llvm.ptr
// CHECK-NEXT: %[[TWICE:.*]] = llvm.fadd %[[X]], %[[X]]
// CHECK-NEXT: llvm.br ^[[HEADER:.*]](%{{.*}} : i64)
// CHECK: ^[[HEADER]](%[[I:.*]]: i64):
// CHECK: llvm.getelementptr inbounds %[[A]][%[[I]]]
// CHECK: llvm.store %[[TWICE]]
// CHECK: llvm.return %[[TWICE]] : f32
func.func @f(%A: memref<8xf32>, %x: f32) -> f32 {
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %once = scf.for %i = %c3 to %c4 step %c1 iter_args(%acc = %x) -> (f32) {
    memref.store %acc, %A[%i] : memref<8xf32>
    %twice = arith.addf %acc, %acc : f32
    scf.yield %twice : f32
  }
  %never = scf.for %i = %c4 to %c3 step %c1 iter_args(%acc = %once) -> (f32) {
    %twice = arith.addf %acc, %acc : f32
    scf.yield %twice : f32
  }
  scf.for %i = %c4 to %c8 step %c1 {
    memref.store %never, %A[%i] : memref<8xf32>
  }
  func.return %never : f32
}
