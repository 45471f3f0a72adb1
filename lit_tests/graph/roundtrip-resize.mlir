// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @resize
func.func @resize(%x: tensor<1x2x3x4xf32>) {
  // CHECK: graph.resize %{{[^ ,]+}} scales [1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00] : (tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32>
  %a = graph.resize %x scales [1.0, 1.0, 2.0, 2.0] : (tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32>
  // CHECK: graph.resize %{{[^ ,]+}} mode "cubic" coordinate_mode "align_corners" cubic_coeff_a -5.000000e-01 exclude_outside scales [1.000000e+00, 1.000000e+00, 5.000000e-01, 1.500000e+00] : (tensor<1x2x3x4xf32>) -> tensor<1x2x1x6xf32>
  %b = graph.resize %x mode "cubic" coordinate_mode "align_corners" cubic_coeff_a -0.5 exclude_outside scales [1.0, 1.0, 0.5, 1.5] : (tensor<1x2x3x4xf32>) -> tensor<1x2x1x6xf32>
  // CHECK: graph.resize %{{[^ ,]+}} mode "linear" antialias scales [1.000000e+00, 1.000000e+00, 5.000000e-01, 5.000000e-01] : (tensor<1x2x3x4xf32>) -> tensor<1x2x1x2xf32>
  %c = graph.resize %x mode "linear" antialias scales [1.0, 1.0, 0.5, 0.5] : (tensor<1x2x3x4xf32>) -> tensor<1x2x1x2xf32>
  // CHECK: graph.resize %{{[^ ,]+}} coordinate_mode "tf_crop_and_resize" nearest_mode "ceil" extrapolation_value 2.500000e+00 scales [1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00] roi [0.000000e+00, 0.000000e+00, 1.000000e-01, 0.000000e+00, 1.000000e+00, 1.000000e+00, 9.000000e-01, 1.000000e+00] : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %d = graph.resize %x coordinate_mode "tf_crop_and_resize" nearest_mode "ceil" extrapolation_value 2.5 scales [1.0, 1.0, 1.0, 1.0] roi [0.0, 0.0, 0.1, 0.0, 1.0, 1.0, 0.9, 1.0] : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  func.return
}
