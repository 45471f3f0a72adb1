// The CUDA target's intrinsics. @mma_m16n8k16: a warp's tensor-core product (PTX
// mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32, sm_80 and later): a 16 x 16 tile of
// f16 A times a 16 x 8 tile of f16 B added to a 16 x 8 tile of f32 C. The 32 lanes of a
// warp execute it together, each holding its fragment of A, B and C (mma-fragments
// lowers the call so); it is tensorize's target for f16 matmuls summed in f32.
te.intrinsic @mma_m16n8k16 compute @mma_m16n8k16_update reset @mma_m16n8k16_reset update @mma_m16n8k16_update {
^bb0(%a: tensor<16x16xf16>, %b: tensor<16x8xf16>):
  %c = te.compute "mma_m16n8k16" (%a, %b) axes ["i", "j"] reduce sum ["k" = 16] init 0.000000e+00 : f32 : (tensor<16x16xf16>, tensor<16x8xf16>) -> tensor<16x8xf32> {
  ^bb0(%i: index, %j: index, %k: index):
    %x = te.read %a[%i, %k] : tensor<16x16xf16>
    %y = te.read %b[%k, %j] : tensor<16x8xf16>
    %x32 = arith.extf %x : f16 to f32
    %y32 = arith.extf %y : f16 to f32
    %p = arith.mulf %x32, %y32 : f32
    te.yield %p : f32
  }
}
func.func private @mma_m16n8k16_update(memref<16x16xf16, strided<[?, ?], offset: ?>>, memref<16x8xf16, strided<[?, ?], offset: ?>>, memref<16x8xf32, strided<[?, ?], offset: ?>>)
func.func private @mma_m16n8k16_reset(memref<16x8xf32, strided<[?, ?], offset: ?>>)
