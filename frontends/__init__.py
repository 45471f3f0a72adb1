"""Model formats in: `onnx` imports an ONNX model as a graph-level module."""
