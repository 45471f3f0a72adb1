// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// The llvm ops Ziggurat adds to xDSL's, or widens to vectors as upstream has them, print
// and parse back the same.

// CHECK-LABEL: llvm.func @extras
llvm.func @extras(%x: f32, %i: i32, %a: vector<16xf32>, %b: vector<16xf32>) -> vector<16xf32> {
  // CHECK: llvm.fptosi %{{.*}} : f32 to i32
  %s = llvm.fptosi %x : f32 to i32
  // CHECK: llvm.fptoui %{{.*}} : f32 to i32
  %u = llvm.fptoui %x : f32 to i32
  // CHECK: llvm.uitofp %{{.*}} : i32 to f32
  %f = llvm.uitofp %i : i32 to f32
  // CHECK: llvm.fcmp "olt" %{{.*}}, %{{.*}} : f32
  %c = llvm.fcmp "olt" %x, %f : f32
  // CHECK: llvm.select %{{.*}}, %{{.*}}, %{{.*}} : i1, f32
  %y = llvm.select %c, %x, %f : i1, f32
  // CHECK: %[[M:.*]] = llvm.fcmp "uno" %{{.*}}, %{{.*}} : vector<16xf32>
  %m = llvm.fcmp "uno" %a, %b : vector<16xf32>
  // CHECK: llvm.select %[[M]], %{{.*}}, %{{.*}} : vector<16xi1>, vector<16xf32>
  %v = llvm.select %m, %a, %b : vector<16xi1>, vector<16xf32>
  llvm.return %v : vector<16xf32>
}

// CHECK-LABEL: llvm.func @address_spaces
llvm.func @address_spaces(%global: !llvm.ptr<1>) -> !llvm.ptr {
  // CHECK: llvm.addrspacecast %{{.*}} : !llvm.ptr<1> to !llvm.ptr
  %generic = llvm.addrspacecast %global : !llvm.ptr<1> to !llvm.ptr
  llvm.return %generic : !llvm.ptr
}
