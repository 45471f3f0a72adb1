// RUN: ziggurat-opt %s -p 'te-inline,te-to-loop,apply-schedule{target="accel"},canonicalize,cse,lower-to-accel' | filecheck %s

// A 32x32x32 int8 matmul, shifted and clipped to int8, scheduled for the accelerator: two
// row tiles of 16 as virtual threads, k in steps of 16. lower-to-accel runs the loops over
// tiles: each thread's accumulator tile in its half of the buffer is reset, each step
// loads its tiles of A and B and runs one gemm (its loops: rows, column blocks), the
// epilogue is two ALU instructions on the tile, and the store narrows it to the output.
// The threads' runs of one unit's instructions alternate.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<32x32xi8>, %[[B:.*]]: memref<32x32xi8>, %[[OUT:.*]]: memref<32x32xi8> {ziggurat.output})
// CHECK-NEXT: accel.program tile 16 {
// CHECK-NEXT: %[[INP:.*]] = accel.buffer : !accel.buffer<input, 32768, i8>
// CHECK-NEXT: %[[WGT:.*]] = accel.buffer : !accel.buffer<weight, 262144, i8>
// CHECK-NEXT: %[[ACC:.*]] = accel.buffer : !accel.buffer<accumulator, 32768, i32>
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] = 0 loops [32 x (16)]
// CHECK-NEXT: accel.gemm %[[ACC]][16384 | 1] = 0 loops [32 x (16)]
// CHECK-NEXT: accel.load %[[B]][0] sizes [32, 16] strides [1, 32] into %[[WGT]][0]
// CHECK-NEXT: accel.load %[[A]][0] sizes [16, 16] strides [32, 1] into %[[INP]][0]
// CHECK-NEXT: accel.load %[[B]][0] sizes [32, 16] strides [1, 32] into %[[WGT]][131072]
// CHECK-NEXT: accel.load %[[A]][512] sizes [16, 16] strides [32, 1] into %[[INP]][16384]
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] += %[[INP]][0 | 1] * %[[WGT]][0 | 1, 16] loops [16 x (32, 16, 0), 2 x (16, 0, 256)]
// CHECK-NEXT: accel.gemm %[[ACC]][16384 | 1] += %[[INP]][16384 | 1] * %[[WGT]][131072 | 1, 16] loops [16 x (32, 16, 0), 2 x (16, 0, 256)]
// CHECK-NEXT: accel.load %[[B]][512] sizes [32, 16] strides [1, 32] into %[[WGT]][0]
// CHECK-NEXT: accel.load %[[A]][16] sizes [16, 16] strides [32, 1] into %[[INP]][0]
// CHECK-NEXT: accel.load %[[B]][512] sizes [32, 16] strides [1, 32] into %[[WGT]][131072]
// CHECK-NEXT: accel.load %[[A]][528] sizes [16, 16] strides [32, 1] into %[[INP]][16384]
// CHECK-NEXT: accel.gemm %[[ACC]][0 | 1] += %[[INP]][0 | 1] * %[[WGT]][0 | 1, 16]
// CHECK-NEXT: accel.alu shr %[[ACC]][0 | 1], 6 loops [16 x (32), 2 x (16)]
// CHECK-NEXT: accel.alu clip %[[ACC]][0 | 1], -128, 127 loops [16 x (32), 2 x (16)]
// CHECK-NEXT: accel.gemm %[[ACC]][16384 | 1] += %[[INP]][16384 | 1] * %[[WGT]][131072 | 1, 16]
// CHECK-NEXT: accel.alu shr %[[ACC]][16384 | 1], 6
// CHECK-NEXT: accel.alu clip %[[ACC]][16384 | 1], -128, 127
// CHECK-NEXT: accel.store %[[ACC]][0] sizes [512] into %[[OUT]][0] strides [1]
// CHECK-NEXT: accel.store %[[ACC]][16384] sizes [512] into %[[OUT]][512] strides [1]
// CHECK-NEXT: }
// CHECK-NEXT: func.return
func.func @matmul(%A: tensor<32x32xi8>, %B: tensor<32x32xi8>) -> tensor<32x32xi8> {
  %C = te.compute "matmul" (%A, %B) axes ["i", "j"] reduce sum ["k" = 32] init 0 : i32 : (tensor<32x32xi8>, tensor<32x32xi8>) -> tensor<32x32xi32> {
  ^bb0(%i: index, %j: index, %k: index):
    %a = te.read %A[%i, %k] : tensor<32x32xi8>
    %b = te.read %B[%k, %j] : tensor<32x32xi8>
    %wa = arith.extsi %a : i8 to i32
    %wb = arith.extsi %b : i8 to i32
    %p = arith.muli %wa, %wb : i32
    te.yield %p : i32
  }
  %Y = te.compute "narrow" (%C) axes ["i", "j"] : (tensor<32x32xi32>) -> tensor<32x32xi8> {
  ^bb0(%i: index, %j: index):
    %v = te.read %C[%i, %j] : tensor<32x32xi32>
    %s = arith.constant 6 : i32
    %q = arith.shrsi %v, %s : i32
    %lo = arith.constant -128 : i32
    %hi = arith.constant 127 : i32
    %m = arith.maxsi %q, %lo : i32
    %n = arith.minsi %m, %hi : i32
    %t = arith.trunci %n : i32 to i8
    te.yield %t : i8
  }
  func.return %Y : tensor<32x32xi8>
}
transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %mm = transform.structured.match attributes {te.compute = "narrow"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %j, %k = transform.schedule.get_loops %mm : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %io, %ii = transform.schedule.split %i by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %ko, %ki = transform.schedule.split %k by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %jb, %j16 = transform.schedule.split %j by 16 : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %io, %ii, %jb, %j16 : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %back, %init = transform.schedule.cache_write %io into "accumulator" : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.schedule.reorder %ko, %ii, %jb, %j16, %ki : !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op
  %a = transform.schedule.cache_read %ko input 0 into "input" : (!transform.any_op) -> !transform.any_op
  %b = transform.schedule.cache_read %ko input 1 into "weight" : (!transform.any_op) -> !transform.any_op
  transform.schedule.virtual_thread %io : !transform.any_op
  transform.schedule.tensorize %j16 with @accel_gemm : !transform.any_op
  transform.yield
}
