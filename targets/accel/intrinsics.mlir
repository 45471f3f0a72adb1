// The accelerator's intrinsic: its gemm unit's tile product, one vector of 16 int8 values
// times a 16 x 16 int8 block, accumulated in 16 int32 values (AccelTarget.intrinsics sets
// the 16 to its `tile`). tensorize replaces a nest computing the pattern by a call of
// @accel_gemm_update on views of the buffers; lower-to-accel turns the calls, with the
// loops around them, into `accel.gemm` instructions. The functions' bodies say the same in
// loops (a CPU could run them).
te.intrinsic @accel_gemm compute @accel_gemm_update reset @accel_gemm_reset update @accel_gemm_update {
^bb0(%x: tensor<16xi8>, %w: tensor<16x16xi8>):
  %y = te.compute "accel_gemm" (%x, %w) axes ["j"] reduce sum ["k" = 16] init 0 : i32 : (tensor<16xi8>, tensor<16x16xi8>) -> tensor<16xi32> {
  ^bb0(%j: index, %k: index):
    %a = te.read %x[%k] : tensor<16xi8>
    %b = te.read %w[%k, %j] : tensor<16x16xi8>
    %wa = arith.extsi %a : i8 to i32
    %wb = arith.extsi %b : i8 to i32
    %p = arith.muli %wa, %wb : i32
    te.yield %p : i32
  }
}

func.func private @accel_gemm_update(%x: memref<16xi8, strided<[?], offset: ?>>, %w: memref<16x16xi8, strided<[?, ?], offset: ?>>, %y: memref<16xi32, strided<[?], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %j = %c0 to %c16 step %c1 {
    scf.for %k = %c0 to %c16 step %c1 {
      %a = memref.load %x[%k] : memref<16xi8, strided<[?], offset: ?>>
      %b = memref.load %w[%k, %j] : memref<16x16xi8, strided<[?, ?], offset: ?>>
      %acc = memref.load %y[%j] : memref<16xi32, strided<[?], offset: ?>>
      %wa = arith.extsi %a : i8 to i32
      %wb = arith.extsi %b : i8 to i32
      %p = arith.muli %wa, %wb : i32
      %s = arith.addi %acc, %p : i32
      memref.store %s, %y[%j] : memref<16xi32, strided<[?], offset: ?>>
    }
  }
  func.return
}

func.func private @accel_gemm_reset(%y: memref<16xi32, strided<[?], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0 : i32
  scf.for %j = %c0 to %c16 step %c1 {
    memref.store %zero, %y[%j] : memref<16xi32, strided<[?], offset: ?>>
  }
  func.return
}
