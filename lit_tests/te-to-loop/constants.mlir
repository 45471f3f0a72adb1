// RUN: ziggurat-opt %s -p te-to-loop | filecheck %s

// Tensor constants become private constant globals, one per distinct value across the
// module, read with memref.get_global; scalar constants stay.

// CHECK: "memref.global"() <{sym_name = "__constant_0", type = memref<2x3xf32>, initial_value = dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>, sym_visibility = "private", constant, alignment = 64 : i64}>
// CHECK-NEXT: "memref.global"() <{sym_name = "__constant_1", type = memref<3xf32>, initial_value = dense<5.000000e-01> : tensor<3xf32>, sym_visibility = "private", constant, alignment = 64 : i64}>
// CHECK-NOT: memref.global

// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:.*]]: memref<3xf32>, %[[OUT:.*]]: memref<2xf32> {ziggurat.output})
func.func @dense(%X: tensor<3xf32>) -> tensor<2xf32> {
  // CHECK: %[[W:.*]] = memref.get_global @__constant_0 : memref<2x3xf32>
  // CHECK: %[[H:.*]] = memref.get_global @__constant_1 : memref<3xf32>
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  %W = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %half = arith.constant dense<0.5> : tensor<3xf32>
  %zero = arith.constant 0.0 : f32
  // CHECK: scf.for
  // CHECK: memref.load %[[W]]
  // CHECK: memref.load %[[H]]
  // CHECK: memref.load %[[X]]
  // CHECK-NOT: memref.dealloc
  %Y = te.compute "dense" (%W, %half, %X) axes ["i"] reduce sum ["k" = 3]
         init 0.000000e+00 : f32 : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2xf32> {
  ^bb0(%i: index, %k: index):
    %w = te.read %W[%i, %k] : tensor<2x3xf32>
    %h = te.read %half[%k] : tensor<3xf32>
    %x = te.read %X[%k] : tensor<3xf32>
    %wh = arith.mulf %w, %h : f32
    %p = arith.mulf %wh, %x : f32
    %r = arith.maximumf %p, %zero : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<2xf32>
}

// The same value in another function reuses the global.

// CHECK-LABEL: func.func @same
func.func @same() -> tensor<3xf32> {
  // CHECK: %[[H:.*]] = memref.get_global @__constant_1 : memref<3xf32>
  // CHECK: memref.load %[[H]]
  // CHECK-NEXT: memref.store
  %half = arith.constant dense<0.5> : tensor<3xf32>
  func.return %half : tensor<3xf32>
}
