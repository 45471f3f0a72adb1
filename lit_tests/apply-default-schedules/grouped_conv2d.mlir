// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-default-schedules{target="cpu{mcpu=skylake-avx512 threads=2}"}' | filecheck %s

// A depthwise 3x3 convolution with padding and its bias: each filter's channel packed with
// its zero border (the clamps and selects only there), a register tile of a whole row of 32
// pixels (two vectors) that sums the window with the weight broadcast, starts at 0 and is
// written back through the bias, vectorized along the row.

// CHECK-LABEL: func.func private @fused_conv2d_add
// CHECK: scf.for %{{.*}} = %{{.*}} to %c16 step %{{.*}} {
// CHECK-NEXT: %[[IMAGE:.*]] = memref.alloc() : memref<1x1x8x34xf32, #loop.scope<local>>
// CHECK: arith.select
// CHECK: te.compute = "x.local"}
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<1x1x1x32xf32, #loop.scope<local>>
// CHECK: } {loop.axis = "add.local.3", loop.annotations = [#loop.vectorize<16>]}
// CHECK: te.compute = "add.local.init"}
// CHECK-NOT: arith.select
// CHECK: memref.load %[[TILE]]
// CHECK: memref.load %[[IMAGE]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x1x8x34xf32, #loop.scope<local>>
// CHECK: } {loop.axis = "{{.*}}.inner", loop.annotations = [#loop.vectorize<16>]}
// CHECK-NEXT: } {loop.axis = "rx"}
// CHECK: arith.addf
// CHECK: } {loop.axis = "add.local.3", loop.annotations = [#loop.vectorize<16>]}
// CHECK: te.compute = "add.local"}
func.func private @fused_conv2d_add(%x: tensor<1x16x6x32xf32>, %w: tensor<16x1x3x3xf32>, %b: tensor<16x1x1xf32>) -> tensor<1x16x6x32xf32> attributes {ziggurat.fused, ziggurat.anchor = "conv2d"} {
  %y = te.compute "conv2d" (%x, %w) axes ["n", "c", "h", "w"] reduce sum ["rc" = 1, "ry" = 3, "rx" = 3] init 0.000000e+00 : f32 : (tensor<1x16x6x32xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x6x32xf32> {
  ^bb0(%n: index, %c: index, %h: index, %w_1: index, %rc: index, %ry: index, %rx: index):
    %0 = arith.addi %c, %rc : index
    %1 = arith.addi %h, %ry : index
    %2 = arith.constant 1 : index
    %3 = arith.subi %1, %2 : index
    %4 = arith.constant 0 : index
    %5 = arith.cmpi sge, %3, %4 : index
    %6 = arith.maxsi %3, %4 : index
    %7 = arith.constant 6 : index
    %8 = arith.cmpi slt, %6, %7 : index
    %9 = arith.constant 5 : index
    %10 = arith.minsi %6, %9 : index
    %11 = arith.addi %w_1, %rx : index
    %12 = arith.subi %11, %2 : index
    %13 = arith.cmpi sge, %12, %4 : index
    %14 = arith.maxsi %12, %4 : index
    %15 = arith.constant 32 : index
    %16 = arith.cmpi slt, %14, %15 : index
    %17 = arith.constant 31 : index
    %18 = arith.minsi %14, %17 : index
    %19 = te.read %x[%n, %0, %10, %18] : tensor<1x16x6x32xf32>
    %20 = arith.andi %5, %8 : i1
    %21 = arith.andi %20, %13 : i1
    %22 = arith.andi %21, %16 : i1
    %23 = arith.constant 0.000000e+00 : f32
    %24 = arith.select %22, %19, %23 : f32
    %25 = te.read %w[%c, %rc, %ry, %rx] : tensor<16x1x3x3xf32>
    %26 = arith.mulf %24, %25 : f32
    te.yield %26 : f32
  }
  %z = te.compute "add" (%y, %b) axes ["i0", "i1", "i2", "i3"] : (tensor<1x16x6x32xf32>, tensor<16x1x1xf32>) -> tensor<1x16x6x32xf32> {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    %27 = arith.constant 0 : index
    %28 = te.read %y[%27, %i1, %i2, %i3] : tensor<1x16x6x32xf32>
    %29 = te.read %b[%i1, %27, %27] : tensor<16x1x1xf32>
    %30 = arith.addf %28, %29 : f32
    te.yield %30 : f32
  }
  func.return %z : tensor<1x16x6x32xf32>
}
