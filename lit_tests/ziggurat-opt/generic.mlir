// RUN: ziggurat-opt %s --print-op-generic | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt --print-op-generic | filecheck %s

// Generic form spells every op as "name"(operands) <{properties}> ({regions}) : type.

// CHECK: "func.func"() <{sym_name = "relu", function_type = (tensor<7xf32>) -> tensor<7xf32>}> ({
// CHECK: "te.compute"(%{{.*}}) <{name = "relu", axes = ["i"]}> ({
// CHECK: "te.read"(%{{.*}}, %{{.*}}) : (tensor<7xf32>, index) -> f32
// CHECK: "te.yield"(%{{.*}}) : (f32) -> ()
// CHECK: }) : (tensor<7xf32>) -> tensor<7xf32>
func.func @relu(%X: tensor<7xf32>) -> tensor<7xf32> {
  %Y = te.compute "relu" (%X) axes ["i"] : (tensor<7xf32>) -> tensor<7xf32> {
  ^bb0(%i: index):
    %x = te.read %X[%i] : tensor<7xf32>
    %z = arith.constant 0.000000e+00 : f32
    %r = arith.maximumf %x, %z : f32
    te.yield %r : f32
  }
  func.return %Y : tensor<7xf32>
}
