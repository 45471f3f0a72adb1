// RUN: ziggurat-opt %s -p te-to-loop | filecheck %s

// Each reduce kind folds with one arith op: prod multiplies (mulf, muli), and umax and umin
// compare signless integers as unsigned (maxui, minui), as max and min compare them signed.

// CHECK-LABEL: func.func @kinds
func.func @kinds(%X: tensor<4xf32>, %B: tensor<4xi8>) -> (tensor<f32>, tensor<i8>, tensor<i8>, tensor<i8>) {
  // CHECK: iter_args(%[[P:.*]] = %{{.*}}) -> (f32)
  // CHECK: arith.mulf %[[P]], %{{.*}} : f32
  %prod = te.compute "prod" (%X) axes [] reduce prod ["k" = 4] init 1.0 : f32 : (tensor<4xf32>) -> tensor<f32> {
  ^bb0(%k: index):
    %x = te.read %X[%k] : tensor<4xf32>
    te.yield %x : f32
  }
  // CHECK: iter_args(%[[Q:.*]] = %{{.*}}) -> (i8)
  // CHECK: arith.muli %[[Q]], %{{.*}} : i8
  %iprod = te.compute "iprod" (%B) axes [] reduce prod ["k" = 4] init 1 : i8 : (tensor<4xi8>) -> tensor<i8> {
  ^bb0(%k: index):
    %b = te.read %B[%k] : tensor<4xi8>
    te.yield %b : i8
  }
  // CHECK: iter_args(%[[M:.*]] = %{{.*}}) -> (i8)
  // CHECK: arith.maxui %[[M]], %{{.*}} : i8
  %umax = te.compute "umax" (%B) axes [] reduce umax ["k" = 4] init 0 : i8 : (tensor<4xi8>) -> tensor<i8> {
  ^bb0(%k: index):
    %b = te.read %B[%k] : tensor<4xi8>
    te.yield %b : i8
  }
  // CHECK: iter_args(%[[N:.*]] = %{{.*}}) -> (i8)
  // CHECK: arith.minui %[[N]], %{{.*}} : i8
  %umin = te.compute "umin" (%B) axes [] reduce umin ["k" = 4] init -1 : i8 : (tensor<4xi8>) -> tensor<i8> {
  ^bb0(%k: index):
    %b = te.read %B[%k] : tensor<4xi8>
    te.yield %b : i8
  }
  func.return %prod, %iprod, %umax, %umin : tensor<f32>, tensor<i8>, tensor<i8>, tensor<i8>
}
