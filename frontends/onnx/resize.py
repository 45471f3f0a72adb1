"""Resize (opsets 10 to 19) and the older Upsample: the output sizes and per-axis scales
from the scales or sizes inputs (or Upsample's attribute), `axes` and
`keep_aspect_ratio_policy`, and the roi of tf_crop_and_resize, all known at import time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import Handlers, Node, Value

HANDLERS = Handlers()


def values(node: Node, index: int, what: str) -> list[float] | None:
    """An optional input known at import time, None where it is missing or empty."""
    value = node.constant(index, what)
    if value is None or value.size == 0:
        return None
    return [float(v) for v in value.reshape(-1)]


def spread(node: Node, given: Sequence[float], axes: Sequence[int], fill: list[float]) -> list:
    """Per-axis values given for `axes` only, the others `fill`'s."""
    if len(given) != len(axes):
        raise node.error(f"{len(given)} values for the {len(axes)} axes {list(axes)}")
    full = list(fill)
    for axis, value in zip(axes, given, strict=True):
        full[axis] = value
    return full


def sizes_and_scales(
    node: Node, shape: Sequence[int], axes: Sequence[int], scales, sizes
) -> tuple[list[int], list[float]]:
    """The output sizes and the per-axis scales the coordinate transformation divides by."""
    rank = len(shape)
    if sizes is None:
        if scales is None:
            raise node.error("needs scales or sizes")
        full = spread(node, scales, axes, [1.0] * rank)
        if any(s <= 0 for s in full):
            raise node.error(f"scales must be positive, got {scales}")
        return [math.floor(n * s) for n, s in zip(shape, full, strict=True)], full
    wanted = spread(node, [int(s) for s in sizes], axes, list(shape))
    policy = node.string("keep_aspect_ratio_policy", "stretch")
    if policy == "stretch":
        return wanted, [w / n if n else 1.0 for w, n in zip(wanted, shape, strict=True)]
    if policy not in ("not_larger", "not_smaller"):
        raise node.error(f"keep_aspect_ratio_policy '{policy}' is not supported")
    ratios = [wanted[a] / shape[a] for a in axes]
    scale = min(ratios) if policy == "not_larger" else max(ratios)
    out = [math.floor(scale * n + 0.5) if d in axes else n for d, n in enumerate(shape)]
    return out, [scale if d in axes else 1.0 for d in range(rank)]


def nearest_before_opset_11(node: Node, scales: Sequence[float]) -> str:
    """Before opset 11 the nearest pixel is the one below when upsampling and the one above
    when downsampling (onnxruntime's), so one op takes one direction."""
    if all(s >= 1 for s in scales):
        return "floor"
    if all(s <= 1 for s in scales):
        return "ceil"
    raise node.error(f"nearest resizing by scales {list(scales)} both up and down is not supported")


@HANDLERS.handles("Resize")
def resize(node: Node) -> list[Value]:
    x = node.input(0)
    shape = graph.shape_of(x)
    rank = len(shape)
    mode = node.string("mode", "nearest")
    if mode not in graph.RESIZE_MODES:
        raise node.error(f"mode '{mode}' is not supported")
    axes = node.ints("axes", list(range(rank)))
    assert axes is not None
    axes = [a % rank if -rank <= a < rank else rank for a in axes]
    if rank in axes or len(set(axes)) != len(axes):
        raise node.error(f"axes {node.ints('axes')} are out of range or repeat")
    if node.opset < 11:
        scales, sizes, roi = values(node, 1, "scales"), None, None
    else:
        roi = values(node, 1, "roi")
        scales, sizes = values(node, 2, "scales"), values(node, 3, "sizes")
    out, full_scales = sizes_and_scales(node, shape, axes, scales, sizes)
    coordinate_mode = node.string(
        "coordinate_transformation_mode", "half_pixel" if node.opset >= 11 else "asymmetric"
    )
    if coordinate_mode not in graph.COORDINATE_MODES:
        raise node.error(f"coordinate_transformation_mode '{coordinate_mode}' is not supported")
    if node.opset >= 11:
        nearest_mode = node.string("nearest_mode", "round_prefer_floor")
    else:
        nearest_mode = nearest_before_opset_11(node, full_scales)
    if nearest_mode not in graph.NEAREST_MODES:
        raise node.error(f"nearest_mode '{nearest_mode}' is not supported")
    antialias = bool(node.int("antialias", 0))
    if antialias and mode == "nearest":
        raise node.error("antialias is not defined for mode 'nearest'")
    full_roi = None
    if coordinate_mode == "tf_crop_and_resize":
        if roi is None:
            raise node.error("tf_crop_and_resize needs a roi")
        count = len(axes)
        starts = spread(node, roi[:count], axes, [0.0] * rank)
        ends = spread(node, roi[count:], axes, [1.0] * rank)
        full_roi = starts + ends
    op = graph.ResizeOp(
        x,
        out,
        full_scales,
        mode,
        coordinate_mode,
        nearest_mode,
        node.float("cubic_coeff_a", -0.75),
        bool(node.int("exclude_outside", 0)),
        antialias,
        node.float("extrapolation_value", 0.0),
        full_roi,
    )
    return [node.emit(op)]


@HANDLERS.handles("Upsample")
def upsample(node: Node) -> list[Value]:
    x = node.input(0)
    shape = graph.shape_of(x)
    mode = node.string("mode", "nearest")
    if mode == "bilinear":  # Upsample-7's name for linear
        mode = "linear"
    if mode not in ("nearest", "linear"):
        raise node.error(f"mode '{mode}' is not supported")
    if node.opset < 9:
        scales = node.attribute("scales")
        scales = None if scales is None else [float(s) for s in scales]
    else:
        scales = values(node, 1, "scales")
    if scales is None or len(scales) != len(shape):
        raise node.error(f"needs {len(shape)} scales, got {scales}")
    if any(not np.isfinite(s) or s < 1 for s in scales):
        raise node.error(f"scales must be at least 1, got {scales}")
    out = [math.floor(n * s) for n, s in zip(shape, scales, strict=True)]
    op = graph.ResizeOp(x, out, scales, mode, "asymmetric", "floor")
    return [node.emit(op)]
