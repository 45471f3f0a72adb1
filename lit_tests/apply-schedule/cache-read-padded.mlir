// RUN: ziggurat-opt %s -p 'te-to-loop,apply-schedule' | filecheck %s

// A padded read (clamped indices, the padding selected where they leave the input) is
// cached as the padded tensor: the copy computes each element of the box of the unclamped
// indices once, border included, and the sum reads it there without clamps or selects.

// CHECK-LABEL: func.func @blur
// CHECK: %[[LOCAL:.*]] = memref.alloc() : memref<3xf32, #loop.scope<local>>
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: %[[PADDED:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: memref.store %[[PADDED]], %[[LOCAL]][%{{.*}}] : memref<3xf32, #loop.scope<local>>
// CHECK: te.compute = "X.local"}
// CHECK-NOT: arith.select
// CHECK: memref.load %[[LOCAL]]
// CHECK-NOT: arith.select
// CHECK: te.compute = "blur"}
func.func @blur(%X: tensor<8xf32>) -> tensor<8xf32> {
  %Y = te.compute "blur" (%X) axes ["i"] reduce sum ["r" = 3] init 0.000000e+00 : f32 : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%i: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c7 = arith.constant 7 : index
    %c8 = arith.constant 8 : index
    %s = arith.addi %i, %r : index
    %raw = arith.subi %s, %c1 : index
    %low = arith.cmpi sge, %raw, %c0 : index
    %above = arith.maxsi %raw, %c0 : index
    %high = arith.cmpi slt, %above, %c8 : index
    %inside = arith.andi %low, %high : i1
    %index = arith.minsi %above, %c7 : index
    %x = te.read %X[%index] : tensor<8xf32>
    %zero = arith.constant 0.000000e+00 : f32
    %v = arith.select %inside, %x, %zero : f32
    te.yield %v : f32
  }
  func.return %Y : tensor<8xf32>
}

transform.named_sequence @__transform_main(%root: !transform.any_op) {
  %nest = transform.structured.match attributes {te.compute = "blur"} in %root : (!transform.any_op) -> !transform.any_op
  %i, %r = transform.schedule.get_loops %nest : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %copy = transform.schedule.cache_read %i input 0 into "local" : (!transform.any_op) -> !transform.any_op
  transform.yield
}
