// RUN: ziggurat-opt %s --split-input-file -p 'te-inline,te-to-loop,apply-default-schedules{target="cpu{mcpu=skylake-avx512 threads=2}"}' | filecheck %s

// A windowed max-pool is scheduled as a depthwise convolution is: each channel packed with
// its border of -inf (the clamps and selects only there), a tile of the row that starts at
// -inf, takes the max over the window in vector lanes and is written back. A 3x3/2 pool
// reads every other pixel: its row loop keeps the annotation, for LLVM's vectorizer.

// CHECK-LABEL: func.func private @fused_max_pool2d_strided
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<1x1x15x15xf32, #loop.scope<local>>
// CHECK: arith.select
// CHECK: te.compute = "max_pool2d.input0.local"}
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<1x1x1x7xf32, #loop.scope<local>>
// CHECK: te.compute = "max_pool2d.local.init"}
// CHECK-NOT: arith.select
// CHECK: memref.load %[[TILE]]
// CHECK: memref.load %[[IMAGE]]
// CHECK-NEXT: arith.maximumf
// CHECK: } {loop.axis = "w.inner", loop.annotations = [#loop.vectorize<16>]}
// CHECK-NEXT: } {loop.axis = "rx"}
// CHECK: te.compute = "max_pool2d.local"}
func.func private @fused_max_pool2d_strided(%0: tensor<1x16x14x14xf32>) -> tensor<1x16x7x7xf32> attributes {ziggurat.fused, ziggurat.anchor = "max_pool2d"} {
  %1 = te.compute "max_pool2d" (%0) axes ["n", "c", "h", "w"] reduce max ["ry" = 3, "rx" = 3] init 0xff800000 : f32 : (tensor<1x16x14x14xf32>) -> tensor<1x16x7x7xf32> {
  ^bb0(%n: index, %c: index, %h: index, %w: index, %ry: index, %rx: index):
    %2 = arith.constant 2 : index
    %3 = arith.muli %h, %2 : index
    %4 = arith.addi %3, %ry : index
    %5 = arith.constant 1 : index
    %6 = arith.subi %4, %5 : index
    %7 = arith.constant 0 : index
    %8 = arith.cmpi sge, %6, %7 : index
    %9 = arith.maxsi %6, %7 : index
    %10 = arith.muli %w, %2 : index
    %11 = arith.addi %10, %rx : index
    %12 = arith.subi %11, %5 : index
    %13 = arith.cmpi sge, %12, %7 : index
    %14 = arith.maxsi %12, %7 : index
    %15 = te.read %0[%n, %c, %9, %14] : tensor<1x16x14x14xf32>
    %16 = arith.andi %8, %13 : i1
    %17 = arith.constant 0xff800000 : f32
    %18 = arith.select %16, %15, %17 : f32
    te.yield %18 : f32
  }
  func.return %1 : tensor<1x16x7x7xf32>
}

// -----

// A 3x3/1 pool on 33 x 33: a tile of the whole row (two vectors and a rest), channels over
// the threads.

// CHECK-LABEL: func.func private @fused_max_pool2d_unit_stride
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<1x1x35x35xf32, #loop.scope<local>>
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<1x1x1x33xf32, #loop.scope<local>>
// CHECK: memref.load %[[IMAGE]]
// CHECK: } {loop.axis = "w.inner", loop.annotations = [#loop.vectorize<16>]}
// CHECK: } {loop.axis = "c", loop.annotations = [#loop.parallel]}

func.func private @fused_max_pool2d_unit_stride(%0: tensor<1x16x33x33xf32>) -> tensor<1x16x33x33xf32> attributes {ziggurat.fused, ziggurat.anchor = "max_pool2d"} {
  %1 = te.compute "max_pool2d" (%0) axes ["n", "c", "h", "w"] reduce max ["ry" = 3, "rx" = 3] init 0xff800000 : f32 : (tensor<1x16x33x33xf32>) -> tensor<1x16x33x33xf32> {
  ^bb0(%n: index, %c: index, %h: index, %w: index, %ry: index, %rx: index):
    %2 = arith.addi %h, %ry : index
    %3 = arith.constant 1 : index
    %4 = arith.subi %2, %3 : index
    %5 = arith.constant 0 : index
    %6 = arith.cmpi sge, %4, %5 : index
    %7 = arith.maxsi %4, %5 : index
    %8 = arith.constant 33 : index
    %9 = arith.cmpi slt, %7, %8 : index
    %10 = arith.constant 32 : index
    %11 = arith.minsi %7, %10 : index
    %12 = arith.addi %w, %rx : index
    %13 = arith.subi %12, %3 : index
    %14 = arith.cmpi sge, %13, %5 : index
    %15 = arith.maxsi %13, %5 : index
    %16 = arith.cmpi slt, %15, %8 : index
    %17 = arith.minsi %15, %10 : index
    %18 = te.read %0[%n, %c, %11, %17] : tensor<1x16x33x33xf32>
    %19 = arith.andi %6, %9 : i1
    %20 = arith.andi %19, %14 : i1
    %21 = arith.andi %20, %16 : i1
    %22 = arith.constant 0xff800000 : f32
    %23 = arith.select %21, %18, %22 : f32
    te.yield %23 : f32
  }
  func.return %1 : tensor<1x16x33x33xf32>
}
