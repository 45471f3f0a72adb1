// The array's intrinsic: a row of 8 int8 values through the 8 x 8 block of weights it
// holds, added to 8 int32 sums (SystolicTarget.intrinsics sets the 8 to its `size`).
te.intrinsic @systolic_mm compute @systolic_mm_update reset @systolic_mm_reset update @systolic_mm_update {
^bb0(%x: tensor<8xi8>, %w: tensor<8x8xi8>):
  %y = te.compute "systolic_mm" (%x, %w) axes ["n"] reduce sum ["k" = 8] init 0 : i32 : (tensor<8xi8>, tensor<8x8xi8>) -> tensor<8xi32> {
  ^bb0(%n: index, %k: index):
    %a = te.read %x[%k] : tensor<8xi8>
    %b = te.read %w[%k, %n] : tensor<8x8xi8>
    %wa = arith.extsi %a : i8 to i32
    %wb = arith.extsi %b : i8 to i32
    %p = arith.muli %wa, %wb : i32
    te.yield %p : i32
  }
}
func.func private @systolic_mm_update(memref<8xi8, strided<[?], offset: ?>>, memref<8x8xi8, strided<[?, ?], offset: ?>>, memref<8xi32, strided<[?], offset: ?>>)
func.func private @systolic_mm_reset(memref<8xi32, strided<[?], offset: ?>>)
