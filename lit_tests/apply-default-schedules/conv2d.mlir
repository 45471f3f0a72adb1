// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-default-schedules{target="cpu{mcpu=skylake-avx512 threads=2}"}' | filecheck %s

// A 3x3 convolution with padding and its bias: the weights packed with the filters
// innermost; the image packed a chunk of 7 rows at a time (9 with the window's) with its
// zero border, in the chunks' own parallel loop; a register tile of 7 pixels (they divide
// the width) by 32 filters (two vectors: 14 accumulators) that starts at 0 and is written
// back through the bias along the output's rows in vector lanes.

// CHECK-LABEL: func.func private @fused_conv2d_add
// CHECK: %[[WEIGHTS:.*]] = memref.alloc() : memref<8x3x3x32xf32, #loop.scope<local>>
// CHECK: %[[IMAGE:.*]] = memref.alloc() : memref<1x8x9x9xf32, #loop.scope<local>>
// CHECK: arith.select
// CHECK: te.compute = "x.local"}
// CHECK: %[[TILE:.*]] = memref.alloc() : memref<1x1x7x32xf32, #loop.scope<local>>
// CHECK: te.compute = "add.local.init"}
// CHECK-NOT: arith.select
// CHECK: } {loop.axis = "c.inner", loop.annotations = [#loop.vectorize<16>]}
// CHECK-NEXT: } {loop.axis = "w.inner", loop.annotations = [#loop.unroll<7>]}
// CHECK: arith.addf
// CHECK: } {loop.axis = "add.local.3", loop.annotations = [#loop.vectorize<16>]}
// CHECK: te.compute = "add.local"}
// CHECK: memref.dealloc %[[IMAGE]]
// CHECK-NEXT: } {loop.axis = "h.outer", loop.annotations = [#loop.parallel]}
func.func private @fused_conv2d_add(%x: tensor<1x8x14x7xf32>, %w: tensor<32x8x3x3xf32>, %b: tensor<32xf32>) -> tensor<1x32x14x7xf32> attributes {ziggurat.fused, ziggurat.anchor = "conv2d"} {
  %y = te.compute "conv2d" (%x, %w) axes ["n", "c", "h", "w"] reduce sum ["rc" = 8, "ry" = 3, "rx" = 3] init 0.000000e+00 : f32 : (tensor<1x8x14x7xf32>, tensor<32x8x3x3xf32>) -> tensor<1x32x14x7xf32> {
  ^bb0(%n: index, %c: index, %h: index, %wo: index, %rc: index, %ry: index, %rx: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c6 = arith.constant 6 : index
    %c7 = arith.constant 7 : index
    %c13 = arith.constant 13 : index
    %c14 = arith.constant 14 : index
    %hr = arith.addi %h, %ry : index
    %row = arith.subi %hr, %c1 : index
    %wr = arith.addi %wo, %rx : index
    %col = arith.subi %wr, %c1 : index
    %top = arith.cmpi sge, %row, %c0 : index
    %row0 = arith.maxsi %row, %c0 : index
    %bottom = arith.cmpi slt, %row0, %c14 : index
    %left = arith.cmpi sge, %col, %c0 : index
    %col0 = arith.maxsi %col, %c0 : index
    %right = arith.cmpi slt, %col0, %c7 : index
    %rows = arith.andi %top, %bottom : i1
    %cols = arith.andi %left, %right : i1
    %inside = arith.andi %rows, %cols : i1
    %row1 = arith.minsi %row0, %c13 : index
    %col1 = arith.minsi %col0, %c6 : index
    %v = te.read %x[%n, %rc, %row1, %col1] : tensor<1x8x14x7xf32>
    %zero = arith.constant 0.000000e+00 : f32
    %padded = arith.select %inside, %v, %zero : f32
    %k = te.read %w[%c, %rc, %ry, %rx] : tensor<32x8x3x3xf32>
    %p = arith.mulf %padded, %k : f32
    te.yield %p : f32
  }
  %z = te.compute "add" (%y, %b) axes ["n", "c", "h", "w"] : (tensor<1x32x14x7xf32>, tensor<32xf32>) -> tensor<1x32x14x7xf32> {
  ^bb0(%n: index, %c: index, %h: index, %wo: index):
    %s = te.read %y[%n, %c, %h, %wo] : tensor<1x32x14x7xf32>
    %t = te.read %b[%c] : tensor<32xf32>
    %r = arith.addf %s, %t : f32
    te.yield %r : f32
  }
  func.return %z : tensor<1x32x14x7xf32>
}
