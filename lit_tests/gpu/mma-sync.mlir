// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// A warp's tensor-core mma on each lane's fragment registers, and the lane's index.

// CHECK-LABEL: func.func @fragments
// CHECK: %[[LANE:.*]] = gpu.lane_id
// CHECK-NEXT: %[[D0:.*]], %{{.*}}, %{{.*}}, %{{.*}} = gpu.mma_sync m16n8k16 (%[[A:.*]], %[[A]], %[[A]], %[[A]], %[[A]], %[[A]], %[[A]], %[[A]]) (%[[A]], %[[A]], %[[A]], %[[A]]) (%[[C:.*]], %[[C]], %[[C]], %[[C]]) : f16, f32
func.func @fragments(%a: f16, %c: f32) -> (index, f32) {
  %l = gpu.lane_id
  %d0, %d1, %d2, %d3 = gpu.mma_sync m16n8k16 (%a, %a, %a, %a, %a, %a, %a, %a) (%a, %a, %a, %a) (%c, %c, %c, %c) : f16, f32
  func.return %l, %d0 : index, f32
}
