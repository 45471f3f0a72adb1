// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s
// RUN: ziggurat-opt %s | filecheck %s --check-prefix=ROUNDTRIP

// arith.remf (C's fmod, which xDSL's arith lacks) is LLVM's frem, without `contract`.

// ROUNDTRIP: arith.remf %{{.*}}, %{{.*}} : f32
// ROUNDTRIP: arith.remf %{{.*}}, %{{.*}} : vector<8xf64>

// CHECK-LABEL: llvm.func @remainder
// CHECK: llvm.frem %{{.*}}, %{{.*}} : f32
// CHECK: llvm.frem %{{.*}}, %{{.*}} : vector<8xf64>
func.func @remainder(%x: f32, %y: f32, %v: vector<8xf64>) -> (f32, vector<8xf64>) {
  %r = arith.remf %x, %y : f32
  %s = arith.remf %v, %v : vector<8xf64>
  func.return %r, %s : f32, vector<8xf64>
}
