"""Int8 layers for the accelerator's tests: a requantized matmul or convolution as graph IR,
seeded random inputs for it, and its fused function at the loop level, unscheduled."""

from __future__ import annotations

import numpy as np
from xdsl.dialects import func

import ziggurat
from ziggurat.analysis.nests import recognize
from ziggurat.analysis.payload import is_stage_root
from ziggurat.ir_io import pass_pipeline
from ziggurat.registry import make_context


def matmul_ir(m: int, k: int, n: int, scale: str = "3.906250e-03") -> str:
    return f"""func.func @main(%a: tensor<{m}x{k}xi8>, %b: tensor<{k}x{n}xi8>) -> tensor<{m}x{n}xi8> {{
  %p = graph.matmul_integer %a, %b : (tensor<{m}x{k}xi8>, tensor<{k}x{n}xi8>) -> tensor<{m}x{n}xi32>
  %y = graph.requantize %p scale [{scale}] zero_point -3 : (tensor<{m}x{n}xi32>) -> tensor<{m}x{n}xi8>
  func.return %y : tensor<{m}x{n}xi8>
}}"""


def conv_ir(size: int, channels: int, filters: int, kernel: int, stride: int) -> str:
    pad = kernel // 2
    out = (size + 2 * pad - kernel) // stride + 1
    x, w = f"1x{channels}x{size}x{size}", f"{filters}x{channels}x{kernel}x{kernel}"
    y = f"1x{filters}x{out}x{out}"
    return f"""func.func @main(%x: tensor<{x}xi8>, %w: tensor<{w}xi8>, %b: tensor<{filters}xi32>) -> tensor<{y}xi8> {{
  %p = graph.conv_integer %x, %w, %b strides [{stride}, {stride}] padding [{pad}, {pad}, {pad}, {pad}] : (tensor<{x}xi8>, tensor<{w}xi8>, tensor<{filters}xi32>) -> tensor<{y}xi32>
  %y = graph.requantize %p scale [1.953125e-03] zero_point 2 : (tensor<{y}xi32>) -> tensor<{y}xi8>
  func.return %y : tensor<{y}xi8>
}}"""


def random_arrays(text: str, seed: int = 0) -> list[np.ndarray]:
    module = ziggurat.load_module(text)
    main = next(o for o in module.ops if isinstance(o, func.FuncOp))
    rng = np.random.default_rng(seed)
    arrays = []
    for t in main.function_type.inputs:
        if t.element_type.width.data == 8:  # type: ignore[attr-defined]
            arrays.append(rng.integers(-128, 128, t.get_shape()).astype(np.int8))  # type: ignore[attr-defined]
        else:
            arrays.append(rng.integers(-4000, 4000, t.get_shape()).astype(np.int32))  # type: ignore[attr-defined]
    return arrays


def unscheduled_function(text: str):
    """The fused function of `text` at the loop level, unscheduled, and its nest."""
    module = ziggurat.load_module(text)
    spec = "canonicalize,fold-constants,cse,dce,fuse-ops,graph-to-te,te-inline,cse,dce,te-to-loop"
    pass_pipeline(spec).apply(make_context(), module)
    function = next(
        o for o in module.ops if isinstance(o, func.FuncOp) and o.sym_name.data.startswith("fused")
    )
    root = next(o for o in function.body.block.ops if is_stage_root(o))
    return module, function, recognize(root, function)
