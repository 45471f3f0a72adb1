"""Models in: `onnx` imports an ONNX model as a graph-level module, `onnx_backend` runs ONNX
models through it as an ONNX backend."""
