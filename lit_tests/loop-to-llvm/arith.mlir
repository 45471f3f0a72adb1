// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// CHECK-LABEL: llvm.func @float
// CHECK: %[[S:.*]] = llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<fast>} : f32
// CHECK: %[[M:.*]] = llvm.call_intrinsic "llvm.maximum.f32"(%[[S]], %{{.*}}) : (f32, f32) -> f32
// CHECK: %[[C:.*]] = llvm.fcmp "olt" %[[M]], %{{.*}} : f32
// CHECK: llvm.select %[[C]], %{{.*}}, %{{.*}} : i1, f32
func.func @float(%x: f32, %y: f32) -> f32 {
  %s = arith.addf %x, %y fastmath<fast> : f32
  %m = arith.maximumf %s, %y : f32
  %c = arith.cmpf olt, %m, %x : f32
  %r = arith.select %c, %m, %x : f32
  func.return %r : f32
}

// CHECK-LABEL: llvm.func @integer
// CHECK: llvm.sdiv
// CHECK: llvm.call_intrinsic "llvm.smin.i32"
// CHECK: llvm.icmp "ult"
// CHECK: llvm.sext %{{.*}} : i32 to i64
func.func @integer(%a: i32, %b: i32) -> (i1, index) {
  %q = arith.divsi %a, %b : i32
  %m = arith.minsi %q, %b : i32
  %c = arith.cmpi ult, %m, %a : i32
  %i = arith.index_cast %m : i32 to index
  func.return %c, %i : i1, index
}

// CHECK-LABEL: llvm.func @casts
// CHECK: llvm.fptosi %{{.*}} : f32 to i32
// CHECK: llvm.uitofp %{{.*}} : i32 to f64
// CHECK: llvm.fptrunc %{{.*}} : f64 to f16
func.func @casts(%x: f32) -> f16 {
  %i = arith.fptosi %x : f32 to i32
  %d = arith.uitofp %i : i32 to f64
  %h = arith.truncf %d : f64 to f16
  func.return %h : f16
}

// CHECK-LABEL: llvm.func @splat
// CHECK: llvm.mlir.constant(dense<1.000000e+00> : vector<8xf32>) : vector<8xf32>
func.func @splat(%v: vector<8xf32>) -> vector<8xf32> {
  %one = arith.constant dense<1.0> : vector<8xf32>
  %r = arith.addf %v, %one : vector<8xf32>
  func.return %r : vector<8xf32>
}
