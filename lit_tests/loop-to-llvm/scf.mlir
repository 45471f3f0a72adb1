// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// A loop is a header block comparing the induction variable; its iter_args are block
// arguments; its annotations stay on the back edge (a loop vectorize-loops cannot write as
// vector ops, such as this one reading backwards, keeps #loop.vectorize for LLVM).

// CHECK-LABEL: llvm.func @sum
// CHECK: llvm.br ^[[HEADER:.*]](%{{.*}}, %{{.*}} : i64, f32)
// CHECK: ^[[HEADER]](%[[I:.*]]: i64, %[[ACC:.*]]: f32):
// CHECK: %[[MORE:.*]] = llvm.icmp "slt" %[[I]], %{{.*}} : i64
// CHECK: llvm.cond_br %[[MORE]], ^[[BODY:.*]], ^[[EXIT:.*]]
// CHECK: ^[[BODY]]:
// CHECK: %[[NEXT:.*]] = llvm.add %[[I]], %{{.*}} : i64
// CHECK: llvm.br ^[[HEADER]](%[[NEXT]], %{{.*}} : i64, f32) {loop.annotations = [#loop.unroll<4>, #loop.vectorize<8>]}
// CHECK: ^[[EXIT]]:
// CHECK: llvm.return %[[ACC]] : f32
func.func @sum(%A: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %last = arith.subi %n, %c1 : index
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %r = arith.subi %last, %i : index
    %x = memref.load %A[%r] : memref<?xf32>
    %t = arith.addf %acc, %x : f32
    scf.yield %t : f32
  } {loop.annotations = [#loop.unroll<4>, #loop.vectorize<8>]}
  func.return %s : f32
}

// CHECK-LABEL: llvm.func @relu
// CHECK: llvm.cond_br %{{.*}}, ^[[THEN:.*]], ^[[ELSE:.*]]
// CHECK: ^[[THEN]]:
// CHECK: llvm.br ^[[JOIN:.*]](%{{.*}} : f32)
// CHECK: ^[[ELSE]]:
// CHECK: llvm.br ^[[JOIN]](%{{.*}} : f32)
// CHECK: ^[[JOIN]](%[[Y:.*]]: f32):
// CHECK: llvm.return %[[Y]]
func.func @relu(%x: f32) -> f32 {
  %zero = arith.constant 0.0 : f32
  %positive = arith.cmpf ogt, %x, %zero : f32
  %y = scf.if %positive -> (f32) {
    scf.yield %x : f32
  } else {
    scf.yield %zero : f32
  }
  func.return %y : f32
}

// CHECK-LABEL: llvm.func @countdown
// CHECK: ^[[BEFORE:.*]](%[[X:.*]]: i32):
// CHECK: llvm.cond_br %{{.*}}, ^[[AFTER:.*]](%[[X]] : i32), ^[[DONE:.*]](%[[X]] : i32)
// CHECK: ^[[AFTER]](%[[Y:.*]]: i32):
// CHECK: llvm.br ^[[BEFORE]]
// CHECK: ^[[DONE]](%[[R:.*]]: i32):
// CHECK: llvm.return %[[R]]
func.func @countdown(%n: i32) -> i32 {
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %r = scf.while (%x = %n) : (i32) -> i32 {
    %more = arith.cmpi sgt, %x, %zero : i32
    scf.condition(%more) %x : i32
  } do {
  ^bb0(%y: i32):
    %next = arith.subi %y, %one : i32
    scf.yield %next : i32
  }
  func.return %r : i32
}
