"""A numpy interpreter for graph-level modules: the reference every target is checked against.

Each graph op is computed with whole-array numpy in float64 (integers keep their type) and
cast back to the op's element type at the end of the function, so the reference is more
exact than any target and differences measure the target's error.

    outputs = evaluate(module, "main", [x, w])

`interpreter` runs functions, `rules` maps each graph op to its numpy rule; the rules live
by kind in `operators`, `recurrent`, `quantized`, `rearranging` and `resampling`.
"""

from ziggurat.reference.interpreter import Interpreter, cast, evaluate, evaluate_op
from ziggurat.reference.operators import (
    batch_norm,
    conv2d,
    erf,
    gather,
    layer_norm,
    log_softmax,
    lrn,
    pool2d,
    power,
    softmax,
)
from ziggurat.reference.rearranging import layout_transform
from ziggurat.reference.resampling import resize, resize_taps
from ziggurat.reference.rules import RULES

__all__ = [
    "RULES",
    "Interpreter",
    "batch_norm",
    "cast",
    "conv2d",
    "erf",
    "evaluate",
    "evaluate_op",
    "gather",
    "layer_norm",
    "layout_transform",
    "log_softmax",
    "lrn",
    "pool2d",
    "power",
    "resize",
    "resize_taps",
    "softmax",
]
