"""Constant nodes folded in numpy at import, without ONNX's reference implementation.

`onnx.reference` imports some 200 modules and builds an evaluator per node: a tenth of a
second to import and about a third of a millisecond a node. The nodes that make the weights
of the models the onnx package ships (ConstantOfShape, then Unsqueeze) are folded here
directly; any other node, or one these functions do not take as it stands, goes to the
reference evaluator (None).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import onnx
from onnx import numpy_helper

Folder = Callable[[onnx.NodeProto, list[np.ndarray], int], list[np.ndarray] | None]


def attributes(node: onnx.NodeProto) -> dict[str, object]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def constant_of_shape(
    node: onnx.NodeProto, inputs: list[np.ndarray], opset: int
) -> list[np.ndarray] | None:
    attrs = attributes(node)
    if len(inputs) != 1 or set(attrs) - {"value"}:
        return None
    shape = inputs[0]
    if shape.ndim != 1 or shape.dtype != np.int64 or (shape < 0).any():
        return None
    value = attrs.get("value")
    if value is None:
        fill = np.zeros((), np.float32)
    elif isinstance(value, onnx.TensorProto):
        fill = numpy_helper.to_array(value)
        if fill.size != 1 or fill.dtype == object:
            return None
    else:
        return None
    return [np.full(tuple(int(d) for d in shape), fill.reshape(()), fill.dtype)]


def unsqueeze(
    node: onnx.NodeProto, inputs: list[np.ndarray], opset: int
) -> list[np.ndarray] | None:
    attrs = attributes(node)
    if opset >= 13:
        if len(inputs) != 2 or attrs:
            return None
        axes_array = inputs[1]
        if axes_array.ndim != 1 or axes_array.dtype != np.int64:
            return None
        axes = [int(a) for a in axes_array]
    else:
        if len(inputs) != 1 or set(attrs) != {"axes"}:
            return None
        axes = [int(a) for a in attrs["axes"]]  # type: ignore[union-attr]
    rank = inputs[0].ndim + len(axes)
    normal = [a + rank if a < 0 else a for a in axes]
    if any(not 0 <= a < rank for a in normal) or len(set(normal)) != len(normal):
        return None
    return [np.expand_dims(inputs[0], tuple(normal))]


FOLDERS: Mapping[str, Folder] = {"ConstantOfShape": constant_of_shape, "Unsqueeze": unsqueeze}


def fold_natively(
    node: onnx.NodeProto, constants: Mapping[str, np.ndarray], opset: int
) -> list[np.ndarray] | None:
    """The outputs of `node` of the standard domain, whose inputs are all in `constants`,
    at `opset`; None where it is not folded here."""
    folder = FOLDERS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
    if folder is None or len(node.output) != 1 or not all(node.input):
        return None
    return folder(node, [constants[n] for n in node.input], opset)
