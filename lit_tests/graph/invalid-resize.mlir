// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @resize_mode(%x: tensor<1x2x3x4xf32>) {
  // expected-error@+1 {{unknown mode 'area'}}
  %y = graph.resize %x mode "area" scales [1.0, 1.0, 2.0, 2.0] : (tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32>
  func.return
}

// -----

func.func @resize_scales(%x: tensor<1x2x3x4xf32>) {
  // expected-error@+1 {{graph.resize of rank 4 needs 4 positive scales and a result of that rank}}
  %y = graph.resize %x scales [2.0, 2.0] : (tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32>
  func.return
}

// -----

func.func @resize_roi(%x: tensor<1x2x3x4xf32>) {
  // expected-error@+1 {{tf_crop_and_resize and only it needs 8 roi values}}
  %y = graph.resize %x coordinate_mode "tf_crop_and_resize" scales [1.0, 1.0, 2.0, 2.0] : (tensor<1x2x3x4xf32>) -> tensor<1x2x6x8xf32>
  func.return
}

// -----

func.func @resize_integers(%x: tensor<1x2x3x4xi32>) {
  // expected-error@+1 {{expected floating-point tensors, got tensor<1x2x3x4xi32>}}
  %y = graph.resize %x scales [1.0, 1.0, 2.0, 2.0] : (tensor<1x2x3x4xi32>) -> tensor<1x2x6x8xi32>
  func.return
}
