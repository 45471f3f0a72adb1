// RUN: ziggurat-opt %s -p loop-to-llvm | filecheck %s

// A global is a flat, 64-byte aligned array; no initializer means zeros.

// CHECK: llvm.mlir.global internal constant @weights(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<4 x f32>
"memref.global"() <{sym_name = "weights", sym_visibility = "private", type = memref<2x2xf32>,
    initial_value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>, constant}> : () -> ()
// CHECK: llvm.mlir.global external @state() {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<8 x i64>
"memref.global"() <{sym_name = "state", sym_visibility = "public", type = memref<8xi64>, initial_value}> : () -> ()

// CHECK-LABEL: llvm.func @read
// CHECK: %[[P:.*]] = llvm.mlir.addressof @weights : !llvm.ptr
// CHECK: llvm.getelementptr inbounds %[[P]][%{{.*}}]
func.func @read(%i: index, %j: index) -> f32 {
  %W = memref.get_global @weights : memref<2x2xf32>
  %w = memref.load %W[%i, %j] : memref<2x2xf32>
  func.return %w : f32
}
