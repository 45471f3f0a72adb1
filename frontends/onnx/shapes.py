"""Shapes and data movement: Constant, Shape, Size, ConstantOfShape and Range (values known
at import time), Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice,
Gather, Pad, Expand and Tile.
"""

from __future__ import annotations

import math

import numpy as np
from xdsl.ir import SSAValue
from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects import graph
from ziggurat.frontends.onnx.node import (
    Handlers,
    Node,
    Value,
    dense,
    integers,
    scalar,
    tensor_value,
)

HANDLERS = Handlers()


@HANDLERS.handles("Constant")
def constant(node: Node) -> list[Value]:
    if "value" in node.attributes:
        return [tensor_value(node.attribute("value"), "the value", node)]
    for name, dtype in (
        ("value_float", np.float32),
        ("value_floats", np.float32),
        ("value_int", np.int64),
        ("value_ints", np.int64),
    ):
        if name in node.attributes:
            return [np.array(node.attribute(name), dtype=dtype)]
    unread = next(iter(node.attributes), None)
    if unread is not None:
        raise node.error(f"attribute '{unread}' is not supported")
    raise node.error("needs a value")


@HANDLERS.handles("Shape")
def shape(node: Node) -> list[Value]:
    dims = node.shape(0)
    start, end = node.int("start", 0), node.attribute("end")
    return [np.array(dims[start : None if end is None else int(end)], dtype=np.int64)]


@HANDLERS.handles("Size")
def size(node: Node) -> list[Value]:
    return [np.array(math.prod(node.shape(0)), dtype=np.int64)]


@HANDLERS.handles("ConstantOfShape")
def constant_of_shape(node: Node) -> list[Value]:
    dims = integers(node.constant(0, "the shape"))
    value = node.attribute("value")
    fill = np.zeros(1, np.float32) if value is None else tensor_value(value, "the value", node)
    return [np.full(dims or [], fill.reshape(-1)[0], dtype=fill.dtype)]


@HANDLERS.handles("Range")
def range_(node: Node) -> list[Value]:
    """start, start + delta, ... up to limit: its length is its values', so they must be
    constants (the ONNX backend fixes them from the first run's inputs)."""
    start, limit, delta = (
        node.constant(i, what) for i, what in enumerate(("the start", "the limit", "the delta"))
    )
    if start is None or limit is None or delta is None:
        raise node.error("needs start, limit and delta")
    if any(v.shape != () for v in (start, limit, delta)):
        raise node.error("start, limit and delta must be scalars")
    if delta == 0:
        raise node.error("delta must not be 0")
    return [np.arange(start, limit, delta).astype(start.dtype)]


@HANDLERS.handles("Reshape")
def reshape(node: Node) -> list[Value]:
    target = integers(node.constant(1, "the shape"))
    if target is None:
        raise node.error("the shape input is missing")
    x = node.input(0)
    if not node.int("allowzero", 0):
        source = graph.shape_of(x)
        target = [source[i] if d == 0 and i < len(source) else d for i, d in enumerate(target)]
    return [node.emit(graph.ReshapeOp(x, target))]


@HANDLERS.handles("Flatten")
def flatten(node: Node) -> list[Value]:
    return [node.emit(graph.FlattenOp(node.input(0), node.int("axis", 1)))]


@HANDLERS.handles("Squeeze")
def squeeze(node: Node) -> list[Value]:
    axes = integers(node.constant(1, "axes")) if node.opset >= 13 else node.ints("axes")
    x = node.input(0)
    dims = graph.shape_of(x)
    if axes is None:
        kept = [d for d in dims if d != 1]
    else:
        try:
            dropped = {graph.normalize_axis(a, len(dims)) for a in axes}
        except VerifyException as error:
            raise node.error(str(error)) from None
        if any(dims[a] != 1 for a in dropped):
            raise node.error(f"cannot squeeze axes {axes} of shape {list(dims)}")
        kept = [d for i, d in enumerate(dims) if i not in dropped]
    return [node.emit(graph.ReshapeOp(x, kept))]


@HANDLERS.handles("Unsqueeze")
def unsqueeze(node: Node) -> list[Value]:
    axes = integers(node.constant(1, "axes")) if node.opset >= 13 else node.ints("axes")
    if not axes:
        raise node.error("axes are required")
    x = node.input(0)
    dims = list(graph.shape_of(x))
    rank = len(dims) + len(axes)
    try:
        inserted = sorted({graph.normalize_axis(a, rank) for a in axes})
    except VerifyException as error:
        raise node.error(str(error)) from None
    if len(inserted) != len(axes):
        raise node.error(f"axes {axes} repeat an axis")
    for axis in inserted:
        dims.insert(axis, 1)
    return [node.emit(graph.ReshapeOp(x, dims))]


@HANDLERS.handles("Transpose")
def transpose(node: Node) -> list[Value]:
    x = node.input(0)
    perm = node.ints("perm") or list(reversed(range(len(graph.shape_of(x)))))
    return [node.emit(graph.TransposeOp(x, perm))]


@HANDLERS.handles("Concat")
def concat(node: Node) -> list[Value]:
    axis = node.attribute("axis")
    if axis is None:
        raise node.error("attribute 'axis' is required")
    return [node.emit(graph.ConcatOp(node.inputs(), int(axis)))]


@HANDLERS.handles("Split")
def split(node: Node) -> list[Value]:
    x = node.input(0)
    dims = graph.shape_of(x)
    axis = node.int("axis", 0)
    try:
        extent = dims[graph.normalize_axis(axis, len(dims))]
    except VerifyException as error:
        raise node.error(str(error)) from None
    sizes = node.ints("split") if node.opset < 13 else integers(node.constant(1, "split"))
    count = node.int("num_outputs", len(node.proto.output))
    if sizes is None:
        chunk = -(-extent // count)
        if extent % count and "num_outputs" not in node.attributes:
            raise node.error(f"cannot split {extent} elements into {count} equal parts")
        sizes = [chunk] * (count - 1) + [extent - chunk * (count - 1)]
    if sum(sizes) != extent or any(s < 0 for s in sizes):
        raise node.error(f"cannot split {extent} elements into parts of {sizes}")
    op = graph.SplitOp(x, axis, sizes)
    node.importer.append(op, node.where)
    return list(op.results)


@HANDLERS.handles("Slice")
def slice_(node: Node) -> list[Value]:
    x = node.input(0)
    dims = graph.shape_of(x)
    rank = len(dims)
    if node.opset < 10:
        starts, ends = node.ints("starts"), node.ints("ends")
        axes, steps = node.ints("axes"), None
    else:
        starts = integers(node.constant(1, "starts"))
        ends = integers(node.constant(2, "ends"))
        axes = integers(node.constant(3, "axes"))
        steps = integers(node.constant(4, "steps"))
    if starts is None or ends is None:
        raise node.error("starts and ends are required")
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise node.error(
            f"starts, ends, axes and steps differ in length: {starts}, {ends}, {axes}, {steps}"
        )
    offsets, sizes, strides = [0] * rank, list(dims), [1] * rank
    seen: set[int] = set()
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        if not -rank <= axis < rank or axis % rank in seen:
            raise node.error(f"axes {axes} are out of range or repeat, for rank {rank}")
        if step == 0:
            raise node.error("a step of 0")
        d = axis % rank
        seen.add(d)
        extent = dims[d]
        start = start + extent if start < 0 else start
        end = end + extent if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), extent), min(max(end, 0), extent)
        else:
            start, end = min(max(start, 0), extent - 1), min(max(end, -1), extent - 1)
        size = max(0, -(-(end - start) // step))
        offsets[d], sizes[d], strides[d] = (start if size else 0), size, step
    return [node.emit(graph.SliceOp(x, offsets, sizes, strides))]


@HANDLERS.handles("Gather")
def gather(node: Node) -> list[Value]:
    axis = node.int("axis", 0)
    data = node.input(0)
    indices = (
        node.constant(1, "indices") if node.proto.input[1] in node.importer.constants else None
    )
    if indices is None:
        return [node.emit(graph.GatherOp(data, node.input(1), axis))]
    dims = graph.shape_of(data)
    try:
        extent = dims[graph.normalize_axis(axis, len(dims))]
    except VerifyException as error:
        raise node.error(str(error)) from None
    if np.any(indices < -extent) or np.any(indices >= extent):
        raise node.error(f"indices out of range for a dimension of {extent}")
    positive = np.where(indices < 0, indices + extent, indices).astype(np.int64)
    label = f"{node.where} indices"
    index_value = node.importer.append(graph.ConstantOp(dense(positive, label)), label)
    return [node.emit(graph.GatherOp(data, index_value.results[0], axis))]


@HANDLERS.handles("Pad")
def pad(node: Node) -> list[Value]:
    mode = node.string("mode", "constant")
    if mode not in graph.PAD_MODES:
        raise node.error(f"mode '{mode}' is not supported")
    x = node.input(0)
    rank = len(graph.shape_of(x))
    value_input: SSAValue | None = None
    if node.opset < 11:
        pads = node.ints("pads")
        value = node.float("value", 0.0)
    else:
        pads = integers(node.constant(1, "pads"))
        if node.has(2) and node.proto.input[2] not in node.importer.constants:
            value, value_input = 0.0, node.input(2)
        else:
            value = scalar(node, 2, "constant_value") or 0.0
        axes = integers(node.constant(3, "axes"))
        if axes is not None and pads is not None:
            full = [0] * (2 * rank)
            for i, axis in enumerate(axes):
                full[axis % rank] = pads[i]
                full[axis % rank + rank] = pads[i + len(axes)]
            pads = full
    if pads is None or len(pads) != 2 * rank:
        raise node.error(f"pads needs {2 * rank} values, got {pads}")
    if any(p < 0 for p in pads):
        raise node.error(f"negative pads {pads} are not supported")
    padded = node.emit(graph.PadOp(x, pads, value, mode))
    if value_input is None or mode != "constant":
        return [padded]
    # A fill value known only at run time: pad with zeros, then select the value where a
    # constant mask marks the padding (a product with the mask would make -inf NaN).
    inside = np.ones(graph.shape_of(x), dtype=np.bool_)
    outside = ~np.pad(inside, list(zip(pads[:rank], pads[rank:], strict=True)))
    mask = node.importer.append(graph.ConstantOp(dense(outside, node.where)), node.where)
    return [node.emit(graph.SelectOp(mask.results[0], value_input, padded))]


@HANDLERS.handles("Expand")
def expand(node: Node) -> list[Value]:
    """numpy broadcasting of the input and the shape given, both ways: a 1 in the shape
    keeps the input's dimension."""
    shape = integers(node.constant(1, "the shape"))
    if shape is None:
        raise node.error("the shape input is missing")
    x = node.input(0)
    try:
        result = graph.broadcast_shapes(graph.shape_of(x), tuple(shape))
    except VerifyException as error:
        raise node.error(str(error)) from None
    if result == graph.shape_of(x):
        return [x]
    return [node.emit(graph.BroadcastToOp(x, result))]


@HANDLERS.handles("Tile")
def tile(node: Node) -> list[Value]:
    repeats = integers(node.constant(1, "repeats"))
    if repeats is None:
        raise node.error("the repeats input is missing")
    x = node.input(0)
    if all(r == 1 for r in repeats) and len(repeats) == len(graph.shape_of(x)):
        return [x]
    return [node.emit(graph.TileOp(x, repeats))]
