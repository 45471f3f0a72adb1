"""ONNX models to graph-level modules: one `func.func @main` of graph ops on static shapes.

The function's arguments are the graph inputs that are not initializers, in graph order; its
results are the graph outputs, in order; each carries its ONNX name as an `onnx.name`
attribute (read them back with `input_names` and `output_names`). Initializers become
`graph.constant`s, each op is located at its node (`node 'conv1' (Conv)`), and a node whose
inputs are all constants is evaluated at import time, so shape arithmetic (Shape -> Gather ->
Concat -> Reshape, as PyTorch exports it) folds into the static shapes the graph level needs.

    module = import_model("model.onnx", batch_size=1)
    input_names(module)   # ['input']

Anything the importer cannot express (an operator, an attribute or one of its values, an
opset, a dynamic dimension) is a `ZigguratError` naming the node, before any compilation.

The importer's core is `importer` (the graph walk) and `node` (a node with its attribute
bookkeeping, and the element types); the operators' converters are grouped by kind in
`elementwise`, `comparisons`, `activations`, `contractions`, `windows` and `pooling`,
`normalization`, `reductions`, `shapes`, `recurrent` (RNN, GRU, LSTM), `control` (If,
Loop, and the refusal of data-dependent shapes), and `indexing`, `einsum`,
`conv_transpose`, `resize`, `quantization` and `attention` (issue 12), each listing its
`HANDLERS`. A branch or a loop body is imported by `Importer.subgraph` into a block of its
own, reading the values of the graphs around it.
"""

from ziggurat.frontends.onnx.importer import (
    ONNX_NAME,
    OPSETS,
    import_model,
    input_names,
    output_names,
    read_model,
)

__all__ = ["ONNX_NAME", "OPSETS", "import_model", "input_names", "output_names", "read_model"]
