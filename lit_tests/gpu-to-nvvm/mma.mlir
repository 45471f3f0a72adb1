// RUN: ziggurat-opt %s -p gpu-to-nvvm | filecheck %s

// gpu.lane_id reads %laneid; gpu.mma_sync m16n8k16 packs each lane's f16 registers of A
// and B in pairs (<2 x half>) and calls NVVM's mma (named for D's and C's types), whose
// four floats are the lane's D.

// CHECK-LABEL: llvm.func @mma_0(
// CHECK: %[[LANE:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.laneid"() : () -> i32
// CHECK: %[[PAIR:.*]] = llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i32] : vector<2xf16>
// CHECK: %[[D:.*]] = llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.f32.f32"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, f32, f32, f32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NEXT: %[[D0:.*]] = llvm.extractvalue %[[D]][0] : !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NEXT: %{{.*}} = llvm.extractvalue %[[D]][1]
// CHECK-NEXT: %{{.*}} = llvm.extractvalue %[[D]][2]
// CHECK-NEXT: %{{.*}} = llvm.extractvalue %[[D]][3]
// CHECK-NOT: gpu.mma_sync
builtin.module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @mma_0(%A: memref<8xf16>, %C: memref<32x4xf32>) kernel attributes {gpu.known_block_size = array<i32: 32, 1, 1>} {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %c3 = arith.constant 3 : index
      %lane = gpu.lane_id
      %a = memref.load %A[%c0] : memref<8xf16>
      %c = memref.load %C[%lane, %c0] : memref<32x4xf32>
      %d0, %d1, %d2, %d3 = gpu.mma_sync m16n8k16 (%a, %a, %a, %a, %a, %a, %a, %a) (%a, %a, %a, %a) (%c, %c, %c, %c) : f16, f32
      memref.store %d0, %C[%lane, %c0] : memref<32x4xf32>
      memref.store %d1, %C[%lane, %c1] : memref<32x4xf32>
      memref.store %d2, %C[%lane, %c2] : memref<32x4xf32>
      memref.store %d3, %C[%lane, %c3] : memref<32x4xf32>
      gpu.return
    }
  }
}
